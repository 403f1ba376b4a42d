package excel

import (
	"os"
	"testing"
)

// TestLook writes the sample workbook where a person can open it:
// SOCIALROI_LOOK=/tmp/x.xlsx go test -run TestLook ./reports/excel
func TestLook(t *testing.T) {
	path := os.Getenv("SOCIALROI_LOOK")
	if path == "" {
		t.Skip("set SOCIALROI_LOOK to a path to write the sample workbook")
	}
	if err := Write(t.Context(), path, sampleWorkbook()); err != nil {
		t.Fatal(err)
	}
}

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/socialroi/socialroi/models"
)

// TestDemoIndependentOfMachineTimeZone runs the demo on a machine in UTC
// and on one in New York: every Parquet file must hold the same rows. A
// warehouse session took the machine's time zone, and in New York the
// report week started on the Sunday before, until a data test failed.
func TestDemoIndependentOfMachineTimeZone(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs the demo twice")
	}
	bin := buildBinary(t)
	dirs := map[string]string{}
	for _, tz := range []string{"UTC", "America/New_York"} {
		out := t.TempDir()
		cmd := exec.Command(bin, "demo", "--out", out)
		cmd.Env = append(os.Environ(), "TZ="+tz)
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("TZ=%s: demo: %v\n%s", tz, err, b)
		}
		dirs[tz] = out
	}
	files, err := filepath.Glob(filepath.Join(dirs["UTC"], "*", "*.parquet"))
	if err != nil || len(files) < 10 {
		t.Fatalf("Parquet files of the UTC demo: %v %v", files, err)
	}
	db, err := models.Open(t.Context(), "", models.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, utc := range files {
		rel, _ := filepath.Rel(dirs["UTC"], utc)
		ny := filepath.Join(dirs["America/New_York"], rel)
		var rows, onlyUTC, onlyNY int64
		a, b := "read_parquet("+models.Literal(utc)+")", "read_parquet("+models.Literal(ny)+")"
		if err := db.Conn().QueryRowContext(t.Context(), "SELECT (SELECT count(*) FROM "+a+"), "+
			"(SELECT count(*) FROM (SELECT * FROM "+a+" EXCEPT ALL SELECT * FROM "+b+")), "+
			"(SELECT count(*) FROM (SELECT * FROM "+b+" EXCEPT ALL SELECT * FROM "+a+"))").Scan(&rows, &onlyUTC, &onlyNY); err != nil {
			t.Fatalf("%s: %v", rel, err)
		}
		if onlyUTC != 0 || onlyNY != 0 {
			t.Errorf("%s: of %d rows in UTC, %d differ in New York (%d there differ)", rel, rows, onlyUTC, onlyNY)
		}
	}
}

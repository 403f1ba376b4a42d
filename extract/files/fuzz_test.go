package files

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/socialroi/socialroi/transform"
)

// FuzzCSV feeds arbitrary bytes to the CSV reader for every canonical table:
// it must return records or an error, never panic, and never leak memory.
// Seeded with every CSV under testdata/files.
//
//	go test ./extract/files -run '^$' -fuzz FuzzCSV -fuzztime 30s
func FuzzCSV(f *testing.F) {
	tables := transform.TableNames()
	seeds, _ := filepath.Glob(filepath.Join(casesDir, "*", "*.csv"))
	for _, p := range seeds {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		table := strings.TrimSuffix(filepath.Base(p), ".csv")
		if i := slices.Index(tables, table); i >= 0 {
			f.Add(uint8(i), data)
		} else {
			f.Add(uint8(0), data)
		}
	}
	f.Fuzz(func(t *testing.T, ti uint8, data []byte) {
		table := tables[int(ti)%len(tables)]
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		recs, err := ReadCSV(t.Context(), bytes.NewReader(data), "fuzz.csv", table, mem, WithBatchSize(3))
		if err == nil {
			// What parses must write back and parse again to the same rows.
			var buf bytes.Buffer
			if len(recs) > 0 {
				if werr := WriteCSV(&buf, recs...); werr != nil {
					t.Fatalf("WriteCSV after a good read: %v", werr)
				}
				again, rerr := ReadCSV(t.Context(), &buf, "again.csv", table, mem, WithBatchSize(3))
				if rerr != nil {
					t.Fatalf("re-reading written CSV: %v\n%s", rerr, buf.String())
				}
				release(again)
			}
		}
		release(recs)
		mem.AssertSize(t, 0)
	})
}

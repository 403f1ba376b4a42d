package files

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
)

// FuzzExport feeds arbitrary bytes to export detection and parsing, under
// every format choice: it must return rows or an error, never panic or leak,
// and every row it returns must be loadable (an ad id, an account, a
// currency, a day, no negative counts). Seeded with testdata/exports.
//
//	go test ./extract/files -run '^$' -fuzz FuzzExport -fuzztime 30s
func FuzzExport(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join(exportsDir, "*.csv"))
	if len(seeds) == 0 {
		f.Fatal("no seeds in testdata/exports")
	}
	for _, p := range seeds {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(uint8(0), data)
	}
	f.Add(uint8(3), []byte("Report\nStart Date (in UTC),Campaign Name,Impressions,Total Spent (USD)\n11/16/2026,c,\"1,000\",1.5\nTotal,,1,1\n"))
	formats := append([]ExportFormat{ExportAuto}, ExportFormats()...)
	f.Fuzz(func(t *testing.T, fi uint8, data []byte) {
		opts := ExportOptions{Format: formats[int(fi)%len(formats)], AccountID: "1", Currency: ""}
		if fi >= 128 {
			opts.Currency = "USD"
		}
		rows, _, err := parseExport(data, "fuzz.csv", opts)
		if err != nil {
			return
		}
		for i, r := range rows {
			if r.AdID == "" || r.AccountID == "" || len(r.Currency) != 3 || r.Date.IsZero() || r.Platform == "" ||
				r.Impressions < 0 || r.Clicks < 0 || r.LinkClicks < 0 || r.Spend.IsNegative() {
				t.Fatalf("row %d not loadable: %+v", i, r)
			}
		}
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		recs, _, err := ReadExport(t.Context(), bytes.NewReader(data), "fuzz.csv", mem, opts)
		if err != nil {
			t.Fatalf("parsed but did not build: %v", err)
		}
		n := 0
		for _, r := range recs {
			n += int(r.NumRows())
		}
		release(recs)
		if n != len(rows) {
			t.Fatalf("%d rows parsed, %d built", len(rows), n)
		}
		mem.AssertSize(t, 0)
	})
}

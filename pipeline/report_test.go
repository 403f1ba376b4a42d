package pipeline

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/socialroi/socialroi/models"
)

// Files are written by several writers at once, each on its own
// connection, yet come back in kind-then-mart order with the rows of the
// report week only; a mart that cannot be read fails the lot, naming it.
func TestWriteFilesInParallel(t *testing.T) {
	ctx := t.Context()
	wh, err := models.Open(ctx, filepath.Join(t.TempDir(), "w.duckdb"), models.Options{Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer wh.Close()
	week := models.Week{Start: day("2026-11-16")}
	var marts []string
	columns := map[string][]string{}
	for i := range 5 {
		name := fmt.Sprintf("mart_%d", i)
		// i+1 rows in the report week (2026-11-16) and one the week before
		q := fmt.Sprintf(`CREATE TABLE %s AS
			SELECT DATE '2026-11-16' AS week_start, r AS n FROM range(%d) AS t(r)
			UNION ALL SELECT DATE '2026-11-09', 99`, name, i+1)
		if _, err := wh.Conn().ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
		marts = append(marts, name)
		columns[name] = []string{"week_start", "n"}
	}

	for _, writers := range []int{1, 3, 20} {
		t.Run(fmt.Sprint(writers, " writers"), func(t *testing.T) {
			dir := t.TempDir()
			var steps atomic.Int64
			outs, err := writeFiles(ctx, wh, writers, []string{"parquet", "csv"}, marts, columns, week, dir, func() { steps.Add(1) })
			if err != nil {
				t.Fatal(err)
			}
			if len(outs) != 10 || steps.Load() != 10 {
				t.Fatalf("%d outputs, %d steps, want 10 and 10", len(outs), steps.Load())
			}
			for i, o := range outs {
				kind, mart := []string{"parquet", "csv"}[i/5], marts[i%5]
				if o.Kind != kind || o.Path != filepath.Join(dir, mart+"."+kind) || o.Rows != int64(i%5+1) {
					t.Errorf("output %d: %s %s %d rows, want %s %s.%s %d rows", i, o.Kind, filepath.Base(o.Path), o.Rows, kind, mart, kind, i%5+1)
				}
			}
		})
	}

	_, err = writeFiles(ctx, wh, 2, []string{"parquet"}, slices.Concat(marts, []string{"mart_missing"}),
		columns, week, t.TempDir(), func() {})
	if err == nil || !strings.Contains(err.Error(), "mart_missing") {
		t.Errorf("a missing mart: %v, want an error naming it", err)
	}
}

// What killed runs leave in the output folder is removed, at whatever point
// they were killed, including inside the temporary workbook's own atomic
// write; published outputs and other weeks' files stay.
func TestRecoverOutputsRemovesLeftovers(t *testing.T) {
	dir := t.TempDir()
	week := models.Week{Start: day("2026-11-16")}
	leftovers := []string{
		".2026-W47.20261124T070425Z-65436b.tmp",                                // staging folder
		".socialroi_2026-W47.20261124T070425Z-65436b.xlsx.tmp",                 // temporary workbook
		"..socialroi_2026-W47.20261124T070425Z-65436b.xlsx.tmp.3041862038.tmp", // its atomic write
	}
	kept := []string{"socialroi_2026-W47.xlsx", ".socialroi_2026-W46.20261117T060000Z-a1b2c3.xlsx.tmp"}
	for _, name := range slices.Concat(leftovers, kept) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	recoverOutputs(dir, week, slog.New(slog.DiscardHandler))
	for _, name := range leftovers {
		if _, err := os.Stat(filepath.Join(dir, name)); !os.IsNotExist(err) {
			t.Errorf("%s was not removed", name)
		}
	}
	for _, name := range kept {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// A capped sheet reads its first rows in the query's order and learns from
// DuckDB how many there are in all; an uncapped one, or one within its
// cap, reads every row and says no more.
func TestReadTableCapsInTheQuery(t *testing.T) {
	ctx := t.Context()
	wh, err := models.Open(ctx, ":memory:", models.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer wh.Close()
	// 7 rows in week 1 (n = 8, 7, …, 2, stored in that order) and 3 in week 2
	if _, err := wh.Conn().ExecContext(ctx, `CREATE TABLE ledger AS
		SELECT 1 AS week, 8 - i AS n FROM range(7) AS r(i)
		UNION ALL SELECT 2, i FROM range(3) AS r(i)`); err != nil {
		t.Fatal(err)
	}
	query := "SELECT n FROM ledger WHERE week = ? ORDER BY n"
	for _, tc := range []struct {
		limit     int
		wantRows  string // n of the rows read, in order
		wantTotal int    // TotalRows
		wantLen   int
	}{
		{limit: 3, wantRows: "2,3,4", wantTotal: 7, wantLen: 7}, // the 3 smallest of 7
		{limit: 7, wantRows: "2,3,4,5,6,7,8", wantTotal: 0, wantLen: 7},
		{limit: 10, wantRows: "2,3,4,5,6,7,8", wantTotal: 0, wantLen: 7},
		{limit: -1, wantRows: "2,3,4,5,6,7,8", wantTotal: 0, wantLen: 7},
		{limit: 0, wantRows: "", wantTotal: 7, wantLen: 7},
	} {
		got, err := readTable(ctx, wh, "Ledger", query, tc.limit, 1)
		if err != nil {
			t.Fatal(err)
		}
		var ns []string
		for _, r := range got.Rows {
			ns = append(ns, fmt.Sprint(r[0]))
		}
		if strings.Join(ns, ",") != tc.wantRows || got.TotalRows != tc.wantTotal || got.Len() != tc.wantLen {
			t.Errorf("limit %d: rows %v, TotalRows %d, Len %d; want %s, %d, %d",
				tc.limit, ns, got.TotalRows, got.Len(), tc.wantRows, tc.wantTotal, tc.wantLen)
		}
	}
}

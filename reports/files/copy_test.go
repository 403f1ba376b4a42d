package files

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"

	"github.com/socialroi/socialroi/models"
)

// reader opens an in-memory warehouse holding the ledger rows of
// ledgerReader (in another order, with a list column) and a table of
// rowGroupRows+1 numbers, and returns a Reader on it.
func reader(t *testing.T) *models.Reader {
	t.Helper()
	wh, err := models.Open(t.Context(), ":memory:", models.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { wh.Close() })
	if _, err := wh.Conn().ExecContext(t.Context(), `
		CREATE TABLE ledger AS SELECT * FROM (VALUES
			('c2', TIMESTAMPTZ '2026-11-18 00:00:00+00', DATE '2026-11-16', NULL, 1.0::DOUBLE, -0.05::DECIMAL(18,2), 3::BIGINT, true, ['x']),
			('c1', TIMESTAMPTZ '2026-11-17 09:30:00.5+00', DATE '2026-11-16', 'paid_social', 0.4::DOUBLE, 12.30::DECIMAL(18,2), 1::BIGINT, true, ['a', 'b']),
			('c1', TIMESTAMPTZ '2026-11-17 09:30:00.5+00', DATE '2026-11-16', 'a, "b"', 0.1::DOUBLE + 0.2::DOUBLE, NULL, 2::BIGINT, false, [])
		) AS t(conversion_id, conversion_ts, week_start, channel, credit, revenue_credit, touches, is_new_customer, tags);
		CREATE TABLE numbers AS SELECT range AS n FROM range(262145)`); err != nil {
		t.Fatal(err)
	}
	rd, err := wh.NewReader(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rd.Close() })
	return rd
}

// DuckDB's writer keeps the types the marts use (Parquet logical types,
// read back by arrow-go as the Arrow types the warehouse returns) and the
// order of the query.
func TestCopyParquet(t *testing.T) {
	rd := reader(t)
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	// a quote in the path: it is a SQL string literal
	path := filepath.Join(t.TempDir(), "it's the ledger.parquet")
	out, err := CopyParquet(t.Context(), rd, path, "SELECT * FROM ledger ORDER BY conversion_id, touches")
	if err != nil {
		t.Fatal(err)
	}
	checkOutput(t, out, "parquet", path, 3)

	pf, err := file.OpenParquetFile(path, false)
	if err != nil {
		t.Fatal(err)
	}
	defer pf.Close()
	tbl := readArrowTable(t, pf, mem)
	defer tbl.Release()
	wantTypes := map[string]arrow.DataType{
		"conversion_id":   arrow.BinaryTypes.String,
		"conversion_ts":   &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"},
		"week_start":      arrow.FixedWidthTypes.Date32,
		"credit":          arrow.PrimitiveTypes.Float64,
		"revenue_credit":  &arrow.Decimal128Type{Precision: 18, Scale: 2},
		"touches":         arrow.PrimitiveTypes.Int64,
		"is_new_customer": arrow.FixedWidthTypes.Boolean,
		"channel":         arrow.BinaryTypes.String,
		"tags":            arrow.ListOfField(arrow.Field{Name: "element", Type: arrow.BinaryTypes.String, Nullable: true}),
	}
	if n := tbl.Schema().NumFields(); n != len(wantTypes) {
		t.Errorf("%d columns, want %d", n, len(wantTypes))
	}
	for _, f := range tbl.Schema().Fields() {
		if want := wantTypes[f.Name]; !arrow.TypeEqual(f.Type, want) {
			t.Errorf("%s read back as %s, want %s", f.Name, f.Type, want)
		}
	}
	got, want := columnValues(tbl), append(slices.Clone(ledgerValues), `["a","b"]`, "[]", `["x"]`)
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("read back\n%q\nwant\n%q", got, want)
	}

	// Row groups of rowGroupRows rows, as WriteParquet's.
	path = filepath.Join(t.TempDir(), "numbers.parquet")
	if _, err := CopyParquet(t.Context(), rd, path, "SELECT * FROM numbers"); err != nil {
		t.Fatal(err)
	}
	pf2, err := file.OpenParquetFile(path, false)
	if err != nil {
		t.Fatal(err)
	}
	defer pf2.Close()
	if pf2.NumRows() != rowGroupRows+1 || pf2.NumRowGroups() != 2 {
		t.Errorf("%d rows in %d row groups, want %d in 2", pf2.NumRows(), pf2.NumRowGroups(), rowGroupRows+1)
	}
}

// A copy cancelled at any moment, even between DuckDB preparing it and
// running it, has stopped when CopyParquet returns: nothing writes into
// the directory after it has removed its temporary file.
func TestCopyParquetCancelledMidway(t *testing.T) {
	rd := reader(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "numbers.parquet")
	var cancelled int
	for i := range 300 {
		ctx, cancel := context.WithCancel(t.Context())
		time.AfterFunc(time.Duration(i%30)*100*time.Microsecond, cancel)
		_, err := CopyParquet(ctx, rd, path, "SELECT * FROM numbers ORDER BY n DESC")
		cancel()
		switch {
		case errors.Is(err, context.Canceled):
			cancelled++
		case err != nil:
			t.Fatal(err)
		default:
			os.Remove(path)
		}
	}
	if cancelled == 0 {
		t.Fatal("no copy was cancelled")
	}
	// what a copy left running would write, it writes before the next
	// statement on the connection stops it
	time.Sleep(50 * time.Millisecond)
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("%d files left in the directory (%s…) after %d cancelled copies, want none", len(entries), entries[0].Name(), cancelled)
	}
}

// A failed or cancelled copy leaves the previous file byte for byte, and
// no temporary file, and the error names the file.
func TestCopyParquetKeepsOldFileOnFailure(t *testing.T) {
	rd := reader(t)
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	for _, tc := range []struct {
		name  string
		ctx   context.Context
		query string
		want  func(error) bool
	}{
		{"cancelled", cancelled, "SELECT * FROM ledger", func(err error) bool { return errors.Is(err, context.Canceled) }},
		{"failing query", t.Context(), "SELECT * FROM no_such_mart", func(err error) bool { return strings.Contains(err.Error(), "no_such_mart") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "mart.parquet")
			os.WriteFile(path, []byte("last week"), 0o644)
			_, err := CopyParquet(tc.ctx, rd, path, tc.query)
			if err == nil || !tc.want(err) || !strings.Contains(err.Error(), path) {
				t.Fatalf("err = %v", err)
			}
			if b, _ := os.ReadFile(path); string(b) != "last week" {
				t.Error("old file changed")
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 1 {
				t.Errorf("%d entries in the directory, want 1", len(entries))
			}
		})
	}
}

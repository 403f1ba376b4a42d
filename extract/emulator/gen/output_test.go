package gen

import (
	"path/filepath"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/socialroi/socialroi/extract/files"
)

// TestWriteFilesRoundTrip writes every table as CSV and as Parquet and reads
// them back through the files source's reader: the demo's files must load
// unchanged.
func TestWriteFilesRoundTrip(t *testing.T) {
	b := generate(t, Config{})
	dir := t.TempDir()
	if err := b.WriteCSV(dir); err != nil {
		t.Fatal(err)
	}
	if err := b.WriteParquet(dir); err != nil {
		t.Fatal(err)
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	for _, table := range Tables() {
		want, err := b.Record(mem, table)
		if err != nil {
			t.Fatal(err)
		}
		for _, ext := range []string{".csv", ".parquet"} {
			recs, err := files.ReadTable(t.Context(), filepath.Join(dir, table+ext), table, mem)
			if err != nil {
				t.Errorf("%s%s: %v", table, ext, err)
				continue
			}
			got := concat(t, mem, recs)
			if !array.RecordEqual(want, got) {
				t.Errorf("%s%s: read back differs from what was written", table, ext)
			}
			got.Release()
		}
		want.Release()
	}
}

func concat(t *testing.T, mem memory.Allocator, recs []arrow.RecordBatch) arrow.RecordBatch {
	t.Helper()
	defer func() {
		for _, r := range recs {
			r.Release()
		}
	}()
	if len(recs) == 1 {
		recs[0].Retain()
		return recs[0]
	}
	tbl := array.NewTableFromRecords(recs[0].Schema(), recs)
	defer tbl.Release()
	tr := array.NewTableReader(tbl, tbl.NumRows())
	defer tr.Release()
	if !tr.Next() {
		t.Fatal("no rows")
	}
	rec := tr.RecordBatch()
	rec.Retain()
	return rec
}

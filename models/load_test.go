package models_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/socialroi/socialroi/extract/files"
	"github.com/socialroi/socialroi/models"
	"github.com/socialroi/socialroi/transform"
)

// A load keeps one row per natural key. A row sent twice in one load (an
// export downloaded twice) is one row. Two different rows for one key are an error naming the key and
// the files holding it, and nothing of that load is kept: which row is
// right is the source's to say. Both when the table is empty (the first
// load's plain insert) and when the load is compared with what it holds.
func TestLoadKeepsOneRowPerKey(t *testing.T) {
	ctx := t.Context()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	t.Cleanup(func() { mem.AssertSize(t, 0) }) // after the records' releases
	dir := t.TempDir()
	row := conversionRow
	file := func(name string, rows ...transform.ConversionRow) models.ParquetScan {
		return conversionsFile(t, mem, filepath.Join(dir, name), rows...)
	}
	records := func(rows ...transform.ConversionRow) []arrow.RecordBatch {
		rec, err := transform.BuildRecord(mem, transform.Conversions, rows)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(rec.Release)
		return []arrow.RecordBatch{rec}
	}
	// streams rows one record each, released as soon as the load has it
	stream := func(rows ...transform.ConversionRow) func(func(arrow.RecordBatch) error) error {
		return func(emit func(arrow.RecordBatch) error) error {
			for _, r := range rows {
				rec, err := transform.BuildRecord(mem, transform.Conversions, []transform.ConversionRow{r})
				if err != nil {
					return err
				}
				err = emit(rec)
				rec.Release()
				if err != nil {
					return err
				}
			}
			return nil
		}
	}
	base := file("base.parquet", row("k1", "10.00"), row("k2", "20.00"))

	for _, tc := range []struct {
		name    string
		first   bool // into an empty table; else after base.parquet
		in      models.Input
		want    string // conversion_id|revenue, sorted; "" when the load fails
		changed int64
		err     string
	}{
		{name: "copies in two files, first load", first: true,
			in:   models.Input{Parquet: []models.ParquetScan{base, file("again.parquet", row("k2", "20.00"))}},
			want: "k1|10.00,k2|20.00", changed: 2},
		{name: "a new key sent twice",
			in:   models.Input{Records: records(row("k3", "5.00"), row("k3", "5.00"))},
			want: "k1|10.00,k2|20.00,k3|5.00", changed: 1},
		{name: "a changed key sent twice",
			in:   models.Input{Records: records(row("k1", "11.00"), row("k1", "11.00"))},
			want: "k1|11.00,k2|20.00", changed: 1},
		{name: "streamed, first load", first: true,
			in:   models.Input{Stream: stream(row("k1", "10.00"), row("k2", "20.00"), row("k1", "10.00"))},
			want: "k1|10.00,k2|20.00", changed: 2},
		{name: "streamed: one new key, one changed, one as stored",
			in:   models.Input{Stream: stream(row("k3", "5.00"), row("k1", "11.00"), row("k2", "20.00"))},
			want: "k1|11.00,k2|20.00,k3|5.00", changed: 2},
		{name: "streamed and extracted records together",
			in:   models.Input{Records: records(row("k3", "5.00")), Stream: stream(row("k4", "6.00"))},
			want: "k1|10.00,k2|20.00,k3|5.00,k4|6.00", changed: 2},
		{name: "two versions streamed in two records",
			in:  models.Input{Stream: stream(row("k9", "1.00"), row("k9", "2.00"))},
			err: "load conversions: 1 natural key comes with different rows in one load: conversion_id=k9 (in the extracted records)"},
		{name: "two versions, first load", first: true,
			in:  models.Input{Parquet: []models.ParquetScan{base, file("restated.parquet", row("k2", "25.00"))}},
			err: "load conversions: 1 natural key comes with different rows in one load: conversion_id=k2 (in " + filepath.Join(dir, "base.parquet") + ", " + filepath.Join(dir, "restated.parquet") + ")"},
		{name: "two versions of a stored key",
			in:  models.Input{Records: records(row("k1", "10.00"), row("k1", "12.00"), row("k9", "1.00"), row("k9", "2.00"))},
			err: "load conversions: 2 natural keys come with different rows in one load: conversion_id=k1 (in the extracted records); conversion_id=k9 (in the extracted records)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWarehouse(t, ":memory:")
			tx, err := w.Begin(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback()
			if !tc.first {
				if _, err := tx.LoadInput(ctx, transform.Conversions, models.Input{Parquet: []models.ParquetScan{base}}, nil); err != nil {
					t.Fatal(err)
				}
			}
			res, err := tx.LoadInput(ctx, transform.Conversions, tc.in, nil)
			if tc.err != "" {
				var dup *models.DuplicateKeyError
				if !errors.As(err, &dup) || !strings.HasPrefix(err.Error(), tc.err) {
					t.Fatalf("got %v\nwant a DuplicateKeyError starting %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := rowsOf(t, w, "SELECT conversion_id || '|' || revenue FROM conversions ORDER BY 1")
			if strings.Join(got, ",") != tc.want || res.Changed != tc.changed {
				t.Errorf("rows %v, changed %d; want %s, changed %d", got, res.Changed, tc.want, tc.changed)
			}
		})
	}
}

// conversionRow is a purchase of person p on 17 Nov 2026.
func conversionRow(id, revenue string) transform.ConversionRow {
	return transform.ConversionRow{ConversionID: id, PersonID: "p", TS: ts("2026-11-17 10:00"), Type: "purchase",
		Revenue: dec(revenue), Currency: "USD", CRMSource: "shop"}
}

// conversionsFile writes rows to a Parquet file at path as the canonical
// conversions table, and returns it as a load's input.
func conversionsFile(t *testing.T, mem memory.Allocator, path string, rows ...transform.ConversionRow) models.ParquetScan {
	t.Helper()
	rec, err := transform.BuildRecord(mem, transform.Conversions, rows)
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	return parquetInput(t, mem, path, rec)
}

// parquetInput writes rec to a Parquet file at path and returns it as a
// load's input, its columns under their canonical names.
func parquetInput(t *testing.T, mem memory.Allocator, path string, rec arrow.RecordBatch) models.ParquetScan {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := files.WriteParquet(f, mem, rec); err != nil {
		t.Fatal(err)
	}
	columns := map[string]string{}
	for _, fld := range rec.Schema().Fields() {
		columns[fld.Name] = fld.Name
	}
	return models.ParquetScan{Path: path, Columns: columns}
}

// newWarehouse opens a warehouse at path (":memory:" for none) with the
// canonical tables, closed when the test ends.
func newWarehouse(t *testing.T, path string) *models.Warehouse {
	t.Helper()
	w, err := models.Open(t.Context(), path, models.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	if err := w.EnsureTables(t.Context()); err != nil {
		t.Fatal(err)
	}
	return w
}

// ViewParquet makes an empty canonical table a view of its files when each
// key names one row; files that bring a key twice are loaded as LoadInput
// loads them (copies kept once, different rows an error naming the files),
// and a table with rows is left alone.
func TestViewParquet(t *testing.T) {
	ctx := t.Context()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	t.Cleanup(func() { mem.AssertSize(t, 0) })
	dir := t.TempDir()
	row := conversionRow
	file := func(name string, rows ...transform.ConversionRow) models.ParquetScan {
		return conversionsFile(t, mem, filepath.Join(dir, name), rows...)
	}
	base := file("base.parquet", row("k1", "10.00"), row("k2", "20.00"))
	for _, tc := range []struct {
		name     string
		before   []models.ParquetScan // loaded first, as LoadInput loads them
		files    []models.ParquetScan
		want     string // conversion_id|revenue, sorted
		rows     int64  // rows the files brought
		wantKind string // what conversions is after: VIEW or BASE TABLE
		err      string
	}{
		{name: "one row per key: a view", files: []models.ParquetScan{base, file("more.parquet", row("k3", "5.00"))},
			want: "k1|10.00,k2|20.00,k3|5.00", rows: 3, wantKind: "VIEW"},
		{name: "a row sent twice: loaded, kept once", files: []models.ParquetScan{base, file("again.parquet", row("k2", "20.00"))},
			want: "k1|10.00,k2|20.00", rows: 3, wantKind: "BASE TABLE"},
		{name: "two versions of a key", files: []models.ParquetScan{base, file("restated.parquet", row("k2", "25.00"))},
			err: "load conversions: 1 natural key comes with different rows in one load: conversion_id=k2 (in " +
				filepath.Join(dir, "base.parquet") + ", " + filepath.Join(dir, "restated.parquet") + ")"},
		{name: "a table with rows", before: []models.ParquetScan{base}, files: []models.ParquetScan{file("new.parquet", row("k3", "5.00"))},
			err: "load conversions: a view of files replaces only an empty table"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWarehouse(t, ":memory:")
			tx, err := w.Begin(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback()
			if tc.before != nil {
				if _, err := tx.LoadInput(ctx, transform.Conversions, models.Input{Parquet: tc.before}, nil); err != nil {
					t.Fatal(err)
				}
			}
			res, err := tx.ViewParquet(ctx, transform.Conversions, tc.files)
			if tc.err != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tc.err) {
					t.Fatalf("got %v\nwant an error starting %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := rowsOf(t, w, "SELECT conversion_id || '|' || revenue FROM conversions ORDER BY 1")
			kind := rowsOf(t, w, "SELECT table_type FROM information_schema.tables WHERE table_name = 'conversions'")
			if strings.Join(got, ",") != tc.want || strings.Join(kind, ",") != tc.wantKind || res.Rows != tc.rows {
				t.Errorf("rows %v (%d brought) in a %v; want %s in a %s", got, res.Rows, kind, tc.want, tc.wantKind)
			}
		})
	}
}

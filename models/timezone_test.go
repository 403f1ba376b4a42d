package models_test

import (
	"path/filepath"
	"testing"
)

// Every connection of a warehouse runs in UTC, whatever the machine's time
// zone: DuckDB's default is the machine's, and it decides what the report
// week's start (a TIMESTAMPTZ at Monday 00:00 UTC) is as a DATE. In New
// York that was the Sunday before (cmd/socialroi's
// TestDemoIndependentOfMachineTimeZone runs the demo there).
func TestWarehouseSessionsInUTC(t *testing.T) {
	ctx := t.Context()
	w := newWarehouse(t, filepath.Join(t.TempDir(), "w.duckdb"))
	if got := rowsOf(t, w, "SELECT current_setting('TimeZone')"); got[0] != "UTC" {
		t.Errorf("the warehouse's connection: TimeZone %s, want UTC", got[0])
	}
	rd, err := w.NewReader(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	rdr, err := rd.QueryArrow(ctx, "SELECT current_setting('TimeZone') AS tz, (TIMESTAMPTZ '2026-11-16 00:00:00+00')::DATE::VARCHAR AS day")
	if err != nil {
		t.Fatal(err)
	}
	defer rdr.Release()
	if !rdr.Next() {
		t.Fatal("no row")
	}
	rec := rdr.RecordBatch()
	if tz, day := rec.Column(0).ValueStr(0), rec.Column(1).ValueStr(0); tz != "UTC" || day != "2026-11-16" {
		t.Errorf("a reader's connection: TimeZone %s, the week's start as a date %s; want UTC, 2026-11-16", tz, day)
	}
}

package models_test

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/socialroi/socialroi/models"
	"github.com/socialroi/socialroi/transform"
)

// A failed model rolls back everything the run wrote, loads included: the
// warehouse file is as it was.
func TestFailedModelRollsBack(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "w.duckdb")
	mem := memory.NewGoAllocator()
	load := func(w *models.Warehouse, tx *models.Tx, rows []transform.ConversionRow) {
		t.Helper()
		rec, err := transform.BuildRecord(mem, transform.Conversions, rows)
		if err != nil {
			t.Fatal(err)
		}
		defer rec.Release()
		if _, err := tx.Load(ctx, transform.Conversions, []arrow.RecordBatch{rec}, nil); err != nil {
			t.Fatal(err)
		}
	}
	conv := func(id, revenue string) transform.ConversionRow {
		return transform.ConversionRow{ConversionID: id, PersonID: "p", TS: ts("2026-11-17 10:00"), Type: "purchase",
			Revenue: dec(revenue), Currency: "USD", CRMSource: "t"}
	}
	good := fstest.MapFS{"marts/revenue.sql": {Data: []byte("SELECT sum(revenue) AS revenue FROM conversions")}}
	broken := fstest.MapFS{
		"marts/revenue.sql":  {Data: []byte("SELECT sum(revenue) AS revenue FROM conversions")},
		"marts/z_broken.sql": {Data: []byte("SELECT no_such_column FROM revenue")},
	}

	w, err := models.Open(ctx, path, models.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.EnsureTables(ctx); err != nil {
		t.Fatal(err)
	}
	tx, _ := w.Begin(ctx)
	load(w, tx, []transform.ConversionRow{conv("c1", "10.00")})
	cat, err := models.LoadCatalog(good)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.RunModels(ctx, cat, nil); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}

	// The second run restates c1 and adds c2, then a model fails.
	tx, _ = w.Begin(ctx)
	load(w, tx, []transform.ConversionRow{conv("c1", "99.00"), conv("c2", "5.00")})
	cat, err = models.LoadCatalog(broken)
	if err != nil {
		t.Fatal(err)
	}
	_, err = tx.RunModels(ctx, cat, nil)
	var me *models.ModelError
	if !errors.As(err, &me) || me.Path != "marts/z_broken.sql" || !strings.Contains(err.Error(), "no_such_column") {
		t.Fatalf("want a ModelError naming marts/z_broken.sql, got %v", err)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	w.Close()

	w, err = models.Open(ctx, path, models.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	got := rowsOf(t, w, "SELECT (SELECT count(*) FROM conversions), (SELECT sum(revenue) FROM conversions), (SELECT revenue FROM revenue)")
	if want := "1|10|10"; got[0] != want {
		t.Errorf("after the failed run: %s, want %s (the first run's state)", got[0], want)
	}
}

// Loading the same natural keys twice replaces them, and a scope replaces
// the window a source re-extracted, including rows that vanished upstream.
// Loads upsert on the natural key and replace the scope's window, whether the
// rows come as Arrow records or as a Parquet file the warehouse scans in
// place. Only changed keys are rewritten: each load says how many.
func TestLoadUpsertsAndReplacesWindow(t *testing.T) {
	for _, via := range []string{"records", "parquet"} {
		t.Run(via, func(t *testing.T) { testLoadUpserts(t, via) })
	}
}

func testLoadUpserts(t *testing.T, via string) {
	ctx := t.Context()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	w := newWarehouse(t, ":memory:")
	row := func(d, ad, spend string) transform.AdPerformanceRow {
		return transform.AdPerformanceRow{Date: day(d), Platform: "facebook", AccountID: "1", AdID: ad, Currency: "USD",
			Spend: dec(spend), PlatformConversionValue: dec("0"), Source: "meta", ExtractedAt: ts("2026-11-23 06:00")}
	}
	dir := t.TempDir()
	loads := 0
	load := func(rows []transform.AdPerformanceRow, scope *models.Scope, wantChanged int64) {
		t.Helper()
		tx, err := w.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		rec, err := transform.BuildRecord(mem, transform.AdPerformance, rows)
		if err != nil {
			t.Fatal(err)
		}
		defer rec.Release()
		in := models.Input{Records: []arrow.RecordBatch{rec}}
		if via == "parquet" {
			loads++
			in = models.Input{Parquet: []models.ParquetScan{parquetInput(t, mem, filepath.Join(dir, fmt.Sprintf("load%d.parquet", loads)), rec)}}
		}
		n, err := tx.LoadInput(ctx, transform.AdPerformance, in, scope)
		if err != nil {
			t.Fatal(err)
		}
		if n.Rows != int64(len(rows)) {
			t.Errorf("loaded %d rows, want %d", n.Rows, len(rows))
		}
		if n.Changed != wantChanged {
			t.Errorf("%d keys changed, want %d", n.Changed, wantChanged)
		}
		if err := tx.Commit(ctx); err != nil {
			t.Fatal(err)
		}
	}
	window := func(since, until string) *models.Scope {
		return &models.Scope{Column: "source", Value: "meta", DateColumn: "date", Since: day(since), Until: day(until)}
	}
	check := func(want ...string) {
		t.Helper()
		got := rowsOf(t, w, "SELECT date, ad_id, spend, strftime(extracted_at, '%Y-%m-%d %H:%M') FROM ad_performance ORDER BY date, ad_id")
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("got %v, want %v", got, want)
		}
	}
	// into an empty table: every key is new
	load([]transform.AdPerformanceRow{row("2026-11-16", "a", "1.00"), row("2026-11-17", "a", "2.00"), row("2026-11-17", "b", "3.00")}, nil, 3)
	// Restatement of 17 Nov: ad a's spend changed and ad b no longer exists
	// (2 keys); 16 Nov is outside the window and not sent, so it stays.
	load([]transform.AdPerformanceRow{row("2026-11-17", "a", "2.50")}, window("2026-11-17", "2026-11-17"), 2)
	check("2026-11-16|a|1|2026-11-23 06:00", "2026-11-17|a|2.5|2026-11-23 06:00")
	// The same day again, unscoped: the natural key replaces the row, no duplicate.
	load([]transform.AdPerformanceRow{row("2026-11-16", "a", "1.25")}, nil, 1)
	check("2026-11-16|a|1.25|2026-11-23 06:00", "2026-11-17|a|2.5|2026-11-23 06:00")
	// The whole window sent again as it is: nothing to rewrite.
	load([]transform.AdPerformanceRow{row("2026-11-16", "a", "1.25"), row("2026-11-17", "a", "2.50")}, window("2026-11-16", "2026-11-17"), 0)
	check("2026-11-16|a|1.25|2026-11-23 06:00", "2026-11-17|a|2.5|2026-11-23 06:00")
	// Extracted again a day later, unchanged: the row keeps the stamp of
	// the extraction that brought its content.
	later := func(r transform.AdPerformanceRow) transform.AdPerformanceRow {
		r.ExtractedAt = ts("2026-11-24 06:00")
		return r
	}
	load([]transform.AdPerformanceRow{later(row("2026-11-16", "a", "1.25"))}, nil, 0)
	check("2026-11-16|a|1.25|2026-11-23 06:00", "2026-11-17|a|2.5|2026-11-23 06:00")
	// Changed in that extraction: the new row and its stamp.
	load([]transform.AdPerformanceRow{later(row("2026-11-16", "a", "1.30"))}, nil, 1)
	check("2026-11-16|a|1.3|2026-11-24 06:00", "2026-11-17|a|2.5|2026-11-23 06:00")
	// An empty window: what was in it is gone at the source.
	load(nil, window("2026-11-17", "2026-11-17"), 1)
	check("2026-11-16|a|1.3|2026-11-24 06:00")
}

func TestCatalogOrderAndErrors(t *testing.T) {
	cat, err := models.LoadCatalog(fstest.MapFS{
		"marts/m.sql":               {Data: []byte("SELECT * FROM int_b JOIN stg_a USING (x)")},
		"intermediate/int_b.sql":    {Data: []byte("-- reads stg_a\nSELECT * FROM stg_a")},
		"staging/stg_a.sql":         {Data: []byte("SELECT 1 AS x")},
		"tests/t.sql":               {Data: []byte("-- severity: warn\n-- description: nothing\nSELECT 1 WHERE false")},
		"staging/not_sql_model.txt": {Data: []byte("ignored")},
	})
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, m := range cat.Models {
		order = append(order, m.Name)
	}
	if strings.Join(order, ",") != "stg_a,int_b,m" {
		t.Errorf("order %v", order)
	}
	if cat.Tests[0].Severity != "warn" || cat.Tests[0].Description != "nothing" {
		t.Errorf("test annotations: %+v", cat.Tests[0])
	}

	for name, tc := range map[string]struct {
		fs   fstest.MapFS
		want string
	}{
		"cycle": {fstest.MapFS{
			"marts/a.sql": {Data: []byte("SELECT * FROM b")},
			"marts/b.sql": {Data: []byte("SELECT * FROM a")},
		}, "dependency cycle among marts/a.sql, marts/b.sql"},
		"duplicate": {fstest.MapFS{
			"staging/a.sql": {Data: []byte("SELECT 1")},
			"marts/a.sql":   {Data: []byte("SELECT 1")},
		}, "model a is defined twice: staging/a.sql and marts/a.sql"},
		"later layer": {fstest.MapFS{
			"staging/s.sql": {Data: []byte("SELECT * FROM m")},
			"marts/m.sql":   {Data: []byte("SELECT 1")},
		}, "staging/s.sql reads marts/m.sql, which is in a later layer"},
		"materialization": {fstest.MapFS{
			"staging/s.sql": {Data: []byte("-- materialized: snapshot\nSELECT 1")},
		}, `staging/s.sql: materialized: "snapshot" (want table, incremental, view or ephemeral)`},
		"output of a staging model": {fstest.MapFS{
			"staging/s.sql": {Data: []byte("-- output: none\nSELECT 1")},
		}, `staging/s.sql: output: "none" (only a mart can be "output: none")`},
		"unknown output": {fstest.MapFS{
			"marts/m.sql": {Data: []byte("-- output: bigquery\nSELECT 1")},
		}, `marts/m.sql: output: "bigquery"`},
		"view reads a parameter": {fstest.MapFS{
			"marts/v.sql": {Data: []byte("-- materialized: view\nSELECT getvariable('week_start') AS w")},
		}, "marts/v.sql: a view cannot read parameters (getvariable)"},
		"incremental without a key": {fstest.MapFS{
			"staging/i.sql":      {Data: []byte("SELECT 1 AS k")},
			"intermediate/m.sql": {Data: []byte("-- materialized: incremental\n-- incremental_input: i\nSELECT k FROM i")},
		}, "intermediate/m.sql: an incremental model needs a `-- unique_key: <column>` and an `-- incremental_input: <model>` line"},
		"incremental input it does not read": {fstest.MapFS{
			"staging/i.sql":      {Data: []byte("SELECT 1 AS k")},
			"intermediate/m.sql": {Data: []byte("-- materialized: incremental\n-- unique_key: k\n-- incremental_input: j\nSELECT k FROM i")},
		}, "intermediate/m.sql: incremental_input j is not a model it reads"},
		"narrowed at a table the input does not read": {fstest.MapFS{
			"staging/i.sql":      {Data: []byte("-- materialized: ephemeral\nSELECT k, hash(t) AS h FROM t")},
			"intermediate/m.sql": {Data: []byte("-- materialized: incremental\n-- unique_key: k\n-- incremental_input: i\n-- incremental_check: h\n-- incremental_narrow: u\nSELECT k FROM i")},
		}, "intermediate/m.sql: incremental_narrow u: the input must be an ephemeral model that reads it"},
		"narrowed without check columns": {fstest.MapFS{
			"staging/i.sql":      {Data: []byte("-- materialized: ephemeral\nSELECT k FROM t")},
			"intermediate/m.sql": {Data: []byte("-- materialized: incremental\n-- unique_key: k\n-- incremental_input: i\n-- incremental_narrow: t\nSELECT k FROM i")},
		}, "intermediate/m.sql: incremental_narrow t: the input must be an ephemeral model that reads it, compared by incremental_check columns"},
		"partitioned without an input": {fstest.MapFS{
			"staging/i.sql":      {Data: []byte("SELECT 1 AS w")},
			"intermediate/m.sql": {Data: []byte("-- materialized: incremental\n-- incremental_partition: w\nSELECT w FROM i")},
		}, "intermediate/m.sql: a partitioned incremental model needs `-- incremental_partition: <column>, …`"},
		"partitioned and keyed": {fstest.MapFS{
			"staging/i.sql":      {Data: []byte("SELECT 1 AS w")},
			"intermediate/m.sql": {Data: []byte("-- materialized: incremental\n-- incremental_partition: w\n-- unique_key: w\n-- incremental_input: i\nSELECT w FROM i")},
		}, "and none of unique_key, incremental_follows"},
		"lookup without a key": {fstest.MapFS{
			"staging/i.sql":      {Data: []byte("SELECT 1 AS w")},
			"staging/l.sql":      {Data: []byte("SELECT 1 AS k")},
			"intermediate/m.sql": {Data: []byte("-- materialized: incremental\n-- incremental_partition: w\n-- incremental_input: i\n-- incremental_lookup: l\nSELECT w FROM i, l")},
		}, "optionally `-- incremental_lookup: <model>.<key>, …`"},
		"partitioned input it does not read": {fstest.MapFS{
			"staging/i.sql":      {Data: []byte("SELECT 1 AS w")},
			"intermediate/m.sql": {Data: []byte("-- materialized: incremental\n-- incremental_partition: w\n-- incremental_input: i, j(week AS w)\nSELECT w FROM i")},
		}, "intermediate/m.sql: incremental input j is not a model it reads"},
		"input with a column not a partition": {fstest.MapFS{
			"staging/i.sql":      {Data: []byte("SELECT 1 AS w")},
			"intermediate/m.sql": {Data: []byte("-- materialized: incremental\n-- incremental_partition: w\n-- incremental_input: i(week)\nSELECT w FROM i")},
		}, "`-- incremental_input: <model>[(<column> [AS <partition column>], …)], …`"},
		"an input also a lookup": {fstest.MapFS{
			"staging/i.sql":      {Data: []byte("SELECT 1 AS w, 2 AS k")},
			"intermediate/m.sql": {Data: []byte("-- materialized: incremental\n-- incremental_partition: w\n-- incremental_input: i\n-- incremental_lookup: i.k\nSELECT w FROM i")},
		}, "intermediate/m.sql: incremental input i: a model is an input once, and not also a lookup"},
		"view reads an ephemeral model": {fstest.MapFS{
			"staging/e.sql": {Data: []byte("-- materialized: ephemeral\nSELECT 1 AS x")},
			"marts/v.sql":   {Data: []byte("-- materialized: view\nSELECT x FROM e")},
		}, "marts/v.sql is a view and reads staging/e.sql, which is ephemeral"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := models.LoadCatalog(tc.fs)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want %q", err, tc.want)
			}
		})
	}
}

// An ephemeral model is a temporary view for the run: its readers see its
// rows, it is not counted, and it is not in the warehouse afterwards, not
// even as the table an older version left there.
func TestEphemeralModel(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "w.duckdb")
	w, err := models.Open(ctx, path, models.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Conn().ExecContext(ctx, "CREATE TABLE stg_a AS SELECT 99 AS x"); err != nil {
		t.Fatal(err)
	}
	res, err := runProject(t, w, fstest.MapFS{
		"staging/stg_a.sql": {Data: []byte("-- materialized: ephemeral\nSELECT * FROM range(3) AS r(x)")},
		"marts/m.sql":       {Data: []byte("SELECT sum(x) AS total FROM stg_a")},
	})
	if err != nil {
		t.Fatal(err)
	}
	if !res[0].Ephemeral || res[0].Rows != 0 || res[1].Ephemeral || res[1].Rows != 1 {
		t.Errorf("results %+v", res)
	}
	if got := rowsOf(t, w, "SELECT total FROM m"); strings.Join(got, ",") != "3" {
		t.Errorf("m reads the ephemeral model: total %v, want 3 (0+1+2)", got)
	}
	w.Close()
	w, err = models.Open(ctx, path, models.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if ok, err := w.TableExists(ctx, "stg_a"); err != nil || ok {
		t.Errorf("stg_a in the warehouse after the run: %v, %v", ok, err)
	}
}

// runProject builds the SQL project fsys in one transaction and commits it.
func runProject(t *testing.T, w *models.Warehouse, fsys fstest.MapFS) ([]models.ModelResult, error) {
	t.Helper()
	cat, err := models.LoadCatalog(fsys)
	if err != nil {
		return nil, err
	}
	tx, err := w.Begin(t.Context())
	if err != nil {
		return nil, err
	}
	res, err := tx.RunModels(t.Context(), cat, nil)
	if err != nil {
		tx.Rollback()
		return nil, err
	}
	return res, tx.Commit(t.Context())
}

// A view model is kept in the warehouse as a view: readers after the run,
// on other connections, see its rows computed from the tables it reads, and
// its rows are not counted. Switching a model between table and view
// replaces the one object with the other.
func TestViewModel(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "w.duckdb")
	w, err := models.Open(ctx, path, models.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	kind := func() string {
		t.Helper()
		return strings.Join(rowsOf(t, w, `
			SELECT 'table' FROM duckdb_tables() WHERE table_name = 'v'
			UNION ALL SELECT 'view' FROM duckdb_views() WHERE view_name = 'v'`), ",")
	}
	for i, tc := range []struct {
		view              string // materialization line of v
		base              int    // rows of the table v reads
		wantKind, wantSum string
	}{
		{"-- materialized: view", 3, "view", "3"},  // 0+1+2
		{"", 4, "table", "6"},                      // a table again: 0+1+2+3
		{"-- materialized: view", 5, "view", "10"}, // and a view again
		{"-- materialized: view", 2, "view", "1"},  // replaced in place
	} {
		res, err := runProject(t, w, fstest.MapFS{
			"staging/base.sql": {Data: []byte(fmt.Sprintf("SELECT * FROM range(%d) AS r(x)", tc.base))},
			"marts/v.sql":      {Data: []byte(tc.view + "\nSELECT sum(x) AS total FROM base")},
		})
		if err != nil {
			t.Fatalf("run %d: %v", i, err)
		}
		if isView := tc.wantKind == "view"; res[1].View != isView || (isView && res[1].Rows != 0) {
			t.Errorf("run %d: result %+v", i, res[1])
		}
		if got := kind(); got != tc.wantKind {
			t.Errorf("run %d: v is a %q, want %s", i, got, tc.wantKind)
		}
		// a reader on its own connection, as the reports stage's are
		r, err := w.NewReader(ctx)
		if err != nil {
			t.Fatal(err)
		}
		rdr, err := r.QueryArrow(ctx, "SELECT total::VARCHAR FROM v")
		if err != nil {
			t.Fatal(err)
		}
		var total string
		for rdr.Next() {
			total = strings.Clone(rdr.RecordBatch().Column(0).ValueStr(0)) // the batch's memory goes with the reader
		}
		rdr.Release()
		r.Close()
		if total != tc.wantSum {
			t.Errorf("run %d: total %s, want %s", i, total, tc.wantSum)
		}
	}
}

// A model whose table already holds the query's columns is rebuilt in place
// (the same table, its rows replaced), so the planner of the models after it
// sees the committed row count instead of an empty new table. A change of
// columns, in name, type or order, creates the table anew.
func TestModelRebuiltInPlace(t *testing.T) {
	ctx := t.Context()
	w, err := models.Open(ctx, filepath.Join(t.TempDir(), "w.duckdb"), models.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	oid := func() string {
		t.Helper()
		return strings.Join(rowsOf(t, w, "SELECT table_oid FROM duckdb_tables() WHERE table_name = 'm'"), ",")
	}
	for i, tc := range []struct {
		sql      string
		inPlace  bool
		wantRows string
	}{
		{"SELECT x, 'a' AS label FROM range(3) AS r(x)", false, "0|a,1|a,2|a"},
		// the same columns, other rows: replaced, not added to
		{"SELECT x, 'b' AS label FROM range(2) AS r(x)\n-- a trailing comment", true, "0|b,1|b"},
		{"SELECT x, 'c' AS label, x * 2 AS twice FROM range(1) AS r(x)", false, "0|c|0"},
		{"SELECT x::DOUBLE AS x, 'd' AS label, x * 2 AS twice FROM range(1) AS r(x)", false, "0.000000|d|0"},
		{"SELECT 'e' AS label, 1.0::DOUBLE AS x, 2 AS twice", false, "e|1.000000|2"},
		{"SELECT 'f' AS label, 3.0::DOUBLE AS x, 4 AS twice", true, "f|3.000000|4"},
	} {
		before := oid()
		if _, err := runProject(t, w, fstest.MapFS{"marts/m.sql": {Data: []byte(tc.sql)}}); err != nil {
			t.Fatalf("run %d: %v", i, err)
		}
		if got := strings.Join(rowsOf(t, w, "SELECT * FROM m ORDER BY ALL"), ","); got != tc.wantRows {
			t.Errorf("run %d: rows %s, want %s", i, got, tc.wantRows)
		}
		if inPlace := before != "" && oid() == before; inPlace != tc.inPlace {
			t.Errorf("run %d: rebuilt in place %v, want %v", i, inPlace, tc.inPlace)
		}
	}
}

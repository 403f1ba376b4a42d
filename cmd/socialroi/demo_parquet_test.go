package main

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/socialroi/socialroi/models"
	sqlfiles "github.com/socialroi/socialroi/sql"
)

// checkParquet reads every Parquet file the demo wrote back with arrow-go:
// each holds its mart's rows for the report week, and money stays DECIMAL,
// weeks stay DATE.
func checkParquet(t *testing.T, dir string, conn *sql.Conn) {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(dir, "*.parquet"))
	cat, cerr := models.LoadCatalog(sqlfiles.FS)
	if cerr != nil {
		t.Fatal(cerr)
	}
	var marts []string // the outputs: the marts layer but its internal building blocks
	for _, m := range cat.Models {
		if m.Layer == "marts" && !m.Internal {
			marts = append(marts, m.Name)
		}
	}
	if err != nil || len(paths) != len(marts) {
		t.Fatalf("%d Parquet files in %s (%v), want one per mart (%d)", len(paths), dir, err, len(marts))
	}
	for _, path := range paths {
		mart := strings.TrimSuffix(filepath.Base(path), ".parquet")
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		pf, err := file.NewParquetReader(f)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
		if err != nil {
			t.Fatal(err)
		}
		tbl, err := fr.ReadTable(t.Context())
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		where := ""
		if tbl.Schema().HasField("week_start") {
			where = " WHERE week_start = DATE '2026-11-16'"
		}
		if want := queryOne[int64](t, conn, fmt.Sprintf("SELECT count(*) FROM %s%s", mart, where)); tbl.NumRows() != want {
			t.Errorf("%s: %d rows, the mart has %d", path, tbl.NumRows(), want)
		}
		for _, fld := range tbl.Schema().Fields() {
			switch {
			case fld.Name == "week_start" && fld.Type.ID() != arrow.DATE32,
				(fld.Name == "spend" || fld.Name == "revenue_credit" || fld.Name == "amount") && fld.Type.ID() != arrow.DECIMAL128:
				t.Errorf("%s: column %s is %s", mart, fld.Name, fld.Type)
			}
		}
		tbl.Release()
		pf.Close()
	}
}

package models_test

import (
	"flag"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/socialroi/socialroi/config"
	"github.com/socialroi/socialroi/extract/emulator/gen"
	"github.com/socialroi/socialroi/models"
	"github.com/socialroi/socialroi/models/attribution"
	sqlfiles "github.com/socialroi/socialroi/sql"
	"github.com/socialroi/socialroi/transform"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// TestMartsGolden renders every mart of the hand-built datasets and
// compares it with testdata/golden/<dataset>/<mart>.txt. The hand-worked
// tests (TestMartsHandWorked, TestPaidMartsHandWorked, …) say why the
// numbers are right; the golden files catch any change to any column of any
// mart. After an intended change: go test ./models -run TestMartsGolden -update,
// then read the diff.
func TestMartsGolden(t *testing.T) {
	cat, err := models.LoadCatalog(sqlfiles.FS, attribution.GoModels()...)
	if err != nil {
		t.Fatal(err)
	}
	var marts []string
	for _, m := range cat.Models {
		if m.Layer == "marts" && !m.Internal { // the outputs; internal marts show through them
			marts = append(marts, m.Name)
		}
	}
	datasets := []struct {
		name string
		cfg  *config.Config
		data map[string]any
		week time.Time
	}{
		{"tiny", tinyConfig(), tinyBrand(), day("2026-11-16")},
		{"paid", tinyConfig(), cleanPaidBrand(), day("2026-11-16")},
		{"creators", creatorConfig(), creatorBrand(), day("2026-11-16")},
		{"organic", ocConfig(), ocAll(), ocWeek},
	}
	for _, ds := range datasets {
		t.Run(ds.name, func(t *testing.T) {
			w := runDataset(t, ds.cfg, ds.data, ds.week)
			// Counts are BIGINT and amounts at most DECIMAL(18,_): DuckDB's
			// sums widen them to HUGEINT and DECIMAL(38,_), 128-bit types
			// that reach Parquet and BigQuery as 16-byte decimals and
			// scanned a hundred times slower than BIGINT at L.
			if got := rowsOf(t, w, `SELECT table_name || '.' || column_name || ' ' || data_type
				FROM duckdb_columns()
				WHERE data_type = 'HUGEINT' OR (data_type LIKE 'DECIMAL%' AND numeric_precision > 18)
				ORDER BY ALL`); len(got) > 0 {
				t.Errorf("128-bit columns: %v; cast counts ::BIGINT and amounts ::DECIMAL(18, _)", got)
			}
			for _, mart := range marts {
				got := strings.Join(append([]string{strings.Join(columnsOf(t, w, mart), "|")},
					rowsOf(t, w, "SELECT * FROM "+models.Ident(mart)+" ORDER BY ALL")...), "\n") + "\n"
				path := filepath.Join("testdata", "golden", ds.name, mart+".txt")
				if *update {
					if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
						t.Fatal(err)
					}
					continue
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatalf("%v (run with -update to create it)", err)
				}
				if d := cmp.Diff(strings.Split(string(want), "\n"), strings.Split(got, "\n")); d != "" {
					t.Errorf("%s differs from %s (-want +got):\n%s", mart, path, d)
				}
			}
		})
	}
}

func columnsOf(t *testing.T, w *models.Warehouse, table string) []string {
	t.Helper()
	rows, err := w.Conn().QueryContext(t.Context(), "SELECT * FROM "+models.Ident(table)+" LIMIT 0")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	return cols
}

// ocAll is ocBrand's tables in one map.
func ocAll() map[string]any {
	core, extra := ocBrand()
	all := maps.Clone(core)
	maps.Copy(all, extra)
	return all
}

// Every mart is a function of the data, not of the order its rows are
// stored in: loads and builds write with several threads, so the order
// changes from run to run. Sums of doubles depend on their order in the
// last digits; summed as DECIMAL they do not. The marts of the demo's
// paid data are computed from its tables as loaded, then from the same
// tables stored in reverse, every value compared as text (doubles to the
// last digit).
func TestMartsIndependentOfRowOrder(t *testing.T) {
	ctx := t.Context()
	brand, err := gen.Generate(gen.Config{Scale: 1}) // the demo's brand
	if err != nil {
		t.Fatal(err)
	}
	data := map[string]any{
		transform.AdPerformance: brand.AdPerformance, transform.Touchpoints: brand.Touchpoints,
		transform.Conversions: brand.Conversions, transform.Identities: brand.Identities,
		transform.FXRates: brand.FXRates, transform.OtherCosts: brand.OtherCosts,
	}
	cfg, week := tinyConfig(), day("2026-11-16") // the week the brand ends
	w := runDataset(t, cfg, data, week)
	cat, err := models.LoadCatalog(sqlfiles.FS, attribution.GoModels()...)
	if err != nil {
		t.Fatal(err)
	}
	params, err := models.ParamsFor(cfg, models.Week{Start: week})
	if err != nil {
		t.Fatal(err)
	}
	marts := func() map[string][]string {
		out := map[string][]string{}
		for _, m := range cat.Models {
			if m.Layer == "marts" {
				out[m.Name] = rowsOf(t, w, "SELECT COLUMNS(*)::VARCHAR FROM "+models.Ident(m.Name)+" ORDER BY ALL")
			}
		}
		return out
	}
	want := marts()
	tx, err := w.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	for _, table := range transform.TableNames() {
		if _, err := w.Conn().ExecContext(ctx, fmt.Sprintf("CREATE OR REPLACE TABLE %[1]s AS SELECT * FROM %[1]s ORDER BY rowid DESC", models.Ident(table))); err != nil {
			t.Fatal(err)
		}
	}
	tx.FullRefresh = true
	if err := tx.Set(ctx, params); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.RunModels(ctx, cat, nil); err != nil {
		t.Fatal(err)
	}
	for name, rows := range marts() {
		if d := cmp.Diff(want[name], rows); d != "" {
			t.Errorf("%s from the tables in reverse order (-as loaded +reversed):\n%s", name, d)
		}
	}
}

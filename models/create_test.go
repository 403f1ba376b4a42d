package models_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/socialroi/socialroi/models"
	"github.com/socialroi/socialroi/models/attribution"
	sqlfiles "github.com/socialroi/socialroi/sql"
)

// A new warehouse is built in a file beside its path and moved there by the
// commit; a run that fails leaves nothing, however much it committed as it
// went.
func TestCreate(t *testing.T) {
	// files lists which of the warehouse's files exist
	files := func(path string) []string {
		var out []string
		for _, suffix := range []string{"", ".wal", ".partial", ".partial.wal"} {
			if _, err := os.Stat(path + suffix); err == nil {
				out = append(out, filepath.Base(path+suffix))
			} else if !errors.Is(err, fs.ErrNotExist) {
				t.Fatal(err)
			}
		}
		return out
	}
	// write adds an exchange rate in a transaction of w and returns it open
	write := func(t *testing.T, w *models.Warehouse) *models.Tx {
		t.Helper()
		if err := w.EnsureTables(t.Context()); err != nil {
			t.Fatal(err)
		}
		tx, err := w.Begin(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Conn().ExecContext(t.Context(), `INSERT INTO fx_rates (date, currency, rate_to_reporting) VALUES (DATE '2026-01-01', 'EUR', 1.1)`); err != nil {
			t.Fatal(err)
		}
		return tx
	}
	rates := func(t *testing.T, path string) []string {
		t.Helper()
		w, err := models.Open(t.Context(), path, models.Options{ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		defer w.Close()
		return rowsOf(t, w, "SELECT currency FROM fx_rates")
	}

	t.Run("the commit moves it into place", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "w.duckdb")
		w, err := models.Create(t.Context(), path, models.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer w.Close()
		if !w.Creating() {
			t.Error("Creating() is false before the commit")
		}
		tx := write(t, w)
		if err := tx.CommitSoFar(t.Context()); err != nil {
			t.Fatal(err)
		}
		if got := files(path); !cmp.Equal(got, []string{"w.duckdb.partial"}) && !cmp.Equal(got, []string{"w.duckdb.partial", "w.duckdb.partial.wal"}) {
			t.Errorf("before the commit: %v, want the partial file only", got)
		}
		if err := tx.Commit(t.Context()); err != nil {
			t.Fatal(err)
		}
		if got := files(path); !cmp.Equal(got, []string{"w.duckdb"}) {
			t.Errorf("after the commit: %v, want the warehouse only", got)
		}
		if w.Creating() {
			t.Error("Creating() is true after the commit")
		}
		// reopened where it now is, and kept by Close
		if got := rowsOf(t, w, "SELECT currency FROM fx_rates"); !cmp.Equal(got, []string{"EUR"}) {
			t.Errorf("read after the commit: %v", got)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if got := rates(t, path); !cmp.Equal(got, []string{"EUR"}) {
			t.Errorf("reopened: %v", got)
		}
	})

	t.Run("a failed run leaves nothing", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "w.duckdb")
		w, err := models.Create(t.Context(), path, models.Options{})
		if err != nil {
			t.Fatal(err)
		}
		tx := write(t, w)
		// committed so far, in the partial file
		if err := tx.CommitSoFar(t.Context()); err != nil {
			t.Fatal(err)
		}
		if err := tx.Rollback(); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if got := files(path); len(got) > 0 {
			t.Errorf("left %v", got)
		}
	})

	t.Run("a crashed run's partial file is replaced", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "w.duckdb")
		for _, p := range []string{path + ".partial", path + ".partial.wal"} {
			if err := os.WriteFile(p, []byte("half a warehouse"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		w, err := models.Create(t.Context(), path, models.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer w.Close()
		if err := write(t, w).Commit(t.Context()); err != nil {
			t.Fatal(err)
		}
		if got := files(path); !cmp.Equal(got, []string{"w.duckdb"}) {
			t.Errorf("after the commit: %v", got)
		}
	})

	for _, existing := range []string{"w.duckdb", "w.duckdb.wal"} {
		t.Run("not over an existing "+existing, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, existing), nil, 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := models.Create(t.Context(), filepath.Join(dir, "w.duckdb"), models.Options{})
			if err == nil || !strings.Contains(err.Error(), existing+" exists") {
				t.Errorf("err = %v, want one naming %s", err, existing)
			}
		})
	}

	for _, tc := range []struct {
		name     string
		existing string // a file there first
		creating bool
	}{
		{"OpenOrCreate creates where there is none", "", true},
		{"OpenOrCreate opens a warehouse", "w.duckdb", false},
		{"OpenOrCreate opens a warehouse's log", "w.duckdb.wal", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "w.duckdb")
			if tc.existing == "w.duckdb" {
				w, err := models.Open(t.Context(), path, models.Options{})
				if err != nil {
					t.Fatal(err)
				}
				w.Close()
			}
			// DuckDB would replay a log onto the file it opens, so a log
			// alone is a warehouse to open, never one to create beside
			if tc.existing == "w.duckdb.wal" {
				if err := os.WriteFile(path+".wal", nil, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			w, err := models.OpenOrCreate(t.Context(), path, models.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer w.Close()
			if w.Creating() != tc.creating {
				t.Errorf("Creating() = %v, want %v", w.Creating(), tc.creating)
			}
		})
	}

	t.Run("an open warehouse's transaction stays whole", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "w.duckdb")
		w, err := models.Open(t.Context(), path, models.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer w.Close()
		tx := write(t, w)
		if err := tx.CommitSoFar(t.Context()); err != nil {
			t.Fatal(err)
		}
		if err := tx.Rollback(); err != nil {
			t.Fatal(err)
		}
		if got := rowsOf(t, w, "SELECT currency FROM fx_rates"); len(got) > 0 {
			t.Errorf("CommitSoFar committed in an existing warehouse: %v", got)
		}
	})
}

// A warehouse built by Create (committed model by model) holds what one
// transaction builds: every table, row for row, the incremental models'
// bookkeeping included; and the next week's incremental build on it
// recomputes the same keys to the same tables.
func TestCreatedWarehouseBuildsTheSame(t *testing.T) {
	ctx := t.Context()
	cfg := allModelsConfig()
	dir := t.TempDir()
	opened, err := models.Open(ctx, filepath.Join(dir, "opened.duckdb"), models.Options{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer opened.Close()
	created, err := models.Create(ctx, filepath.Join(dir, "created.duckdb"), models.Options{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer created.Close()
	// every table of the warehouse, every column as text
	snapshot := func(w *models.Warehouse) map[string][]string {
		out := map[string][]string{}
		for _, table := range rowsOf(t, w, "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' AND NOT temporary") {
			out[table] = rowsOf(t, w, "SELECT COLUMNS(*)::VARCHAR FROM "+models.Ident(table)+" ORDER BY ALL")
		}
		return out
	}
	compare := func(step string) {
		t.Helper()
		want := snapshot(opened)
		if diff := cmp.Diff(want, snapshot(created)); diff != "" {
			t.Errorf("%s (-one transaction +created):\n%s", step, diff)
		}
		for _, table := range []string{"int_attribution_ledger", "model_increment", "int_touchpoints_classified__input_hashes"} {
			if len(want[table]) == 0 {
				t.Fatalf("%s: %s is empty: nothing was compared", step, table)
			}
		}
	}

	for _, w := range []*models.Warehouse{opened, created} {
		buildDataset(t, w, cfg, tinyBrand(), day("2026-11-16"), nil)
	}
	if created.Creating() {
		t.Fatal("the created warehouse was not moved into place")
	}
	compare("first build")

	// A week arrives (touchpoints t10 and t11, conversion k8, as in
	// TestIncrementalAttributionMatchesFullBuild): each warehouse updates
	// its models, in one transaction now.
	cat, err := models.LoadCatalog(sqlfiles.FS, attribution.GoModels()...)
	if err != nil {
		t.Fatal(err)
	}
	params, err := models.ParamsFor(cfg, models.Week{Start: day("2026-11-23")})
	if err != nil {
		t.Fatal(err)
	}
	increments := map[*models.Warehouse]map[string]models.Increment{}
	for _, w := range []*models.Warehouse{opened, created} {
		if _, err := w.Conn().ExecContext(ctx, `
			INSERT INTO touchpoints (touchpoint_id, person_id, anonymous_id, ts, interaction, utm_source, utm_medium, source)
			VALUES ('t10', 'p1', '', TIMESTAMPTZ '2026-11-20 09:00:00+00', 'click', 'newsletter', 'email', 'web'),
			       ('t11', 'p2', '', TIMESTAMPTZ '2026-11-20 09:00:00+00', 'click', 'google', 'cpc', 'web');
			INSERT INTO conversions (conversion_id, person_id, ts, type, revenue, currency, is_new_customer, crm_source)
			VALUES ('k8', 'p1', TIMESTAMPTZ '2026-11-23 10:00:00+00', 'purchase', 30.00, 'USD', false, 'shop')`); err != nil {
			t.Fatal(err)
		}
		tx, err := w.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := tx.Set(ctx, params); err != nil {
			t.Fatal(err)
		}
		built, err := tx.RunModels(ctx, cat, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := tx.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		increments[w] = map[string]models.Increment{}
		for _, m := range built {
			if m.Increment != nil {
				increments[w][m.Name] = *m.Increment
			}
		}
	}
	if diff := cmp.Diff(increments[opened], increments[created]); diff != "" {
		t.Errorf("the week's increments (-one transaction +created):\n%s", diff)
	}
	if inc := increments[created]["int_touchpoints_classified"]; inc.Full || inc.Changed != 2 {
		t.Errorf("classification on the created warehouse: %+v, want 2 keys recomputed", inc)
	}
	compare("the next week")
}

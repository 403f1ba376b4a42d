package pipeline

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/socialroi/socialroi/config"
	"github.com/socialroi/socialroi/extract/httpx"
	"github.com/socialroi/socialroi/models"
	"github.com/socialroi/socialroi/transform"
)

// dumpWarehouse reads, from a warehouse file, the canonical ad rows (less
// extracted_at, which is the time of the extraction) and every mart, each
// as sorted text, for comparing two builds.
func dumpWarehouse(t *testing.T, path string) map[string]string {
	t.Helper()
	w, err := models.Open(t.Context(), path, models.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	db := w.Conn()
	rows, err := db.QueryContext(t.Context(), `SELECT table_name FROM information_schema.tables
		WHERE table_name LIKE 'mart\_%' ESCAPE '\' OR table_name LIKE 'attribution\_%' ESCAPE '\' OR table_name = 'influencer_ledger'
		ORDER BY table_name`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, n)
	}
	rows.Close()
	if len(tables) < 5 {
		t.Fatalf("only %d marts: %v", len(tables), tables)
	}
	queries := map[string]string{"ad_performance": "SELECT * EXCLUDE (extracted_at) FROM ad_performance"}
	for _, n := range tables {
		queries[n] = "SELECT * FROM " + n
	}
	out := map[string]string{}
	for name, q := range queries {
		var s string
		err := db.QueryRowContext(t.Context(),
			fmt.Sprintf(`SELECT count(*) || E' rows\n' || coalesce(string_agg(r, E'\n' ORDER BY r), '') FROM (SELECT t::VARCHAR AS r FROM (%s) t)`, q)).Scan(&s)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out[name] = s
	}
	return out
}

// A run against the Meta emulator, then the emulator is gone: --from-raw
// rebuilds the same ad rows and marts in a fresh warehouse from the first
// run's landing, with no server to answer and a renewed token.
func TestRunFromRaw(t *testing.T) {
	f := newFixture(t,
		[]transform.AdPerformanceRow{adRow("2026-11-16", "a1", "10.00", "USD"), adRow("2026-11-17", "a1", "20.50", "USD"),
			adRow("2026-11-18", "a2", "7.25", "USD")},
		[]transform.ConversionRow{purchase("k1", "50.00")})
	first := f.run(t, "tok-secret-42", false)
	if first.ExitCode != 0 {
		t.Fatalf("recorded run: exit %d: %v", first.ExitCode, first.Err)
	}
	want := dumpWarehouse(t, filepath.Join(f.dir, "w.duckdb"))
	if !strings.HasPrefix(want["ad_performance"], "3 rows") {
		t.Fatalf("recorded run loaded %s", want["ad_performance"])
	}
	landing := filepath.Join(f.dir, "raw", "meta", first.RunID)
	for _, name := range []string{httpx.IndexFile, WindowFile} {
		if _, err := os.Stat(filepath.Join(landing, name)); err != nil {
			t.Fatalf("the recorded run left no %s: %v", name, err)
		}
	}
	f.meta.Close() // from here on, a request to the platform would fail

	// A fresh warehouse and out folder, the same raw_dir; the token has been
	// renewed since (redacted URLs still match).
	t.Setenv("TEST_META_TOKEN", "renewed-token")
	cfg, err := config.Load(f.cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Warehouse = filepath.Join(f.dir, "rebuilt.duckdb")
	cfg.OutDir = filepath.Join(f.dir, "out-rebuilt")
	// No Week: the recorded run's week is rebuilt, whatever today is.
	res := Run(t.Context(), Options{Config: cfg, FromRaw: first.RunID})
	if res.ExitCode != 0 {
		t.Fatalf("--from-raw: exit %d: %v", res.ExitCode, res.Err)
	}
	if res.Week.Label() != "2026-W47" {
		t.Errorf("rebuilt week %s, want the recorded run's 2026-W47", res.Week.Label())
	}
	for i, s := range res.Sources {
		o := first.Sources[i]
		if s.Name != o.Name || !s.Since.Equal(o.Since) || !s.Until.Equal(o.Until) || fmt.Sprint(s.Rows) != fmt.Sprint(o.Rows) {
			t.Errorf("source %s: window %s..%s rows %v, recorded %s..%s rows %v", s.Name,
				s.Since.Format("2006-01-02"), s.Until.Format("2006-01-02"), s.Rows,
				o.Since.Format("2006-01-02"), o.Until.Format("2006-01-02"), o.Rows)
		}
	}
	got := dumpWarehouse(t, cfg.Warehouse)
	for name, w := range want {
		if got[name] != w {
			t.Errorf("%s differs after --from-raw:\n got %s\nwant %s", name, got[name], w)
		}
	}
	if _, err := os.Stat(res.Workbook); err != nil {
		t.Errorf("no workbook from the rebuilt run: %v", err)
	}

	// The cursor is where the recorded run left it, no further.
	w, err := models.Open(t.Context(), cfg.Warehouse, models.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	var until string
	err = w.Conn().QueryRowContext(t.Context(), "SELECT extracted_until::VARCHAR FROM source_state WHERE source = 'meta'").Scan(&until)
	w.Close()
	if err != nil || until != first.Sources[0].Until.Format("2006-01-02") {
		t.Errorf("meta cursor %s (%v), want the recorded run's %s", until, err, first.Sources[0].Until.Format("2006-01-02"))
	}

	// Nothing was re-landed: the rebuilt run's folder only says where its
	// responses came from.
	entries, _ := os.ReadDir(filepath.Join(f.dir, "raw", "meta", res.RunID))
	if len(entries) != 1 || entries[0].Name() != WindowFile {
		t.Errorf("the replay landed %v", entries)
	}
	b, _ := os.ReadFile(filepath.Join(f.dir, "raw", "meta", res.RunID, WindowFile))
	if !strings.Contains(string(b), `"from_raw": "`+first.RunID+`"`) {
		t.Errorf("window.json of the rebuilt run: %s", b)
	}

	// Usage errors, before the warehouse is touched.
	for _, tc := range []struct {
		name string
		opts Options
		want string
	}{
		{"unknown run", Options{FromRaw: "20990101T000000Z-000000"}, filepath.Join(f.dir, "raw", "meta", "20990101T000000Z-000000")},
		{"a replay of a replay", Options{FromRaw: res.RunID}, "use --from-raw " + first.RunID},
		{"not a run id", Options{FromRaw: "../meta"}, "not a run id"},
		{"with --skip-extract", Options{FromRaw: first.RunID, SkipExtract: true}, "--skip-extract"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.opts.Config = cfg
			res := Run(t.Context(), tc.opts)
			if res.ExitCode != ExitUsage || res.Err == nil || !strings.Contains(res.Err.Error(), tc.want) {
				t.Errorf("exit %d, err %v; want exit %d naming %q", res.ExitCode, res.Err, ExitUsage, tc.want)
			}
		})
	}
}

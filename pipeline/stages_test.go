package pipeline

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/socialroi/socialroi/config"
	"github.com/socialroi/socialroi/models"
	"github.com/socialroi/socialroi/transform"
)

// The stages one at a time — extract, transform --from-raw, model, report —
// leave the same warehouse and outputs as one run does, and each does only
// its own part.
func TestStagesOneAtATime(t *testing.T) {
	f := newFixture(t, []transform.AdPerformanceRow{adRow("2026-11-17", "a1", "10.00", "USD")},
		[]transform.ConversionRow{purchase("k1", "100.00")})
	t.Setenv("TEST_META_TOKEN", "tok-secret-42")
	cfg, err := config.Load(f.cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	week := models.Week{Start: day("2026-11-16")}
	stage := func(name, fromRaw string) *Result {
		t.Helper()
		res := Run(t.Context(), Options{Config: cfg, Week: week, Stage: name, FromRaw: fromRaw, AllowQAFailures: true})
		if res.ExitCode != ExitOK {
			t.Fatalf("%s: exit %d: %v", name, res.ExitCode, res.Err)
		}
		return res
	}
	count := func(q string) string { t.Helper(); return f.queryString(t, q) }

	ext := stage("extract", "")
	f.noWarehouse(t) // extract reads the warehouse (the cursors); it writes nothing there
	if _, err := os.Stat(filepath.Join(f.dir, "raw", "meta", ext.RunID, "window.json")); err != nil {
		t.Errorf("extract landed no window: %v", err)
	}

	stage("transform", ext.RunID)
	if got := count("SELECT count(*)::VARCHAR FROM ad_performance"); got != "1" {
		t.Errorf("transform loaded %s ad rows, want 1", got)
	}
	if got := count("SELECT count(*)::VARCHAR FROM information_schema.tables WHERE table_name = 'mart_kpi_summary'"); got != "0" {
		t.Errorf("transform built the marts")
	}

	stage("model", "")
	if got := count("SELECT spend::VARCHAR FROM mart_kpi_summary WHERE week_start = DATE '2026-11-16' AND model = 'linear'"); got != "10.00" {
		t.Errorf("model: spend %s in the KPI mart, want 10.00", got)
	}
	if _, err := os.Stat(filepath.Join(f.dir, "out", "2026-W47")); !os.IsNotExist(err) {
		t.Errorf("model wrote outputs (%v)", err)
	}

	rep := stage("report", "")
	m := readManifest(t, rep.Manifest)
	if len(m.Outputs) == 0 || len(m.QA) == 0 {
		t.Errorf("report: %d outputs, %d QA results in the manifest", len(m.Outputs), len(m.QA))
	}

	// One whole run in a fresh warehouse gives the same KPI rows.
	staged := count("SELECT string_agg(spend || '/' || revenue || '/' || roas, ';' ORDER BY week_start, model) FROM mart_kpi_summary")
	other := *cfg
	other.Warehouse = filepath.Join(f.dir, "whole.duckdb")
	other.OutDir = filepath.Join(f.dir, "whole-out")
	if res := Run(t.Context(), Options{Config: &other, Week: week, AllowQAFailures: true}); res.ExitCode != ExitOK {
		t.Fatalf("whole run: exit %d: %v", res.ExitCode, res.Err)
	}
	w, err := models.Open(t.Context(), other.Warehouse, models.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	var whole string
	if err := w.Conn().QueryRowContext(t.Context(), "SELECT string_agg(spend || '/' || revenue || '/' || roas, ';' ORDER BY week_start, model) FROM mart_kpi_summary").Scan(&whole); err != nil {
		t.Fatal(err)
	}
	if staged != whole || !strings.Contains(staged, "10.00") {
		t.Errorf("stages gave %s, one run %s", staged, whole)
	}

	// transform needs a landed run; an unknown stage is a usage error.
	for _, o := range []Options{{Config: cfg, Week: week, Stage: "transform"}, {Config: cfg, Week: week, Stage: "load"}} {
		if res := Run(t.Context(), o); res.ExitCode != ExitUsage {
			t.Errorf("stage %q without what it needs: exit %d (%v), want %d", o.Stage, res.ExitCode, res.Err, ExitUsage)
		}
	}
}

package pipeline

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/shopspring/decimal"

	"github.com/socialroi/socialroi/config"
	"github.com/socialroi/socialroi/extract/emulator"
	_ "github.com/socialroi/socialroi/extract/files"
	_ "github.com/socialroi/socialroi/extract/meta"
	"github.com/socialroi/socialroi/models"
	"github.com/socialroi/socialroi/reports/files"
	"github.com/socialroi/socialroi/reports/manifest"
	"github.com/socialroi/socialroi/transform"
)

func day(s string) time.Time {
	t, _ := time.Parse(time.DateOnly, s)
	return t
}

// fixture writes a small brand to files and starts a Meta emulator, and
// returns a config file pointed at both.
type fixture struct {
	dir, cfgPath string
	meta         *emulator.Meta
}

func newFixture(t *testing.T, ads []transform.AdPerformanceRow, conversions []transform.ConversionRow) *fixture {
	t.Helper()
	dir := t.TempDir()
	meta, err := emulator.NewMeta(emulator.MetaConfig{AccessToken: "tok-secret-42", Rows: ads})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { meta.Close() })
	writeParquet := func(name string, rec arrow.RecordBatch, err error) string {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		defer rec.Release()
		rdr, _ := array.NewRecordReader(rec.Schema(), []arrow.RecordBatch{rec})
		defer rdr.Release()
		path := filepath.Join(dir, name+".parquet")
		if _, err := files.WriteParquet(t.Context(), path, rdr); err != nil {
			t.Fatal(err)
		}
		return path
	}
	mem := memory.DefaultAllocator
	convPath := writeParquet(build(mem, transform.Conversions, conversions))
	tp := []transform.TouchpointRow{{TouchpointID: "t1", PersonID: "p1", TS: day("2026-11-17").Add(9 * time.Hour),
		Interaction: "click", UTMSource: "facebook", UTMMedium: "paid_social", UTMCampaign: "c1", UTMContent: "a1", Source: "web"}}
	tpPath := writeParquet(build(mem, transform.Touchpoints, tp))
	cfg := fmt.Sprintf(`
warehouse: w.duckdb
outputs: [excel, parquet]
reporting: {timezone: UTC, primary_model: linear}
attribution: {models: [last_non_direct, linear]}
sources:
  meta:
    type: meta_ads
    base_url: %q
    account_ids: ["1"]
    access_token: ${TEST_META_TOKEN}
    max_retries: 0
  web:
    type: files
    tables: {touchpoints: %q, conversions: %q}
`, meta.URL, tpPath, convPath)
	path := filepath.Join(dir, "socialroi.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	return &fixture{dir: dir, cfgPath: path, meta: meta}
}

func (f *fixture) run(t *testing.T, token string, allowQA bool) *Result {
	t.Helper()
	t.Setenv("TEST_META_TOKEN", token)
	cfg, err := config.Load(f.cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	return Run(t.Context(), Options{Config: cfg, Week: models.Week{Start: day("2026-11-16")}, AllowQAFailures: allowQA})
}

func (f *fixture) spend(t *testing.T) string {
	t.Helper()
	return f.queryString(t, "SELECT count(*) || ' rows, ' || coalesce(sum(spend)::VARCHAR, '') FROM ad_performance")
}

// noWarehouse fails the test if a run left a warehouse where there was
// none: a first run that fails leaves nothing (models.Create), not even the
// file it was building.
func (f *fixture) noWarehouse(t *testing.T) {
	t.Helper()
	for _, name := range []string{"w.duckdb", "w.duckdb.wal", "w.duckdb.partial", "w.duckdb.partial.wal"} {
		if _, err := os.Stat(filepath.Join(f.dir, name)); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("the run left %s (%v)", name, err)
		}
	}
}

// queryString reads one string from the fixture's warehouse.
func (f *fixture) queryString(t *testing.T, q string) string {
	t.Helper()
	w, err := models.Open(t.Context(), filepath.Join(f.dir, "w.duckdb"), models.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	var s string
	if err := w.Conn().QueryRowContext(t.Context(), q).Scan(&s); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return s
}

func adRow(date, ad, spend, currency string) transform.AdPerformanceRow {
	return transform.AdPerformanceRow{Date: day(date), Platform: "facebook", AccountID: "1", AccountName: "Acct",
		CampaignID: "c1", CampaignName: "conv_pr_us_x", AdID: ad, AdName: "ad", Currency: currency,
		Spend: decimal.RequireFromString(spend), Impressions: 100, Clicks: 5, LinkClicks: 4,
		PlatformConversionValue: decimal.Zero}
}

func purchase(id, revenue string) transform.ConversionRow {
	return transform.ConversionRow{ConversionID: id, PersonID: "p1", TS: day("2026-11-18").Add(12 * time.Hour),
		Type: "purchase", Revenue: decimal.RequireFromString(revenue), Currency: "USD", IsNewCustomer: true, CRMSource: "shop"}
}

func readManifest(t *testing.T, path string) manifest.Manifest {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m manifest.Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// The scheduled path: run a week twice (replaces, never duplicates), then
// with a source whose token was revoked (exit 4, the rest still lands).
func TestRunTwiceThenFailingSource(t *testing.T) {
	f := newFixture(t,
		[]transform.AdPerformanceRow{adRow("2026-11-16", "a1", "10.00", "USD"), adRow("2026-11-17", "a1", "20.50", "USD")},
		[]transform.ConversionRow{purchase("k1", "50.00")})

	res := f.run(t, "tok-secret-42", false)
	if res.ExitCode != 0 {
		t.Fatalf("first run: exit %d: %v", res.ExitCode, res.Err)
	}
	first := f.spend(t)
	if first != "2 rows, 30.5000" {
		t.Errorf("after the first run: %s", first)
	}
	wb1, err := os.Stat(res.Workbook)
	if err != nil {
		t.Fatal(err)
	}

	res = f.run(t, "tok-secret-42", false)
	if res.ExitCode != 0 {
		t.Fatalf("second run: exit %d: %v", res.ExitCode, res.Err)
	}
	if got := f.spend(t); got != first {
		t.Errorf("second run of the same week: %s, want %s", got, first)
	}
	if m := readManifest(t, res.Manifest); m.Status != manifest.StatusSuccess || m.RunID != res.RunID {
		t.Errorf("manifest %s status %s", m.RunID, m.Status)
	}

	res = f.run(t, "revoked-token", false)
	if res.ExitCode != ExitSourcesFailed {
		t.Fatalf("run with a revoked token: exit %d, want %d: %v", res.ExitCode, ExitSourcesFailed, res.Err)
	}
	if !strings.Contains(res.Err.Error(), "sources.meta.access_token") {
		t.Errorf("the error should name the credential to renew: %v", res.Err)
	}
	if strings.Contains(res.Err.Error(), "revoked-token") {
		t.Errorf("the error leaks the token: %v", res.Err)
	}
	m := readManifest(t, res.Manifest)
	if m.Status != manifest.StatusPartial || m.ExitCode != ExitSourcesFailed {
		t.Errorf("manifest status %s exit %d, want partial 4", m.Status, m.ExitCode)
	}
	if got := f.spend(t); got != first {
		t.Errorf("a failed source must leave its data as it was: %s, want %s", got, first)
	}
	if wb, err := os.Stat(res.Workbook); err != nil || !wb.ModTime().After(wb1.ModTime().Add(-time.Second)) {
		t.Errorf("the other sources' report was not published: %v", err)
	}
	// Every run, failed ones included, leaves its record under runs/.
	runs, _ := filepath.Glob(filepath.Join(f.dir, "out", "runs", "*.json"))
	if len(runs) != 3 {
		t.Errorf("run records: %v", runs)
	}
}

// A source that sends two different rows for one natural key fails the run
// with exit 3, as failed data tests do: a retry would fail the same way, and
// only the source can say which row is right. Nothing is loaded.
func TestDuplicateKeyExitsAsBadData(t *testing.T) {
	f := newFixture(t,
		[]transform.AdPerformanceRow{adRow("2026-11-17", "a1", "20.00", "USD")},
		[]transform.ConversionRow{purchase("k1", "50.00"), purchase("k1", "55.00")})
	res := f.run(t, "tok-secret-42", true)
	if res.ExitCode != ExitQA {
		t.Fatalf("exit %d, want %d: %v", res.ExitCode, ExitQA, res.Err)
	}
	var dup *models.DuplicateKeyError
	if !errors.As(res.Err, &dup) || !strings.Contains(res.Err.Error(), "source web") || !strings.Contains(res.Err.Error(), "conversion_id=k1") {
		t.Errorf("the error should be the duplicate key's, naming the source and the key: %v", res.Err)
	}
	f.noWarehouse(t)
	runs, _ := filepath.Glob(filepath.Join(f.dir, "out", "runs", "*.json"))
	if len(runs) != 1 {
		t.Fatalf("run records: %v", runs)
	}
	if m := readManifest(t, runs[0]); m.ExitCode != ExitQA || !strings.Contains(m.Error, "conversion_id=k1") {
		t.Errorf("run record: exit %d, error %q", m.ExitCode, m.Error)
	}
}

// A data test of severity error withholds the outputs (exit 3) and rolls
// the run back: this first run leaves no warehouse. --allow-qa-failures
// publishes.
func TestQAFailureWithholdsOutputs(t *testing.T) {
	// Spend in EUR with no EUR rate in fx_rates: the fx_rate_missing test fails.
	f := newFixture(t,
		[]transform.AdPerformanceRow{adRow("2026-11-17", "a1", "20.00", "EUR")},
		[]transform.ConversionRow{purchase("k1", "50.00")})
	res := f.run(t, "tok-secret-42", false)
	if res.ExitCode != ExitQA {
		t.Fatalf("exit %d, want %d: %v", res.ExitCode, ExitQA, res.Err)
	}
	if !strings.Contains(res.Err.Error(), "tests/tracking_qa_errors.sql") || !strings.Contains(res.Err.Error(), "fx_rate_missing") {
		t.Errorf("the error should name the failing test: %v", res.Err)
	}
	if _, err := os.Stat(WorkbookPath(filepath.Join(f.dir, "out"), models.Week{Start: day("2026-11-16")})); !os.IsNotExist(err) {
		t.Errorf("a workbook was published despite failing data tests (%v)", err)
	}
	f.noWarehouse(t)

	res = f.run(t, "tok-secret-42", true)
	if res.ExitCode != 0 {
		t.Fatalf("with --allow-qa-failures: exit %d: %v", res.ExitCode, res.Err)
	}
	if _, err := os.Stat(res.Workbook); err != nil {
		t.Error(err)
	}
	m := readManifest(t, res.Manifest)
	failed := 0
	for _, q := range m.QA {
		if q.Status == "fail" {
			failed++
		}
	}
	if failed == 0 {
		t.Error("the manifest does not record the failed data test")
	}
}

func TestWeeks(t *testing.T) {
	for _, tc := range []struct{ label, start string }{
		{"2026-W47", "2026-11-16"}, {"2026-W01", "2025-12-29"}, {"2020-W53", "2020-12-28"},
	} {
		w, err := ParseWeek(tc.label)
		if err != nil || w.Start.Format(time.DateOnly) != tc.start || w.Label() != tc.label {
			t.Errorf("%s: %v %v", tc.label, w.Start, err)
		}
	}
	for _, bad := range []string{"2026-47", "2026-W54", "2025-W53", "W47"} {
		if _, err := ParseWeek(bad); err == nil {
			t.Errorf("%s parsed", bad)
		}
	}
	// Monday 23 Nov 2026, 03:00 UTC is still Sunday 22 Nov in New York: the
	// last complete week there is W46.
	ny, _ := time.LoadLocation("America/New_York")
	now := time.Date(2026, 11, 23, 3, 0, 0, 0, time.UTC)
	if got := LastCompleteWeek(now, ny).Label(); got != "2026-W46" {
		t.Errorf("New York: %s", got)
	}
	if got := LastCompleteWeek(now, time.UTC).Label(); got != "2026-W47" {
		t.Errorf("UTC: %s", got)
	}
}

func TestExtractWindow(t *testing.T) {
	ctx := t.Context()
	wh, err := models.Open(ctx, ":memory:", models.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer wh.Close()
	if err := wh.EnsureTables(ctx); err != nil {
		t.Fatal(err)
	}
	cfg := config.Defaults() // restatement 28 days, backfill 84
	week := weekRange{start: day("2026-11-16"), end: day("2026-11-22")}
	tx, _ := wh.Begin(ctx)
	tx.AdvanceSourceCursor(ctx, "recent", day("2026-11-15"), "r1")
	tx.AdvanceSourceCursor(ctx, "stale", day("2026-09-30"), "r1")
	tx.AdvanceSourceCursor(ctx, "stale", day("2026-08-01"), "r2") // never moves back
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	for source, want := range map[string]string{
		"new":    "2026-08-24", // 16 Nov − 84 days: first run backfills
		"recent": "2026-10-19", // 16 Nov − 28 days: the restatement window
		"stale":  "2026-10-01", // the day after the cursor: no gap
	} {
		since, until, err := extractWindow(ctx, wh, cfg, config.SourceSpec{Name: source}, week)
		if err != nil {
			t.Fatal(err)
		}
		if got := since.Format(time.DateOnly); got != want || !until.Equal(week.end) {
			t.Errorf("%s: since %s until %s, want since %s", source, got, until.Format(time.DateOnly), want)
		}
	}
}

func TestLock(t *testing.T) {
	wh := filepath.Join(t.TempDir(), "w.duckdb")
	first, err := AcquireLock(wh, "run-1")
	if err != nil {
		t.Fatal(err)
	}
	// flock locks belong to an open file, so a second acquisition in the
	// same process conflicts exactly as a second process would.
	_, err = AcquireLock(wh, "run-2")
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), fmt.Sprintf("pid %d", os.Getpid())) ||
		!strings.Contains(err.Error(), "run-1") {
		t.Fatalf("second run: %v; want ErrLocked naming pid and run-1", err)
	}
	if err := first.Release(); err != nil {
		t.Fatal(err)
	}
	// A lock file left behind by a dead run (content, no flock) is taken over.
	os.WriteFile(wh+".lock", []byte(`{"pid":999999,"run_id":"dead"}`), 0o644)
	again, err := AcquireLock(wh, "run-3")
	if err != nil {
		t.Fatalf("stale lock not taken over: %v", err)
	}
	again.Release()
}

// A second run on a warehouse in use exits at once, naming the holder.
func TestRunRefusesLockedWarehouse(t *testing.T) {
	f := newFixture(t, []transform.AdPerformanceRow{adRow("2026-11-16", "a1", "10.00", "USD")}, []transform.ConversionRow{purchase("k1", "5.00")})
	held, err := AcquireLock(filepath.Join(f.dir, "w.duckdb"), "the-other-run")
	if err != nil {
		t.Fatal(err)
	}
	defer held.Release()
	res := f.run(t, "tok-secret-42", false)
	if res.ExitCode != ExitFailure || !errors.Is(res.Err, ErrLocked) || !strings.Contains(res.Err.Error(), "the-other-run") {
		t.Fatalf("exit %d: %v; want exit 1 naming the other run", res.ExitCode, res.Err)
	}
	if len(f.meta.Requests()) != 0 {
		t.Error("the refused run called the API")
	}
}

func TestCheck(t *testing.T) {
	f := newFixture(t, []transform.AdPerformanceRow{adRow("2026-11-17", "a1", "10.00", "USD")}, []transform.ConversionRow{purchase("k1", "5.00")})
	t.Setenv("TEST_META_TOKEN", "tok-secret-42")
	cfg, err := config.Load(f.cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	week := models.Week{Start: day("2026-11-16")}
	results, code, err := Check(t.Context(), cfg, week)
	if err != nil || code != ExitOK || len(results) != 2 || results[1].Check != "warehouse" {
		t.Fatalf("before any run: code %d, %v, %+v", code, err, results)
	}
	if res := f.run(t, "tok-secret-42", false); res.ExitCode != 0 {
		t.Fatal(res.Err)
	}
	results, code, err = Check(t.Context(), cfg, week)
	if err != nil || code != ExitOK {
		t.Fatalf("after a run: code %d, %v, %+v", code, err, results)
	}
	tests := 0
	for _, r := range results {
		if strings.HasPrefix(r.Check, "test ") {
			tests++
		}
		if !r.Passed {
			t.Errorf("check %s failed: %s", r.Check, r.Detail)
		}
	}
	if tests == 0 {
		t.Error("no data tests ran")
	}
	// A later week: the sources have not been extracted that far.
	results, _, _ = Check(t.Context(), cfg, models.Week{Start: day("2026-11-23")})
	stale := 0
	for _, r := range results {
		if strings.HasPrefix(r.Check, "fresh ") && !r.Passed {
			stale++
		}
	}
	if stale != 2 {
		t.Errorf("want both sources stale for W48, got %d: %+v", stale, results)
	}
}

// Config values that reach SQL are bound or quoted, never spliced: hostile
// values are just data.
func TestHostileConfigValuesAreData(t *testing.T) {
	f := newFixture(t, []transform.AdPerformanceRow{adRow("2026-11-17", "a1", "10.00", "USD")}, []transform.ConversionRow{purchase("k1", "5.00")})
	b, _ := os.ReadFile(f.cfgPath)
	hostile := strings.Replace(string(b), "reporting: {timezone: UTC, primary_model: linear}",
		`reporting:
  timezone: UTC
  primary_model: linear
  conversion_types: ["purchase", "x'); DROP TABLE conversions; --"]
channels:
  rules:
    - {channel: email, utm_medium: "x' OR '1'='1"}
    - {channel: paid_social, utm_medium: "^paid_social$"}
    - {channel: other}`, 1)
	if err := os.WriteFile(f.cfgPath, []byte(hostile), 0o644); err != nil {
		t.Fatal(err)
	}
	res := f.run(t, "tok-secret-42", false)
	if res.ExitCode != 0 {
		t.Fatalf("exit %d: %v", res.ExitCode, res.Err)
	}
	w, err := models.Open(t.Context(), filepath.Join(f.dir, "w.duckdb"), models.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	var n int
	var channel string
	if err := w.Conn().QueryRowContext(t.Context(), "SELECT count(*) FROM conversions").Scan(&n); err != nil || n != 1 {
		t.Errorf("conversions: %d rows, %v", n, err)
	}
	// The hostile regex matched nothing; the paid_social rule classified t1.
	if err := w.Conn().QueryRowContext(t.Context(), "SELECT channel FROM int_touchpoints_classified").Scan(&channel); err != nil || channel != "paid_social" {
		t.Errorf("channel %q, %v", channel, err)
	}
}

// Per-source windows override the run-wide ones; a strict source's failure
// fails the run with nothing loaded.
func TestPerSourceWindowAndStrict(t *testing.T) {
	ctx := t.Context()
	wh, err := models.Open(ctx, ":memory:", models.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer wh.Close()
	wh.EnsureTables(ctx)
	seven := 7
	since, _, _ := extractWindow(ctx, wh, config.Defaults(), config.SourceSpec{Name: "s", BackfillDays: &seven}, weekRange{start: day("2026-11-16"), end: day("2026-11-22")})
	if got := since.Format(time.DateOnly); got != "2026-10-19" { // restatement 28 still reaches further back
		t.Errorf("since %s", got)
	}
	since, _, _ = extractWindow(ctx, wh, config.Defaults(), config.SourceSpec{Name: "s", BackfillDays: &seven, RestatementDays: &seven}, weekRange{start: day("2026-11-16"), end: day("2026-11-22")})
	if got := since.Format(time.DateOnly); got != "2026-11-09" {
		t.Errorf("since %s", got)
	}

	from := day("2026-01-05")
	since, _, _ = extractWindow(ctx, wh, config.Defaults(), config.SourceSpec{Name: "s", BackfillFrom: &from}, weekRange{start: day("2026-11-16"), end: day("2026-11-22")})
	if got := since.Format(time.DateOnly); got != "2026-01-05" {
		t.Errorf("backfill_from: since %s", got)
	}

	f := newFixture(t, []transform.AdPerformanceRow{adRow("2026-11-17", "a1", "10.00", "USD")}, []transform.ConversionRow{purchase("k1", "5.00")})
	b, _ := os.ReadFile(f.cfgPath)
	os.WriteFile(f.cfgPath, []byte(strings.Replace(string(b), "    max_retries: 0\n", "    max_retries: 0\n    strict: true\n", 1)), 0o644)
	res := f.run(t, "revoked", false)
	if res.ExitCode != ExitFailure || !strings.Contains(res.Err.Error(), "strict") {
		t.Fatalf("exit %d: %v", res.ExitCode, res.Err)
	}
	f.noWarehouse(t)
}

// One emulator down: its source fails after its retries, the others load,
// the run exits 4 and publishes.
func TestRunWithAnEmulatorDown(t *testing.T) {
	f := newFixture(t, []transform.AdPerformanceRow{adRow("2026-11-17", "a1", "10.00", "USD")}, []transform.ConversionRow{purchase("k1", "5.00")})
	f.meta.Close()
	res := f.run(t, "tok-secret-42", false)
	if res.ExitCode != ExitSourcesFailed {
		t.Fatalf("exit %d, want 4: %v", res.ExitCode, res.Err)
	}
	w, err := models.Open(t.Context(), filepath.Join(f.dir, "w.duckdb"), models.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	var n int
	if err := w.Conn().QueryRowContext(t.Context(), "SELECT count(*) FROM conversions").Scan(&n); err != nil || n != 1 {
		t.Errorf("the files source's conversions were not loaded: %d, %v", n, err)
	}
	if _, err := os.Stat(res.Workbook); err != nil {
		t.Errorf("no workbook for the partial run: %v", err)
	}
	if m := readManifest(t, res.Manifest); m.Status != manifest.StatusPartial || m.Sources[0].Status != "failed" {
		t.Errorf("manifest: %s, sources %+v", m.Status, m.Sources)
	}
}

// A retry of the same week reuses the last build's model tables: nothing
// it is computed from changed. A changed input row, even one edited by hand
// in the warehouse, or another week, builds them again.
func TestModelsReusedWhenInputsUnchanged(t *testing.T) {
	f := newFixture(t,
		[]transform.AdPerformanceRow{adRow("2026-11-16", "a1", "10.00", "USD"), adRow("2026-11-17", "a1", "20.50", "USD")},
		[]transform.ConversionRow{purchase("k1", "50.00")})
	revenue := func() string {
		return f.queryString(t, "SELECT sum(revenue_credit)::VARCHAR FROM attribution_ledger WHERE model = 'linear'")
	}
	reused := func(res *Result) (n int) {
		for _, m := range res.Models {
			if m.Reused {
				n++
			}
		}
		return n
	}
	run := func(name string, week time.Time, wantReused bool, rebuild ...bool) *Result {
		t.Helper()
		t.Setenv("TEST_META_TOKEN", "tok-secret-42")
		cfg, err := config.Load(f.cfgPath)
		if err != nil {
			t.Fatal(err)
		}
		res := Run(t.Context(), Options{Config: cfg, Week: models.Week{Start: week}, Rebuild: len(rebuild) > 0})
		if res.ExitCode != ExitOK {
			t.Fatalf("%s: exit %d: %v", name, res.ExitCode, res.Err)
		}
		if n := reused(res); (wantReused && n != len(res.Models)) || (!wantReused && n != 0) || len(res.Models) == 0 {
			t.Errorf("%s: %d of %d models reused, want reused %v", name, n, len(res.Models), wantReused)
		}
		return res
	}
	week := day("2026-11-16")
	// how the run brought the incremental classification up to date
	classification := func(res *Result) models.Increment {
		t.Helper()
		for _, m := range res.Models {
			if m.Name == "int_touchpoints_classified" && m.Increment != nil {
				return *m.Increment
			}
		}
		t.Fatalf("no increment for int_touchpoints_classified in %+v", res.Models)
		return models.Increment{}
	}

	first := run("first run", week, false)
	if inc := classification(first); !inc.Full || inc.Reason != "no earlier build" {
		t.Errorf("first run: classification %+v, want a full build", inc)
	}
	if got := revenue(); got != "50.00" {
		t.Fatalf("first run: linear revenue %s, want 50.00", got)
	}
	// The meta emulator stamps every extraction anew; the rows are the same.
	res := run("retry", week, true)
	if got := revenue(); got != "50.00" {
		t.Errorf("retry: linear revenue %s, want 50.00", got)
	}
	m := readManifest(t, res.Manifest)
	for _, mm := range m.Models {
		if !mm.Reused || mm.BuiltBy != first.RunID {
			t.Errorf("manifest: model %s reused %v built by %q, want reused, built by %s", mm.Name, mm.Reused, mm.BuiltBy, first.RunID)
		}
	}

	// An analyst adds an agency fee in the warehouse by hand (no source
	// loads other costs here, so the next run keeps it).
	w, err := models.Open(t.Context(), filepath.Join(f.dir, "w.duckdb"), models.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Conn().ExecContext(t.Context(),
		"INSERT INTO other_costs VALUES (DATE '2026-11-17', 'paid_social', 'agency fee', 15.00, 'USD')"); err != nil {
		t.Fatal(err)
	}
	w.Close()
	// the touchpoints did not change: none is classified again, and the
	// loads say so (their content is what classification was built from)
	if inc := classification(run("after a hand edit", week, false)); inc != (models.Increment{FromLoads: true}) {
		t.Errorf("after a hand edit: classification %+v, want nothing recomputed, by the loads", inc)
	}
	// total cost 30.50 spend + 15.00 fee
	if got := f.queryString(t, "SELECT total_cost::VARCHAR FROM mart_kpi_summary WHERE week_start = DATE '2026-11-16' AND model = 'linear'"); got != "45.50" {
		t.Errorf("after a hand edit: total cost %s, want 45.50", got)
	}
	run("the week before", week.AddDate(0, 0, -7), false)
	run("the week again", week, false)
	run("the week once more", week, true)
	if inc := classification(run("--rebuild", week, false, true)); !inc.Full || inc.Reason != "a full rebuild was asked for" {
		t.Errorf("--rebuild: classification %+v, want a full build", inc)
	}
	run("after --rebuild", week, true)
}

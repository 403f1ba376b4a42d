package manifest

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/socialroi/socialroi/reports"
)

func sample() *Manifest {
	v := 0.93
	started := time.Date(2026, 11, 23, 6, 0, 0, 0, time.UTC)
	return &Manifest{
		RunID:      "20261123T060000Z-ab12",
		Version:    "v0.1.0",
		ConfigHash: "sha256:0f1e",
		Week:       "2026-W47",
		StartedAt:  started,
		FinishedAt: started.Add(95 * time.Second),
		Status:     StatusSuccess,
		Timings:    []Timing{{Name: "extract", Seconds: 61.5}, {Name: "models", Seconds: 20.25}},
		Sources: []Source{{
			Name: "meta_ads", Kind: "meta", Status: "success",
			Rows:     map[string]int64{"ad_performance": 1234, "touchpoints": 0},
			Since:    NewDate(time.Date(2026, 10, 26, 0, 0, 0, 0, time.UTC)),
			Until:    NewDate(time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)),
			RawFiles: []RawFile{{Path: "raw/meta_ads/r1/insights_0001.json.gz", Bytes: 2048, SHA256: "aa"}},
		}, {
			Name: "hubspot", Kind: "hubspot", Status: "failed", Error: "hubspot: contacts page 3: 503 Service Unavailable",
		}},
		Models: []Model{{Name: "mart_kpi_summary", Rows: 96}},
		QA: []QAResult{
			{Check: "utm_coverage", Severity: "error", Status: "pass", Value: &v},
			{Check: "missing_fx_rates", Severity: "error", Status: "pass"},
		},
		Outputs: []reports.Output{{Kind: "parquet", Path: "out/2026-W47/mart_kpi_summary.parquet", Rows: 96, Bytes: 4096, SHA256: "bb"}},
	}
}

func TestWriteReadRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "manifest.json")
	m := sample()
	if err := Write(path, m); err != nil {
		t.Fatal(err)
	}
	got, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	want := *m
	want.SchemaVersion = SchemaVersion
	want.Sources = append([]Source(nil), m.Sources...)
	want.Sources[1].Rows = map[string]int64{} // written as {} rather than null
	want.Sources[1].RawFiles = []RawFile{}
	if diff := cmp.Diff(&want, got); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
	if m.SchemaVersion != 0 {
		t.Error("Write modified its argument")
	}
}

func TestWriteIsStableAndOrdered(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.json"), filepath.Join(dir, "b.json")
	if err := Write(a, sample()); err != nil {
		t.Fatal(err)
	}
	if err := Write(b, sample()); err != nil {
		t.Fatal(err)
	}
	ba, _ := os.ReadFile(a)
	bb, _ := os.ReadFile(b)
	if string(ba) != string(bb) {
		t.Fatal("two writes of the same manifest differ")
	}
	s := string(ba)
	// Field order is the documented one, not alphabetical.
	order := []string{`"schema_version"`, `"run_id"`, `"version"`, `"config_hash"`, `"week"`, `"started_at"`,
		`"finished_at"`, `"status"`, `"exit_code"`, `"timings"`, `"sources"`, `"models"`, `"qa"`, `"outputs"`}
	last := -1
	for _, k := range order {
		i := strings.Index(s, k+":")
		if i < last {
			t.Errorf("%s out of order", k)
		}
		last = i
	}
	for _, want := range []string{`"since": "2026-10-26"`, `"ad_performance": 1234`, `"value": null`, `"started_at": "2026-11-23T06:00:00Z"`, "\n  \"run_id\""} {
		if !strings.Contains(s, want) {
			t.Errorf("manifest lacks %q:\n%s", want, s)
		}
	}
	if strings.Index(s, `"ad_performance"`) > strings.Index(s, `"touchpoints"`) {
		t.Error("rows keys are not sorted")
	}
}

func TestWriteRejectsInvalidAndKeepsOldFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "manifest.json")
	if err := Write(path, sample()); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(path)
	bad := sample()
	bad.Status = "ok"
	if err := Write(path, bad); !errors.Is(err, ErrInvalid) {
		t.Fatalf("Write(status ok) = %v, want ErrInvalid", err)
	}
	after, _ := os.ReadFile(path)
	if string(before) != string(after) {
		t.Error("failed write changed the existing manifest")
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries, want only manifest.json", len(entries))
	}
}

func TestReadErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := Read(filepath.Join(dir, "missing.json")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
	p := filepath.Join(dir, "bad.json")
	os.WriteFile(p, []byte(`{"run_id":"x","status":"done"}`), 0o644)
	if _, err := Read(p); !errors.Is(err, ErrInvalid) {
		t.Errorf("bad status: %v", err)
	}
}

package pipeline

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/socialroi/socialroi/reports/bigquery/bqfake"
	"github.com/socialroi/socialroi/transform"
)

// The bigquery output against the in-test BigQuery server: a run loads
// every mart (weekly marts into the week's partition), a second run of the
// week replaces the same partitions, and a failed load job fails the run
// with BigQuery's message while the earlier outputs stay as they were.
func TestRunBigQueryOutput(t *testing.T) {
	bq := bqfake.New(t)
	f := newFixture(t, []transform.AdPerformanceRow{adRow("2026-11-17", "a1", "10.00", "USD")}, nil)
	cfgText, err := os.ReadFile(f.cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	doc := strings.Replace(string(cfgText), "outputs: [excel, parquet]", "outputs: [excel, bigquery]", 1)
	doc += fmt.Sprintf("bigquery:\n  project: proj\n  dataset: socialroi\n  location: EU\n  base_url: %q\n  labels: {team: growth}\n", bq.Endpoint())
	if err := os.WriteFile(f.cfgPath, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}

	marts, err := martNames()
	if err != nil {
		t.Fatal(err)
	}
	// an internal building block is not an output; the mart built on it is
	if slices.Contains(marts, "ad_results_weekly") || !slices.Contains(marts, "mart_ad_weekly") {
		t.Fatalf("marts for output: %v", marts)
	}
	partitions := func() map[string]string {
		out := map[string]string{}
		for _, m := range marts {
			out[m] = fmt.Sprint(bq.Partitions("socialroi", m))
		}
		return out
	}
	res := f.run(t, "tok-secret-42", true)
	if res.ExitCode != ExitOK {
		t.Fatalf("first run: exit %d: %v", res.ExitCode, res.Err)
	}
	first := partitions()
	for _, m := range []string{"mart_kpi_summary", "attribution_ledger", "mart_channel_weekly"} {
		if !strings.HasPrefix(first[m], "map[20261116:") {
			t.Errorf("%s partitions %s, want the week's partition 20261116", m, first[m])
		}
	}
	tb := bq.Tables["socialroi.mart_channel_weekly"].Meta
	if tb.Clustering == nil || strings.Join(tb.Clustering.Fields, ",") != "model,platform" || !strings.Contains(tb.Description, "Spend and attributed results") {
		t.Errorf("mart_channel_weekly: clustering %+v, description %q", tb.Clustering, tb.Description)
	}
	// The manifest lists the tables with the rows loaded, and the run wrote
	// the Parquet files the loads read although outputs named no parquet.
	m := readManifest(t, res.Manifest)
	loaded := 0
	for _, o := range m.Outputs {
		if o.Kind == "bigquery" && strings.HasPrefix(o.Path, "bigquery://proj.socialroi.") {
			loaded++
		}
	}
	if loaded != len(marts) {
		t.Errorf("manifest lists %d BigQuery tables, want %d", loaded, len(marts))
	}
	if _, err := os.Stat(filepath.Join(res.OutDir, "mart_kpi_summary.parquet")); err != nil {
		t.Errorf("the Parquet the load read is not among the outputs: %v", err)
	}

	// Same week again, after the tables changed (so the earlier jobs no
	// longer stand for what is in place and every mart is loaded again):
	// the same partitions, replaced, not appended.
	bq.TouchTables()
	loadsBefore := strings.Count(strings.Join(bq.Calls, "\n"), "POST job")
	if res := f.run(t, "tok-secret-42", true); res.ExitCode != ExitOK {
		t.Fatalf("second run: exit %d: %v", res.ExitCode, res.Err)
	}
	for m, p := range partitions() {
		if p != first[m] {
			t.Errorf("%s after the second run: %s, after the first: %s", m, p, first[m])
		}
	}
	if loads := strings.Count(strings.Join(bq.Calls, "\n"), "POST job") - loadsBefore; loads < len(marts) {
		t.Errorf("second run: %d load jobs, want one per mart (%d)", loads, len(marts))
	}

	// A load job that fails: exit 1, BigQuery's message in the error, the
	// week's files as the last good run left them.
	manifestPath := res.Manifest
	manifestBefore, err := os.ReadFile(manifestPath)
	if err != nil {
		t.Fatal(err)
	}
	bq.FailLoads = "Provided Schema does not match Table proj:socialroi.mart_ad_weekly"
	bq.TouchTables() // or the run may find every file already loaded
	res = f.run(t, "tok-secret-42", true)
	if res.ExitCode != ExitFailure || res.Err == nil || !strings.Contains(res.Err.Error(), bq.FailLoads) {
		t.Fatalf("failed load: exit %d, err %v; want exit %d with BigQuery's message", res.ExitCode, res.Err, ExitFailure)
	}
	if after, err := os.ReadFile(manifestPath); err != nil || string(after) != string(manifestBefore) {
		t.Errorf("the failed run changed the published manifest (%v)", err)
	}
}

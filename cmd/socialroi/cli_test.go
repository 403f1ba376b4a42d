package main

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/socialroi/socialroi/pipeline"
)

func TestVersionAndHelp(t *testing.T) {
	code, out, _ := runCLI(t, "version")
	if code != 0 || !strings.HasPrefix(out, "socialroi ") {
		t.Errorf("version: exit %d, %q", code, out)
	}
	code, out, _ = runCLI(t, "--help")
	for _, want := range []string{"demo", "run", "attribute", "query", "init", "sources", "Exit codes"} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("--help lacks %q (exit %d)", want, code)
		}
	}
}

func TestUsageErrorsExit2(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("reporting:\n  timezone: Mars/Olympus\n"), 0o644)
	unknownSource := filepath.Join(dir, "src.yaml")
	os.WriteFile(unknownSource, []byte("sources:\n  x:\n    type: myspace_ads\n"), 0o644)
	badSource := filepath.Join(dir, "meta.yaml")
	os.WriteFile(badSource, []byte("sources:\n  meta:\n    type: meta_ads\n    access_token: abc\n"), 0o644)

	tests := []struct {
		name string
		args []string
		want string // in stderr
	}{
		{"unknown flag", []string{"run", "--bogus"}, "unknown flag"},
		{"unknown command", []string{"frobnicate"}, "unknown command"},
		{"missing config", []string{"run", "--config", filepath.Join(dir, "nope.yaml")}, "socialroi init"},
		{"bad timezone", []string{"run", "--config", bad}, "reporting.timezone"},
		{"unknown source type", []string{"run", "--config", unknownSource}, `sources.x.type: unknown source type "myspace_ads"`},
		{"source settings", []string{"run", "--config", badSource}, "account_ids"},
		{"bad week", []string{"run", "--config", badSource, "--week", "47"}, "ISO form"},
		{"bad scale", []string{"demo", "--scale", "XXL", "--out", dir}, "--scale"},
		{"attribute without files", []string{"attribute", "--out", dir}, "--touchpoints: is required"},
		{"attribute bad weights", []string{"attribute", "--position-weights", "0.8,0.8"}, "position"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, tc.args...)
			if code != 2 {
				t.Errorf("exit %d, want 2; stderr: %s", code, stderr)
			}
			if !strings.Contains(stderr, tc.want) {
				t.Errorf("stderr %q does not contain %q", stderr, tc.want)
			}
		})
	}
}

func TestInitWritesAValidConfig(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "socialroi.yaml")
	if code, _, stderr := runCLI(t, "init", "--path", path); code != 0 {
		t.Fatalf("init: %s", stderr)
	}
	if code, _, _ := runCLI(t, "init", "--path", path); code != 2 {
		t.Errorf("init over an existing file: exit %d, want 2", code)
	}
	t.Setenv("META_ACCESS_TOKEN", "x")
	cfg, err := loadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	// Every source in the starter config passes its own validation.
	if err := pipeline.ValidateSources(cfg); err != nil {
		t.Fatal(err)
	}
}

func TestSourcesListsKinds(t *testing.T) {
	code, out, _ := runCLI(t, "sources")
	for _, want := range []string{"meta_ads", "files", "account_ids"} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("sources output lacks %q", want)
		}
	}
}

func TestAttributeOnPlainFiles(t *testing.T) {
	dir := t.TempDir()
	tp := filepath.Join(dir, "touchpoints.csv")
	conv := filepath.Join(dir, "conversions.csv")
	// Person a: email then a paid Facebook click, then a 90.00 purchase.
	// Person b: a purchase of 10.00 with no touchpoints (direct).
	os.WriteFile(tp, []byte("person_id,ts,utm_source,utm_medium\n"+
		"a,2026-11-10T09:00:00Z,newsletter,email\n"+
		"a,2026-11-11T09:00:00Z,facebook,paid_social\n"), 0o644)
	os.WriteFile(conv, []byte("conversion_id,person_id,ts,revenue\n"+
		"c1,a,2026-11-12T09:00:00Z,90.00\n"+
		"c2,b,2026-11-12T10:00:00Z,10.00\n"), 0o644)
	out := filepath.Join(dir, "out")
	code, stdout, stderr := runCLI(t, "attribute", "--touchpoints", tp, "--conversions", conv,
		"--models", "linear,last_touch", "--out", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "ledger.csv") {
		t.Errorf("stdout: %s", stdout)
	}
	read := func(name string) [][]string {
		f, err := os.Open(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		recs, err := csv.NewReader(f).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		return recs
	}
	// linear splits c1 45.00/45.00; last_touch gives all to the Facebook click.
	ledger := read("ledger.csv")
	want := [][]string{
		{"conversion_id", "touchpoint_id", "model", "channel", "credit", "revenue_credit"},
		{"c1", "tp3", "last_touch", "paid_social", "1", "90.00"},
		{"c1", "tp2", "linear", "email", "0.5", "45.00"},
		{"c1", "tp3", "linear", "paid_social", "0.5", "45.00"},
		{"c2", "", "last_touch", "direct", "1", "10.00"},
		{"c2", "", "linear", "direct", "1", "10.00"},
	}
	if len(ledger) != len(want) {
		t.Fatalf("ledger.csv: %v", ledger)
	}
	for i := range want {
		// touchpoint ids are generated from the file's lines: compare the rest
		if ledger[i][0] != want[i][0] || ledger[i][2] != want[i][2] || ledger[i][3] != want[i][3] || ledger[i][5] != want[i][5] {
			t.Errorf("ledger row %d = %v, want %v", i, ledger[i], want[i])
		}
	}
	channels := read("channels.csv")
	if len(channels) != 6 || channels[0][0] != "model" {
		t.Errorf("channels.csv: %v", channels)
	}
}

func TestAttributeBadFileNamesLine(t *testing.T) {
	dir := t.TempDir()
	tp := filepath.Join(dir, "tp.csv")
	conv := filepath.Join(dir, "conv.csv")
	os.WriteFile(tp, []byte("person_id,ts\na,2026-11-10T09:00:00Z\n"), 0o644)
	os.WriteFile(conv, []byte("conversion_id,person_id,ts,revenue\nc1,a,2026-11-12T09:00:00Z,12,x\n"), 0o644)
	code, _, stderr := runCLI(t, "attribute", "--touchpoints", tp, "--conversions", conv, "--out", dir)
	if code == 0 || !strings.Contains(stderr, "conv.csv") || !strings.Contains(stderr, "line 2") {
		t.Errorf("exit %d, stderr %q: want an error naming conv.csv line 2", code, stderr)
	}
}

// A touchpoints file may carry its own channel (an analytics export's
// channel grouping) instead of UTMs; it is normalised and kept.
func TestAttributeWithChannelColumn(t *testing.T) {
	dir := t.TempDir()
	tp := filepath.Join(dir, "tp.csv")
	conv := filepath.Join(dir, "conv.csv")
	os.WriteFile(tp, []byte("touchpoint_id,person_id,ts,channel\n"+
		"x1,a,2026-11-10T09:00:00Z,Paid Social\n"+
		"x2,a,2026-11-11T09:00:00Z,email\n"), 0o644)
	os.WriteFile(conv, []byte("conversion_id,person_id,ts,revenue\nc1,a,2026-11-12T09:00:00Z,30.00\n"), 0o644)
	out := filepath.Join(dir, "out")
	if code, _, stderr := runCLI(t, "attribute", "--touchpoints", tp, "--conversions", conv, "--models", "first_touch,last_touch", "--out", out); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	b, _ := os.ReadFile(filepath.Join(out, "ledger.csv"))
	want := "conversion_id,touchpoint_id,model,channel,credit,revenue_credit\n" +
		"c1,x1,first_touch,paid_social,1,30.00\n" +
		"c1,x2,last_touch,email,1,30.00\n"
	if string(b) != want {
		t.Errorf("ledger.csv:\n%s\nwant:\n%s", b, want)
	}
}

// Run twice for the same week: the second run says it reused the models
// and which run built them; --rebuild builds them again.
func TestRunTwiceReusesModels(t *testing.T) {
	dir := t.TempDir()
	if code, _, stderr := runCLI(t, "generate", "--scale", "S", "--out", dir); code != 0 {
		t.Fatalf("generate: %s", stderr)
	}
	cfg := filepath.Join(dir, "socialroi.yaml")
	run := func(extra ...string) string {
		t.Helper()
		code, stdout, stderr := runCLI(t, append([]string{"run", "--config", cfg, "--week", "2026-W47"}, extra...)...)
		if code != 0 {
			t.Fatalf("run %v: exit %d: %s", extra, code, stderr)
		}
		return stdout
	}
	if out := run(); strings.Contains(out, "models reused") {
		t.Errorf("the first run reused models:\n%s", out)
	}
	if out := run(); !strings.Contains(out, "models reused from run 2") {
		t.Errorf("the second run did not say it reused the models:\n%s", out)
	}
	if out := run("--rebuild"); strings.Contains(out, "models reused") {
		t.Errorf("--rebuild reused the models:\n%s", out)
	}
}

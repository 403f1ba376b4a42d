package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func env(vars map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := vars[k]; return v, ok }
}

func TestStarterParses(t *testing.T) {
	cfg, err := Parse([]byte(Starter), env(map[string]string{"META_ACCESS_TOKEN": "EAAB-secret-token"}))
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.Reporting.PrimaryModel; got != "position_based" {
		t.Errorf("primary_model = %q", got)
	}
	if len(cfg.Sources) != 2 || cfg.Sources[0].Name != "meta" || cfg.Sources[0].Type != "meta_ads" {
		t.Errorf("sources = %+v", cfg.Sources)
	}
	if got := cfg.Secrets(); len(got) != 1 || got[0] != "EAAB-secret-token" {
		t.Errorf("secrets = %v", got)
	}
	if red := cfg.Redactor()("url?access_token=EAAB-secret-token"); strings.Contains(red, "secret") {
		t.Errorf("not redacted: %s", red)
	}
	var s struct {
		AccountIDs []string `yaml:"account_ids"`
		Token      string   `yaml:"access_token"`
		Conv       []string `yaml:"conversion_action_types"`
		RPS        float64  `yaml:"requests_per_second"`
	}
	if err := cfg.Sources[0].Decode(&s); err != nil {
		t.Fatal(err)
	}
	if s.Token != "EAAB-secret-token" || s.AccountIDs[0] != "act_1234567890" {
		t.Errorf("decoded %+v", s)
	}
}

func TestBadConfigNamesKey(t *testing.T) {
	tests := []struct {
		name, yaml, wantKey, wantMsg string
	}{
		{"unknown top-level key", "warehose: x.duckdb\n", "", "unknown setting warehose"},
		{"bad currency", "reporting: {currency: dollars}\n", "reporting.currency", "three-letter"},
		{"bad timezone", "reporting: {timezone: Mars/Olympus}\n", "reporting.timezone", "IANA"},
		{"unknown model", "attribution: {models: [linear, magic]}\n", "attribution.models", `unknown model "magic"`},
		{"primary not computed", "attribution: {models: [linear]}\nreporting: {primary_model: first_touch}\n", "reporting.primary_model", "must be one of"},
		{"lookback", "attribution: {lookback_days: 0}\n", "attribution.lookback_days", "between 1 and 365"},
		{"weights", "attribution: {position_first: 0.7, position_last: 0.5}\n", "attribution.position_first", "at most 1"},
		{"missing env", "sources:\n  meta:\n    type: meta_ads\n    access_token: ${NOPE}\n", "sources.meta.access_token", "NOPE is not set"},
		{"source without type", "sources:\n  meta:\n    account_ids: [1]\n", "sources.meta.type", "is required"},
		{"bad rule regex", "channels:\n  rules:\n    - {channel: email, utm_medium: '(('}\n", "channels.rules[0].utm_medium", "regular expression"},
		{"unknown channel", "channels:\n  rules:\n    - {channel: tv}\n", "channels.rules[0].channel", `unknown channel "tv"`},
		{"unknown output", "outputs: [excel, pdf]\n", "outputs[1]", `unknown output "pdf"`},
		{"not yaml", "reporting: [\n", "", "did not find"},
		{"source timeout", "sources:\n  meta:\n    type: meta_ads\n    timeout: soon\n", "sources.meta.timeout", "positive duration"},
		{"naming field", "naming: {campaign: '{objective}_{colour}'}\n", "naming.campaign", "unknown field {colour}"},
		{"segment", "naming: {segments: {vip: whales}}\n", "naming.segments.vip", "unknown audience segment"},
		{"bigquery without project", "outputs: [bigquery]\nbigquery: {dataset: marts}\n", "bigquery.project", "Google Cloud project"},
		{"fatigue", "creative: {fatigue_ctr_drop: 30}\n", "creative.fatigue_ctr_drop", "between 0 and 1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.yaml), env(nil))
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("want *config.Error, got %v", err)
			}
			if ce.Key != tc.wantKey || !strings.Contains(ce.Msg, tc.wantMsg) {
				t.Errorf("got key %q msg %q; want key %q msg containing %q", ce.Key, ce.Msg, tc.wantKey, tc.wantMsg)
			}
		})
	}
}

func TestSourceDecodeUnknownKey(t *testing.T) {
	cfg, err := Parse([]byte("sources:\n  meta:\n    type: meta_ads\n    acount_ids: [1]\n"), env(nil))
	if err != nil {
		t.Fatal(err)
	}
	var s struct {
		AccountIDs []string `yaml:"account_ids"`
	}
	err = cfg.Sources[0].Decode(&s)
	if err == nil || !strings.Contains(err.Error(), "sources.meta") || !strings.Contains(err.Error(), "acount_ids") {
		t.Fatalf("want an error naming sources.meta and acount_ids, got %v", err)
	}
}

// Secrets may come from files the config names (Docker/Kubernetes secret
// mounts), relative to the config file; they are redacted like env secrets.
func TestSecretFromFile(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "meta_token"), []byte("EAAB-from-file\n"), 0o600)
	cfgPath := filepath.Join(dir, "socialroi.yaml")
	os.WriteFile(cfgPath, []byte("sources:\n  meta:\n    type: meta_ads\n    access_token: ${file:meta_token}\n"), 0o644)
	cfg, err := Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	var s struct {
		Token string `yaml:"access_token"`
	}
	if err := cfg.Sources[0].Decode(&s); err != nil || s.Token != "EAAB-from-file" {
		t.Fatalf("token %q, %v", s.Token, err)
	}
	if got := cfg.Redactor()("x EAAB-from-file y"); got != "x REDACTED y" {
		t.Errorf("not redacted: %s", got)
	}
	os.WriteFile(cfgPath, []byte("sources:\n  meta:\n    type: meta_ads\n    access_token: ${file:missing}\n"), 0o644)
	if _, err := Load(cfgPath); err == nil || !strings.Contains(err.Error(), "sources.meta.access_token") {
		t.Errorf("missing secret file: %v", err)
	}
}

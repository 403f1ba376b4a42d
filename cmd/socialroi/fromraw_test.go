package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// --from-raw with a run that has no landing, or with --skip-extract, is a
// usage error (exit 2) that changes nothing: the warehouse is not created.
func TestRunFromRawUsage(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "socialroi.yaml")
	os.WriteFile(cfg, []byte("warehouse: w.duckdb\nsources:\n  meta:\n    type: meta_ads\n    account_ids: [\"1\"]\n    access_token: abc\n"), 0o644)
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no landing", []string{"run", "--config", cfg, "--from-raw", "20261123T060000Z-a1b2c3"},
			filepath.Join(dir, "raw", "meta", "20261123T060000Z-a1b2c3")},
		{"with --skip-extract", []string{"run", "--config", cfg, "--from-raw", "r1", "--skip-extract"}, "--skip-extract"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, tc.args...)
			if code != 2 || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stderr %q; want 2 naming %q", code, stderr, tc.want)
			}
			if _, err := os.Stat(filepath.Join(dir, "w.duckdb")); !os.IsNotExist(err) {
				t.Errorf("the warehouse was touched (%v)", err)
			}
		})
	}
}

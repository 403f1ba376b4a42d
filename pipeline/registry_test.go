package pipeline

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/socialroi/socialroi/config"
	_ "github.com/socialroi/socialroi/extract/registry"
	"github.com/socialroi/socialroi/transform"
)

// The influencer registry is a snapshot: a creator removed from the file
// leaves the warehouse on the next run; a code claimed twice is a config
// error (exit 2) that stops the run before the warehouse is touched.
func TestInfluencerRegistryRuns(t *testing.T) {
	f := newFixture(t, []transform.AdPerformanceRow{adRow("2026-11-17", "a1", "10.00", "USD")}, nil)
	regPath := filepath.Join(f.dir, "influencers.yaml")
	cfgText, err := os.ReadFile(f.cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	cfgText = append(cfgText, []byte("  influencers:\n    type: influencer_registry\n    path: influencers.yaml\n")...)
	if err := os.WriteFile(f.cfgPath, cfgText, 0o644); err != nil {
		t.Fatal(err)
	}
	creators := func(t *testing.T) string {
		t.Helper()
		return f.queryString(t, "SELECT coalesce(string_agg(creator_id, ',' ORDER BY creator_id), '') || ' / ' || (SELECT count(*) FROM influencer_costs) FROM influencers")
	}
	write := func(doc string) {
		if err := os.WriteFile(regPath, []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	write(`creators:
  - {id: cr_1, handle: "@one", platform: instagram, promo_codes: [ONE10],
     costs: [{date: 2026-11-16, kind: fee, amount: "100.00", currency: USD}]}
  - {id: cr_2, handle: "@two", platform: tiktok, promo_codes: [TWO10],
     costs: [{date: 2026-11-17, kind: fee, amount: "50.00", currency: USD}]}
`)
	if res := f.run(t, "tok-secret-42", true); res.ExitCode != ExitOK {
		t.Fatalf("first run: exit %d: %v", res.ExitCode, res.Err)
	}
	if got := creators(t); got != "cr_1,cr_2 / 2" {
		t.Fatalf("after the first run: %s", got)
	}

	write(`creators:
  - {id: cr_1, handle: "@one", platform: instagram, promo_codes: [ONE10],
     costs: [{date: 2026-11-16, kind: fee, amount: "100.00", currency: USD}]}
`)
	if res := f.run(t, "tok-secret-42", true); res.ExitCode != ExitOK {
		t.Fatalf("second run: exit %d: %v", res.ExitCode, res.Err)
	}
	if got := creators(t); got != "cr_1 / 1" {
		t.Errorf("after removing cr_2 from the registry: %s, want cr_1 / 1", got)
	}

	// "one10" collides with cr_1's ONE10: exit 2, and the warehouse keeps
	// what the last good run loaded.
	write(`creators:
  - {id: cr_1, handle: "@one", platform: instagram, promo_codes: [ONE10]}
  - {id: cr_3, handle: "@three", platform: youtube, promo_codes: [one10]}
`)
	res := f.run(t, "tok-secret-42", true)
	var ce *config.Error
	if res.ExitCode != ExitUsage || !errors.As(res.Err, &ce) || !strings.Contains(res.Err.Error(), "cr_1") || !strings.Contains(res.Err.Error(), "cr_3") {
		t.Fatalf("duplicate code: exit %d, %v; want exit %d naming both creators", res.ExitCode, res.Err, ExitUsage)
	}
	if got := creators(t); got != "cr_1 / 1" {
		t.Errorf("after the failed run: %s, want cr_1 / 1 unchanged", got)
	}
}

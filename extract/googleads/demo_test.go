package googleads

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/socialroi/socialroi/extract/emulator/gen"
	gademu "github.com/socialroi/socialroi/extract/emulator/googleads"
	"github.com/socialroi/socialroi/transform"
)

// TestDemoBrandRoundTrip serves the generated demo brand's Google rows and
// checks that the connector gives them back: every row, spend to the cent,
// ids, names and destination URLs. What Google Ads cannot report differs
// as documented: creative id/name are the ad's, link clicks equal clicks.
func TestDemoBrandRoundTrip(t *testing.T) {
	brand, err := gen.Generate(gen.Config{Persons: 300})
	if err != nil {
		t.Fatal(err)
	}
	var truth []transform.AdPerformanceRow
	customers := map[string]bool{}
	for _, r := range brand.AdPerformance {
		if r.Platform == gademu.Platform {
			truth = append(truth, r)
			customers[r.AccountID] = true
		}
	}
	if len(truth) == 0 {
		t.Fatal("the demo brand has no Google rows")
	}
	h := newHarness(t, gademu.Config{}, nil)
	emu, err := gademu.New(gademu.Config{AccessToken: token, DeveloperToken: devToken, Rows: brand.AdPerformance,
		UTMIn: gademu.UTMInTrackingTemplate})
	if err != nil {
		t.Fatal(err)
	}
	defer emu.Close()
	h.src.settings.BaseURL = emu.URL
	h.src.settings.CustomerIDs = nil
	for id := range customers {
		h.src.settings.CustomerIDs = append(h.src.settings.CustomerIDs, id)
	}
	got, err := h.runRange(t, brand.Config.Start, brand.Config.End)
	if err != nil {
		t.Fatal(err)
	}
	var want []transform.AdPerformanceRow
	sum := decimal.Zero
	for _, r := range truth {
		r.Source, r.ExtractedAt = "google", extractedAt
		r.CreativeID, r.CreativeName = r.AdID, r.AdName
		r.LinkClicks = r.Clicks
		r.PlatformConversionValue = r.PlatformConversionValue.Round(4)
		want = append(want, r)
		sum = sum.Add(r.Spend)
	}
	sortRows(want)
	sortRows(got)
	if diff := cmp.Diff(want, got, decimalEqual); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
	gotSum := decimal.Zero
	for _, r := range got {
		gotSum = gotSum.Add(r.Spend)
	}
	if !gotSum.Equal(sum) {
		t.Errorf("spend total %s, want %s", gotSum, sum)
	}
}

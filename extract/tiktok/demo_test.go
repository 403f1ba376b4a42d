package tiktok

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/socialroi/socialroi/extract/emulator/gen"
	ttemu "github.com/socialroi/socialroi/extract/emulator/tiktok"
	"github.com/socialroi/socialroi/transform"
)

// TestDemoBrandRoundTrip serves the generated demo brand's TikTok rows (12
// weeks: three 30-day windows) and checks that the connector gives them
// back: every row, spend to the cent, ids and names (the account name and
// time zone from the advertiser info call), video metrics. What the report
// does not carry differs as documented: no creative or destination URL, and
// clicks are destination clicks.
func TestDemoBrandRoundTrip(t *testing.T) {
	brand, err := gen.Generate(gen.Config{Persons: 300})
	if err != nil {
		t.Fatal(err)
	}
	var want []transform.AdPerformanceRow
	advertisers := map[string]string{}
	sum := decimal.Zero
	for _, r := range brand.AdPerformance {
		if r.Platform != ttemu.Platform {
			continue
		}
		advertisers[r.AccountID] = r.Currency
		sum = sum.Add(r.Spend)
		r.Source, r.ExtractedAt = "tiktok", extractedAt
		r.CreativeID, r.CreativeName, r.DestinationURL = "", "", ""
		if r.AccountTimezone == "" {
			r.AccountTimezone = ttemu.DefaultTimezone
		}
		r.Clicks = r.LinkClicks
		want = append(want, r)
	}
	if len(want) == 0 {
		t.Fatal("the demo brand has no TikTok rows")
	}
	emu, err := ttemu.New(ttemu.Config{AccessToken: token, Rows: brand.AdPerformance})
	if err != nil {
		t.Fatal(err)
	}
	defer emu.Close()
	h := newHarness(t, ttemu.Config{}, nil)
	h.src.settings.BaseURL = emu.URL
	h.src.settings.AdvertiserIDs = nil
	h.src.settings.AdvertiserCurrencies = advertisers
	for id := range advertisers {
		h.src.settings.AdvertiserIDs = append(h.src.settings.AdvertiserIDs, id)
	}
	got, err := h.run(t, brand.Config.Start, brand.Config.End)
	if err != nil {
		t.Fatal(err)
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
	if n := len(emu.Requests()); n != 1+3*len(advertisers) {
		t.Errorf("requests = %d, want one advertiser info call and one page per 30-day window", n)
	}
}

package googleads

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/socialroi/socialroi/transform"
)

var fixture = filepath.Join("..", "..", "testdata", "googleads", "searchstream.json")

// TestFixture maps testdata/googleads/searchstream.json; the expected rows
// were worked out by hand from the file.
func TestFixture(t *testing.T) {
	body, err := os.ReadFile(fixture)
	if err != nil {
		t.Fatal(err)
	}
	src, err := NewSource("google", Settings{BaseURL: "http://x", APIVersion: "v21", CustomerIDs: []string{"4567890123"},
		AccessToken: "a", DeveloperToken: "d", MaxRetryDelay: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 23, 6, 0, 0, 0, time.UTC)
	var got []transform.AdPerformanceRow
	err = decodeStream(bytes.NewReader(body), streamVisitor{Row: func(_, _ int, r *result) error {
		row, err := src.mapRow(r, "4567890123", at)
		got = append(got, row)
		return err
	}})
	if err != nil {
		t.Fatal(err)
	}
	base := transform.AdPerformanceRow{Date: transform.Date(2026, 11, 16), Platform: "google", AccountID: "4567890123",
		AccountName: "Demo Brand Search", Currency: "USD", Source: "google", ExtractedAt: at}
	r1, r2 := base, base
	r1.CampaignID, r1.CampaignName, r1.AdsetID, r1.AdsetName = "20100000001", "search_pr_us_brand", "30100000001", "brand_exact"
	r1.AdID, r1.CreativeID = "40100000001", "40100000001"
	// {campaignid} and {creative} filled in; {keyword} is unknown here and kept.
	r1.DestinationURL = "https://shop.example.com/?utm_source=google&utm_medium=cpc&utm_campaign=20100000001&utm_content=40100000001&utm_term={keyword}"
	r1.Spend = decimal.RequireFromString("18.42") // 18,420,000 micros
	r1.Impressions, r1.Clicks, r1.LinkClicks = 307, 28, 28
	r1.PlatformConversions, r1.PlatformConversionValue = 2.04, decimal.RequireFromString("146.88")
	r2.CampaignID, r2.CampaignName, r2.AdsetID, r2.AdsetName = "20100000002", "search_pr_us_generic", "30100000002", "generic_hoodies"
	r2.AdID, r2.AdName, r2.CreativeID, r2.CreativeName = "40100000002", "text_generic-kw_shop-now_rsa002", "40100000002", "text_generic-kw_shop-now_rsa002"
	r2.DestinationURL = "https://shop.example.com/products/hoodie?utm_source=google&utm_medium=cpc&utm_campaign=20100000002"
	r2.Spend = decimal.RequireFromString("1.2346") // 1,234,567 micros, rounded half up to 4 places
	r2.Impressions = 41                            // clicks and conversions omitted: 0
	r2.PlatformConversionValue = decimal.Zero
	if diff := cmp.Diff([]transform.AdPerformanceRow{r1, r2}, got, decimalEqual); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
}

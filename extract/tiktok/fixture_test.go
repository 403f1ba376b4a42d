package tiktok

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/socialroi/socialroi/transform"
)

var fixture = filepath.Join("..", "..", "testdata", "tiktok", "report_page.json")

// TestFixture maps testdata/tiktok/report_page.json; the expected rows were
// worked out by hand from the file.
func TestFixture(t *testing.T) {
	body, err := os.ReadFile(fixture)
	if err != nil {
		t.Fatal(err)
	}
	var p page
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatal(err)
	}
	if p.Code == nil || *p.Code != 0 || p.Data.PageInfo == nil || p.Data.PageInfo.TotalPage != 1 {
		t.Fatalf("envelope: %+v", p)
	}
	src := newTestSource(t)
	at := time.Date(2026, 11, 23, 6, 0, 0, 0, time.UTC)
	var got []transform.AdPerformanceRow
	for i := range p.Data.List {
		row, err := src.mapRow(&p.Data.List[i], "1", at)
		if err != nil {
			t.Fatalf("row %d: %v", i+1, err)
		}
		got = append(got, row)
	}
	base := transform.AdPerformanceRow{Date: transform.Date(2026, 11, 16), Platform: "tiktok", AccountID: "1",
		CampaignID: "1780000000000001", CampaignName: "conv_pr_de_20off", AdsetID: "1770000000000001",
		AdsetName: "pr_de_interest-fashion", Currency: "EUR", Source: "tiktok", ExtractedAt: at}
	r1, r2 := base, base
	r1.AdID, r1.AdName = "1790000000000001", "video_ugc-unboxing_shop-now_cr012"
	r1.Spend, r1.Impressions, r1.Clicks, r1.LinkClicks = decimal.RequireFromString("21.37"), 3561, 29, 29
	r1.Reach, r1.VideoViews3s, r1.VideoCompletions = transform.Ptr[int64](2740), transform.Ptr[int64](998), transform.Ptr[int64](181)
	r1.PlatformConversions, r1.PlatformConversionValue = 2, decimal.RequireFromString("139.80")
	// "-": NULL reach and video metrics, 0 purchase value.
	r2.AdID, r2.AdName = "1790000000000002", "video_trend-sound_shop-now_cr018"
	r2.Spend, r2.PlatformConversionValue = decimal.Zero, decimal.Zero
	if diff := cmp.Diff([]transform.AdPerformanceRow{r1, r2}, got, decimalEqual); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
}

package models_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/socialroi/socialroi/transform"
)

// paidAd is one ad of the hand-built paid brand.
type paidAd struct {
	platform, campaign, campaignName, adset, adsetName, ad, adName, creative string
}

var (
	adA = paidAd{"facebook", "c1", "conv_pr_us_20off", "s1", "pr_us_broad", "a", "video_ugc_shop-now_cr1", "m-901"}
	adB = paidAd{"facebook", "c1", "conv_pr_us_20off", "s1", "pr_us_broad", "b", "image_flatlay_shop-now_cr2", "m-902"}
	adC = paidAd{"facebook", "c2", "conv_rt_us_20off", "s2", "rt_us_atc", "c", "video_ugc_get-offer_cr1", "m-903"}
	// D's names follow no convention: its creative key falls back to the
	// platform creative id and its segment is unknown.
	adD = paidAd{"tiktok", "c3", "Holiday push", "s3", "all", "d", "Copy of video", "tt-77"}
	adG = paidAd{"google", "g1", "search_pr_us_brand", "s9", "brand_exact", "g", "text_brand-kw_shop-now_rsa001", ""}
)

func (a paidAd) day(d, spend string, impressions, clicks, reach, views int64) transform.AdPerformanceRow {
	r := transform.AdPerformanceRow{
		Date: day(d), Platform: a.platform, AccountID: "acct-" + a.platform,
		CampaignID: a.campaign, CampaignName: a.campaignName, AdsetID: a.adset, AdsetName: a.adsetName,
		AdID: a.ad, AdName: a.adName, CreativeID: a.creative, Currency: "USD", Spend: dec(spend),
		Impressions: impressions, Clicks: clicks, LinkClicks: clicks,
		PlatformConversionValue: decimal.Zero, Source: "test", ExtractedAt: ts("2026-11-23 06:00"),
	}
	if reach > 0 {
		r.Reach = transform.Ptr(reach)
	}
	if views > 0 {
		r.VideoViews3s = transform.Ptr(views)
	}
	return r
}

func paidClick(id, person, when, source, medium, campaign, content, clickIDType string) transform.TouchpointRow {
	return transform.TouchpointRow{
		TouchpointID: id, PersonID: person, TS: ts(when), Interaction: "click",
		UTMSource: source, UTMMedium: medium, UTMCampaign: campaign, UTMContent: content,
		ClickIDType: clickIDType, Source: "web",
	}
}

func purchase(id, person, when, revenue string, isNew bool) transform.ConversionRow {
	return transform.ConversionRow{
		ConversionID: id, PersonID: person, TS: ts(when), Type: "purchase", Revenue: dec(revenue),
		Currency: "USD", IsNewCustomer: isNew, CRMSource: "shop",
	}
}

// paidBrand is the hand-built dataset of TestPaidMartsHandWorked: four ads,
// W46 (9–15 Nov) and W47 (16–22 Nov) 2026, USD, models linear and
// last_non_direct, primary linear.
//
//	delivery  W46: A 50.00 (1000 impr, 10 clicks, reach 800, 300 3s views)
//	               C 20.00 (1000 impr, 20 clicks, reach 250, 200 views)
//	          W47: A 60.00 (1000, 6, 800, 250)  B 40.00 (2000, 30, 1600, image)
//	               C 30.00 (1000, 10, 250, 150) D 25.00 (5000, 50, 4000, 1000)
//	paths     k1 (p1, 100.00, new):       t1 = ad A
//	          k2 (p2, 50.00, returning):  t2 = ad C (retargeting) → t3 = ad B
//	          k3 (p3, 30.00, new):        t4 = ad D (tiktok)
func paidBrand() map[string]any {
	return map[string]any{
		transform.AdPerformance: []transform.AdPerformanceRow{
			adA.day("2026-11-10", "50.00", 1000, 10, 800, 300),
			adC.day("2026-11-10", "20.00", 1000, 20, 250, 200),
			adA.day("2026-11-17", "60.00", 1000, 6, 800, 250),
			adB.day("2026-11-17", "40.00", 2000, 30, 1600, 0),
			adC.day("2026-11-17", "30.00", 1000, 10, 250, 150),
			adD.day("2026-11-17", "25.00", 5000, 50, 4000, 1000),
		},
		transform.Touchpoints: []transform.TouchpointRow{
			paidClick("t1", "p1", "2026-11-17 10:00", "facebook", "paid_social", "c1", "a", "fbclid"),
			paidClick("t2", "p2", "2026-11-17 11:00", "facebook", "retargeting", "c2", "c", "fbclid"),
			paidClick("t3", "p2", "2026-11-18 09:00", "facebook", "paid_social", "c1", "b", "fbclid"),
			paidClick("t4", "p3", "2026-11-18 12:00", "tiktok", "paid_social", "c3", "d", "ttclid"),
		},
		transform.Conversions: []transform.ConversionRow{
			purchase("k1", "p1", "2026-11-17 12:00", "100.00", true),
			purchase("k2", "p2", "2026-11-18 10:00", "50.00", false),
			purchase("k3", "p3", "2026-11-19 12:00", "30.00", true),
		},
	}
}

func TestPaidMartsHandWorked(t *testing.T) {
	w := runDataset(t, tinyConfig(), paidBrand(), day("2026-11-16"))

	tests := []struct {
		name, query string
		want        []string
	}{{
		// linear: k1 gives A all of 100.00; k2 halves 50.00 → 25.00 each to
		// C and B (2500 cents each, no remainder); k3 gives D 30.00.
		// A: roas 100/60 = 1.666667, cpa = cac = 60/1 = 60.00
		// B: roas 25/40 = 0.625, cpa 40/0.5 = 80.00, no new customer → cac NULL
		// C: roas 25/30 = 0.833333, cpa 30/0.5 = 60.00
		// D: roas 30/25 = 1.2, cpa = cac = 25.00; audience unknown, key tt-77
		name: "ads",
		query: `SELECT ad_id, platform, channel, campaign_id, creative_key, audience_segment, spend,
			attributed_conversions, attributed_revenue, attributed_new_customers, roas, cpa, cac
			FROM mart_ad_weekly WHERE week_start = DATE '2026-11-16' AND model = 'linear' ORDER BY ad_id`,
		want: []string{
			"a|facebook|paid_social|c1|cr1|prospecting|60|1.000000|100|1.000000|1.666667|60|60",
			"b|facebook|paid_social|c1|cr2|prospecting|40|0.500000|25|0.000000|0.625000|80|NULL",
			"c|facebook|retargeting|c2|cr1|retargeting|30|0.500000|25|0.000000|0.833333|60|NULL",
			"d|tiktok|paid_social|c3|tt-77|unknown|25|1.000000|30|1.000000|1.200000|25|25",
		},
	}, {
		// c1 = A + B: spend 100.00, 1.5 conversions, 125.00, 1 new;
		// roas 1.25, cpa 100/1.5 = 66.67, cac 100.00, ctr (6+30)/(1000+2000) = 0.012
		name: "campaigns",
		query: `SELECT campaign_id, campaign_name, audience_segment, offer, spend, attributed_conversions,
			attributed_revenue, roas, cpa, cac, ctr
			FROM mart_campaign_weekly WHERE week_start = DATE '2026-11-16' AND model = 'linear' ORDER BY campaign_id`,
		want: []string{
			"c1|conv_pr_us_20off|prospecting|20off|100|1.500000|125|1.250000|66.67|100|0.012000",
			"c2|conv_rt_us_20off|retargeting|20off|30|0.500000|25|0.833333|60|NULL|0.010000",
			"c3|Holiday push|unknown|NULL|25|1.000000|30|1.200000|25|25|0.010000",
		},
	}, {
		// s1 = A + B (same numbers as c1), s2 = C, s3 = D.
		name: "ad sets",
		query: `SELECT adset_id, adset_name, ads, spend, attributed_revenue, roas, cpa, cac
			FROM mart_adset_weekly WHERE week_start = DATE '2026-11-16' AND model = 'linear' ORDER BY adset_id`,
		want: []string{
			"s1|pr_us_broad|2|100|125|1.250000|66.67|100",
			"s2|rt_us_atc|1|30|25|0.833333|60|NULL",
			"s3|all|1|25|30|1.200000|25|25",
		},
	}, {
		name: "audiences",
		query: `SELECT platform, audience_segment, spend, attributed_revenue, cpa, cac, roas
			FROM mart_audience_weekly WHERE week_start = DATE '2026-11-16' AND model = 'linear' ORDER BY ALL`,
		want: []string{
			"facebook|prospecting|100|125|66.67|100|1.250000",
			"facebook|retargeting|30|25|60|NULL|0.833333",
			"tiktok|unknown|25|30|25|25|1.200000",
		},
	}, {
		// cr1 = A + C in W47: spend 90.00, 2000 impressions, 16 clicks →
		// ctr 0.008, cpc 90/16 = 5.625 → 5.63, cpm 90/2000 × 1000 = 45.00,
		// thumb-stop (250 + 150)/2000 = 0.2, 1.5 conversions, 125.00,
		// roas 125/90 = 1.388889, cpa 90/1.5 = 60.00; active W46 and W47 → 2.
		// Fatigue per line: C (facebook rt_us_atc) CTR 20/1000 = 0.02 in
		// W46 → 10/1000 = 0.01 in W47, below 0.7 × 0.02 = 0.014, at
		// frequency 1000/250 = 4 > 3 → fatigued. A's CTR fell too (0.01 →
		// 0.006 < 0.007) but at frequency 1000/800 = 1.25: not fatigue.
		// cr2 = B: ctr 30/2000 = 0.015, cpc 40/30 = 1.33, cpm 20.00, an
		// image: no thumb-stop rate. tt-77 = D: cpc 0.50, cpm 5.00, 0.2.
		name: "creatives",
		query: `SELECT week_start, creative_key, platforms, ads, spend, ctr, cpc, cpm, coalesce(thumb_stop_rate, -1),
			attributed_conversions, attributed_revenue, roas, cpa, weeks_active, fatigued, coalesce(fatigued_in, '-')
			FROM mart_creative_weekly WHERE model = 'linear' ORDER BY week_start, creative_key`,
		want: []string{
			// W46: A 50.00 + C 20.00, 30 clicks / 2000, 500 views / 2000; first week: nothing to fall from
			"2026-11-09|cr1|facebook|2|70|0.015000|2.33|35|0.250000|0.000000|0|0.000000|NULL|1|false|-",
			"2026-11-16|cr1|facebook|2|90|0.008000|5.63|45|0.200000|1.500000|125|1.388889|60|2|true|facebook rt_us_atc",
			"2026-11-16|cr2|facebook|1|40|0.015000|1.33|20|-1.000000|0.500000|25|0.625000|80|1|false|-",
			"2026-11-16|tt-77|tiktok|1|25|0.010000|0.5|5|0.200000|1.000000|30|1.200000|25|1|false|-",
		},
	}, {
		// One row per parsed pattern; D's names parse to nothing.
		name: "creative patterns",
		query: `SELECT format, hook, offer, cta, creatives, ads, spend, attributed_revenue, roas
			FROM mart_creative_pattern_weekly WHERE week_start = DATE '2026-11-16' AND model = 'linear' ORDER BY ALL`,
		want: []string{
			"(unparsed)|(unparsed)|(unparsed)|(unparsed)|1|1|25|30|1.200000",
			"image|flatlay|20off|shop-now|1|1|40|25|0.625000",
			"video|ugc|20off|get-offer|1|1|30|25|0.833333",
			"video|ugc|20off|shop-now|1|1|60|100|1.666667",
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if d := cmp.Diff(tt.want, rowsOf(t, w, tt.query)); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

// TestBudgetHandWorked puts one Google campaign exactly on the curve
// R = 10 · S^0.5 for the three trailing weeks (trailing_weeks 3):
// W45 spend 100 → revenue 100, W46 400 → 200, W47 900 → 300, each one
// single-touch purchase, so every model credits it fully. It first spent
// on 1 Sep (a 10.00 day in W36, outside the trailing window).
func TestBudgetHandWorked(t *testing.T) {
	cfg := tinyConfig()
	cfg.Budget.TrailingWeeks = 3
	data := map[string]any{
		transform.AdPerformance: []transform.AdPerformanceRow{
			adG.day("2026-09-01", "10.00", 100, 5, 0, 0),
			adG.day("2026-11-03", "100.00", 1000, 50, 0, 0),
			adG.day("2026-11-10", "400.00", 4000, 200, 0, 0),
			adG.day("2026-11-17", "900.00", 9000, 450, 0, 0),
		},
		transform.Touchpoints: []transform.TouchpointRow{
			paidClick("t1", "q1", "2026-11-03 09:00", "google", "cpc", "g1", "g", "gclid"),
			paidClick("t2", "q2", "2026-11-10 09:00", "google", "cpc", "g1", "g", "gclid"),
			paidClick("t3", "q3", "2026-11-17 09:00", "google", "cpc", "g1", "g", "gclid"),
		},
		transform.Conversions: []transform.ConversionRow{
			purchase("k1", "q1", "2026-11-03 10:00", "100.00", true),
			purchase("k2", "q2", "2026-11-10 10:00", "200.00", true),
			purchase("k3", "q3", "2026-11-17 10:00", "300.00", true),
		},
	}
	w := runDataset(t, cfg, data, day("2026-11-16"))
	// Both levels see the same three points (ln S, ln R); their slope is
	// exactly 0.5 and a = exp(mean ln R − 0.5 · mean ln S) = 10, so the
	// marginal ROAS at this week's 900.00 is 0.5 · 10 · 900^(−0.5) = 5/30
	// = 0.166667, far below the 2.0 target (band 10%: cut below 1.8).
	// days live: 1 Sep to 22 Nov = 82 days later → day 83 → scale_or_cut.
	// trailing: 1400.00 spend, 600.00 revenue → ROAS 0.428571;
	// 3 new customers → CAC 1400/3 = 466.67.
	got := rowsOf(t, w, `SELECT level, platform, coalesce(campaign_name, '-'), days_live, stage, spend,
		trailing_spend, trailing_revenue, trailing_roas, trailing_cac, fit_weeks, elasticity, elasticity_basis,
		marginal_roas, action, reason, coalesce(next_dollar_rank, 0)
		FROM mart_budget ORDER BY level DESC`)
	want := []string{
		"platform|google|-|83|scale_or_cut|900|1400|600|0.428571|466.67|3|0.500000|pooled fit|0.166667|cut|marginal ROAS 0.17 below target 2.0|1",
		"campaign|google|search_pr_us_brand|83|scale_or_cut|900|1400|600|0.428571|466.67|3|0.500000|pooled fit|0.166667|cut|marginal ROAS 0.17 below target 2.0|0",
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("mart_budget (-want +got):\n%s", d)
	}
}

// TestAdWeeklyOneRowPerAd: an ad is one row per week and model in
// mart_ad_weekly however its delivery and touchpoints are labelled, so its
// spend and credit count once. Ad A's campaign is renamed to a retargeting
// name mid-week (17 Nov prospecting 60.00, 18 Nov retargeting 40.00), and
// its two clicks are classified in two channels (t1 paid_social, t2
// retargeting). One row: spend 60.00 + 40.00 = 100.00, linear credit
// k1 100.00 + k2 50.00 = 150.00 over 2 conversions, the channel of its
// latest delivery day (retargeting).
func TestAdWeeklyOneRowPerAd(t *testing.T) {
	renamed := adA
	renamed.campaignName = "conv_rt_us_20off"
	w := runDataset(t, tinyConfig(), map[string]any{
		transform.AdPerformance: []transform.AdPerformanceRow{
			adA.day("2026-11-17", "60.00", 1000, 10, 800, 0),
			renamed.day("2026-11-18", "40.00", 1000, 10, 800, 0),
		},
		transform.Touchpoints: []transform.TouchpointRow{
			paidClick("t1", "p1", "2026-11-17 10:00", "facebook", "paid_social", "c1", "a", "fbclid"),
			paidClick("t2", "p2", "2026-11-18 10:00", "facebook", "retargeting", "c1", "a", "fbclid"),
		},
		transform.Conversions: []transform.ConversionRow{
			purchase("k1", "p1", "2026-11-17 12:00", "100.00", true),
			purchase("k2", "p2", "2026-11-18 12:00", "50.00", false),
		},
	}, day("2026-11-16"))
	got := rowsOf(t, w, `SELECT ad_id, channel, spend, attributed_conversions, attributed_revenue
		FROM mart_ad_weekly WHERE week_start = DATE '2026-11-16' AND model = 'linear'`)
	want := []string{"a|retargeting|100|2.000000|150"}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}

// TestRollupLabelsFromFirstAd: when the ads of one ad set disagree about
// its name (B's latest report carries a renamed ad set), the ad-set and
// assisted marts show the first ad's (A's), the same on every run, not
// whichever row an aggregate meets first.
func TestRollupLabelsFromFirstAd(t *testing.T) {
	renamed := adB
	renamed.adsetName = "pr_us_broad_v2"
	renamed.campaignName = "conv_pr_us_20off_v2"
	w := runDataset(t, tinyConfig(), map[string]any{
		transform.AdPerformance: []transform.AdPerformanceRow{
			adA.day("2026-11-17", "10.00", 1000, 10, 800, 0),
			renamed.day("2026-11-18", "20.00", 1000, 10, 800, 0),
		},
		transform.Touchpoints: []transform.TouchpointRow{
			paidClick("t1", "p1", "2026-11-17 10:00", "facebook", "paid_social", "c1", "a", "fbclid"),
			paidClick("t2", "p1", "2026-11-18 10:00", "facebook", "paid_social", "c1", "b", "fbclid"),
		},
		transform.Conversions: []transform.ConversionRow{purchase("k1", "p1", "2026-11-18 12:00", "30.00", true)},
	}, day("2026-11-16"))
	for _, tt := range []struct{ query, want string }{
		{`SELECT adset_name || '|' || campaign_name || '|' || ads || '|' || spend FROM mart_adset_weekly
			WHERE week_start = DATE '2026-11-16' AND model = 'linear'`, "pr_us_broad|conv_pr_us_20off|2|30.00"},
		{`SELECT label FROM mart_assisted_weekly WHERE week_start = DATE '2026-11-16' AND level = 'campaign'`, "conv_pr_us_20off"},
	} {
		if got := strings.Join(rowsOf(t, w, tt.query), ","); got != tt.want {
			t.Errorf("%s\n= %s, want %s", tt.query, got, tt.want)
		}
	}
}

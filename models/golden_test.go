package models_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/socialroi/socialroi/config"
	"github.com/socialroi/socialroi/models"
	"github.com/socialroi/socialroi/models/attribution"
	sqlfiles "github.com/socialroi/socialroi/sql"
	"github.com/socialroi/socialroi/transform"
)

func ts(s string) time.Time {
	t, err := time.Parse("2006-01-02 15:04", s)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

func day(s string) time.Time { return ts(s + " 00:00") }

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// tinyBrand is the hand-built dataset of TestMartsHandWorked. Report week
// 2026-W47 (Mon 16 – Sun 22 Nov 2026), UTC, reporting currency USD.
//
//	P1: t1 facebook paid ad (10 Nov) → t2 direct (17 Nov) → k1 purchase 100.00, new
//	P2: t3 email (16 Nov) → t4 instagram paid ad (18 Nov) → t5 google cpc (18 Nov) → k2 100.00, returning
//	P3: no touchpoints → k3 purchase EUR 50.00 on 20 Nov (rate 1.20 = 60.00 USD), new
//	P4: t6 tiktok retargeting (anonymous, stitched) → t7 instagram.com referral → k4 10.01, new
//	P5: a lead (not a configured conversion type): ignored
//	P6: t8 facebook paid ad (11 Nov) → k6 40.00 on 12 Nov (previous week), new
//	P7: t9 a creator's link (utm_campaign anna-link) → k7 20.00, returning
func tinyBrand() map[string]any {
	at := ts("2026-11-23 06:00")
	ad := func(d, platform, acct, camp, campName, adID, cur, spend string) transform.AdPerformanceRow {
		return transform.AdPerformanceRow{
			Date: day(d), Platform: platform, AccountID: acct, CampaignID: camp, CampaignName: campName,
			AdID: adID, Currency: cur, Spend: dec(spend), Impressions: 1000, Clicks: 10, LinkClicks: 8,
			PlatformConversionValue: decimal.Zero, Source: "test", ExtractedAt: at,
		}
	}
	tp := func(id, person, anon, when, src, med, camp, content, clickType, ref string) transform.TouchpointRow {
		return transform.TouchpointRow{
			TouchpointID: id, PersonID: person, AnonymousID: anon, TS: ts(when), Interaction: "click",
			UTMSource: src, UTMMedium: med, UTMCampaign: camp, UTMContent: content,
			ClickIDType: clickType, Referrer: ref, Source: "web",
		}
	}
	conv := func(id, person, when, typ, revenue, cur string, isNew bool) transform.ConversionRow {
		return transform.ConversionRow{
			ConversionID: id, PersonID: person, TS: ts(when), Type: typ, Revenue: dec(revenue),
			Currency: cur, IsNewCustomer: isNew, CRMSource: "shop",
		}
	}
	return map[string]any{
		transform.AdPerformance: []transform.AdPerformanceRow{
			ad("2026-11-17", "facebook", "1", "c1", "conv_pr_us_x", "a1", "USD", "100.00"),
			ad("2026-11-18", "instagram", "1", "c1", "conv_pr_us_x", "a1", "USD", "50.00"),
			ad("2026-11-18", "tiktok", "2", "c2", "conv_rt_us_y", "a2", "EUR", "40.00"), // 40 × 1.10 = 44.00 USD
			ad("2026-11-10", "facebook", "1", "c1", "conv_pr_us_x", "a1", "USD", "80.00"),
			ad("2026-11-19", "google", "3", "g1", "search_brand", "g1", "USD", "30.00"),
		},
		transform.Touchpoints: []transform.TouchpointRow{
			tp("t1", "p1", "", "2026-11-10 10:00", "facebook", "paid_social", "c1", "a1", "fbclid", ""),
			tp("t2", "p1", "", "2026-11-17 09:00", "", "", "", "", "", ""),
			tp("t3", "p2", "", "2026-11-16 08:00", "newsletter", "email", "", "", "", ""),
			tp("t4", "p2", "", "2026-11-18 08:00", "instagram", "paid_social", "c1", "a1", "fbclid", ""),
			tp("t5", "p2", "", "2026-11-18 20:00", "google", "cpc", "g1", "g1", "gclid", ""),
			tp("t6", "", "anon4", "2026-11-21 10:00", "tiktok", "retargeting", "c2", "a2", "ttclid", ""),
			tp("t7", "p4", "", "2026-11-21 11:00", "", "", "", "", "", "https://www.instagram.com/"),
			tp("t8", "p6", "", "2026-11-11 09:00", "facebook", "paid_social", "c1", "a1", "fbclid", ""),
			tp("t9", "p7", "", "2026-11-22 08:00", "instagram", "social", "anna-link", "", "", ""),
		},
		transform.Conversions: []transform.ConversionRow{
			conv("k1", "p1", "2026-11-17 12:00", "purchase", "100.00", "USD", true),
			conv("k2", "p2", "2026-11-19 10:00", "purchase", "100.00", "USD", false),
			conv("k3", "p3", "2026-11-20 15:00", "purchase", "50.00", "EUR", true),
			conv("k4", "p4", "2026-11-21 12:00", "purchase", "10.01", "USD", true),
			conv("k5", "p5", "2026-11-21 13:00", "lead", "0.00", "USD", false),
			conv("k6", "p6", "2026-11-12 09:00", "purchase", "40.00", "USD", true),
			conv("k7", "p7", "2026-11-22 09:00", "purchase", "20.00", "USD", false),
		},
		transform.Identities: []transform.IdentityRow{{AnonymousID: "anon4", PersonID: "p4"}},
		transform.Influencers: []transform.InfluencerRow{{
			CreatorID: "cr1", Handle: "@anna", Platform: "instagram",
			PromoCodes: []string{"ANNA10"}, LinkKeys: []string{"anna-link"},
		}},
		transform.InfluencerCosts: []transform.InfluencerCostRow{
			{CreatorID: "cr1", Date: day("2026-11-16"), Kind: "fee", Amount: dec("25.00"), Currency: "USD"},
		},
		transform.OtherCosts: []transform.OtherCostRow{
			{Date: day("2026-11-20"), Channel: "paid_social", Description: "agency", Amount: dec("15.00"), Currency: "USD"},
		},
		transform.FXRates: []transform.FXRateRow{
			{Date: day("2026-11-18"), Currency: "EUR", RateToReporting: dec("1.10")},
			{Date: day("2026-11-20"), Currency: "EUR", RateToReporting: dec("1.20")},
		},
	}
}

func buildRecord(t *testing.T, mem memory.Allocator, table string, rows any) arrow.RecordBatch {
	t.Helper()
	var rec arrow.RecordBatch
	var err error
	switch r := rows.(type) {
	case []transform.AdPerformanceRow:
		rec, err = transform.BuildRecord(mem, table, r)
	case []transform.TouchpointRow:
		rec, err = transform.BuildRecord(mem, table, r)
	case []transform.ConversionRow:
		rec, err = transform.BuildRecord(mem, table, r)
	case []transform.IdentityRow:
		rec, err = transform.BuildRecord(mem, table, r)
	case []transform.InfluencerRow:
		rec, err = transform.BuildRecord(mem, table, r)
	case []transform.InfluencerCostRow:
		rec, err = transform.BuildRecord(mem, table, r)
	case []transform.OtherCostRow:
		rec, err = transform.BuildRecord(mem, table, r)
	case []transform.FXRateRow:
		rec, err = transform.BuildRecord(mem, table, r)
	case []transform.OrganicPostRow:
		rec, err = transform.BuildRecord(mem, table, r)
	case []transform.CommunityMessageRow:
		rec, err = transform.BuildRecord(mem, table, r)
	default:
		t.Fatalf("no builder for %T", rows)
	}
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

// runTiny loads the tiny brand into a fresh warehouse, runs every model and
// data test, and returns the open warehouse.
func runTiny(t *testing.T, cfg *config.Config) *models.Warehouse {
	t.Helper()
	return runDataset(t, cfg, tinyBrand(), day("2026-11-16"))
}

// runDataset loads data (table name → []Row) and runs the project for the
// week starting weekStart; every data test must pass.
func runDataset(t *testing.T, cfg *config.Config, data map[string]any, weekStart time.Time) *models.Warehouse {
	t.Helper()
	w, results := runDatasetWith(t, cfg, data, weekStart, nil)
	for _, r := range results {
		if !r.Passed() {
			t.Errorf("data test %s failed: %d rows, e.g. %v", r.Path, r.Failures, r.Sample)
		}
	}
	return w
}

// runDatasetWith is runDataset that also lets before change the
// transaction before the models run (source state, say) and returns the
// data tests' results rather than requiring them to pass.
func runDatasetWith(t *testing.T, cfg *config.Config, data map[string]any, weekStart time.Time, before func(*models.Tx) error) (*models.Warehouse, []models.TestResult) {
	t.Helper()
	w, err := models.Open(t.Context(), ":memory:", models.Options{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return w, buildDataset(t, w, cfg, data, weekStart, before)
}

// buildDataset loads the dataset into w, builds every model, runs the data
// tests and commits, in one transaction (which commits as it goes in a
// warehouse being created: models.Create).
func buildDataset(t *testing.T, w *models.Warehouse, cfg *config.Config, data map[string]any, weekStart time.Time, before func(*models.Tx) error) []models.TestResult {
	t.Helper()
	ctx := t.Context()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	if err := w.EnsureTables(ctx); err != nil {
		t.Fatal(err)
	}
	tx, err := w.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	for table, rows := range data {
		rec := buildRecord(t, mem, table, rows)
		_, err := tx.Load(ctx, table, []arrow.RecordBatch{rec}, nil)
		rec.Release()
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.LoadConfigTables(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	week := models.Week{Start: weekStart}
	params, err := models.ParamsFor(cfg, week)
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.Set(ctx, params); err != nil {
		t.Fatal(err)
	}
	if before != nil {
		if err := before(tx); err != nil {
			t.Fatal(err)
		}
	}
	cat, err := models.LoadCatalog(sqlfiles.FS, attribution.GoModels()...)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.RunModels(ctx, cat, nil); err != nil {
		t.Fatal(err)
	}
	results, err := tx.RunTests(ctx, cat)
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	return results
}

// rowsOf renders a query's rows as "a|b|c" strings; floats with 6 decimals.
func rowsOf(t *testing.T, w *models.Warehouse, q string) []string {
	t.Helper()
	rows, err := w.Conn().QueryContext(t.Context(), q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		parts := make([]string, len(vals))
		for i, v := range vals {
			switch x := v.(type) {
			case nil:
				parts[i] = "NULL"
			case float64:
				parts[i] = fmt.Sprintf("%.6f", x)
			case time.Time:
				parts[i] = x.UTC().Format("2006-01-02")
			default:
				parts[i] = fmt.Sprint(x)
			}
		}
		out = append(out, strings.Join(parts, "|"))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func tinyConfig() *config.Config {
	cfg := config.Defaults()
	cfg.Attribution.Models = []string{"last_non_direct", "linear"}
	cfg.Reporting.PrimaryModel = "linear"
	return cfg
}

func TestMartsHandWorked(t *testing.T) {
	w := runTiny(t, tinyConfig())

	t.Run("ledger", func(t *testing.T) {
		// linear, k2: three steps, 1/3 each of 10000 cents = 3333.33…; the
		// floors give 9999 and the last cent goes to the earliest step
		// among equal remainders (t3, position 1).
		// linear, k4: 1001 cents / 2 = 500.5 each; the odd cent goes to t6.
		// k3 has no touchpoints: one synthetic direct step with all credit,
		// EUR 50.00 × 1.20 = 60.00 USD.
		got := rowsOf(t, w, `SELECT conversion_id, model, coalesce(touchpoint_id, '-'), channel, coalesce(platform, '-'), credit, revenue_credit
			FROM attribution_ledger ORDER BY conversion_id, model, position`)
		want := []string{
			"k1|last_non_direct|t1|paid_social|facebook|1.000000|100",
			"k1|linear|t1|paid_social|facebook|0.500000|50",
			"k1|linear|t2|direct|-|0.500000|50",
			"k2|last_non_direct|t5|paid_search|google|1.000000|100",
			"k2|linear|t3|email|-|0.333333|33.34",
			"k2|linear|t4|paid_social|instagram|0.333333|33.33",
			"k2|linear|t5|paid_search|google|0.333333|33.33",
			"k3|last_non_direct|-|direct|-|1.000000|60",
			"k3|linear|-|direct|-|1.000000|60",
			"k4|last_non_direct|t7|organic_social|instagram|1.000000|10.01",
			"k4|linear|t6|retargeting|tiktok|0.500000|5.01",
			"k4|linear|t7|organic_social|instagram|0.500000|5",
			"k6|last_non_direct|t8|paid_social|facebook|1.000000|40",
			"k6|linear|t8|paid_social|facebook|1.000000|40",
			"k7|last_non_direct|t9|influencer|instagram|1.000000|20",
			"k7|linear|t9|influencer|instagram|1.000000|20",
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("attribution_ledger (-want +got):\n%s", d)
		}
	})

	t.Run("channel weekly", func(t *testing.T) {
		// Week 2026-W47. Spend: facebook 100.00, instagram 50.00, tiktok
		// 40.00 EUR × 1.10 = 44.00 (campaign conv_rt_… → retargeting),
		// google 30.00.
		// last_non_direct: k1 → facebook 100.00 (new); k2 → google 100.00;
		//   k3 → direct 60.00 (new); k4 → organic instagram 10.01 (new);
		//   k7 → influencer 20.00.
		//   google roas 100/30 = 3.333333, cpa 30/1 = 30.00.
		// linear: facebook ½ of k1 = 50.00 → roas 0.5, cpa 100/0.5 = 200.00,
		//   cac 100/0.5 = 200.00; instagram ⅓ of k2 = 33.33 → roas 0.666600,
		//   cpa 50/(1/3) = 150.00; tiktok ½ of k4 = 5.01 → roas 5.01/44 =
		//   0.113864, cpa = cac = 44/0.5 = 88.00; google ⅓ of k2 = 33.33 →
		//   roas 1.111000, cpa 90.00; direct ½ k1 + k3 = 110.00, 1.5 conv,
		//   1.5 new; email ⅓ k2 = 33.34; organic instagram ½ k4 = 5.00.
		got := rowsOf(t, w, `SELECT model, channel, coalesce(platform, '-'), spend, attributed_conversions,
				attributed_revenue, attributed_new_customers, coalesce(roas, -1), coalesce(cpa, -1), coalesce(cac, -1)
			FROM mart_channel_weekly WHERE week_start = DATE '2026-11-16' ORDER BY model, channel, platform`)
		// W46 holds only P6: 80.00 facebook spend and k6's 40.00, so ROAS
		// 40/80 = 0.5 and CPA = CAC = 80/1 = 80.00 under both models.
		prev := rowsOf(t, w, `SELECT model, channel, platform, spend, attributed_conversions, attributed_revenue,
				attributed_new_customers, roas, cpa, cac
			FROM mart_channel_weekly WHERE week_start = DATE '2026-11-09' ORDER BY model`)
		wantPrev := []string{
			"last_non_direct|paid_social|facebook|80|1.000000|40|1.000000|0.500000|80|80",
			"linear|paid_social|facebook|80|1.000000|40|1.000000|0.500000|80|80",
		}
		if d := cmp.Diff(wantPrev, prev); d != "" {
			t.Errorf("mart_channel_weekly W46 (-want +got):\n%s", d)
		}
		if n := rowsOf(t, w, `SELECT count(*) FROM mart_channel_weekly`); n[0] != "17" {
			t.Errorf("mart_channel_weekly has %s rows, want 15 for W47 + 2 for W46", n[0])
		}
		want := []string{
			"last_non_direct|direct|-|0|1.000000|60|1.000000|-1.000000|-1|-1",
			"last_non_direct|influencer|instagram|0|1.000000|20|0.000000|-1.000000|-1|-1",
			"last_non_direct|organic_social|instagram|0|1.000000|10.01|1.000000|-1.000000|-1|-1",
			"last_non_direct|paid_search|google|30|1.000000|100|0.000000|3.333333|30|-1",
			"last_non_direct|paid_social|facebook|100|1.000000|100|1.000000|1.000000|100|100",
			"last_non_direct|paid_social|instagram|50|0.000000|0|0.000000|0.000000|-1|-1",
			"last_non_direct|retargeting|tiktok|44|0.000000|0|0.000000|0.000000|-1|-1",
			"linear|direct|-|0|1.500000|110|1.500000|-1.000000|-1|-1",
			"linear|email|-|0|0.333333|33.34|0.000000|-1.000000|-1|-1",
			"linear|influencer|instagram|0|1.000000|20|0.000000|-1.000000|-1|-1",
			"linear|organic_social|instagram|0|0.500000|5|0.500000|-1.000000|-1|-1",
			"linear|paid_search|google|30|0.333333|33.33|0.000000|1.111000|90|-1",
			"linear|paid_social|facebook|100|0.500000|50|0.500000|0.500000|200|200",
			"linear|paid_social|instagram|50|0.333333|33.33|0.000000|0.666600|150|-1",
			"linear|retargeting|tiktok|44|0.500000|5.01|0.500000|0.113864|88|88",
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("mart_channel_weekly (-want +got):\n%s", d)
		}
	})

	t.Run("kpi summary", func(t *testing.T) {
		// W46 (9–15 Nov): spend 80.00 (facebook), no other cost, k6 40.00 new.
		//   paid revenue 40.00 under both models, roas 40/80 = 0.5,
		//   paid-social CAC 80/1 = 80.00, blended 80/1 = 80.00.
		// W47: spend 100 + 50 + 44 + 30 = 224.00; total cost 224 + 25
		//   (creator fee) + 15 (agency) = 264.00; revenue 100 + 100 + 60 +
		//   10.01 + 20 = 290.01 over 5 purchases (the lead does not count),
		//   3 new. Blended CAC 264/3 = 88.00.
		//   last_non_direct paid revenue k1 + k2 = 200.00, roas 200/224 =
		//   0.892857; paid-social spend 100 + 50 + 44 = 194.00 over 1 new
		//   customer credited to paid social (k1) = 194.00.
		//   linear paid revenue 50 + 33.33 + 5.01 + 33.33 = 121.67, roas
		//   121.67/224 = 0.543170; paid-social new customers ½ (k1) + ½ (k4)
		//   = 1 → CAC 194.00.
		got := rowsOf(t, w, `SELECT week_start, model, spend, total_cost, revenue, paid_revenue, roas, conversions,
				new_customers, coalesce(paid_social_cac, -1), coalesce(blended_cac, -1),
				coalesce(prev_spend, -1), coalesce(prev_total_cost, -1), coalesce(prev_revenue, -1),
				coalesce(prev_paid_revenue, -1), coalesce(prev_roas, -1), coalesce(prev_conversions, -1),
				coalesce(prev_new_customers, -1), coalesce(prev_paid_social_cac, -1), coalesce(prev_blended_cac, -1)
			FROM mart_kpi_summary ORDER BY week_start, model`)
		want := []string{
			"2026-11-09|last_non_direct|80|80|40|40|0.500000|1|1|80|80|-1|-1|-1|-1|-1.000000|-1|-1|-1|-1",
			"2026-11-09|linear|80|80|40|40|0.500000|1|1|80|80|-1|-1|-1|-1|-1.000000|-1|-1|-1|-1",
			"2026-11-16|last_non_direct|224|264|290.01|200|0.892857|5|3|194|88|80|80|40|40|0.500000|1|1|80|80",
			"2026-11-16|linear|224|264|290.01|121.67|0.543170|5|3|194|88|80|80|40|40|0.500000|1|1|80|80",
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("mart_kpi_summary (-want +got):\n%s", d)
		}
	})

	t.Run("attribution channels", func(t *testing.T) {
		got := rowsOf(t, w, `SELECT model, channel, conversions, revenue FROM attribution_channels
			WHERE week_start = DATE '2026-11-16' ORDER BY model, channel`)
		want := []string{
			"last_non_direct|direct|1.000000|60",
			"last_non_direct|influencer|1.000000|20",
			"last_non_direct|organic_social|1.000000|10.01",
			"last_non_direct|paid_search|1.000000|100",
			"last_non_direct|paid_social|1.000000|100",
			"linear|direct|1.500000|110",
			"linear|email|0.333333|33.34",
			"linear|influencer|1.000000|20",
			"linear|organic_social|0.500000|5",
			"linear|paid_search|0.333333|33.33",
			"linear|paid_social|0.833333|83.33",
			"linear|retargeting|0.500000|5.01",
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("attribution_channels (-want +got):\n%s", d)
		}
	})
}

func TestAssistedHandWorked(t *testing.T) {
	w := runTiny(t, tinyConfig())
	// W47 paths (last non-direct in brackets):
	//   k1: t1 facebook paid [last], t2 direct          → paid_social last, direct assists
	//   k2: t3 email, t4 instagram paid, t5 google [last] → paid_search last; email, paid_social assist
	//   k3: direct only [last]                           → direct last
	//   k4: t6 tiktok retargeting, t7 organic ig [last]  → organic_social last; retargeting assists
	//   k7: t9 influencer [last]                         → influencer last
	// Values: k1 100.00, k2 100.00, k3 60.00, k4 10.01, k7 20.00.
	// direct: last 1 (k3, 60.00), assisted 1 (k1, 100.00) → ratios 1 and 100/60.
	got := rowsOf(t, w, `SELECT key, last_interaction_conversions, last_interaction_value, assisted_conversions,
			assisted_value, coalesce(assist_ratio, -1), coalesce(assist_value_ratio, -1)
		FROM mart_assisted_weekly WHERE week_start = DATE '2026-11-16' AND level = 'channel' ORDER BY key`)
	want := []string{
		"direct|1|60|1|100|1.000000|1.666667",
		"email|0|0|1|100|-1.000000|-1.000000",
		"influencer|1|20|0|0|0.000000|-1.000000",
		"organic_social|1|10.01|0|0|0.000000|-1.000000",
		"paid_search|1|100|0|0|0.000000|-1.000000",
		"paid_social|1|100|1|100|1.000000|1.000000",
		"retargeting|0|0|1|10.01|-1.000000|-1.000000",
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("assisted by channel (-want +got):\n%s", d)
	}
	// Platforms: facebook last for k1; instagram last for k4 and k7 (both
	// instagram) and assists k2; google last for k2; tiktok assists k4.
	got = rowsOf(t, w, `SELECT key, last_interaction_conversions, assisted_conversions, assisted_value
		FROM mart_assisted_weekly WHERE week_start = DATE '2026-11-16' AND level = 'platform' ORDER BY key`)
	want = []string{"facebook|1|0|0", "google|1|0|0", "instagram|2|1|100", "tiktok|0|1|10.01"}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("assisted by platform (-want +got):\n%s", d)
	}
	// Campaigns: c1 (t1 last in k1; t4 assists k2), g1 (t5 last in k2),
	// c2 (t6 assists k4).
	got = rowsOf(t, w, `SELECT key, label, last_interaction_conversions, assisted_conversions
		FROM mart_assisted_weekly WHERE week_start = DATE '2026-11-16' AND level = 'campaign' ORDER BY key`)
	want = []string{"c1|conv_pr_us_x|1|1", "c2|conv_rt_us_y|0|1", "g1|search_brand|1|0"}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("assisted by campaign (-want +got):\n%s", d)
	}
}

func TestTrackingQAHandWorked(t *testing.T) {
	w := runTiny(t, tinyConfig())
	// W47 of the tiny brand:
	// - utm_coverage: no ad has a destination URL → 0 of 224.00 spend tagged
	//   (ads a1, a2, g1) → fails its 0.9 minimum (a warning).
	// - other: none of W47's seven touchpoints is unclassified → 0.
	// - reconciliation: the platforms reported 0 conversions while linear
	//   credits paid channels with facebook ½, instagram ⅓, tiktok ½, google
	//   ⅓ → gap 0/x − 1 = −1 each, beyond ±0.3.
	// - fx: both EUR days have rates; no duplicates, negatives or clicks
	//   beyond impressions.
	// - naming: a1, a2 and g1 all spent in W47 and none has an ad name, so
	//   no ad-level name parses (g1's campaign "search_brand" has two parts
	//   of the four the campaign template wants, too) → 3 ads.
	got := rowsOf(t, w, `SELECT check_name, coalesce(subject, '-'), severity, status, coalesce(value, -9), detail
		FROM mart_tracking_qa ORDER BY severity, check_name, subject`)
	want := []string{
		"duplicate_natural_keys|ad_performance|error|pass|0.000000|0 (platform, account, ad, date) keys appear more than once",
		"fx_rate_missing|-|error|pass|0.000000|every amount has its rate",
		"negative_values|ad_performance|error|pass|0.000000|0 ad-days with negative spend, impressions or clicks",
		"impossible_values|ad_performance|warn|pass|0.000000|0 ad-days with more clicks than impressions or more link clicks than clicks",
		"naming_convention|-|warn|fail|3.000000|3 ads with spend this week have names that do not parse (ad; ad, campaign): a1 / conv_pr_us_x, a2 / conv_rt_us_y, g1 / search_brand",
		"reconciliation_gap|facebook|warn|fail|-1.000000|0.0 reported by the platform, 0.5 attributed by the primary model",
		"reconciliation_gap|google|warn|fail|-1.000000|0.0 reported by the platform, 0.33 attributed by the primary model",
		"reconciliation_gap|instagram|warn|fail|-1.000000|0.0 reported by the platform, 0.33 attributed by the primary model",
		"reconciliation_gap|tiktok|warn|fail|-1.000000|0.0 reported by the platform, 0.5 attributed by the primary model",
		"touchpoints_classified_other|-|warn|pass|0.000000|0 of 7 touchpoints matched no channel rule",
		"utm_coverage|-|warn|fail|0.000000|3 ads without utm_source, utm_medium and utm_campaign in their destination URL",
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("mart_tracking_qa (-want +got):\n%s", d)
	}
}

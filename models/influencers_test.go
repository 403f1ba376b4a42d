package models_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/socialroi/socialroi/config"
	"github.com/socialroi/socialroi/transform"
)

// creatorBrand is the hand-built dataset of TestInfluencerMartsHandWorked.
// Report week 2026-W47 (Mon 16 – Sun 22 Nov 2026), UTC, reporting currency
// USD, primary model position_based (40/40/20).
//
// Registry:
//
//	cr_leo  @leo  tiktok     code LEO10,  link key leo-link,     whitelists wl2, rights until 20 Dec 2026
//	cr_maya @maya instagram  code MAYA15, link key maya-fall26, whitelists wl1, rights until 19 Nov 2026
//	cr_zoe  @zoe  youtube    code ZOE5, no rights date, no activity at all
//
// Conversions (all purchases unless said):
//
//	k1 p1 no touchpoints, code "maya15" (lower case)           80.00 new       → maya promo_code
//	k2 p2 t1 facebook ad → t2 leo link → t3 email              99.99 new       → leo tracked_link (middle touch)
//	k3 p3 t4 leo link, code "Maya15"                           50.00 returning → maya promo_code, leo assist
//	k4 p4 no touchpoints, codes "maya15" and "LEO10"           10.01 new       → split 5.01 leo / 5.00 maya
//	k5 p5 t5 maya link, code "WELCOME10" (no creator's)        30.00 returning → maya tracked_link
//	k6 p6 no touchpoints, code " leo10" on 12 Nov (W46)        40.00 new       → leo promo_code
//	k7 p7 a lead with code MAYA15: not a configured type, ignored
//
// Costs: maya fee 200.00 and product 35.50 in W47, plus a 999.00
// 'whitelisting' cost row that must NOT count (whitelisting is ad spend);
// leo fee 100.00 in W46 and bonus 20.00 in W47. Whitelisted ads: wl1 (maya)
// spends 60.00 on 18 Nov and 40.00 on 20 Nov, after her rights ended on
// 19 Nov; wl2 (leo) spends EUR 20.00 on 19 Nov at 1.10 = 22.00 USD. Ad a1 is
// not whitelisted: its 500.00 is nobody's creator cost.
func creatorBrand() map[string]any {
	at := ts("2026-11-23 06:00")
	ad := func(d, platform, camp, adID, cur, spend string) transform.AdPerformanceRow {
		return transform.AdPerformanceRow{
			Date: day(d), Platform: platform, AccountID: "1", CampaignID: camp, CampaignName: "conv_pr_us_x",
			AdID: adID, Currency: cur, Spend: dec(spend), Impressions: 1000, Clicks: 10, LinkClicks: 8,
			PlatformConversionValue: decimal.Zero, Source: "test", ExtractedAt: at,
		}
	}
	tp := func(id, person, when, src, med, camp, content, clickType string) transform.TouchpointRow {
		return transform.TouchpointRow{
			TouchpointID: id, PersonID: person, TS: ts(when), Interaction: "click",
			UTMSource: src, UTMMedium: med, UTMCampaign: camp, UTMContent: content,
			ClickIDType: clickType, Source: "web",
		}
	}
	conv := func(id, person, when, typ, revenue string, isNew bool, codes ...string) transform.ConversionRow {
		return transform.ConversionRow{
			ConversionID: id, PersonID: person, TS: ts(when), Type: typ, Revenue: dec(revenue),
			Currency: "USD", IsNewCustomer: isNew, OrderID: "o-" + id, PromoCodes: codes, CRMSource: "shop",
		}
	}
	date := func(s string) *time.Time { d := day(s); return &d }
	cost := func(creator, d, kind, amount, cur string) transform.InfluencerCostRow {
		return transform.InfluencerCostRow{CreatorID: creator, Date: day(d), Kind: kind, Amount: dec(amount), Currency: cur}
	}
	return map[string]any{
		transform.AdPerformance: []transform.AdPerformanceRow{
			ad("2026-11-16", "facebook", "c1", "a1", "USD", "500.00"),
			ad("2026-11-18", "facebook", "c1", "wl1", "USD", "60.00"),
			ad("2026-11-20", "facebook", "c1", "wl1", "USD", "40.00"),
			ad("2026-11-19", "tiktok", "c2", "wl2", "EUR", "20.00"),
		},
		transform.Touchpoints: []transform.TouchpointRow{
			tp("t1", "p2", "2026-11-16 10:00", "facebook", "paid_social", "c1", "a1", "fbclid"),
			tp("t2", "p2", "2026-11-17 10:00", "tiktok", "social", "leo-link", "", ""),
			tp("t3", "p2", "2026-11-17 11:00", "newsletter", "email", "", "", ""),
			tp("t4", "p3", "2026-11-18 09:00", "tiktok", "social", "leo-link", "", ""),
			tp("t5", "p5", "2026-11-20 09:00", "instagram", "social", "maya-fall26", "story1", ""),
		},
		transform.Conversions: []transform.ConversionRow{
			conv("k1", "p1", "2026-11-16 12:00", "purchase", "80.00", true, "maya15"),
			conv("k2", "p2", "2026-11-17 12:00", "purchase", "99.99", true),
			conv("k3", "p3", "2026-11-18 12:00", "purchase", "50.00", false, "Maya15"),
			conv("k4", "p4", "2026-11-19 12:00", "purchase", "10.01", true, "maya15", "LEO10"),
			conv("k5", "p5", "2026-11-20 12:00", "purchase", "30.00", false, "WELCOME10"),
			conv("k6", "p6", "2026-11-12 12:00", "purchase", "40.00", true, " leo10"),
			conv("k7", "p7", "2026-11-21 12:00", "lead", "0.00", false, "MAYA15"),
		},
		transform.Influencers: []transform.InfluencerRow{
			{
				CreatorID: "cr_maya", Handle: "@maya", Platform: "instagram",
				PromoCodes: []string{"MAYA15"}, LinkKeys: []string{"maya-fall26"},
				ContractStart: date("2026-09-01"), ContractEnd: date("2026-12-31"),
				UsageRightsUntil: date("2026-11-19"), WhitelistedAdIDs: []string{"wl1"},
			},
			{
				CreatorID: "cr_leo", Handle: "@leo", Platform: "tiktok",
				PromoCodes: []string{"LEO10"}, LinkKeys: []string{"leo-link"},
				ContractEnd: date("2027-01-31"), UsageRightsUntil: date("2026-12-20"), WhitelistedAdIDs: []string{"wl2"},
			},
			{CreatorID: "cr_zoe", Handle: "@zoe", Platform: "youtube", PromoCodes: []string{"ZOE5"}},
		},
		transform.InfluencerCosts: []transform.InfluencerCostRow{
			cost("cr_maya", "2026-11-16", "fee", "200.00", "USD"),
			cost("cr_maya", "2026-11-17", "product", "35.50", "USD"),
			cost("cr_maya", "2026-11-18", "whitelisting", "999.00", "USD"),
			cost("cr_leo", "2026-11-10", "fee", "100.00", "USD"),
			cost("cr_leo", "2026-11-21", "bonus", "20.00", "USD"),
		},
		transform.FXRates: []transform.FXRateRow{
			{Date: day("2026-11-19"), Currency: "EUR", RateToReporting: dec("1.10")},
		},
	}
}

func creatorConfig() *config.Config {
	cfg := config.Defaults()
	cfg.Attribution.Models = []string{"last_non_direct", "position_based"}
	cfg.Reporting.PrimaryModel = "position_based"
	return cfg
}

func TestInfluencerMartsHandWorked(t *testing.T) {
	w := runDataset(t, creatorConfig(), creatorBrand(), day("2026-11-16"))

	tests := []struct {
		name  string
		query string
		want  []string
	}{
		{
			name: "ledger",
			query: `SELECT week_start, conversion_id, order_id, creator_id, handle, rule, '[' || evidence || ']',
					coalesce(model, '-'), credit, amount, conversion_revenue, is_new_customer
				FROM influencer_ledger ORDER BY week_start, conversion_id, creator_id`,
			// k6: " leo10" trimmed and upper-cased is LEO10 → leo 100% of
			//   40.00; the evidence keeps the leading space as typed.
			// k1: "maya15" → MAYA15 → maya 100% of 80.00.
			// k2: no creator code; position_based on 3 touches gives the
			//   middle one (t2, leo's link) 1 − 0.4 − 0.4 = 0.2. In cents:
			//   0.4 × 9999 = 3999.6 (t1, t3), 0.2 × 9999 = 1999.8 (t2);
			//   floors 3999 + 1999 + 3999 = 9997, 2 cents left → t2 (.8)
			//   and t1 (.6, ties by id) → t2 = 2000 cents = 20.00.
			// k3: "Maya15" → maya 100% of 50.00 (leo's t4 only assists).
			// k4: two creators' codes → ½ each; 1001 cents / 2 = 500.5, floors
			//   500 + 500, the odd cent to the first creator_id (cr_leo):
			//   leo 5.01, maya 5.00, adding up to 10.01.
			// k5: WELCOME10 is no creator's code, so t5 (maya's link, the
			//   only touch) takes position_based's 100% of 30.00.
			want: []string{
				"2026-11-09|k6|o-k6|cr_leo|@leo|promo_code|[ leo10]|-|1.000000|40|40|true",
				"2026-11-16|k1|o-k1|cr_maya|@maya|promo_code|[maya15]|-|1.000000|80|80|true",
				"2026-11-16|k2|o-k2|cr_leo|@leo|tracked_link|[t2 utm_source=tiktok utm_medium=social utm_campaign=leo-link]|position_based|0.200000|20|99.99|true",
				"2026-11-16|k3|o-k3|cr_maya|@maya|promo_code|[Maya15]|-|1.000000|50|50|false",
				"2026-11-16|k4|o-k4|cr_leo|@leo|promo_code|[LEO10]|-|0.500000|5.01|10.01|true",
				"2026-11-16|k4|o-k4|cr_maya|@maya|promo_code|[maya15]|-|0.500000|5|10.01|true",
				"2026-11-16|k5|o-k5|cr_maya|@maya|tracked_link|[t5 utm_source=instagram utm_medium=social utm_campaign=maya-fall26 utm_content=story1]|position_based|1.000000|30|30|false",
			},
		},
		{
			name: "weekly cost and credit",
			query: `SELECT week_start, creator_id, handle, platform, model, fees, product, bonus, whitelisting_spend,
					total_cost, promo_code_conversions, tracked_link_conversions, attributed_conversions,
					attributed_revenue, attributed_new_customers, assisted_conversions
				FROM mart_influencer_weekly ORDER BY week_start, creator_id`,
			// Weeks run from W46 (leo's 10 Nov fee, k6 on 12 Nov) to the
			// report week W47, every creator in both, zoe all zeros.
			// W46 leo: fee 100.00; k6 promo 1 → 40.00, 1 new.
			// W47 leo: bonus 20.00 + whitelisting wl2 EUR 20.00 × 1.10 =
			//   22.00 → total 42.00; promo ½ (k4), tracked 0.2 (k2) →
			//   0.7 conversions, 5.01 + 20.00 = 25.01, both new → 0.7 new;
			//   assists 1 (t4 on k3, which maya's code took).
			// W47 maya: fee 200.00, product 35.50, whitelisting wl1 60.00 +
			//   40.00 = 100.00 (the 999.00 'whitelisting' cost row is not
			//   added) → total 200 + 35.50 + 100 = 335.50; promo 1 (k1) + 1
			//   (k3) + ½ (k4) = 2.5, tracked 1 (k5) → 3.5; revenue 80 + 50 +
			//   5.00 + 30 = 165.00; new k1 1 + k4 ½ = 1.5; no assists (t5 on
			//   k5 was credited).
			want: []string{
				"2026-11-09|cr_leo|@leo|tiktok|position_based|100|0|0|0|100|1.000000|0.000000|1.000000|40|1.000000|0",
				"2026-11-09|cr_maya|@maya|instagram|position_based|0|0|0|0|0|0.000000|0.000000|0.000000|0|0.000000|0",
				"2026-11-09|cr_zoe|@zoe|youtube|position_based|0|0|0|0|0|0.000000|0.000000|0.000000|0|0.000000|0",
				"2026-11-16|cr_leo|@leo|tiktok|position_based|0|0|20|22|42|0.500000|0.200000|0.700000|25.01|0.700000|1",
				"2026-11-16|cr_maya|@maya|instagram|position_based|200|35.5|0|100|335.5|2.500000|1.000000|3.500000|165|1.500000|0",
				"2026-11-16|cr_zoe|@zoe|youtube|position_based|0|0|0|0|0|0.000000|0.000000|0.000000|0|0.000000|0",
			},
		},
		{
			name: "weekly roi, cac and usage rights",
			query: `SELECT week_start, creator_id, coalesce(roi, -99), coalesce(cac, -1), coalesce(contract_end::VARCHAR, '-'),
					coalesce(usage_rights_until::VARCHAR, '-'), coalesce(usage_rights_status, '-')
				FROM mart_influencer_weekly ORDER BY week_start, creator_id`,
			// W46 leo: roi (40 − 100) / 100 = −0.6; cac 100 / 1 = 100.00;
			//   rights 20 Dec > Sun 15 Nov + 30 days = 15 Dec → ok.
			// W46 maya: no cost → roi and cac NULL; rights 19 Nov lie within
			//   15 Nov … 15 Dec → expiring.
			// W47 leo: roi (25.01 − 42) / 42 = −16.99 / 42 = −0.404524;
			//   cac 42 / 0.7 = 60.00; rights 20 Dec within Sun 22 Nov … 22
			//   Dec → expiring.
			// W47 maya: roi (165 − 335.50) / 335.50 = −170.50 / 335.50 =
			//   −0.508197; cac 335.50 / 1.5 = 223.666… → 223.67; wl1 spent
			//   40.00 on 20 Nov, after the rights ended on 19 Nov → expired.
			// zoe: no cost, no rights date → NULLs.
			want: []string{
				"2026-11-09|cr_leo|-0.600000|100|2027-01-31|2026-12-20|ok",
				"2026-11-09|cr_maya|-99.000000|-1|2026-12-31|2026-11-19|expiring",
				"2026-11-09|cr_zoe|-99.000000|-1|-|-|-",
				"2026-11-16|cr_leo|-0.404524|60|2027-01-31|2026-12-20|expiring",
				"2026-11-16|cr_maya|-0.508197|223.67|2026-12-31|2026-11-19|expired",
				"2026-11-16|cr_zoe|-99.000000|-1|-|-|-",
			},
		},
		{
			name: "ledger adds up to the weekly mart",
			query: `SELECT l.week_start, l.creator_id, sum(l.amount), any_value(m.attributed_revenue)
				FROM influencer_ledger AS l
				JOIN mart_influencer_weekly AS m USING (week_start, creator_id)
				GROUP BY ALL ORDER BY ALL`,
			// 40.00 | 20.00 + 5.01 = 25.01 | 80 + 50 + 5.00 + 30 = 165.00
			want: []string{
				"2026-11-09|cr_leo|40|40",
				"2026-11-16|cr_leo|25.01|25.01",
				"2026-11-16|cr_maya|165|165",
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if d := cmp.Diff(tc.want, rowsOf(t, w, tc.query)); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

// With last_non_direct as the primary model, leo's link t2 on k2 (t1
// facebook → t2 leo → t3 email) gets credit 0: t3 email is the last
// non-direct touch. So k2 is not in the ledger and counts as leo's assist,
// like k3 (maya's code).
func TestInfluencerAssistWithoutCredit(t *testing.T) {
	cfg := creatorConfig()
	cfg.Reporting.PrimaryModel = "last_non_direct"
	w := runDataset(t, cfg, creatorBrand(), day("2026-11-16"))

	tests := []struct {
		name  string
		query string
		want  []string
	}{
		{
			name: "ledger",
			query: `SELECT conversion_id, creator_id, rule, coalesce(model, '-'), credit, amount
				FROM influencer_ledger WHERE week_start = DATE '2026-11-16' ORDER BY conversion_id, creator_id`,
			// k2 is gone (leo's credit 0); k5's single touch t5 is maya's
			// last non-direct touch → 1 × 30.00. Promo rows are as before.
			want: []string{
				"k1|cr_maya|promo_code|-|1.000000|80",
				"k3|cr_maya|promo_code|-|1.000000|50",
				"k4|cr_leo|promo_code|-|0.500000|5.01",
				"k4|cr_maya|promo_code|-|0.500000|5",
				"k5|cr_maya|tracked_link|last_non_direct|1.000000|30",
			},
		},
		{
			name: "weekly",
			query: `SELECT creator_id, model, total_cost, promo_code_conversions, tracked_link_conversions,
					attributed_revenue, attributed_new_customers, assisted_conversions, coalesce(roi, -99), coalesce(cac, -1)
				FROM mart_influencer_weekly WHERE week_start = DATE '2026-11-16' ORDER BY creator_id`,
			// leo: cost 20.00 + 22.00 = 42.00; only k4's ½ → 5.01, ½ new;
			//   assists k2 (credit 0) and k3 (maya's code) = 2;
			//   roi (5.01 − 42) / 42 = −36.99 / 42 = −0.880714;
			//   cac 42 / 0.5 = 84.00.
			// maya: unchanged from the position_based run (k5 has one touch):
			//   roi −0.508197, cac 223.67.
			want: []string{
				"cr_leo|last_non_direct|42|0.500000|0.000000|5.01|0.500000|2|-0.880714|84",
				"cr_maya|last_non_direct|335.5|2.500000|1.000000|165|1.500000|0|-0.508197|223.67",
				"cr_zoe|last_non_direct|0|0.000000|0.000000|0|0.000000|0|-99.000000|-1",
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if d := cmp.Diff(tc.want, rowsOf(t, w, tc.query)); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

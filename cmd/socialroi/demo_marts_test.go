package main

import (
	"cmp"
	"database/sql"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/socialroi/socialroi/extract/emulator/gen"
)

// checkBusinessMarts holds the demo's business marts to figures computed
// here, in Go, straight from what the generator served — not from any
// model — and to the generator's ground truth.
func checkBusinessMarts(t *testing.T, conn *sql.Conn, brand *gen.Brand, weekStart time.Time) {
	t.Helper()
	weekEnd := weekStart.AddDate(0, 0, 7)
	inWeek := func(ts time.Time) bool { return !ts.Before(weekStart) && ts.Before(weekEnd) }
	rates := map[string]decimal.Decimal{}
	for _, r := range brand.FXRates {
		rates[r.Date.Format(time.DateOnly)+r.Currency] = r.RateToReporting
	}
	toUSD := func(amount decimal.Decimal, currency string, day time.Time, places int32) decimal.Decimal {
		if currency == "USD" {
			return amount
		}
		return amount.Mul(rates[day.Format(time.DateOnly)+currency]).Round(places)
	}

	// Last-touch ROAS and CAC per platform and campaign: each purchase's
	// latest touchpoint in the 30 days before it; a paid ad's click credits
	// the ad's campaign with the whole revenue.
	adCampaign := map[string]string{}
	for _, a := range brand.Ads {
		adCampaign[a.AdID] = a.CampaignID
	}
	personOf := map[string]string{}
	for _, i := range brand.Identities {
		personOf[i.AnonymousID] = i.PersonID
	}
	byPerson := map[string][]int{}
	for i, tp := range brand.Touchpoints {
		p := cmp.Or(tp.PersonID, personOf[tp.AnonymousID])
		byPerson[p] = append(byPerson[p], i)
	}
	type key struct{ platform, campaign string }
	type result struct {
		spend, revenue decimal.Decimal
		newCustomers   int
	}
	res := map[key]*result{}
	get := func(k key) *result {
		if res[k] == nil {
			res[k] = &result{}
		}
		return res[k]
	}
	for _, r := range brand.AdPerformance {
		if inWeek(r.Date) {
			s := get(key{r.Platform, r.CampaignID})
			s.spend = s.spend.Add(toUSD(r.Spend, r.Currency, r.Date, 4))
		}
	}
	paidMedium := map[string]bool{"paid_social": true, "retargeting": true, "cpc": true}
	for _, c := range brand.Conversions {
		if c.Type != "purchase" || !inWeek(c.TS) {
			continue
		}
		last := -1
		for _, i := range byPerson[c.PersonID] {
			tp := brand.Touchpoints[i]
			if tp.TS.Before(c.TS.AddDate(0, 0, -30)) || !tp.TS.Before(c.TS) {
				continue
			}
			if l := last; l < 0 || tp.TS.After(brand.Touchpoints[l].TS) ||
				(tp.TS.Equal(brand.Touchpoints[l].TS) && tp.TouchpointID > brand.Touchpoints[l].TouchpointID) {
				last = i
			}
		}
		if last < 0 {
			continue
		}
		tp := brand.Touchpoints[last]
		campaign, isAd := adCampaign[tp.UTMContent]
		if !isAd || !paidMedium[tp.UTMMedium] {
			continue
		}
		r := get(key{tp.UTMSource, campaign})
		r.revenue = r.revenue.Add(toUSD(c.Revenue, c.Currency, c.TS, 2))
		if c.IsNewCustomer {
			r.newCustomers++
		}
	}
	rows, err := conn.QueryContext(t.Context(), `SELECT platform, campaign_id, spend::VARCHAR, attributed_revenue::VARCHAR,
		coalesce(roas, -1), coalesce(cac::VARCHAR, '-')
		FROM mart_campaign_weekly WHERE week_start = ? AND model = 'last_touch' AND campaign_id IS NOT NULL`, weekStart)
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for rows.Next() {
		var platform, campaign, spend, revenue, cac string
		var roas float64
		if err := rows.Scan(&platform, &campaign, &spend, &revenue, &roas, &cac); err != nil {
			t.Fatal(err)
		}
		want := get(key{platform, campaign})
		wantSpend := want.spend.Round(2)
		wantROAS, wantCAC := -1.0, "-"
		if want.spend.IsPositive() {
			wantROAS, _ = want.revenue.Div(want.spend).Float64()
			if want.newCustomers > 0 {
				wantCAC = want.spend.Div(decimal.NewFromInt(int64(want.newCustomers))).Round(2).StringFixed(2)
			}
		}
		if !decimal.RequireFromString(spend).Equal(wantSpend) || !decimal.RequireFromString(revenue).Equal(want.revenue) ||
			math.Abs(roas-wantROAS) > 1e-9 || cac != wantCAC {
			t.Errorf("%s %s last-touch: mart spend %s revenue %s roas %.6f cac %s; from the served data %s %s %.6f %s",
				platform, campaign, spend, revenue, roas, cac, wantSpend, want.revenue, wantROAS, wantCAC)
		}
		checked++
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rows.Close()
	if checked < 10 {
		t.Errorf("checked ROAS and CAC of %d campaigns, want at least 10", checked)
	}

	// Blended CAC: every marketing cost of the week over its new customers.
	total := decimal.Zero
	for _, r := range brand.AdPerformance {
		if inWeek(r.Date) {
			total = total.Add(toUSD(r.Spend, r.Currency, r.Date, 4))
		}
	}
	for _, c := range brand.InfluencerCosts {
		if inWeek(c.Date) && c.Kind != "whitelisting" { // whitelisting is ad spend, counted above
			total = total.Add(toUSD(c.Amount, c.Currency, c.Date, 2))
		}
	}
	for _, c := range brand.OtherCosts {
		if inWeek(c.Date) {
			total = total.Add(toUSD(c.Amount, c.Currency, c.Date, 2))
		}
	}
	newCustomers := 0
	for _, c := range brand.Conversions {
		if c.Type == "purchase" && inWeek(c.TS) && c.IsNewCustomer {
			newCustomers++
		}
	}
	wantBlended := total.Round(2).Div(decimal.NewFromInt(int64(newCustomers))).Round(2)
	if got := queryOne[string](t, conn, fmt.Sprintf(`SELECT blended_cac::VARCHAR FROM mart_kpi_summary
		WHERE week_start = DATE '%s' AND model = 'position_based'`, weekStart.Format(time.DateOnly))); !decimal.RequireFromString(got).Equal(wantBlended) {
		t.Errorf("blended CAC %s, from the served data %s / %d = %s", got, total.Round(2), newCustomers, wantBlended)
	}

	// Influencers: the ledger adds up to each creator's attributed revenue,
	// and every creator with a promo code has orders credited by it.
	if n := queryOne[int64](t, conn, `SELECT count(*) FROM mart_influencer_weekly w
		FULL JOIN (SELECT week_start, creator_id, sum(amount) AS amount FROM influencer_ledger GROUP BY ALL) l
		USING (week_start, creator_id)
		WHERE coalesce(w.attributed_revenue, 0) <> coalesce(l.amount, 0)`); n != 0 {
		t.Errorf("%d creator-weeks whose ledger amounts do not add up to their attributed revenue", n)
	}
	for _, cr := range brand.Influencers {
		if len(cr.PromoCodes) == 0 {
			continue
		}
		if n := queryOne[int64](t, conn, `SELECT count(*) FROM influencer_ledger WHERE rule = 'promo_code' AND creator_id = '`+cr.CreatorID+`'`); n == 0 {
			t.Errorf("creator %s (%s) has no conversion credited by promo code", cr.CreatorID, cr.Handle)
		}
	}

	// Ground truth: the platform whose paid media truly returned the most
	// per dollar ranks first for the next dollar.
	spend := map[string]float64{}
	for _, r := range brand.AdPerformance {
		f, _ := toUSD(r.Spend, r.Currency, r.Date, 4).Float64()
		spend[r.Platform] += f
	}
	trueRevenue := map[string]float64{}
	for _, e := range brand.GroundTruth.Effects {
		if slices.Contains([]string{"paid_social", "retargeting", "paid_search"}, e.Channel) {
			trueRevenue[e.Platform] += e.Revenue
		}
	}
	best, bestROAS := "", 0.0
	for p, rev := range trueRevenue {
		if spend[p] > 0 && rev/spend[p] > bestROAS {
			best, bestROAS = p, rev/spend[p]
		}
	}
	if got := queryOne[string](t, conn, `SELECT platform FROM mart_budget WHERE level = 'platform' AND next_dollar_rank = 1`); got != best {
		t.Errorf("next dollar goes to %s; the generator made %s the most effective (true ROAS %.2f)", got, best, bestROAS)
	}

	// The creatives planted to wear out are flagged in the report week;
	// those that never lose click-through are never flagged.
	week := weekStart.Format(time.DateOnly)
	for _, key := range brand.GroundTruth.FatiguedCreatives {
		if !queryOne[bool](t, conn, `SELECT bool_or(fatigued) FROM mart_creative_weekly WHERE creative_key = '`+key+`' AND week_start = DATE '`+week+`'`) {
			t.Errorf("creative %s was planted to fatigue but is not flagged in %s", key, week)
		}
	}
	if len(brand.GroundTruth.FatiguedCreatives) == 0 || len(brand.GroundTruth.FreshCreatives) == 0 {
		t.Fatalf("the brand plants no fatigued (%v) or fresh (%v) creatives", brand.GroundTruth.FatiguedCreatives, brand.GroundTruth.FreshCreatives)
	}
	if flagged := queryStrings(t, conn, `SELECT DISTINCT creative_key FROM mart_creative_weekly
		WHERE fatigued AND creative_key IN ('`+strings.Join(brand.GroundTruth.FreshCreatives, "', '")+`') ORDER BY 1`); len(flagged) > 0 {
		t.Errorf("creatives that never lose click-through are flagged as fatigued: %v", flagged)
	}
}

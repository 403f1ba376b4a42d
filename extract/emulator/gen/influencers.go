package gen

import (
	"math"
	"time"

	"github.com/shopspring/decimal"

	"github.com/socialroi/socialroi/transform"
)

// creator is one influencer with the schedule the simulation follows. Dates
// are offsets in days from the range start, so a custom range keeps the same
// story: one contract ends mid-range, one's usage rights expire soon after it.
type creator struct {
	id, handle, platform string
	code, linkKey        string
	contractStart        int
	contractEnd          int
	usageRightsUntil     int // days from Start; for maya, from End (see below)
	usageFromEnd         bool
	posts                []int
	followShare          float64 // share of persons following the creator
	monthlyFee           float64 // booked monthly; 0 when flatFee is used
	flatFee              float64
	product              float64
	bonus                float64
	bonusDay             int
	whitelisting         float64
	whitelistAdName      string // the Meta ad running on the creator's handle
}

func every(first, step, last int) []int {
	var out []int
	for d := first; d <= last; d += step {
		out = append(out, d)
	}
	return out
}

var creators = []creator{
	{id: "cr_001", handle: "@maya.makes", platform: "instagram", code: "MAYA15", linkKey: "maya-fall26",
		contractStart: -16, contractEnd: 91, usageRightsUntil: 13, usageFromEnd: true,
		posts: every(3, 14, 83), followShare: 0.06, monthlyFee: 1500, product: 180, bonus: 500, bonusDay: 61,
		whitelisting: 400, whitelistAdName: "video_creator-maya_shop-now_cr020"},
	{id: "cr_002", handle: "@tomtries", platform: "tiktok", code: "TOM10", linkKey: "tom-tt-q4",
		contractStart: 1, contractEnd: 181, usageRightsUntil: 211,
		posts: every(8, 7, 83), followShare: 0.05, monthlyFee: 900, product: 120},
	{id: "cr_003", handle: "@thegearlab", platform: "youtube", code: "GEARLAB", linkKey: "gearlab-review",
		contractStart: 28, contractEnd: 90, usageRightsUntil: 365,
		posts: []int{36, 64}, followShare: 0.03, flatFee: 4000, product: 250},
	{id: "cr_004", handle: "@linh.daily", platform: "instagram", code: "LINH20", linkKey: "linh-ig-sept",
		contractStart: 10, contractEnd: 61, usageRightsUntil: 61,
		posts: []int{12, 26, 40, 54}, followShare: 0.04, monthlyFee: 700, product: 95},
}

func offset(cfg Config, days int) time.Time { return cfg.Start.AddDate(0, 0, days) }

func inRange(cfg Config, t time.Time) bool { return !t.Before(cfg.Start) && !t.After(cfg.End) }

func usd(x float64) decimal.Decimal { return decimal.NewFromFloat(x).Round(2) }

func buildInfluencers(cfg Config, ads []Ad) ([]transform.InfluencerRow, []transform.InfluencerCostRow) {
	var rows []transform.InfluencerRow
	var costs []transform.InfluencerCostRow
	for _, c := range creators {
		start, end := offset(cfg, c.contractStart), offset(cfg, c.contractEnd)
		usage := offset(cfg, c.usageRightsUntil)
		if c.usageFromEnd {
			usage = cfg.End.AddDate(0, 0, c.usageRightsUntil)
		}
		row := transform.InfluencerRow{
			CreatorID:        c.id,
			Handle:           c.handle,
			Platform:         c.platform,
			PromoCodes:       []string{c.code},
			LinkKeys:         []string{c.linkKey},
			ContractStart:    transform.Ptr(start),
			ContractEnd:      transform.Ptr(end),
			UsageRightsUntil: transform.Ptr(usage),
			WhitelistedAdIDs: []string{},
		}
		for _, ad := range ads {
			if c.whitelistAdName != "" && ad.AdName == c.whitelistAdName {
				row.WhitelistedAdIDs = append(row.WhitelistedAdIDs, ad.AdID)
			}
		}
		rows = append(rows, row)

		add := func(t time.Time, kind string, amount float64) {
			if amount > 0 && inRange(cfg, t) {
				costs = append(costs, transform.InfluencerCostRow{CreatorID: c.id, Date: t, Kind: kind, Amount: usd(amount), Currency: "USD"})
			}
		}
		if c.flatFee > 0 {
			add(maxTime(start, cfg.Start), "fee", c.flatFee)
		}
		if c.monthlyFee > 0 {
			// Invoiced monthly in advance: on the contract start, then on the
			// first of every month the contract runs; only the invoices
			// dated inside the range are booked.
			for m := time.Date(start.Year(), start.Month(), 1, 0, 0, 0, 0, time.UTC); !m.After(end); m = m.AddDate(0, 1, 0) {
				add(maxTime(m, start), "fee", c.monthlyFee)
			}
		}
		if len(c.posts) > 0 {
			add(offset(cfg, c.posts[0]), "product", c.product)
		}
		add(offset(cfg, c.bonusDay), "bonus", c.bonus)
		if len(c.posts) > 0 {
			add(offset(cfg, c.posts[0]), "whitelisting", c.whitelisting)
		}
	}
	return rows, costs
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// buildFX draws a daily EUR→USD random walk; USD→USD is 1. Rates keep six
// decimals, as central-bank feeds publish them.
func buildFX(cfg Config) ([]transform.FXRateRow, map[time.Time]float64) {
	r := newRand(cfg.Seed, streamFX)
	eur := map[time.Time]float64{}
	var rows []transform.FXRateRow
	rate := 1.085
	for d := range cfg.Days() {
		date := cfg.Start.AddDate(0, 0, d)
		rate = math.Min(1.2, math.Max(0.98, rate+0.003*r.NormFloat64()))
		rd := decimal.NewFromFloat(rate).Round(6)
		eur[date], _ = rd.Float64()
		rows = append(rows,
			transform.FXRateRow{Date: date, Currency: "EUR", RateToReporting: rd},
			transform.FXRateRow{Date: date, Currency: "USD", RateToReporting: decimal.NewFromInt(1)},
		)
	}
	return rows, eur
}

// buildOtherCosts books the agency retainer and tool subscriptions on the
// first of every month in the range.
func buildOtherCosts(cfg Config) []transform.OtherCostRow {
	type item struct {
		channel, description string
		amount               float64
	}
	items := []item{
		{"paid_social", "Agency retainer", 3500},
		{"paid_social", "Creative editing software", 59},
		{"influencer", "Creator marketplace subscription", 149},
		{"other", "Analytics tool", 299},
	}
	var rows []transform.OtherCostRow
	for m := time.Date(cfg.Start.Year(), cfg.Start.Month(), 1, 0, 0, 0, 0, time.UTC); !m.After(cfg.End); m = m.AddDate(0, 1, 0) {
		if m.Before(cfg.Start) {
			continue
		}
		for _, it := range items {
			amount := it.amount * math.Max(1, math.Sqrt(cfg.Scale))
			rows = append(rows, transform.OtherCostRow{Date: m, Channel: it.channel, Description: it.description, Amount: usd(amount), Currency: "USD"})
		}
	}
	return rows
}

package gen

import (
	"math"
	"math/rand/v2"
	"time"

	"github.com/shopspring/decimal"

	"github.com/socialroi/socialroi/transform"
)

// budgetScale tunes all budgets at once against the simulated panel, so the
// demo's ROAS lands where a healthy brand's does (about 1.5–3).
const budgetScale = 0.7

// weekdaySpend is how platforms pace a daily budget over the week (Sunday first).
var weekdaySpend = [7]float64{0.92, 1.0, 1.02, 1.0, 0.98, 1.05, 0.95}

// placementShare splits a Meta ad's budget between its placements.
var placementShare = map[string]float64{"facebook": 0.55, "instagram": 0.45}

// delivery is the ad_performance rows plus an index from (ad, placement,
// day) to row, which the journey simulation uses to sample link clicks and
// the platform-conversion pass uses to credit rows.
type delivery struct {
	rows []transform.AdPerformanceRow
	// row[ad][placement][day] is the index into rows, or -1.
	row [][][]int
}

func simulateDelivery(cfg Config, ads []Ad) *delivery {
	r := newRand(cfg.Seed, streamDelivery)
	days := cfg.Days()
	dl := &delivery{row: make([][][]int, len(ads))}
	for ai, ad := range ads {
		acct := accountOf(ad.Platform)
		dl.row[ai] = make([][]int, len(ad.Placements))
		for pi, placement := range ad.Placements {
			idx := make([]int, days)
			for d := range days {
				idx[d] = -1
				date := cfg.Start.AddDate(0, 0, d)
				if date.Before(ad.First) || date.After(ad.Last) {
					continue
				}
				row := deliverDay(r, cfg, ad, acct, placement, date)
				idx[d] = len(dl.rows)
				dl.rows = append(dl.rows, row)
			}
			dl.row[ai][pi] = idx
		}
	}
	return dl
}

func deliverDay(r *rand.Rand, cfg Config, ad Ad, acct Account, placement string, date time.Time) transform.AdPerformanceRow {
	share := 1.0
	if s, ok := placementShare[placement]; ok {
		share = jitter(r, s, 0.08)
	}
	spend := budgetScale * ad.dailyBudget * cfg.Scale * weekdaySpend[date.Weekday()] * share * jitter(r, 1, 0.12)
	spend = math.Max(0.5, math.Round(spend*100)/100)

	cpm := jitter(r, ad.cpm, 0.15)
	if placement == "instagram" {
		cpm *= 1.1
	}
	impressions := int64(math.Round(spend / cpm * 1000))

	weeksActive := date.Sub(ad.First).Hours() / (24 * 7)
	ctr := ad.linkCTR * math.Max(0.35, 1-ad.fatigue*weeksActive) * jitter(r, 1, 0.2)
	linkClicks := binomial(r, impressions, ctr)
	clicks := linkClicks
	if ad.Platform != "google" {
		// Likes, profile taps and "see more" are clicks but not link clicks.
		clicks += binomial(r, impressions-linkClicks, ctr*0.6)
	}

	row := transform.AdPerformanceRow{
		Date:           date,
		Platform:       placement,
		AccountID:      acct.ID,
		AccountName:    acct.Name,
		CampaignID:     ad.CampaignID,
		CampaignName:   ad.CampaignName,
		AdsetID:        ad.AdsetID,
		AdsetName:      ad.AdsetName,
		AdID:           ad.AdID,
		AdName:         ad.AdName,
		CreativeID:     ad.CreativeID,
		CreativeName:   ad.CreativeName,
		DestinationURL: ad.DestinationURL(placement),
		Currency:       acct.Currency,
		Spend:          decimal.NewFromFloat(spend).Round(2),
		Impressions:    impressions,
		Clicks:         clicks,
		LinkClicks:     linkClicks,
		Source:         "demo",
		ExtractedAt:    cfg.ExtractedAt,
	}
	// Google Ads does not report reach at ad level.
	if ad.Platform != "google" && impressions > 0 {
		freq := jitter(r, ad.frequency, 0.1)
		reach := min(impressions, max(1, int64(math.Round(float64(impressions)/freq))))
		row.Reach = transform.Ptr(reach)
	}
	if ad.Format == "video" {
		views := binomial(r, impressions, jitter(r, 0.28, 0.2))
		row.VideoViews3s = transform.Ptr(views)
		row.VideoCompletions = transform.Ptr(binomial(r, views, jitter(r, 0.18, 0.2)))
	}
	return row
}

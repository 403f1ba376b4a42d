package gen

import (
	"math"
	"slices"
	"time"

	"github.com/shopspring/decimal"
)

// Platform-reported conversions use a 7-day click window, as Meta's and
// TikTok's defaults do.
const platformClickWindow = 7 * 24 * time.Hour

// viewThroughPer1000 adds conversions the platforms claim from impressions
// alone, per thousand impressions.
var viewThroughPer1000 = map[string]float64{"meta": 0.02, "tiktok": 0.03}

// platformConversions fills platform_conversions and _value on the ad rows
// the way the platforms report them: every platform with a click in the
// window claims the conversion on the click's row (so platforms double count
// each other), then view-through and modelled conversions inflate the count
// by the platform's over-claim factor.
func (s *sim) platformConversions(eurRate map[time.Time]float64) {
	r := newRand(s.cfg.Seed, streamPlatform)
	paid := make([][]int, len(s.persons)) // per person, paid touch indices by time
	for ti, t := range s.touches {
		if t.ad >= 0 {
			paid[t.person] = append(paid[t.person], ti)
		}
	}
	for _, list := range paid {
		slices.SortStableFunc(list, func(a, b int) int { return s.touches[a].row.TS.Compare(s.touches[b].row.TS) })
	}

	rows := s.dl.rows
	claimed := make([]float64, len(rows))
	value := make([]float64, len(rows))
	for _, c := range s.convs {
		conv := c.row
		if conv.Type != "purchase" && conv.Type != "lead" {
			continue
		}
		revenue, _ := conv.Revenue.Float64()
		last := map[string]int{} // platform → row of its latest click in the window
		for _, ti := range paid[c.person] {
			t := s.touches[ti]
			if !t.row.TS.Before(conv.TS) {
				break
			}
			if conv.TS.Sub(t.row.TS) > platformClickWindow {
				continue
			}
			ad := s.ads[t.ad]
			if conv.Type == "lead" && ad.Platform != "linkedin" {
				continue
			}
			d := int(t.row.TS.Sub(s.cfg.Start) / (24 * time.Hour))
			last[ad.Platform] = s.dl.row[t.ad][t.place][d]
		}
		for _, ri := range last {
			// Map order does not matter: each platform adds to its own row.
			claimed[ri]++
			v := revenue
			if rows[ri].Currency == "EUR" {
				v /= eurRate[rows[ri].Date]
			}
			value[ri] += v
		}
	}

	factor := map[string]float64{}
	for _, f := range overclaim {
		factor[f.Platform] = f.Factor
	}
	for ri := range rows {
		row := &rows[ri]
		platform := accountPlatform(row.AccountID)
		extraMean := claimed[ri]*(factor[platform]-1) + viewThroughPer1000[platform]*float64(row.Impressions)/1000
		extra := float64(poisson(r, extraMean))
		n := claimed[ri] + extra
		v := value[ri] + extra*jitter(r, 72, 0.3)
		if platform == "google" && n > 0 {
			// Data-driven attribution reports fractional conversions.
			k := jitter(r, 1.02, 0.07)
			n = math.Round(n*k*100) / 100
			v *= k
		}
		row.PlatformConversions = n
		row.PlatformConversionValue = decimal.NewFromFloat(v).Round(2)
	}
}

func accountPlatform(accountID string) string {
	for _, a := range accounts {
		if a.ID == accountID {
			return a.Platform
		}
	}
	return ""
}

package models_test

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/socialroi/socialroi/config"
	"github.com/socialroi/socialroi/models"
	"github.com/socialroi/socialroi/transform"
)

// Touchpoint shorthands by channel, under the default channel rules.
var channelUTMs = map[string][2]string{ // source, medium
	"paid_social":    {"facebook", "paid_social"},
	"paid_search":    {"google", "cpc"},
	"email":          {"newsletter", "email"},
	"organic_social": {"instagram", "social"},
	"direct":         {"", ""},
}

type step struct {
	id      string
	channel string
	at      time.Time
}

type journey struct {
	person string
	steps  []step
	convs  []struct {
		id, revenue string
		at          time.Time
	}
}

// conv is the conversion instant every scenario is built around.
var conv = ts("2026-11-18 12:00")

func before(d time.Duration) time.Time { return conv.Add(-d) }

const day24 = 24 * time.Hour

// dataset turns journeys into canonical rows.
func dataset(js []journey) map[string]any {
	var tps []transform.TouchpointRow
	var cs []transform.ConversionRow
	for _, j := range js {
		for _, s := range j.steps {
			u := channelUTMs[s.channel]
			tps = append(tps, transform.TouchpointRow{TouchpointID: s.id, PersonID: j.person, TS: s.at,
				Interaction: "click", UTMSource: u[0], UTMMedium: u[1], Source: "web"})
		}
		for _, c := range j.convs {
			cs = append(cs, transform.ConversionRow{ConversionID: c.id, PersonID: j.person, TS: c.at, Type: "purchase",
				Revenue: decimal.RequireFromString(c.revenue), Currency: "USD", CRMSource: "shop"})
		}
	}
	return map[string]any{transform.Touchpoints: tps, transform.Conversions: cs}
}

func oneConv(person, id, revenue string, at time.Time, steps ...step) journey {
	j := journey{person: person, steps: steps}
	j.convs = append(j.convs, struct {
		id, revenue string
		at          time.Time
	}{id, revenue, at})
	return j
}

// credits returns conversion → model → "touchpoint:credit" (6 decimals).
func credits(t *testing.T, w *models.Warehouse) map[string]map[string][]string {
	out := map[string]map[string][]string{}
	for _, r := range rowsOf(t, w, `SELECT conversion_id, model, coalesce(touchpoint_id, '-'), credit
		FROM attribution_ledger ORDER BY conversion_id, model, position`) {
		f := strings.Split(r, "|")
		if out[f[0]] == nil {
			out[f[0]] = map[string][]string{}
		}
		c, _ := strconv.ParseFloat(f[3], 64)
		out[f[0]][f[1]] = append(out[f[0]][f[1]], fmt.Sprintf("%s:%.6f", f[2], c))
	}
	return out
}

func allModelsConfig() *config.Config {
	cfg := config.Defaults()
	cfg.Attribution.Models = config.KnownModels
	return cfg
}

// TestRuleBasedModelsHandWorked checks every rule-based model on small paths
// worked out by hand (lookback 30 days, half-life 7 days, 40/40 positions).
func TestRuleBasedModelsHandWorked(t *testing.T) {
	// decay gives each step 2^(−days/7) normalised to sum 1. On two steps
	// 2 and 1 days out: 0.820335 and 0.905724 (sum 1.726059) → 0.475265 and
	// 0.524735.
	decay := func(ids string, days ...float64) []string {
		var sum float64
		for _, d := range days {
			sum += math.Pow(2, -d/7)
		}
		var out []string
		for i, id := range strings.Fields(ids) {
			out = append(out, fmt.Sprintf("%s:%.6f", id, math.Pow(2, -days[i]/7)/sum))
		}
		return out
	}

	js := []journey{
		// A: one touchpoint gets everything under every model.
		oneConv("pa", "kA", "10.00", conv, step{"a1", "paid_social", before(3 * day24)}),
		// B: two touchpoints, email then paid social.
		oneConv("pb", "kB", "10.00", conv,
			step{"b1", "email", before(2 * day24)}, step{"b2", "paid_social", before(1 * day24)}),
		// C: four touchpoints ending with a direct visit.
		oneConv("pc", "kC", "10.00", conv,
			step{"c1", "paid_social", before(10 * day24)}, step{"c2", "email", before(5 * day24)},
			step{"c3", "organic_social", before(2 * day24)}, step{"c4", "direct", before(time.Hour)}),
		// D: direct only: last_non_direct falls back to the last step.
		oneConv("pd", "kD", "10.00", conv,
			step{"d1", "direct", before(2 * day24)}, step{"d2", "direct", before(day24)}),
		// E: a tie in time is ordered by touchpoint id: eA before eB.
		oneConv("pe", "kE", "10.00", conv,
			step{"eB", "email", before(day24)}, step{"eA", "paid_search", before(day24)}),
		// F: the lookback edge: exactly 30 days before is in, a second
		// earlier is out, and the conversion instant itself is out.
		oneConv("pf", "kF", "10.00", conv,
			step{"f0", "email", before(30*day24 + time.Second)}, step{"f1", "paid_social", before(30 * day24)},
			step{"f2", "paid_search", conv}),
	}
	// G: a person converting twice: kG1's path is g1; kG2's is g1 and g2.
	g := journey{person: "pg", steps: []step{{"g1", "email", before(4 * day24)}, {"g2", "paid_social", before(2 * day24)}}}
	g.convs = append(g.convs, struct {
		id, revenue string
		at          time.Time
	}{"kG1", "10.00", before(3 * day24)}, struct {
		id, revenue string
		at          time.Time
	}{"kG2", "10.00", conv})
	js = append(js, g)

	w := runDataset(t, allModelsConfig(), dataset(js), day("2026-11-16"))
	got := credits(t, w)

	want := map[string]map[string][]string{
		"kA": {"first_touch": {"a1:1.000000"}, "last_touch": {"a1:1.000000"}, "last_non_direct": {"a1:1.000000"},
			"linear": {"a1:1.000000"}, "time_decay": {"a1:1.000000"}, "position_based": {"a1:1.000000"}},
		"kB": {"first_touch": {"b1:1.000000"}, "last_touch": {"b2:1.000000"}, "last_non_direct": {"b2:1.000000"},
			"linear": {"b1:0.500000", "b2:0.500000"}, "time_decay": decay("b1 b2", 2, 1),
			// two steps split 40:40, i.e. 50/50
			"position_based": {"b1:0.500000", "b2:0.500000"}},
		"kC": {"first_touch": {"c1:1.000000"}, "last_touch": {"c4:1.000000"}, "last_non_direct": {"c3:1.000000"},
			"linear":         {"c1:0.250000", "c2:0.250000", "c3:0.250000", "c4:0.250000"},
			"time_decay":     decay("c1 c2 c3 c4", 10, 5, 2, 1.0/24),
			"position_based": {"c1:0.400000", "c2:0.100000", "c3:0.100000", "c4:0.400000"}},
		"kD": {"first_touch": {"d1:1.000000"}, "last_touch": {"d2:1.000000"}, "last_non_direct": {"d2:1.000000"},
			"linear": {"d1:0.500000", "d2:0.500000"}, "time_decay": decay("d1 d2", 2, 1),
			"position_based": {"d1:0.500000", "d2:0.500000"}},
		"kE": {"first_touch": {"eA:1.000000"}, "last_touch": {"eB:1.000000"}, "last_non_direct": {"eB:1.000000"},
			"linear": {"eA:0.500000", "eB:0.500000"}, "time_decay": {"eA:0.500000", "eB:0.500000"},
			"position_based": {"eA:0.500000", "eB:0.500000"}},
		"kF": {"first_touch": {"f1:1.000000"}, "last_touch": {"f1:1.000000"}, "last_non_direct": {"f1:1.000000"},
			"linear": {"f1:1.000000"}, "time_decay": {"f1:1.000000"}, "position_based": {"f1:1.000000"}},
		"kG1": {"first_touch": {"g1:1.000000"}, "last_touch": {"g1:1.000000"}, "last_non_direct": {"g1:1.000000"},
			"linear": {"g1:1.000000"}, "time_decay": {"g1:1.000000"}, "position_based": {"g1:1.000000"}},
		"kG2": {"first_touch": {"g1:1.000000"}, "last_touch": {"g2:1.000000"}, "last_non_direct": {"g2:1.000000"},
			"linear": {"g1:0.500000", "g2:0.500000"}, "time_decay": decay("g1 g2", 4, 2),
			"position_based": {"g1:0.500000", "g2:0.500000"}},
	}
	for conv, byModel := range want {
		for model, w := range byModel {
			if g := got[conv][model]; strings.Join(g, " ") != strings.Join(w, " ") {
				t.Errorf("%s %s: got %v, want %v", conv, model, g, w)
			}
		}
	}
}

// TestMarkovAndShapleyHandWorked checks the two data-driven models on the
// published examples.
func TestMarkovAndShapleyHandWorked(t *testing.T) {
	t.Run("markov published example", func(t *testing.T) {
		// c1 = email, c2 = organic_social, c3 = paid_search. Paths:
		// c1>c2>c3 converting; c1 and c2>c3 not converting. Removal
		// effects 0.5, 1, 1 → shares 0.2, 0.4, 0.4 of the one conversion.
		js := []journey{
			oneConv("p1", "k1", "100.00", conv,
				step{"t1", "email", before(3 * day24)}, step{"t2", "organic_social", before(2 * day24)},
				step{"t3", "paid_search", before(day24)}),
			{person: "p2", steps: []step{{"t4", "email", before(2 * day24)}}},
			{person: "p3", steps: []step{{"t5", "organic_social", before(2 * day24)}, {"t6", "paid_search", before(day24)}}},
		}
		cfg := allModelsConfig()
		w := runDataset(t, cfg, dataset(js), day("2026-11-16"))
		effects := rowsOf(t, w, "SELECT channel, removal_effect FROM int_markov_removal_effects ORDER BY channel")
		if want := "email|0.500000 organic_social|1.000000 paid_search|1.000000"; strings.Join(effects, " ") != want {
			t.Errorf("removal effects %v, want %s", effects, want)
		}
		if got := credits(t, w)["k1"]["markov"]; strings.Join(got, " ") != "t1:0.200000 t2:0.400000 t3:0.400000" {
			t.Errorf("markov ledger %v", got)
		}
		// 100.00 × 0.2 / 0.4 / 0.4 = 20.00, 40.00, 40.00
		got := rowsOf(t, w, `SELECT channel, conversions, revenue FROM attribution_channels
			WHERE model = 'markov' AND week_start = DATE '2026-11-16' ORDER BY channel`)
		if want := "email|0.200000|20 organic_social|0.400000|40 paid_search|0.400000|40"; strings.Join(got, " ") != want {
			t.Errorf("markov channel totals %v, want %s", got, want)
		}
	})

	t.Run("markov channel totals add up to the cent", func(t *testing.T) {
		// One path email > organic_social > paid_search, converting: removing
		// any channel loses the one conversion, so each has RE 1 and a
		// share of 1/3. 1000 cents / 3 = 333.33… each; the floors give 999
		// and the cent left over goes, between equal remainders, to the
		// first channel by name: 3.34, 3.33, 3.33 = 10.00 (each rounded on
		// its own, 3.33 × 3 = 9.99).
		js := []journey{oneConv("p1", "k1", "10.00", conv,
			step{"t1", "email", before(3 * day24)}, step{"t2", "organic_social", before(2 * day24)},
			step{"t3", "paid_search", before(day24)})}
		w := runDataset(t, allModelsConfig(), dataset(js), day("2026-11-16"))
		got := rowsOf(t, w, `SELECT channel, revenue FROM attribution_channels
			WHERE model = 'markov' AND week_start = DATE '2026-11-16' ORDER BY channel`)
		if want := "email|3.34 organic_social|3.33 paid_search|3.33"; strings.Join(got, " ") != want {
			t.Errorf("markov channel totals %v, want %s", got, want)
		}
	})

	t.Run("markov simultaneous touchpoints off a path", func(t *testing.T) {
		// p2's two touchpoints share an instant: they are taken in channel
		// order (email before paid_search), not id order (t8 before t9),
		// so p2's span is (start) > email > paid_search > (null). With
		// p1's converting path (start) > email > (conversion):
		//   (start) → email 1 + 1 = 2, email → (conversion) 1,
		//   email → paid_search 1, paid_search → (null) 1.
		js := []journey{
			oneConv("p1", "k1", "10.00", conv, step{"t1", "email", before(day24)}),
			{person: "p2", steps: []step{{"t8", "paid_search", before(2 * day24)}, {"t9", "email", before(2 * day24)}}},
		}
		w := runDataset(t, allModelsConfig(), dataset(js), day("2026-11-16"))
		got := rowsOf(t, w, "SELECT from_state, to_state, transitions FROM int_markov_transitions ORDER BY ALL")
		want := "(start)|email|2 email|(conversion)|1 email|paid_search|1 paid_search|(null)|1"
		if strings.Join(got, " ") != want {
			t.Errorf("transitions %v, want %s", got, want)
		}
	})

	t.Run("shapley a×4, a>b×6", func(t *testing.T) {
		// v(S) = conversions whose channel set lies in S. Paths {a} ×4 and
		// {a,b} ×6: φ(a) = 4 + 6/2 = 7, φ(b) = 6/2 = 3 (DESIGN §4).
		// Revenue 10.00 each: a 70.00, b 30.00.
		var js []journey
		for i := range 10 {
			steps := []step{{fmt.Sprintf("a%d", i), "email", before(2 * day24)}}
			if i >= 4 {
				steps = append(steps, step{fmt.Sprintf("b%d", i), "paid_search", before(day24)})
			}
			js = append(js, oneConv(fmt.Sprintf("p%d", i), fmt.Sprintf("k%d", i), "10.00", conv, steps...))
		}
		w := runDataset(t, allModelsConfig(), dataset(js), day("2026-11-16"))
		got := rowsOf(t, w, `SELECT channel, conversions, revenue FROM attribution_channels
			WHERE model = 'shapley' AND week_start = DATE '2026-11-16' ORDER BY channel`)
		if want := "email|7.000000|70 paid_search|3.000000|30"; strings.Join(got, " ") != want {
			t.Errorf("shapley channel totals %v, want %s", got, want)
		}
	})
}

// The cent a largest-remainder split has left over goes, between equal
// remainders, to the earlier step on the path, whatever the touchpoint ids.
func TestLeftoverCentToTheEarlierStep(t *testing.T) {
	// linear over three steps of 10.00: 1000 cents / 3 = 333.33… each; the
	// floors give 999 and the one cent left goes to position 1, h9, though
	// its id sorts last: 3.34, 3.33, 3.33.
	js := []journey{oneConv("ph", "kH", "10.00", conv,
		step{"h9", "email", before(3 * day24)}, step{"h5", "paid_social", before(2 * day24)},
		step{"h1", "paid_search", before(day24)})}
	w := runDataset(t, allModelsConfig(), dataset(js), day("2026-11-16"))
	got := rowsOf(t, w, `SELECT touchpoint_id, revenue_credit FROM attribution_ledger
		WHERE conversion_id = 'kH' AND model = 'linear' ORDER BY position`)
	if want := "h9|3.34 h5|3.33 h1|3.33"; strings.Join(got, " ") != want {
		t.Errorf("linear revenue credits %v, want %s", got, want)
	}
}

package attribution

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestShapleyDesignExample(t *testing.T) {
	// Paths a ×4 and a>b ×6: a 7, b 3.
	sets := [][]string{{"a"}, {"a", "b"}}
	weights := []float64{4, 6}
	for name, phi := range map[string]map[string]float64{
		"closed form": Shapley(sets, weights),
		"coalitions":  shapleyByCoalitions(sets, weights),
	} {
		if math.Abs(phi["a"]-7) > 1e-12 || math.Abs(phi["b"]-3) > 1e-12 {
			t.Errorf("%s: %v, want a 7, b 3", name, phi)
		}
	}
}

// The closed form equals the coalition enumeration on random games with up
// to 10 channels, and the values add up to v(N) (efficiency).
func TestShapleyEqualsCoalitions(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	channels := []string{"paid_social", "email", "direct", "organic_social", "paid_search", "influencer", "referral", "retargeting", "organic_search", "other"}
	for trial := range 50 {
		n := 1 + rng.IntN(len(channels))
		var sets [][]string
		var weights []float64
		total := 0.0
		for range 1 + rng.IntN(30) {
			var set []string
			for _, c := range channels[:n] {
				if rng.IntN(3) == 0 {
					set = append(set, c)
				}
			}
			if len(set) == 0 {
				set = []string{channels[0]}
			}
			w := float64(1 + rng.IntN(5))
			sets = append(sets, set)
			weights = append(weights, w)
			total += w
		}
		closed, brute := Shapley(sets, weights), shapleyByCoalitions(sets, weights)
		sum := 0.0
		for c, v := range brute {
			if math.Abs(closed[c]-v) > 1e-9 {
				t.Fatalf("trial %d: %s closed form %.12f, coalitions %.12f", trial, c, closed[c], v)
			}
			sum += v
		}
		if math.Abs(sum-total) > 1e-9 {
			t.Fatalf("trial %d: values add up to %f, v(N) = %f", trial, sum, total)
		}
	}
}

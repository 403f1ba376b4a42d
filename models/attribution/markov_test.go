package attribution

import (
	"math"
	"testing"
)

// pathsToTransitions counts the transitions of channel paths, as the SQL
// model int_markov_transitions does.
func pathsToTransitions(paths [][]string, converted []bool) []Transition {
	counts := map[[2]string]int64{}
	for i, p := range paths {
		prev := StateStart
		for _, c := range p {
			counts[[2]string{prev, c}]++
			prev = c
		}
		end := StateNull
		if converted[i] {
			end = StateConversion
		}
		counts[[2]string{prev, end}]++
	}
	var out []Transition
	for k, v := range counts {
		out = append(out, Transition{From: k[0], To: k[1], Count: v})
	}
	return out
}

func TestRemovalEffects(t *testing.T) {
	tests := []struct {
		name      string
		paths     [][]string
		converted []bool
		want      map[string]float64
	}{
		{
			// The published three-channel example: c1>c2>c3 converts, c1 and
			// c2>c3 do not. P(conv) = 2/3·½·1·½ + 1/3·1·½ = 1/3.
			// Without c1: only start→c2→c3→conv = 1/3·½ = 1/6 → RE 0.5.
			// Without c2 or c3 nothing converts → RE 1. Shares 0.2/0.4/0.4.
			name:      "published example",
			paths:     [][]string{{"c1", "c2", "c3"}, {"c1"}, {"c2", "c3"}},
			converted: []bool{true, false, false},
			want:      map[string]float64{"c1": 0.5, "c2": 1, "c3": 1},
		},
		{
			// Self-loops: a>a converts, a does not. start→a 1; a→a ½,
			// a→conv ¼, a→null ¼ ⇒ p(a) = ¼ + ½p(a) ⇒ p = ½. Removing a
			// leaves nothing: RE 1.
			name:      "self loop",
			paths:     [][]string{{"a", "a"}, {"a"}},
			converted: []bool{true, false},
			want:      map[string]float64{"a": 1},
		},
		{
			// Two independent channels: a converts once, b converts once and
			// fails once. start→a ⅓, start→b ⅔, b→conv ½. P = ⅓·1 + ⅔·½ = ⅔.
			// Without a: ⅓ → RE ½. Without b: ⅓ → RE ½.
			name:      "independent",
			paths:     [][]string{{"a"}, {"b"}, {"b"}},
			converted: []bool{true, true, false},
			want:      map[string]float64{"a": 0.5, "b": 0.5},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := RemovalEffects(pathsToTransitions(tc.paths, tc.converted))
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %v", got)
			}
			for _, re := range got {
				if math.Abs(re.Effect-tc.want[re.Channel]) > 1e-12 {
					t.Errorf("%s: removal effect %.15f, want %.15f", re.Channel, re.Effect, tc.want[re.Channel])
				}
			}
		})
	}
	if _, err := RemovalEffects(pathsToTransitions([][]string{{"a"}}, []bool{false})); err == nil {
		t.Error("no conversions: want an error")
	}
}

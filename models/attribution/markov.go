package attribution

import (
	"fmt"
	"math"
	"sort"
)

// Special states of the Markov chain. Channel names never contain
// parentheses, so these cannot collide with a channel.
const (
	StateStart      = "(start)"
	StateConversion = "(conversion)"
	StateNull       = "(null)"
)

// Transition is how many times paths moved from one state to the next.
type Transition struct {
	From, To string
	Count    int64
}

// RemovalEffect is a channel's removal effect in a first-order Markov chain:
// 1 − P(conversion with the channel removed) / P(conversion).
type RemovalEffect struct {
	Channel            string
	Effect             float64
	ConversionProb     float64 // P(conversion) of the full chain
	ConversionProbWith float64 // P(conversion) with the channel removed
}

// RemovalEffects builds the chain from transition counts (start → channels →
// conversion or null) and returns every channel's removal effect, sorted by
// channel. Removing a channel sends every transition into it to null.
func RemovalEffects(transitions []Transition) ([]RemovalEffect, error) {
	idx := map[string]int{}
	var channels []string
	add := func(s string) {
		if _, ok := idx[s]; ok || s == StateConversion || s == StateNull {
			return
		}
		idx[s] = -1
		if s != StateStart {
			channels = append(channels, s)
		}
	}
	for _, t := range transitions {
		if t.Count < 0 {
			return nil, fmt.Errorf("markov: negative count %d for %s → %s", t.Count, t.From, t.To)
		}
		if t.From == StateConversion || t.From == StateNull {
			return nil, fmt.Errorf("markov: transition out of absorbing state %s", t.From)
		}
		add(t.From)
		add(t.To)
	}
	sort.Strings(channels)
	states := append([]string{StateStart}, channels...)
	for i, s := range states {
		idx[s] = i
	}
	n := len(states)
	// prob[i][j]: transient → transient; toConv[i]: transient → conversion.
	prob := make([][]float64, n)
	for i := range prob {
		prob[i] = make([]float64, n)
	}
	toConv := make([]float64, n)
	out := make([]float64, n)
	for _, t := range transitions {
		out[idx[t.From]] += float64(t.Count)
	}
	for _, t := range transitions {
		i := idx[t.From]
		if out[i] == 0 {
			continue
		}
		p := float64(t.Count) / out[i]
		switch t.To {
		case StateConversion:
			toConv[i] += p
		case StateNull:
		default:
			prob[i][idx[t.To]] += p
		}
	}
	base := absorption(prob, toConv, -1)
	if base <= 0 {
		return nil, fmt.Errorf("markov: no path converts, removal effects are undefined")
	}
	res := make([]RemovalEffect, 0, len(channels))
	for _, c := range channels {
		without := absorption(prob, toConv, idx[c])
		res = append(res, RemovalEffect{Channel: c, Effect: 1 - without/base, ConversionProb: base, ConversionProbWith: without})
	}
	return res, nil
}

// absorption returns P(conversion) from the start state (index 0), with
// state `removed` (if ≥ 0) turned into null. It iterates p ← b + A·p, which
// converges for a sub-stochastic chain whatever its loops (self-loops
// included), where elimination would need care with singular closed loops.
func absorption(prob [][]float64, toConv []float64, removed int) float64 {
	n := len(toConv)
	p := make([]float64, n)
	next := make([]float64, n)
	for iter := 0; iter < 1_000_000; iter++ {
		delta := 0.0
		for i := range n {
			if i == removed {
				next[i] = 0
				continue
			}
			v := toConv[i]
			for j, pij := range prob[i] {
				if pij != 0 && j != removed {
					v += pij * p[j]
				}
			}
			next[i] = v
			delta = math.Max(delta, math.Abs(v-p[i]))
		}
		p, next = next, p
		if delta < 1e-15 {
			break
		}
	}
	return p[0]
}

package attribution

import "sort"

// Shapley returns the exact Shapley values of the game DESIGN §4 defines,
// v(S) = Σ weight of the paths whose channel set lies within S, for paths
// given as channel sets with weights (conversion counts or revenue).
//
// That game is a weighted sum of unanimity games u_T(S) = [T ⊆ S], one per
// path, and the Shapley value is linear with φ(u_T) = 1/|T| for each member
// of T. So the value is exact without enumerating 2^n coalitions, for any
// number of channels, and it decomposes per conversion: each channel on a
// path gets 1/k of it (k distinct channels). The SQL ledger uses exactly
// that split, so ledger sums equal these values; this function is the
// reference the tests hold the SQL to.
func Shapley(sets [][]string, weights []float64) map[string]float64 {
	phi := map[string]float64{}
	for i, set := range sets {
		distinct := map[string]bool{}
		for _, c := range set {
			distinct[c] = true
		}
		for c := range distinct {
			phi[c] += weights[i] / float64(len(distinct))
		}
	}
	return phi
}

// shapleyByCoalitions is the textbook definition, enumerating every
// coalition: φ(c) = Σ_{S ⊆ N∖{c}} |S|!(n−|S|−1)!/n! · (v(S∪{c}) − v(S)).
// Exponential; kept for tests that prove Shapley equal to it.
func shapleyByCoalitions(sets [][]string, weights []float64) map[string]float64 {
	idx := map[string]int{}
	for _, set := range sets {
		for _, c := range set {
			if _, ok := idx[c]; !ok {
				idx[c] = len(idx)
			}
		}
	}
	names := make([]string, len(idx))
	for c, i := range idx {
		names[i] = c
	}
	sort.Strings(names)
	for i, c := range names {
		idx[c] = i
	}
	n := len(names)
	masks := make([]uint32, len(sets))
	for i, set := range sets {
		for _, c := range set {
			masks[i] |= 1 << idx[c]
		}
	}
	v := func(s uint32) float64 {
		total := 0.0
		for i, m := range masks {
			if m&^s == 0 {
				total += weights[i]
			}
		}
		return total
	}
	fact := make([]float64, n+1)
	fact[0] = 1
	for i := 1; i <= n; i++ {
		fact[i] = fact[i-1] * float64(i)
	}
	phi := map[string]float64{}
	for ci, c := range names {
		bit := uint32(1) << ci
		for s := uint32(0); s < 1<<n; s++ {
			if s&bit != 0 {
				continue
			}
			size := 0
			for x := s; x != 0; x &= x - 1 {
				size++
			}
			phi[c] += fact[size] * fact[n-size-1] / fact[n] * (v(s|bit) - v(s))
		}
	}
	return phi
}

package gen

import (
	"math"
	"math/rand/v2"
)

// Independent PCG streams per part of the simulation, so that changing how
// one part draws does not shift every other number in the demo.
const (
	streamDelivery uint64 = iota + 1
	streamPersons
	streamJourneys
	streamFX
	streamPlatform
)

func newRand(seed, stream uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, stream*0x9E3779B97F4A7C15))
}

// poisson draws from a Poisson distribution: Knuth's method for small means,
// a rounded normal approximation above 30 where it is close enough for
// delivery noise.
func poisson(r *rand.Rand, mean float64) int {
	if mean <= 0 {
		return 0
	}
	if mean > 30 {
		return max(0, int(math.Round(mean+math.Sqrt(mean)*r.NormFloat64())))
	}
	l := math.Exp(-mean)
	k, p := 0, 1.0
	for {
		p *= r.Float64()
		if p <= l {
			return k
		}
		k++
	}
}

// binomial draws successes out of n trials: exact for small n, otherwise a
// Poisson or normal approximation clamped to [0, n].
func binomial(r *rand.Rand, n int64, p float64) int64 {
	if n <= 0 || p <= 0 {
		return 0
	}
	if p >= 1 {
		return n
	}
	if n <= 200 {
		var k int64
		for range n {
			if r.Float64() < p {
				k++
			}
		}
		return k
	}
	mean := float64(n) * p
	if mean < 30 {
		// Rare events in many trials: Poisson is the better approximation.
		return min(n, int64(poisson(r, mean)))
	}
	sd := math.Sqrt(mean * (1 - p))
	return min(n, max(0, int64(math.Round(mean+sd*r.NormFloat64()))))
}

// jitter returns x scaled by a uniform factor in [1−f, 1+f].
func jitter(r *rand.Rand, x, f float64) float64 {
	return x * (1 - f + 2*f*r.Float64())
}

// hourWeights shape the time of day of web sessions (UTC for a US brand:
// evenings US time are early hours UTC).
var hourWeights = [24]float64{
	6, 5, 4, 3, 2, 1.5, 1, 1, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 4.5, 4.5, 4.5, 5, 5, 5.5, 6, 6,
}

var hourCDF = func() [24]float64 {
	var c [24]float64
	var sum float64
	for _, w := range hourWeights {
		sum += w
	}
	acc := 0.0
	for i, w := range hourWeights {
		acc += w / sum
		c[i] = acc
	}
	c[23] = 1
	return c
}()

// secondOfDay draws a time of day in seconds, following hourWeights.
func secondOfDay(r *rand.Rand) int {
	u := r.Float64()
	h := 0
	for h < 23 && u > hourCDF[h] {
		h++
	}
	return h*3600 + r.IntN(3600)
}

// pick returns one element of s uniformly.
func pick[T any](r *rand.Rand, s []T) T { return s[r.IntN(len(s))] }

package gen

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/socialroi/socialroi/transform"
)

// DefaultSeed is the seed of the demo brand. Changing it changes every number
// in the demo workbook, so tests that pin demo numbers depend on it.
const DefaultSeed uint64 = 20260831

// DefaultPersons is the number of simulated persons at scale 1.
const DefaultPersons = 4000

// Default date range: twelve full ISO weeks, 2026-W36 to 2026-W47. Fixed so the
// demo is reproducible on any day it is run.
var (
	DefaultStart = transform.Date(2026, time.August, 31)
	DefaultEnd   = transform.Date(2026, time.November, 22)
)

// Config says what brand to generate. The zero value is the default demo brand.
type Config struct {
	// Seed of every random stream; 0 means DefaultSeed.
	Seed uint64
	// Start and End are the first and last calendar day simulated (both
	// inclusive, midnight UTC); zero means DefaultStart / DefaultEnd.
	Start, End time.Time
	// Persons simulated; 0 means DefaultPersons × Scale.
	Persons int
	// Scale multiplies the default number of persons and the ad budgets
	// together, so ratios (touchpoints per person, ROAS) stay put; 0 means 1.
	Scale float64
	// ExtractedAt stamps ad_performance rows; zero means the morning after End.
	ExtractedAt time.Time
}

// ParseScale maps the CLI's --scale letter to a Scale: S is the default demo,
// M five times and L twenty-five times as large.
func ParseScale(s string) (float64, error) {
	switch strings.ToUpper(strings.TrimSpace(s)) {
	case "", "S":
		return 1, nil
	case "M":
		return 5, nil
	case "L":
		return 25, nil
	}
	return 0, fmt.Errorf("gen: scale %q: want S, M or L", s)
}

// withDefaults fills the zero fields and checks the rest.
func (c Config) withDefaults() (Config, error) {
	if c.Seed == 0 {
		c.Seed = DefaultSeed
	}
	if c.Scale == 0 {
		c.Scale = 1
	}
	if c.Scale < 0 || math.IsNaN(c.Scale) || math.IsInf(c.Scale, 0) {
		return c, fmt.Errorf("gen: scale %v must be positive", c.Scale)
	}
	if c.Start.IsZero() {
		c.Start = DefaultStart
	}
	if c.End.IsZero() {
		c.End = DefaultEnd
	}
	c.Start = day(c.Start)
	c.End = day(c.End)
	if c.End.Before(c.Start) {
		return c, fmt.Errorf("gen: end %s is before start %s", c.End.Format(time.DateOnly), c.Start.Format(time.DateOnly))
	}
	if c.Persons == 0 {
		c.Persons = int(math.Round(DefaultPersons * c.Scale))
	}
	if c.Persons < 10 {
		return c, fmt.Errorf("gen: %d persons is too few for a journey simulation (want ≥ 10)", c.Persons)
	}
	if c.ExtractedAt.IsZero() {
		c.ExtractedAt = c.End.AddDate(0, 0, 1).Add(6 * time.Hour)
	}
	return c, nil
}

// day truncates t to midnight UTC of its calendar day.
func day(t time.Time) time.Time {
	y, m, d := t.Date()
	return transform.Date(y, m, d)
}

// Days is the number of simulated days.
func (c Config) Days() int {
	return int(c.End.Sub(c.Start).Hours()/24) + 1
}

package models_test

import (
	"slices"
	"testing"

	"github.com/socialroi/socialroi/models"
	"github.com/socialroi/socialroi/models/attribution"
	sqlfiles "github.com/socialroi/socialroi/sql"
)

// Upstream keeps the named models and all they read, through SQL and Go
// models alike, in build order, and nothing else.
func TestCatalogUpstream(t *testing.T) {
	all, err := models.LoadCatalog(sqlfiles.FS, attribution.GoModels()...)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		names   []string
		has     []string // a few it must build, in this order
		hasNot  []string
		wantErr bool
	}{
		{names: []string{"attribution_ledger"},
			// the ledger reads Markov's removal effects, a Go model, which
			// reads the transitions: found through the Go model's deps
			has:    []string{"stg_touchpoints", "int_touchpoints_classified", "int_markov_transitions", "int_markov_removal_effects", "int_attribution_ledger", "attribution_ledger"},
			hasNot: []string{"attribution_channels", "mart_ad_weekly", "mart_landing_page_weekly", "mart_tracking_qa"}},
		{names: []string{"stg_conversions"}, has: []string{"stg_conversions"}, hasNot: []string{"stg_touchpoints"}},
		{names: []string{"no_such_model"}, wantErr: true},
	} {
		sub, err := all.Upstream(tc.names...)
		if tc.wantErr {
			if err == nil {
				t.Errorf("Upstream(%v): no error", tc.names)
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, m := range sub.Models {
			names = append(names, m.Name)
		}
		last := -1
		for _, want := range tc.has {
			i := slices.Index(names, want)
			if i < 0 || i < last {
				t.Errorf("Upstream(%v) = %v: want %s, after %v", tc.names, names, want, tc.has)
			}
			last = i
		}
		for _, not := range tc.hasNot {
			if slices.Contains(names, not) {
				t.Errorf("Upstream(%v) builds %s, which they do not read", tc.names, not)
			}
		}
		if len(sub.Tests) != 0 {
			t.Errorf("Upstream(%v) keeps %d data tests", tc.names, len(sub.Tests))
		}
	}
}

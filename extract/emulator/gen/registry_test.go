package gen

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/google/go-cmp/cmp"

	"github.com/socialroi/socialroi/extract"
	"github.com/socialroi/socialroi/extract/extracttest"
	"github.com/socialroi/socialroi/extract/registry"
	"github.com/socialroi/socialroi/transform"
)

// countSink counts the rows emitted per table.
type countSink map[string]int

func (c countSink) Emit(table string, rec arrow.RecordBatch) error {
	c[table] += int(rec.NumRows())
	return nil
}

// TestRegistryYAML writes the brand's registry, reads it back through the
// influencer_registry source as a run would (factory, then Extract) and
// gets the brand's rows back, for the default brand and a shorter range
// that cuts contracts and costs differently.
func TestRegistryYAML(t *testing.T) {
	for _, cfg := range []Config{
		{},
		{Seed: 7, Start: transform.Date(2026, time.October, 5), End: transform.Date(2026, time.November, 1), Persons: 200},
	} {
		b := generate(t, cfg)
		out, err := b.RegistryYAML()
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(t.TempDir(), "influencers.yaml")
		if err := os.WriteFile(path, out, 0o644); err != nil {
			t.Fatal(err)
		}
		kind, err := extract.Lookup(registry.Kind)
		if err != nil {
			t.Fatal(err)
		}
		src, err := kind.New("influencers", extracttest.YAMLSettings("path: "+path+"\n"))
		if err != nil {
			t.Fatalf("the generated registry does not read back: %v\n%s", err, out)
		}
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		sink := countSink{}
		if err := src.Extract(t.Context(), extract.Request{Mem: mem}, sink); err != nil {
			t.Fatal(err)
		}
		mem.AssertSize(t, 0)
		if sink[transform.Influencers] != len(b.Influencers) || sink[transform.InfluencerCosts] != len(b.InfluencerCosts) || len(b.InfluencerCosts) == 0 {
			t.Errorf("emitted %v, brand has %d creators and %d costs", sink, len(b.Influencers), len(b.InfluencerCosts))
		}

		reg := src.(*registry.Source).Registry()
		if diff := cmp.Diff(b.Influencers, reg.Creators); diff != "" {
			t.Errorf("creators (-brand +read back):\n%s", diff)
		}
		if diff := cmp.Diff(b.InfluencerCosts, reg.Costs, extracttest.DecimalEqual); diff != "" {
			t.Errorf("costs (-brand +read back):\n%s", diff)
		}
		// A few values by hand, independent of cmp.
		maya := reg.Creators[0]
		if maya.CreatorID != "cr_001" || maya.Handle != "@maya.makes" || maya.PromoCodes[0] != "MAYA15" || len(maya.WhitelistedAdIDs) != len(b.Influencers[0].WhitelistedAdIDs) {
			t.Errorf("first creator read back as %+v", maya)
		}
		if !reg.Costs[0].Amount.Equal(b.InfluencerCosts[0].Amount) || !reg.Costs[0].Date.Equal(b.InfluencerCosts[0].Date) {
			t.Errorf("first cost read back as %+v, brand has %+v", reg.Costs[0], b.InfluencerCosts[0])
		}
		if !strings.HasPrefix(string(out), "# Influencer registry of the demo brand") {
			t.Errorf("no header:\n%s", out)
		}
	}
}

// TestRegistryYAMLDeterministic: the same brand renders the same bytes.
func TestRegistryYAMLDeterministic(t *testing.T) {
	a, err := generate(t, Config{}).RegistryYAML()
	if err != nil {
		t.Fatal(err)
	}
	b, err := generate(t, Config{}).RegistryYAML()
	if err != nil {
		t.Fatal(err)
	}
	if string(a) != string(b) {
		t.Error("two renders of the default brand differ")
	}
}

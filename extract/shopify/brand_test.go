package shopify

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/socialroi/socialroi/extract/emulator/gen"
	shopifyemu "github.com/socialroi/socialroi/extract/emulator/shopify"
	"github.com/socialroi/socialroi/transform"
)

// TestExtractDemoBrand runs the connector against the emulator seeded with
// the demo brand and checks it recovers the brand's purchases exactly:
// revenue net of the planted refunds, promo codes, the new-customer flag
// from orders_count, and the landing touchpoint's UTMs.
func TestExtractDemoBrand(t *testing.T) {
	b, err := gen.Generate(gen.Config{Persons: 600})
	if err != nil {
		t.Fatal(err)
	}
	cfg := shopifyemu.FromBrand(b)
	if len(cfg.Orders) < 50 {
		t.Fatalf("only %d demo orders", len(cfg.Orders))
	}
	refunded := 0
	for _, o := range cfg.Orders {
		if len(o.Refunds) > 0 {
			refunded++
		}
	}
	if refunded == 0 {
		t.Fatal("no refunds planted")
	}
	cfg.PageSize = 40
	h := newHarness(t, cfg, nil)
	// Extract the last four weeks: orders before are not fetched, but
	// orders_count still knows about them.
	since := b.Config.End.AddDate(0, 0, -27)
	convs, tps, err := h.run(t, since, b.Config.End)
	if err != nil {
		t.Fatal(err)
	}
	var want []transform.ConversionRow
	for _, c := range b.Conversions {
		if c.CRMSource != "shopify" || c.Type != "purchase" || c.TS.Before(since) {
			continue
		}
		num := strings.TrimPrefix(c.OrderID, "ord_")
		id, _ := strconv.ParseInt(num, 10, 64)
		pn, _ := strconv.ParseInt(strings.TrimPrefix(c.PersonID, "p_"), 10, 64)
		c.ConversionID = fmt.Sprintf("shopify:order:%d", shopifyemu.OrderIDBase+id)
		c.PersonID = fmt.Sprintf("shopify:customer:%d", shopifyemu.CustomerIDBase+pn)
		c.OrderID = "#" + num
		c.CRMSource = "shop"
		want = append(want, c)
	}
	// Refunded orders created before since were updated within the window
	// and come back restated; they are not in want.
	var got []transform.ConversionRow
	for _, c := range convs {
		if !c.TS.Before(since) {
			got = append(got, c)
		}
	}
	sortConvs := cmp.Transformer("sort", func(in []transform.ConversionRow) map[string]transform.ConversionRow {
		m := map[string]transform.ConversionRow{}
		for _, c := range in {
			m[c.ConversionID] = c
		}
		return m
	})
	if diff := cmp.Diff(want, got, decimalEqual, sortConvs); diff != "" {
		t.Errorf("conversions (-want +got):\n%s", diff)
	}
	// Every customer is linked to the hash of the normalised email it was
	// served with (some typed with spaces and capitals).
	ids := map[string]string{}
	for _, id := range h.ids {
		ids[id.AnonymousID] = id.PersonID
	}
	messy := 0
	for _, o := range cfg.Orders {
		if o.CreatedAt.Before(since) {
			continue // not fetched (unless refunded since; then it is there too)
		}
		if o.Email != strings.ToLower(strings.TrimSpace(o.Email)) {
			messy++
		}
		want := transform.EmailKey(fmt.Sprintf("p%06d@example.com", o.CustomerID-shopifyemu.CustomerIDBase))
		if got := ids[fmt.Sprintf("shopify:customer:%d", o.CustomerID)]; got != want {
			t.Errorf("customer %d (email %q): identity %q, want %q", o.CustomerID, o.Email, got, want)
		}
	}
	if messy == 0 || len(ids) == 0 {
		t.Errorf("%d identities, %d orders with an email to normalise", len(ids), messy)
	}
	// landing_touchpoints: false leaves the sessions to the web export.
	h2 := newHarness(t, cfg, func(s *Settings) { f := false; s.LandingTouchpoints = &f })
	if convs2, tps2, err := h2.run(t, since, b.Config.End); err != nil || len(tps2) != 0 || len(convs2) != len(convs) || len(h2.ids) != len(h.ids) {
		t.Errorf("landing_touchpoints false: err %v, %d touchpoints, %d/%d conversions, %d/%d identities",
			err, len(tps2), len(convs2), len(convs), len(h2.ids), len(h.ids))
	}
	withUTM := 0
	for _, tp := range tps {
		if tp.UTMSource != "" {
			withUTM++
		}
		if tp.Source != TouchpointSource || tp.Interaction != "visit" {
			t.Fatalf("touchpoint %+v", tp)
		}
	}
	if withUTM == 0 || len(tps) == 0 {
		t.Errorf("%d landing touchpoints, %d with UTMs", len(tps), withUTM)
	}
}

package hubspot

import (
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/socialroi/socialroi/transform"
)

const fixtures = "../../testdata/hubspot"

func readFixture(t *testing.T, name string, v any) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(fixtures, name))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

// TestFixtures maps the documented response shapes in testdata/hubspot.
func TestFixtures(t *testing.T) {
	var deals, contacts searchPage
	var assoc assocPage
	readFixture(t, "deals_search.json", &deals)
	readFixture(t, "contacts_search.json", &contacts)
	readFixture(t, "associations_batch_read.json", &assoc)
	if deals.Paging.Next.After != "3" || deals.Total != 3 {
		t.Errorf("deals paging %+v", deals.Paging)
	}
	s := DefaultSettings()
	s.AccessToken = "t"
	s.ConversionTypes = []string{TypeDealWon, TypeOpportunity}
	src, err := NewSource("crm", s)
	if err != nil {
		t.Fatal(err)
	}
	contactOf := map[string]string{}
	for _, r := range assoc.Results {
		for _, to := range r.To {
			if c := to.ToObjectID.String(); contactOf[r.From.ID] == "" || cmpID(c, contactOf[r.From.ID]) < 0 {
				contactOf[r.From.ID] = c
			}
		}
	}
	log := slog.New(slog.DiscardHandler)
	convs, err := src.conversions(deals.Results, contactOf, log)
	if err != nil {
		t.Fatal(err)
	}
	wantConvs := []transform.ConversionRow{
		{ConversionID: "hubspot:deal:15021889432", PersonID: "hubspot:contact:51", TS: at("2026-11-16T17:30:00Z"),
			Type: "deal_won", Revenue: decimal.RequireFromString("12500.50"), Currency: "EUR", IsNewCustomer: true,
			DealID: "15021889432", CRMSource: "crm"},
		{ConversionID: "hubspot:deal:15021889433", TS: at("2026-11-17T08:00:00Z"), Type: "opportunity",
			Revenue: decimal.Zero, Currency: "USD", DealID: "15021889433", CRMSource: "crm"},
	}
	if diff := cmp.Diff(wantConvs, convs, decimalEqual); diff != "" {
		t.Errorf("conversions (-want +got):\n%s", diff)
	}
	tps, ids, err := src.contactRows(contacts.Results, log)
	if err != nil {
		t.Fatal(err)
	}
	first := "https://shop.example.com/landing/b2b?utm_source=instagram&utm_medium=paid_social&utm_campaign=120210000000001&utm_content=120210000000042&fbclid=IwAR2xyz"
	wantTPs := []transform.TouchpointRow{
		{TouchpointID: "hubspot:contact:51:first", PersonID: "hubspot:contact:51", TS: at("2026-10-01T14:20:00Z"),
			Interaction: "visit", UTMSource: "instagram", UTMMedium: "paid_social", UTMCampaign: "120210000000001",
			UTMContent: "120210000000042", ClickID: "IwAR2xyz", ClickIDType: "fbclid", LandingPage: first,
			Referrer: "https://l.instagram.com/", Source: "crm_derived"},
		{TouchpointID: "hubspot:contact:51:last", PersonID: "hubspot:contact:51", TS: at("2026-11-15T09:00:00Z"),
			Interaction: "visit", ClickID: "Cj0KCQjwabc", ClickIDType: "gclid",
			LandingPage: "https://shop.example.com/pricing?gclid=Cj0KCQjwabc", Source: "crm_derived"},
	}
	if diff := cmp.Diff(wantTPs, tps); diff != "" {
		t.Errorf("touchpoints (-want +got):\n%s", diff)
	}
	// printf '%s' jane.doe@example.org | sha256sum
	wantIDs := []transform.IdentityRow{
		{AnonymousID: "email:7f73355bf032dcbb8e5a3f51f1e4a8ba92ef1344de2d95382634cf91da6d6181", PersonID: "hubspot:contact:51"},
		{AnonymousID: "f4c5e8d1a2b34c9d8e7f6a5b4c3d2e1f", PersonID: "hubspot:contact:51"},
	}
	if diff := cmp.Diff(wantIDs, ids); diff != "" {
		t.Errorf("identities (-want +got):\n%s", diff)
	}
	for _, name := range []string{"error_429_ten_secondly.json", "error_429_daily.json", "error_401.json"} {
		b, err := os.ReadFile(filepath.Join(fixtures, name))
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := parseError(b); !ok {
			t.Errorf("%s is not read as a HubSpot error", name)
		}
	}
}

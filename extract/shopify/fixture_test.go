package shopify

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/socialroi/socialroi/transform"
)

const fixtures = "../../testdata/shopify"

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(fixtures, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestFixtureOrders maps the documented order shapes in testdata/shopify.
// Expected values worked out by hand: 199.00 − 41.94 (the failed refund
// transaction is not netted) = 157.06; the cancelled order has revenue 0;
// customer 207119551 has orders_count 1 (this order: new), 207119552 has 4
// (three before: not new).
func TestFixtureOrders(t *testing.T) {
	var page struct{ Orders []order }
	if err := json.Unmarshal(readFixture(t, "orders_page.json"), &page); err != nil {
		t.Fatal(err)
	}
	var cust struct {
		Customers []struct {
			ID          int64 `json:"id"`
			OrdersCount int   `json:"orders_count"`
		}
	}
	if err := json.Unmarshal(readFixture(t, "customers.json"), &cust); err != nil {
		t.Fatal(err)
	}
	counts := map[int64]int{}
	for _, c := range cust.Customers {
		counts[c.ID] = c.OrdersCount
	}
	var ps []parsed
	for _, o := range page.Orders {
		p, err := parseOrder(o)
		if err != nil {
			t.Fatal(err)
		}
		ps = append(ps, p)
	}
	isNew := newCustomers(ps, counts)
	var convs []transform.ConversionRow
	var tps []transform.TouchpointRow
	for _, p := range ps {
		convs = append(convs, p.conversion("shopify", isNew[p.id]))
		if tp, ok := p.touchpoint(); ok {
			tps = append(tps, tp)
		}
	}
	wantConvs := []transform.ConversionRow{
		{ConversionID: "shopify:order:450789469", PersonID: "shopify:customer:207119551", TS: time.Date(2026, 11, 16, 15, 0, 0, 0, time.UTC),
			Type: "purchase", Revenue: dec("157.06"), Currency: "USD", IsNewCustomer: true, OrderID: "#1001",
			PromoCodes: []string{"Maya15", "freeship"}, CRMSource: "shopify"},
		{ConversionID: "shopify:order:450789470", TS: time.Date(2026, 11, 17, 22, 30, 0, 0, time.UTC),
			Type: "purchase", Revenue: dec("0"), Currency: "EUR", OrderID: "#1002", CRMSource: "shopify"},
		{ConversionID: "shopify:order:450789471", PersonID: "shopify:customer:207119552", TS: time.Date(2026, 11, 18, 17, 0, 0, 0, time.UTC),
			Type: "purchase", Revenue: dec("75.50"), Currency: "USD", OrderID: "#1003", PromoCodes: []string{"WELCOME10"}, CRMSource: "shopify"},
	}
	timeEqual := cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })
	if diff := cmp.Diff(wantConvs, convs, decimalEqual, timeEqual); diff != "" {
		t.Errorf("conversions (-want +got):\n%s", diff)
	}
	wantTPs := []transform.TouchpointRow{
		{TouchpointID: "shopify:order:450789469:landing", PersonID: "shopify:customer:207119551", TS: time.Date(2026, 11, 16, 14, 59, 59, 0, time.UTC),
			Interaction: "visit", UTMSource: "instagram", UTMMedium: "paid_social", UTMCampaign: "120210000000001", UTMContent: "120210000000042",
			ClickID: "IwAR2xYz", ClickIDType: "fbclid", LandingPage: "/products/hoodie", Referrer: "https://l.instagram.com/", Source: TouchpointSource},
		{TouchpointID: "shopify:order:450789471:landing", PersonID: "shopify:customer:207119552", TS: time.Date(2026, 11, 18, 16, 59, 59, 0, time.UTC),
			Interaction: "visit", UTMSource: "google", UTMMedium: "cpc", UTMCampaign: "search_pr_us_brand", UTMTerm: "demo brand",
			ClickID: "Cj0KCQjwabc", ClickIDType: "gclid", LandingPage: "/collections/new", Referrer: "https://www.google.com/", Source: TouchpointSource},
	}
	if diff := cmp.Diff(wantTPs, tps, timeEqual); diff != "" {
		t.Errorf("touchpoints (-want +got):\n%s", diff)
	}
}

func TestFixtureErrors(t *testing.T) {
	for file, want := range map[string]string{
		"error_429.json": "Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service.",
		"error_401.json": "[API] Invalid API key or access token (unrecognized login or wrong password)",
		"error_422.json": "limit: must be less than or equal to 250; status: is invalid",
	} {
		if got := errorText(readFixture(t, file)); got != want {
			t.Errorf("%s: %q, want %q", file, got, want)
		}
	}
	v := classify(&http.Response{StatusCode: 422, Header: http.Header{}}, readFixture(t, "error_422.json"))
	if v.Err != ErrAPI {
		t.Errorf("422: %+v", v)
	}
}

package shopify

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/socialroi/socialroi/extract/emulator/gen"
)

const tok = "shpat_emulator"

func get(t *testing.T, u, token string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("X-Shopify-Access-Token", token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, string(b)
}

func start(t *testing.T, cfg Config) *Shopify {
	t.Helper()
	cfg.AccessToken = tok
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestOrdersEndpoint(t *testing.T) {
	at := time.Date(2026, 11, 16, 10, 0, 0, 0, ShopZone)
	cancelled := at.Add(time.Hour)
	s := start(t, Config{Orders: []Order{
		{ID: 3, Name: "#3", CreatedAt: at, TotalPrice: decimal.New(1999, -2), Currency: "USD", CustomerID: 9},
		{ID: 1, Name: "#1", CreatedAt: at, TotalPrice: decimal.New(500, -2), Currency: "USD", CancelledAt: &cancelled},
		{ID: 2, Name: "#2", CreatedAt: at.AddDate(0, 0, -30), TotalPrice: decimal.New(1, 0), Currency: "USD", CustomerID: 9},
	}, Customers: []Customer{{ID: 9, PriorOrders: 3}}})
	base := s.URL + "/admin/api/2025-07/"

	tests := []struct {
		name       string
		url, token string
		wantStatus int
		wantBody   []string
		wantLink   string
	}{
		{"no token", base + "orders.json", "", 401, []string{"Invalid API key or access token"}, ""},
		{"default status open hides cancelled", base + "orders.json", tok, 200, []string{`"name":"#2"`, `"name":"#3"`}, ""},
		{"status any, first page", base + "orders.json?status=any&limit=1", tok, 200, []string{`"name":"#1"`, `"cancelled_at":"2026-11-16T11:00:00-05:00"`}, `rel="next"`},
		{"updated_at_min filters", base + "orders.json?status=any&updated_at_min=2026-11-01T00:00:00Z", tok, 200, []string{`"name":"#1"`, `"name":"#3"`}, ""},
		{"page_info with a filter is refused", base + "orders.json?page_info=eyJvIjoxfQ&status=any", tok, 400, []string{"page_info cannot be combined with status"}, ""},
		{"limit above 250", base + "orders.json?limit=251", tok, 400, []string{"limit"}, ""},
		{"customers by ids", base + "customers.json?ids=9,10", tok, 200, []string{`"id":9`, `"orders_count":5`}, ""},
		{"one customer", base + "customers/9.json", tok, 200, []string{`"orders_count":5`}, ""},
		{"unknown customer", base + "customers/10.json", tok, 404, []string{"Not Found"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, h, body := get(t, tt.url, tt.token)
			if status != tt.wantStatus {
				t.Fatalf("status %d, want %d: %s", status, tt.wantStatus, body)
			}
			for _, w := range tt.wantBody {
				if !strings.Contains(body, w) {
					t.Errorf("body lacks %s:\n%s", w, body)
				}
			}
			if !strings.Contains(h.Get("Link"), tt.wantLink) || (tt.wantLink == "" && h.Get("Link") != "") {
				t.Errorf("Link = %q, want %q", h.Get("Link"), tt.wantLink)
			}
			if h.Get("X-Shopify-Shop-Api-Call-Limit") == "" {
				t.Error("no call-limit header")
			}
		})
	}
	// Follow the pages to the end.
	u, n := base+"orders.json?status=any&limit=1", 0
	for u != "" {
		_, h, body := get(t, u, tok)
		var page struct{ Orders []json.RawMessage }
		if err := json.Unmarshal([]byte(body), &page); err != nil || len(page.Orders) != 1 {
			t.Fatalf("page %d: %v %s", n, err, body)
		}
		n++
		u = ""
		for _, part := range strings.Split(h.Get("Link"), ",") {
			if strings.Contains(part, `rel="next"`) {
				u = strings.Trim(strings.TrimSpace(strings.Split(part, ";")[0]), "<>")
			}
		}
	}
	if n != 3 {
		t.Errorf("%d pages, want 3", n)
	}
}

func TestFromBrand(t *testing.T) {
	b, err := gen.Generate(gen.Config{Persons: 200})
	if err != nil {
		t.Fatal(err)
	}
	cfg := FromBrand(b)
	purchases, landing := 0, 0
	for _, c := range b.Conversions {
		if c.CRMSource == "shopify" && c.Type == "purchase" {
			purchases++
		}
	}
	for _, o := range cfg.Orders {
		if o.LandingSite != "" {
			landing++
		}
		net := o.TotalPrice
		for _, r := range o.Refunds {
			net = net.Sub(r)
		}
		if net.IsNegative() || o.CustomerID == 0 || o.Name == "" {
			t.Fatalf("order %+v", o)
		}
	}
	if len(cfg.Orders) != purchases || landing == 0 {
		t.Errorf("%d orders for %d purchases, %d with a landing site", len(cfg.Orders), purchases, landing)
	}
	if _, err := New(Config{AccessToken: "x", Orders: []Order{{ID: 1}, {ID: 1}}}); err == nil {
		t.Error("duplicate order ids accepted")
	}
}

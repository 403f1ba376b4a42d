package shopify

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/socialroi/socialroi/extract"
	"github.com/socialroi/socialroi/extract/emulator"
	shopifyemu "github.com/socialroi/socialroi/extract/emulator/shopify"
	"github.com/socialroi/socialroi/extract/httpx"
	"github.com/socialroi/socialroi/transform"
)

const token = "shpat_0123456789abcdefTOKEN0123456789"

var (
	est = time.FixedZone("EST", -5*3600)
	cet = time.FixedZone("CET", 3600)
	d16 = transform.Date(2026, 11, 16)
	d19 = transform.Date(2026, 11, 19)
)

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// shopOrders is a small hand-made shop; the comments give the expected rows.
func shopOrders() shopifyemu.Config {
	return shopifyemu.Config{
		Orders: []shopifyemu.Order{
			// Before Since, not updated since: never fetched.
			{ID: 999, Name: "#999", CreatedAt: time.Date(2026, 11, 1, 12, 0, 0, 0, est), TotalPrice: dec("10.00"), Currency: "USD", CustomerID: 505},
			// Created before Since, fully refunded on the 17th: fetched and
			// restated with revenue 0; 505's orders_count 2, 999 not fetched
			// → one order before it → not new.
			{ID: 1000, Name: "#1000", CreatedAt: time.Date(2026, 11, 10, 12, 0, 0, 0, est), UpdatedAt: time.Date(2026, 11, 17, 8, 0, 0, 0, est),
				TotalPrice: dec("30.00"), Currency: "USD", CustomerID: 505, Refunds: []decimal.Decimal{dec("30.00")},
				ReferringSite: "https://www.google.com/"},
			// Two partial refunds netted: 199.00 − 10.00 − 5.55 = 183.45.
			// Customer 501's first order (orders_count 2, both fetched).
			{ID: 1001, Name: "#1001", CreatedAt: time.Date(2026, 11, 16, 10, 0, 0, 0, est), TotalPrice: dec("199.00"), Currency: "USD",
				DiscountCodes: []string{"Maya15", "free-SHIP"}, CustomerID: 501, Refunds: []decimal.Decimal{dec("10.00"), dec("5.55")},
				LandingSite:   "/products/hoodie?utm_source=instagram&utm_medium=paid_social&utm_campaign=c1&utm_content=ad%201&fbclid=IwAR123",
				ReferringSite: "https://l.instagram.com/"},
			// Another shop timezone, absolute landing URL, odd-case UTM name;
			// customer with 2 earlier orders.
			{ID: 1002, Name: "#1002", CreatedAt: time.Date(2026, 11, 17, 9, 30, 0, 0, cet), TotalPrice: dec("49.90"), Currency: "eur",
				CustomerID: 502, LandingSite: "https://shop.example.com/collections/new?UTM_Source=google&utm_medium=cpc&gclid=Cj0abc"},
			// Guest checkout with a generic code, no landing: no touchpoint.
			{ID: 1003, Name: "#1003", CreatedAt: time.Date(2026, 11, 16, 23, 59, 59, 0, est), TotalPrice: dec("20.00"), Currency: "USD",
				DiscountCodes: []string{"WELCOME10"}},
			// 501's second order: not new.
			{ID: 1004, Name: "", CreatedAt: time.Date(2026, 11, 18, 8, 0, 0, 0, est), TotalPrice: dec("75.10"), Currency: "USD", CustomerID: 501,
				LandingSite: "/?ttclid=E.C.P.xyz&li_fat_id=abc"},
			// Cancelled: revenue 0, not a new customer.
			{ID: 1005, Name: "#1005", CreatedAt: time.Date(2026, 11, 19, 18, 0, 0, 0, est), TotalPrice: dec("60.00"), Currency: "USD", CustomerID: 503,
				CancelledAt: ptr(time.Date(2026, 11, 19, 20, 0, 0, 0, est))},
			// Created after Until (Until ends 2026-11-20T00:00Z = 19:00 EST on the 19th).
			{ID: 1006, Name: "#1006", CreatedAt: time.Date(2026, 11, 19, 19, 0, 0, 0, est), TotalPrice: dec("80.00"), Currency: "USD", CustomerID: 504},
		},
		Customers: []shopifyemu.Customer{{ID: 502, PriorOrders: 2}, {ID: 505, PriorOrders: 0}},
	}
}

func ptr[T any](v T) *T { return &v }

func wantConversions() []transform.ConversionRow {
	return []transform.ConversionRow{
		{ConversionID: "shopify:order:1000", PersonID: "shopify:customer:505", TS: time.Date(2026, 11, 10, 17, 0, 0, 0, time.UTC), Type: "purchase",
			Revenue: dec("0"), Currency: "USD", OrderID: "#1000", CRMSource: "shop"},
		{ConversionID: "shopify:order:1001", PersonID: "shopify:customer:501", TS: time.Date(2026, 11, 16, 15, 0, 0, 0, time.UTC), Type: "purchase",
			Revenue: dec("183.45"), Currency: "USD", IsNewCustomer: true, OrderID: "#1001", PromoCodes: []string{"Maya15", "free-SHIP"}, CRMSource: "shop"},
		{ConversionID: "shopify:order:1002", PersonID: "shopify:customer:502", TS: time.Date(2026, 11, 17, 8, 30, 0, 0, time.UTC), Type: "purchase",
			Revenue: dec("49.90"), Currency: "EUR", OrderID: "#1002", CRMSource: "shop"},
		{ConversionID: "shopify:order:1003", TS: time.Date(2026, 11, 17, 4, 59, 59, 0, time.UTC), Type: "purchase",
			Revenue: dec("20.00"), Currency: "USD", OrderID: "#1003", PromoCodes: []string{"WELCOME10"}, CRMSource: "shop"},
		{ConversionID: "shopify:order:1004", PersonID: "shopify:customer:501", TS: time.Date(2026, 11, 18, 13, 0, 0, 0, time.UTC), Type: "purchase",
			Revenue: dec("75.10"), Currency: "USD", OrderID: "1004", CRMSource: "shop"},
		{ConversionID: "shopify:order:1005", PersonID: "shopify:customer:503", TS: time.Date(2026, 11, 19, 23, 0, 0, 0, time.UTC), Type: "purchase",
			Revenue: dec("0"), Currency: "USD", OrderID: "#1005", CRMSource: "shop"},
	}
}

func wantTouchpoints() []transform.TouchpointRow {
	return []transform.TouchpointRow{
		{TouchpointID: "shopify:order:1000:landing", PersonID: "shopify:customer:505", TS: time.Date(2026, 11, 10, 16, 59, 59, 0, time.UTC),
			Interaction: "visit", Referrer: "https://www.google.com/", Source: "shopify_landing"},
		{TouchpointID: "shopify:order:1001:landing", PersonID: "shopify:customer:501", TS: time.Date(2026, 11, 16, 14, 59, 59, 0, time.UTC),
			Interaction: "visit", UTMSource: "instagram", UTMMedium: "paid_social", UTMCampaign: "c1", UTMContent: "ad 1",
			ClickID: "IwAR123", ClickIDType: "fbclid", LandingPage: "/products/hoodie", Referrer: "https://l.instagram.com/", Source: "shopify_landing"},
		{TouchpointID: "shopify:order:1002:landing", PersonID: "shopify:customer:502", TS: time.Date(2026, 11, 17, 8, 29, 59, 0, time.UTC),
			Interaction: "visit", UTMSource: "google", UTMMedium: "cpc", ClickID: "Cj0abc", ClickIDType: "gclid", LandingPage: "/collections/new", Source: "shopify_landing"},
		{TouchpointID: "shopify:order:1004:landing", PersonID: "shopify:customer:501", TS: time.Date(2026, 11, 18, 12, 59, 59, 0, time.UTC),
			Interaction: "visit", ClickID: "E.C.P.xyz", ClickIDType: "ttclid", LandingPage: "/", Source: "shopify_landing"},
	}
}

// sink collects emitted records; it retains them as the Emitter contract says.
type sink struct {
	recs map[string][]arrow.RecordBatch
}

func (s *sink) Emit(table string, rec arrow.RecordBatch) error {
	if table != transform.Conversions && table != transform.Touchpoints && table != transform.Identities {
		return fmt.Errorf("unexpected table %s", table)
	}
	rec.Retain()
	if s.recs == nil {
		s.recs = map[string][]arrow.RecordBatch{}
	}
	s.recs[table] = append(s.recs[table], rec)
	return nil
}

func (s *sink) release() {
	for _, rs := range s.recs {
		for _, r := range rs {
			r.Release()
		}
	}
}

type colReader struct {
	t   *testing.T
	rec arrow.RecordBatch
}

func (c colReader) col(name string) arrow.Array {
	idx := c.rec.Schema().FieldIndices(name)
	if len(idx) != 1 {
		c.t.Fatalf("no column %s", name)
	}
	return c.rec.Column(idx[0])
}

func (c colReader) str(name string, i int) string { return c.col(name).(*array.String).Value(i) }

func (c colReader) ts(name string, i int) time.Time {
	return c.col(name).(*array.Timestamp).Value(i).ToTime(arrow.Microsecond).UTC()
}

func (c colReader) strs(name string, i int) []string {
	l := c.col(name).(*array.List)
	if l.IsNull(i) {
		return nil
	}
	start, end := l.ValueOffsets(i)
	vals := l.ListValues().(*array.String)
	var out []string
	for j := start; j < end; j++ {
		out = append(out, vals.Value(int(j)))
	}
	return out
}

func (s *sink) conversions(t *testing.T) []transform.ConversionRow {
	var out []transform.ConversionRow
	for _, rec := range s.recs[transform.Conversions] {
		c := colReader{t, rec}
		for i := range int(rec.NumRows()) {
			n := c.col("revenue").(*array.Decimal128).Value(i)
			out = append(out, transform.ConversionRow{
				ConversionID: c.str("conversion_id", i), PersonID: c.str("person_id", i), TS: c.ts("ts", i),
				Type: c.str("type", i), Revenue: decimal.NewFromBigInt(n.BigInt(), -2), Currency: c.str("currency", i),
				IsNewCustomer: c.col("is_new_customer").(*array.Boolean).Value(i), OrderID: c.str("order_id", i),
				DealID: c.str("deal_id", i), PromoCodes: c.strs("promo_codes", i), CRMSource: c.str("crm_source", i),
			})
		}
	}
	slices.SortFunc(out, func(a, b transform.ConversionRow) int { return strings.Compare(a.ConversionID, b.ConversionID) })
	return out
}

func (s *sink) touchpoints(t *testing.T) []transform.TouchpointRow {
	var out []transform.TouchpointRow
	for _, rec := range s.recs[transform.Touchpoints] {
		c := colReader{t, rec}
		for i := range int(rec.NumRows()) {
			out = append(out, transform.TouchpointRow{
				TouchpointID: c.str("touchpoint_id", i), PersonID: c.str("person_id", i), AnonymousID: c.str("anonymous_id", i),
				TS: c.ts("ts", i), Interaction: c.str("interaction", i), UTMSource: c.str("utm_source", i),
				UTMMedium: c.str("utm_medium", i), UTMCampaign: c.str("utm_campaign", i), UTMContent: c.str("utm_content", i),
				UTMTerm: c.str("utm_term", i), ClickID: c.str("click_id", i), ClickIDType: c.str("click_id_type", i),
				LandingPage: c.str("landing_page", i), Referrer: c.str("referrer", i), Source: c.str("source", i),
			})
		}
	}
	slices.SortFunc(out, func(a, b transform.TouchpointRow) int { return strings.Compare(a.TouchpointID, b.TouchpointID) })
	return out
}

func (s *sink) identities(t *testing.T) []transform.IdentityRow {
	var out []transform.IdentityRow
	for _, rec := range s.recs[transform.Identities] {
		c := colReader{t, rec}
		for i := range int(rec.NumRows()) {
			out = append(out, transform.IdentityRow{AnonymousID: c.str("anonymous_id", i), PersonID: c.str("person_id", i)})
		}
	}
	return out
}

var decimalEqual = cmp.Comparer(func(a, b decimal.Decimal) bool { return a.Equal(b) })

// sleeps records injected sleeps.
type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.d = append(s.d, d)
	s.mu.Unlock()
	return ctx.Err()
}

type harness struct {
	emu    *shopifyemu.Shopify
	src    *Source
	sleeps *sleeps
	logs   *bytes.Buffer
	raw    string
	ids    []transform.IdentityRow // the last run's identities
}

func newHarness(t *testing.T, cfg shopifyemu.Config, mod func(*Settings)) *harness {
	t.Helper()
	if cfg.AccessToken == "" {
		cfg.AccessToken = token
	}
	emu, err := shopifyemu.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { emu.Close() })
	set := DefaultSettings()
	set.BaseURL = emu.URL
	set.AccessToken = token
	set.RequestsPerSecond = 0
	if mod != nil {
		mod(&set)
	}
	src, err := NewSource("shop", set)
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{emu: emu, src: src, sleeps: &sleeps{}, logs: &bytes.Buffer{}, raw: t.TempDir()}
	src.sleep = h.sleeps.sleep
	src.waitMin, src.waitMax = time.Second, 30*time.Second
	return h
}

// run extracts since..until, checking that no Arrow memory leaks and that the
// token reached no error, log line or landed file.
func (h *harness) run(t *testing.T, since, until time.Time) ([]transform.ConversionRow, []transform.TouchpointRow, error) {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	s := &sink{}
	defer s.release()
	req := extract.Request{Since: since, Until: until, RunID: "r1", RawDir: h.raw,
		Logger: slog.New(slog.NewJSONHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug})), Mem: mem}
	err := h.src.Extract(t.Context(), req, s)
	convs, tps := s.conversions(t), s.touchpoints(t)
	h.ids = s.identities(t)
	h.assertNoToken(t, err)
	return convs, tps, err
}

func (h *harness) assertNoToken(t *testing.T, err error) {
	t.Helper()
	if err != nil && strings.Contains(err.Error(), token) {
		t.Errorf("token in error: %v", err)
	}
	if strings.Contains(h.logs.String(), token) {
		t.Errorf("token in logs:\n%s", h.logs)
	}
	files, _ := filepath.Glob(filepath.Join(h.raw, "*"))
	if len(files) == 0 {
		t.Error("no raw files landed")
	}
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		zr, err := gzip.NewReader(fh)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		b, err := io.ReadAll(zr)
		fh.Close()
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if bytes.Contains(b, []byte(token)) {
			t.Errorf("token in raw file %s", filepath.Base(f))
		}
	}
}

func TestExtractAgainstEmulator(t *testing.T) {
	tests := []struct {
		name         string
		emu          func(*shopifyemu.Config)
		faults       []emulator.Fault
		wantRequests int
		wantSleeps   func(t *testing.T, d []time.Duration)
	}{
		{
			name:         "one page, then one customers call",
			wantRequests: 2,
		},
		{
			name:         "Link paging to the end",
			emu:          func(c *shopifyemu.Config) { c.PageSize = 2 },
			wantRequests: 4 + 1, // 7 orders updated since the 16th, 2 a page
		},
		{
			name:         "429 with Retry-After: 2.0 waits two seconds",
			faults:       []emulator.Fault{shopifyemu.ThrottleFault()},
			wantRequests: 3,
			wantSleeps: func(t *testing.T, d []time.Duration) {
				// The retry wait, then the pause the 40/40 bucket asked for.
				if len(d) < 1 || d[0] != 2*time.Second {
					t.Errorf("sleeps = %v, want first 2s", d)
				}
			},
		},
		{
			name: "nearly full call-limit bucket slows the next call",
			emu: func(c *shopifyemu.Config) {
				c.CallLimit = func(n int) shopifyemu.CallLimit {
					if n == 1 {
						return shopifyemu.CallLimit{Used: 36, Max: 40}
					}
					return shopifyemu.CallLimit{Used: 3, Max: 40}
				}
			},
			wantRequests: 2,
			wantSleeps: func(t *testing.T, d []time.Duration) {
				// (36 − 32 + 1) calls at 2 a second.
				if len(d) != 1 || d[0] < 2400*time.Millisecond || d[0] > 2500*time.Millisecond {
					t.Errorf("sleeps = %v, want one pause of 2.5s", d)
				}
			},
		},
		{
			name:         "5xx then a dropped connection are retried",
			faults:       []emulator.Fault{{Status: 502, Body: "bad gateway"}, {CloseConnection: true}},
			wantRequests: 4,
			wantSleeps: func(t *testing.T, d []time.Duration) {
				// Go's transport may itself resend a GET whose reused
				// connection was dropped, so one or two waits.
				if len(d) < 1 || len(d) > 2 {
					t.Errorf("sleeps = %v, want 1 or 2", d)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := shopOrders()
			if tt.emu != nil {
				tt.emu(&cfg)
			}
			h := newHarness(t, cfg, nil)
			h.emu.Inject(tt.faults...)
			convs, tps, err := h.run(t, d16, d19)
			if err != nil {
				t.Fatalf("Extract: %v", err)
			}
			if diff := cmp.Diff(wantConversions(), convs, decimalEqual); diff != "" {
				t.Errorf("conversions (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(wantTouchpoints(), tps); diff != "" {
				t.Errorf("touchpoints (-want +got):\n%s", diff)
			}
			reqs := h.emu.Requests()
			if len(reqs) != tt.wantRequests {
				t.Errorf("requests = %d, want %d", len(reqs), tt.wantRequests)
			}
			if n := h.emu.PendingFaults(); n != 0 {
				t.Errorf("%d injected faults never served", n)
			}
			if tt.wantSleeps != nil {
				tt.wantSleeps(t, h.sleeps.d)
			}
			for i, r := range reqs {
				if r.Header.Get("X-Shopify-Access-Token") != token {
					t.Errorf("request %d %s without the token header", i, r.Path)
				}
				if r.Query.Has("access_token") {
					t.Errorf("request %d carries the token in its URL", i)
				}
				if r.Path != "/admin/api/2025-07/orders.json" {
					continue
				}
				if r.Query.Has("page_info") {
					if len(r.Query) != 2 || !r.Query.Has("limit") {
						t.Errorf("paging request %d resent filters: %v", i, r.Query)
					}
				} else if r.Query.Get("status") != "any" || r.Query.Get("updated_at_min") != "2026-11-16T00:00:00Z" || r.Query.Get("limit") != "250" {
					t.Errorf("first orders request lost its parameters: %v", r.Query)
				}
			}
		})
	}
}

func TestExtractFailures(t *testing.T) {
	valid := `{"id":7,"name":"#7","created_at":"2026-11-16T10:00:00-05:00","total_price":"1.00","currency":"USD"}`
	tests := []struct {
		name         string
		emu          func(*shopifyemu.Config)
		settings     func(*Settings)
		faults       []emulator.Fault
		wantIs       error
		wantMsg      []string
		wantRequests int
	}{
		{
			name:         "wrong token fails fast naming the setting",
			settings:     func(s *Settings) { s.AccessToken = "shpat_wrong-token-value" },
			wantIs:       httpx.ErrUnauthorized,
			wantMsg:      []string{"shopify: orders page 1: access token rejected", "HTTP 401", "Invalid API key or access token", "renew sources.shop.access_token"},
			wantRequests: 1,
		},
		{
			name:         "token revoked mid-paging",
			emu:          func(c *shopifyemu.Config) { c.PageSize = 2 },
			faults:       []emulator.Fault{func() emulator.Fault { f := shopifyemu.UnauthorizedFault(); f.Skip = 2; return f }()},
			wantIs:       httpx.ErrUnauthorized,
			wantMsg:      []string{"orders page 3", "sources.shop.access_token"},
			wantRequests: 3,
		},
		{
			name:         "throttled until retries run out",
			settings:     func(s *Settings) { s.MaxRetries = 2 },
			faults:       emulator.Repeat(3, shopifyemu.ThrottleFault()),
			wantIs:       httpx.ErrRetriesExhausted,
			wantMsg:      []string{"orders page 1", "HTTP 429: Exceeded 2 calls per second", "(after 3 attempts)"},
			wantRequests: 3,
		},
		{
			name:         "missing scope is a fatal API error with Shopify's message",
			faults:       []emulator.Fault{{Status: 403, Body: `{"errors":"[API] This action requires merchant approval for read_orders scope."}`}},
			wantIs:       ErrAPI,
			wantMsg:      []string{"orders page 1", "HTTP 403", "requires merchant approval for read_orders scope"},
			wantRequests: 1,
		},
		{
			name:         "malformed body",
			faults:       []emulator.Fault{{Status: 200, Body: "<html>Shop unavailable</html>"}},
			wantIs:       httpx.ErrInvalidJSON,
			wantMsg:      []string{"orders page 1", "<html>Shop unavailable</html>"},
			wantRequests: 1,
		},
		{
			name:         "body without an orders array",
			faults:       []emulator.Fault{{Status: 200, Body: `{"order":[]}`}},
			wantMsg:      []string{"orders page 1", `no "orders" array`},
			wantRequests: 1,
		},
		{
			name:         "missing required field names the field and the order",
			faults:       []emulator.Fault{{Status: 200, Body: `{"orders":[` + valid + `,{"id":8,"name":"#8","total_price":"1.00","currency":"USD"}]}`}},
			wantIs:       ErrBadOrder,
			wantMsg:      []string{"orders page 1: order 2 (id 8): unreadable order: created_at missing"},
			wantRequests: 1,
		},
		{
			name:         "unreadable money",
			faults:       []emulator.Fault{{Status: 200, Body: `{"orders":[{"id":9,"created_at":"2026-11-16T10:00:00-05:00","total_price":"12,50","currency":"USD"}]}`}},
			wantIs:       ErrBadOrder,
			wantMsg:      []string{"order 1 (id 9)", "total_price", `"12,50"`},
			wantRequests: 1,
		},
		{
			name:         "customers call fails",
			faults:       []emulator.Fault{{PathPrefix: "/admin/api/2025-07/customers", Status: 404, Body: `{"errors":"Not Found"}`}},
			wantIs:       ErrAPI,
			wantMsg:      []string{"customers 1..5 of 5", "HTTP 404: Not Found"},
			wantRequests: 2,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := shopOrders()
			if tt.emu != nil {
				tt.emu(&cfg)
			}
			h := newHarness(t, cfg, tt.settings)
			h.emu.Inject(tt.faults...)
			_, _, err := h.run(t, d16, d19)
			if err == nil {
				t.Fatal("Extract succeeded, want an error")
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("err = %v, want errors.Is %v", err, tt.wantIs)
			}
			for _, m := range tt.wantMsg {
				if !strings.Contains(err.Error(), m) {
					t.Errorf("error %q\ndoes not contain %q", err, m)
				}
			}
			if n := len(h.emu.Requests()); n != tt.wantRequests {
				t.Errorf("requests = %d, want %d", n, tt.wantRequests)
			}
		})
	}
}

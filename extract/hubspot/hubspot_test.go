package hubspot

import (
	"bytes"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/socialroi/socialroi/extract"
	"github.com/socialroi/socialroi/extract/emulator"
	hubspotemu "github.com/socialroi/socialroi/extract/emulator/hubspot"
	"github.com/socialroi/socialroi/extract/httpx"
	"github.com/socialroi/socialroi/transform"
)

const token = "pat-na1-11111111-2222-3333-4444-555555555555"

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

// crm is the hand-made portal every connector test runs against.
func crm() hubspotemu.Data {
	return hubspotemu.Data{
		Contacts: []hubspotemu.Contact{
			{ID: "701", CreatedAt: at("2026-11-10T09:05:00Z"), UpdatedAt: at("2026-11-17T10:00:00Z"),
				Properties: map[string]string{
					"email":      " Alice@Example.COM ",
					"hubspotutk": "hutk-aaa",
					"utm_source": "facebook", "utm_medium": "paid_social", "utm_campaign": "c1",
					"hs_analytics_source":          "PAID_SOCIAL",
					"hs_analytics_first_url":       "https://shop.example.com/p?utm_content=ad9&fbclid=IwAR1",
					"hs_analytics_first_referrer":  "https://l.facebook.com/",
					"hs_analytics_first_timestamp": "2026-11-10T09:00:00.000Z",
					"hs_analytics_last_timestamp":  "2026-11-15T10:00:00Z",
					"hs_analytics_last_url":        "https://shop.example.com/pricing?utm_source=newsletter&utm_medium=email",
				}},
			{ID: "702", CreatedAt: at("2026-11-16T11:00:00Z"), UpdatedAt: at("2026-11-16T11:00:00Z"),
				Properties: map[string]string{
					"email":                      "bob@example.com",
					"hs_analytics_source":        "PAID_SEARCH",
					"hs_analytics_source_data_1": "Google",
				}},
			// Modified before the main runs' window: seen by the wide run only.
			{ID: "703", CreatedAt: at("2026-11-01T08:00:00Z"), UpdatedAt: at("2026-11-12T08:00:00Z"),
				Properties: map[string]string{"email": "carol@example.com", "hubspotutk": "hutk-ccc"}},
		},
		Deals: []hubspotemu.Deal{
			{ID: "9001", CreatedAt: at("2026-11-11T00:00:00Z"), UpdatedAt: at("2026-11-18T12:00:00Z"), ContactIDs: []string{"702", "701"},
				Properties: map[string]string{"dealstage": "closedwon", "amount": "1500.50", "closedate": "2026-11-18"}},
			{ID: "9002", CreatedAt: at("2026-11-12T00:00:00Z"), UpdatedAt: at("2026-11-20T15:30:00Z"), ContactIDs: []string{"701"},
				Properties: map[string]string{"dealstage": "closedwon", "amount": "200", "closedate": "2026-11-20T15:30:00.000Z"}},
			{ID: "9003", CreatedAt: at("2026-11-16T08:00:00Z"), UpdatedAt: at("2026-11-17T08:00:00Z"), ContactIDs: []string{"703"},
				Properties: map[string]string{"dealstage": "contractsent", "amount": "999.999"}},
			{ID: "9004", CreatedAt: at("2026-11-16T08:00:00Z"), UpdatedAt: at("2026-11-19T08:00:00Z"), ContactIDs: []string{"702"},
				Properties: map[string]string{"dealstage": "closedlost", "amount": "5000", "closedate": "2026-11-19"}},
			{ID: "9005", CreatedAt: at("2026-11-14T08:00:00Z"), UpdatedAt: at("2026-11-21T09:00:00Z"),
				Properties: map[string]string{"dealstage": "closedwon", "deal_currency_code": "eur",
					"closedate": "1795251600000"}}, // 2026-11-21T09:00:00Z
			{ID: "9006", CreatedAt: at("2026-11-14T08:00:00Z"), UpdatedAt: at("2026-11-22T09:00:00Z"), ContactIDs: []string{"702"},
				Properties: map[string]string{"dealstage": "closedwon", "amount": "10"}}, // no closedate: skipped
			// Modified before the main runs' window.
			{ID: "9000", CreatedAt: at("2026-11-01T00:00:00Z"), UpdatedAt: at("2026-11-05T12:00:00Z"), ContactIDs: []string{"703"},
				Properties: map[string]string{"dealstage": "closedwon", "amount": "75.25", "closedate": "2026-11-05T12:00:00Z"}},
		},
	}
}

// Hashed emails, worked out with `printf '%s' alice@example.com | sha256sum`:
// the connector must trim and lower-case " Alice@Example.COM " first.
const (
	aliceHash = "email:ff8d9819fc0e12bf0d24892e45987e249a28dce836a85cad60e28eaaa8c6d976" // alice@example.com
	bobHash   = "email:5ff860bf1190596c7188ab851db691f0f3169c453936e9e1eba2f9a47f7a0018" // bob@example.com
	carolHash = "email:e0d47ca1bc1eb62e650fc1fd660a9bfbf7cba8dc6337d81df7ea9aa9071a24a5" // carol@example.com
)

// wantSince16 is what an extraction modified-since 2026-11-16 delivers.
func wantSince16(opportunities bool) out {
	o := out{
		Conversions: []transform.ConversionRow{
			{ConversionID: "hubspot:deal:9001", PersonID: "hubspot:contact:701", TS: at("2026-11-18T12:00:00Z"), // date-only: noon UTC
				Type: "deal_won", Revenue: decimal.RequireFromString("1500.50"), Currency: "USD", IsNewCustomer: true,
				DealID: "9001", CRMSource: "hubspot"},
			{ConversionID: "hubspot:deal:9002", PersonID: "hubspot:contact:701", TS: at("2026-11-20T15:30:00Z"),
				Type: "deal_won", Revenue: decimal.RequireFromString("200"), Currency: "USD", IsNewCustomer: false,
				DealID: "9002", CRMSource: "hubspot"},
			{ConversionID: "hubspot:deal:9005", TS: at("2026-11-21T09:00:00Z"), // no contact: its own customer
				Type: "deal_won", Revenue: decimal.Zero, Currency: "EUR", IsNewCustomer: true,
				DealID: "9005", CRMSource: "hubspot"},
		},
		Touchpoints: []transform.TouchpointRow{
			{TouchpointID: "hubspot:contact:701:first", PersonID: "hubspot:contact:701", TS: at("2026-11-10T09:00:00Z"),
				Interaction: "visit", UTMSource: "facebook", UTMMedium: "paid_social", UTMCampaign: "c1", UTMContent: "ad9",
				ClickID: "IwAR1", ClickIDType: "fbclid", LandingPage: "https://shop.example.com/p?utm_content=ad9&fbclid=IwAR1",
				Referrer: "https://l.facebook.com/", Source: "crm_derived"},
			{TouchpointID: "hubspot:contact:701:last", PersonID: "hubspot:contact:701", TS: at("2026-11-15T10:00:00Z"),
				Interaction: "visit", UTMSource: "newsletter", UTMMedium: "email",
				LandingPage: "https://shop.example.com/pricing?utm_source=newsletter&utm_medium=email", Source: "crm_derived"},
			{TouchpointID: "hubspot:contact:702:first", PersonID: "hubspot:contact:702", TS: at("2026-11-16T11:00:00Z"),
				Interaction: "visit", UTMSource: "google", UTMMedium: "cpc", Source: "crm_derived"},
		},
		Identities: []transform.IdentityRow{
			{AnonymousID: bobHash, PersonID: "hubspot:contact:702"},
			{AnonymousID: aliceHash, PersonID: "hubspot:contact:701"},
			{AnonymousID: "hutk-aaa", PersonID: "hubspot:contact:701"},
		},
	}
	if opportunities {
		o.Conversions = append(o.Conversions[:2], transform.ConversionRow{
			ConversionID: "hubspot:deal:9003", PersonID: "hubspot:contact:703", TS: at("2026-11-16T08:00:00Z"),
			Type: "opportunity", Revenue: decimal.RequireFromString("1000.00"), Currency: "USD",
			DealID: "9003", CRMSource: "hubspot"}, o.Conversions[2])
	}
	return o
}

type harness struct {
	emu    *hubspotemu.HubSpot
	src    *Source
	sleeps *sleeps
	logs   *bytes.Buffer
	raw    string
}

func newHarness(t *testing.T, cfg hubspotemu.Config, mod func(*Settings)) *harness {
	t.Helper()
	if cfg.AccessToken == "" {
		cfg.AccessToken = token
	}
	if cfg.Data.Deals == nil && cfg.Data.Contacts == nil {
		cfg.Data = crm()
	}
	emu, err := hubspotemu.New(cfg)
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
	src, err := NewSource("hubspot", set)
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{emu: emu, src: src, sleeps: &sleeps{}, logs: &bytes.Buffer{}, raw: t.TempDir()}
	src.sleep = h.sleeps.Sleep
	src.waitMin, src.waitMax = time.Second, 30*time.Second
	if cfg.SearchCap > 0 {
		src.searchCap = cfg.SearchCap
	}
	return h
}

// run extracts everything modified since the given day, checking that no
// Arrow memory leaks and that the token reached no error, log or raw file.
func (h *harness) run(t *testing.T, since time.Time) (out, error) {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	s := &sink{Tables: []string{transform.Conversions, transform.Touchpoints, transform.Identities}}
	defer s.Release()
	req := extract.Request{
		Since: since, Until: transform.Date(2026, 11, 22), RunID: "r1", RawDir: h.raw,
		Logger: slog.New(slog.NewJSONHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Mem:    mem,
	}
	err := h.src.Extract(t.Context(), req, s)
	o := s.Out(t)
	assertNoSecret(t, token, err, h.logs.String(), h.raw)
	return o, err
}

var day16 = transform.Date(2026, 11, 16)

func TestExtractAgainstEmulator(t *testing.T) {
	tests := []struct {
		name          string
		emu           hubspotemu.Config
		settings      func(*Settings)
		faults        []emulator.Fault
		opportunities bool
		// wantCalls counts answered search and association calls by path.
		wantCalls  map[string]int
		wantWaited func(t *testing.T, d []time.Duration)
	}{
		{
			name:      "one page each",
			wantCalls: map[string]int{hubspotemu.DealsSearchPath: 1, hubspotemu.ContactsSearchPath: 1, hubspotemu.AssociationsPath: 1},
		},
		{
			name: "paging to the end",
			// 6 deals modified since the 16th (9001..9006) / 2 = 3 pages; 2 contacts = 1 page.
			settings:  func(s *Settings) { s.PageLimit = 2 },
			wantCalls: map[string]int{hubspotemu.DealsSearchPath: 3, hubspotemu.ContactsSearchPath: 1, hubspotemu.AssociationsPath: 1},
		},
		{
			name:          "open deals as opportunities",
			settings:      func(s *Settings) { s.ConversionTypes = []string{"deal_won", "opportunity"} },
			opportunities: true,
			wantCalls:     map[string]int{hubspotemu.DealsSearchPath: 1, hubspotemu.ContactsSearchPath: 1, hubspotemu.AssociationsPath: 1},
		},
		{
			name: "search cap: the window moves forward and restarts",
			// Cap 4 with pages of 2: the deal search reads 9003,9001 | 9004,9002 (by modified time),
			// then would page past the cap, so it restarts from 9002's
			// modified time (GTE: 9002 again) and reads 9002,9005 | 9006.
			emu:       hubspotemu.Config{SearchCap: 4},
			settings:  func(s *Settings) { s.PageLimit = 2 },
			wantCalls: map[string]int{hubspotemu.DealsSearchPath: 4, hubspotemu.ContactsSearchPath: 1, hubspotemu.AssociationsPath: 1},
		},
		{
			name:      "unknown extra field is ignored",
			emu:       hubspotemu.Config{ExtraField: "propertiesWithHistory"},
			wantCalls: map[string]int{hubspotemu.DealsSearchPath: 1, hubspotemu.ContactsSearchPath: 1, hubspotemu.AssociationsPath: 1},
		},
		{
			name:      "throttling: SECONDLY waits a second, TEN_SECONDLY_ROLLING backs off",
			faults:    []emulator.Fault{hubspotemu.RateLimitFault("SECONDLY"), hubspotemu.RateLimitFault("TEN_SECONDLY_ROLLING")},
			wantCalls: map[string]int{hubspotemu.DealsSearchPath: 1, hubspotemu.ContactsSearchPath: 1, hubspotemu.AssociationsPath: 1},
			wantWaited: func(t *testing.T, d []time.Duration) {
				if len(d) != 2 || d[0] != time.Second || d[1] < time.Second || d[1] > 2*time.Second {
					t.Errorf("sleeps = %v, want [1s, backoff in 1s..2s]", d)
				}
			},
		},
		{
			name:      "5xx burst on the associations call, then success",
			faults:    emulator.Repeat(2, emulator.Fault{PathPrefix: hubspotemu.AssociationsPath, Status: 502, Body: "<html>Bad Gateway</html>"}),
			wantCalls: map[string]int{hubspotemu.DealsSearchPath: 1, hubspotemu.ContactsSearchPath: 1, hubspotemu.AssociationsPath: 1},
			wantWaited: func(t *testing.T, d []time.Duration) {
				if len(d) != 2 {
					t.Errorf("sleeps = %v, want 2", d)
				}
			},
		},
		{
			name:      "dropped connection is retried",
			faults:    []emulator.Fault{{CloseConnection: true}},
			wantCalls: map[string]int{hubspotemu.DealsSearchPath: 1, hubspotemu.ContactsSearchPath: 1, hubspotemu.AssociationsPath: 1},
			wantWaited: func(t *testing.T, d []time.Duration) {
				if len(d) != 1 {
					t.Errorf("sleeps = %v, want 1", d)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, tt.emu, tt.settings)
			h.emu.Inject(tt.faults...)
			got, err := h.run(t, day16)
			if err != nil {
				t.Fatalf("Extract: %v", err)
			}
			if diff := cmp.Diff(wantSince16(tt.opportunities), got, decimalEqual); diff != "" {
				t.Errorf("rows (-want +got):\n%s", diff)
			}
			calls := map[string]int{}
			for _, c := range h.emu.Calls() {
				calls[c.Path]++
				if c.Search.Limit != 0 && (c.Search.Limit > 200 || len(c.Search.Sorts) != 1 || c.Search.Sorts[0].Direction != "ASCENDING") {
					t.Errorf("search %s: bad limit or sort: %+v", c.Path, c.Search)
				}
			}
			if diff := cmp.Diff(tt.wantCalls, calls); diff != "" {
				t.Errorf("calls (-want +got):\n%s", diff)
			}
			if n := h.emu.PendingFaults(); n != 0 {
				t.Errorf("%d injected faults never served", n)
			}
			if tt.wantWaited != nil {
				tt.wantWaited(t, h.sleeps.D)
			} else if len(h.sleeps.D) != 0 {
				t.Errorf("slept %v, want no sleeps", h.sleeps.D)
			}
			for _, r := range h.emu.Requests() {
				if r.Header.Get("Authorization") != "Bearer "+token {
					t.Errorf("request %s without the bearer token", r.Path)
				}
			}
		})
	}
}

func TestSearchFiltersOnModifiedSince(t *testing.T) {
	h := newHarness(t, hubspotemu.Config{SearchCap: 4}, func(s *Settings) { s.PageLimit = 2 })
	if _, err := h.run(t, day16); err != nil {
		t.Fatal(err)
	}
	// 2026-11-16T00:00:00Z = 1794787200000 ms; the restart window starts at
	// deal 9002's hs_lastmodifieddate 2026-11-20T15:30:00Z = 1795188600000.
	type sent struct{ path, prop, op, value, after string }
	var got []sent
	for _, c := range h.emu.Calls() {
		if c.Path == hubspotemu.AssociationsPath {
			if diff := cmp.Diff([]string{"9001", "9002", "9005", "9006"}, c.IDs); diff != "" {
				t.Errorf("association ids (-want +got):\n%s", diff)
			}
			continue
		}
		f := c.Search.FilterGroups[0].Filters[0]
		got = append(got, sent{c.Path, f.PropertyName, f.Operator, f.Value, c.Search.After})
	}
	want := []sent{
		{hubspotemu.DealsSearchPath, "hs_lastmodifieddate", "GTE", "1794787200000", ""},
		{hubspotemu.DealsSearchPath, "hs_lastmodifieddate", "GTE", "1794787200000", "2"},
		{hubspotemu.DealsSearchPath, "hs_lastmodifieddate", "GTE", "1795188600000", ""},
		{hubspotemu.DealsSearchPath, "hs_lastmodifieddate", "GTE", "1795188600000", "2"},
		{hubspotemu.ContactsSearchPath, "lastmodifieddate", "GTE", "1794787200000", ""},
	}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(sent{})); diff != "" {
		t.Errorf("searches (-want +got):\n%s", diff)
	}
	for _, l := range []string{`"msg":"hubspot won deals without closedate skipped","source":"hubspot","count":1`,
		`"msg":"hubspot search cap reached: moving the modified-since window forward"`} {
		if !strings.Contains(h.logs.String(), l) {
			t.Errorf("logs lack %s:\n%s", l, h.logs)
		}
	}
}

func TestSearchCapWithoutProgressFails(t *testing.T) {
	data := crm()
	same := at("2026-11-18T00:00:00Z")
	for i := range data.Deals {
		data.Deals[i].UpdatedAt = same
	}
	h := newHarness(t, hubspotemu.Config{SearchCap: 2, Data: data}, func(s *Settings) { s.PageLimit = 2 })
	_, err := h.run(t, day16)
	if !errors.Is(err, ErrSearchCap) || !strings.Contains(err.Error(), "more than 2 deals share modified time 2026-11-18T00:00:00Z") {
		t.Fatalf("err = %v, want ErrSearchCap", err)
	}
}

func TestIncrementalRerunsAgree(t *testing.T) {
	// A wide run (since the 1st) and a narrow one (since the 16th) overlap on
	// every record modified since the 16th: those rows must be identical, and
	// neither run may hold a key twice.
	wide := newHarness(t, hubspotemu.Config{}, nil)
	all, err := wide.run(t, transform.Date(2026, 11, 1))
	if err != nil {
		t.Fatal(err)
	}
	narrow := newHarness(t, hubspotemu.Config{}, nil)
	part, err := narrow.run(t, day16)
	if err != nil {
		t.Fatal(err)
	}
	again, err := narrow.run(t, day16)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(part, again, decimalEqual); diff != "" {
		t.Errorf("same window twice differs (-first +second):\n%s", diff)
	}
	for _, o := range []out{all, part} {
		assertUnique(t, o)
	}
	convs := map[string]transform.ConversionRow{}
	for _, c := range all.Conversions {
		convs[c.ConversionID] = c
	}
	for _, c := range part.Conversions {
		if diff := cmp.Diff(convs[c.ConversionID], c, decimalEqual); diff != "" {
			t.Errorf("conversion %s differs between runs (-wide +narrow):\n%s", c.ConversionID, diff)
		}
	}
	tps := map[string]transform.TouchpointRow{}
	for _, tp := range all.Touchpoints {
		tps[tp.TouchpointID] = tp
	}
	for _, tp := range part.Touchpoints {
		if diff := cmp.Diff(tps[tp.TouchpointID], tp); diff != "" {
			t.Errorf("touchpoint %s differs between runs (-wide +narrow):\n%s", tp.TouchpointID, diff)
		}
	}
	ids := map[string]string{}
	for _, id := range all.Identities {
		ids[id.AnonymousID] = id.PersonID
	}
	for _, id := range part.Identities {
		if ids[id.AnonymousID] != id.PersonID {
			t.Errorf("identity %s differs between runs", id.AnonymousID)
		}
	}
	// The wide run also sees carol and deal 9000.
	if len(all.Conversions) != 4 || len(all.Identities) != 5 {
		t.Errorf("wide run: %d conversions, %d identities, want 4 and 5", len(all.Conversions), len(all.Identities))
	}
	if ids[carolHash] != "hubspot:contact:703" || ids["hutk-ccc"] != "hubspot:contact:703" {
		t.Errorf("carol's identities missing: %v", ids)
	}
}

func assertUnique(t *testing.T, o out) {
	t.Helper()
	seen := map[string]bool{}
	for _, c := range o.Conversions {
		if seen["c"+c.ConversionID] {
			t.Errorf("conversion %s twice", c.ConversionID)
		}
		seen["c"+c.ConversionID] = true
	}
	for _, tp := range o.Touchpoints {
		if seen["t"+tp.TouchpointID] {
			t.Errorf("touchpoint %s twice", tp.TouchpointID)
		}
		seen["t"+tp.TouchpointID] = true
	}
	for _, id := range o.Identities {
		if seen["i"+id.AnonymousID] {
			t.Errorf("identity %s twice", id.AnonymousID)
		}
		seen["i"+id.AnonymousID] = true
	}
}

func TestExtractFailures(t *testing.T) {
	tests := []struct {
		name      string
		settings  func(*Settings)
		faults    []emulator.Fault
		wantIs    error
		wantMsg   []string
		wantReqs  int
		wantSleep int
	}{
		{
			name:     "wrong token fails fast naming the private app token",
			settings: func(s *Settings) { s.AccessToken = "pat-na1-wrong-token-value" },
			wantIs:   httpx.ErrUnauthorized,
			wantMsg: []string{"hubspot: deals search (window 1 from 2026-11-16T00:00:00Z) page 1:",
				"HTTP 401", "INVALID_AUTHENTICATION", "renew the HubSpot private app token in sources.hubspot.access_token"},
			wantReqs: 1,
		},
		{
			name:     "token expires mid-paging",
			settings: func(s *Settings) { s.PageLimit = 2 },
			faults: []emulator.Fault{func() emulator.Fault {
				f := hubspotemu.TokenExpiredFault()
				f.Skip = 1
				return f
			}()},
			wantIs:   httpx.ErrUnauthorized,
			wantMsg:  []string{"deals search", "page 2", "EXPIRED_AUTHENTICATION", "private app token"},
			wantReqs: 2,
		},
		{
			name:     "daily limit fails at once",
			faults:   []emulator.Fault{hubspotemu.RateLimitFault("DAILY")},
			wantIs:   ErrDailyLimit,
			wantMsg:  []string{"HTTP 429: daily API limit exhausted (policy DAILY", "You have reached your daily limit."},
			wantReqs: 1,
		},
		{
			name:      "secondly limit until retries run out",
			settings:  func(s *Settings) { s.MaxRetries = 2 },
			faults:    emulator.Repeat(3, hubspotemu.RateLimitFault("SECONDLY")),
			wantIs:    httpx.ErrRetriesExhausted,
			wantMsg:   []string{"HTTP 429: policy SECONDLY: You have reached your secondly limit. (after 3 attempts)"},
			wantReqs:  3,
			wantSleep: 2,
		},
		{
			name:     "malformed body",
			faults:   []emulator.Fault{{Status: 200, Body: `{"total":3,"results":[{"id":"1","properties":`}},
			wantIs:   httpx.ErrInvalidJSON,
			wantMsg:  []string{"deals search", "page 1", "invalid JSON"},
			wantReqs: 1,
		},
		{
			name:     "property that is an object",
			faults:   []emulator.Fault{{Status: 200, Body: `{"total":1,"results":[{"id":"1","properties":{"amount":{"v":1}}}]}`}},
			wantIs:   httpx.ErrInvalidJSON,
			wantMsg:  []string{"property value is an object"},
			wantReqs: 1,
		},
		{
			name: "unreadable amount fails the source",
			faults: []emulator.Fault{{Status: 200, Body: `{"total":1,"results":[{"id":"77","properties":{"dealstage":"closedwon",` +
				`"amount":"lots","closedate":"2026-11-18","hs_lastmodifieddate":"2026-11-18T00:00:00Z"}}]}`}},
			wantIs:   ErrBadRecord,
			wantMsg:  []string{"hubspot: deal 77:", `amount: not a decimal number: "lots"`},
			wantReqs: 3, // deals, contacts, associations, then the mapping fails
		},
		{
			name:     "validation error from HubSpot",
			faults:   []emulator.Fault{{Status: 400, Body: hubspotemu.ErrorBody("VALIDATION_ERROR", "Property \"utm_foo\" does not exist")}},
			wantIs:   httpx.ErrStatus,
			wantMsg:  []string{"HTTP 400: VALIDATION_ERROR: Property \"utm_foo\" does not exist"},
			wantReqs: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, hubspotemu.Config{}, tt.settings)
			h.emu.Inject(tt.faults...)
			_, err := h.run(t, day16)
			if !errors.Is(err, tt.wantIs) {
				t.Fatalf("err = %v, want errors.Is %v", err, tt.wantIs)
			}
			for _, m := range tt.wantMsg {
				if !strings.Contains(err.Error(), m) {
					t.Errorf("error %q\ndoes not contain %q", err, m)
				}
			}
			if n := len(h.emu.Requests()); n != tt.wantReqs {
				t.Errorf("requests = %d, want %d", n, tt.wantReqs)
			}
			if len(h.sleeps.D) != tt.wantSleep {
				t.Errorf("sleeps = %v, want %d", h.sleeps.D, tt.wantSleep)
			}
		})
	}
}

func TestExtractDemoBrand(t *testing.T) {
	b := demoBrand(t)
	data := hubspotemu.FromBrand(b)
	h := newHarness(t, hubspotemu.Config{Data: data, SearchCap: 6}, func(s *Settings) { s.PageLimit = 3 })
	got, err := h.run(t, transform.Date(2026, 1, 1))
	if err != nil {
		t.Fatal(err)
	}
	assertUnique(t, got)
	won := 0
	for _, d := range data.Deals {
		if d.Properties["dealstage"] == "closedwon" {
			won++
		}
	}
	if len(got.Conversions) != won || won == 0 {
		t.Errorf("%d conversions, want the %d won deals", len(got.Conversions), won)
	}
	if len(got.Touchpoints) == 0 || len(got.Identities) < len(data.Contacts) {
		t.Errorf("%d touchpoints, %d identities for %d contacts", len(got.Touchpoints), len(got.Identities), len(data.Contacts))
	}
	for _, c := range got.Conversions {
		if c.PersonID == "" || c.Revenue.LessThanOrEqual(decimal.NewFromInt(999)) || c.Type != "deal_won" {
			t.Errorf("implausible conversion %+v", c)
		}
	}
	// contact_touchpoints: false leaves the sessions to the web export;
	// conversions and identities are the same.
	h2 := newHarness(t, hubspotemu.Config{Data: data}, func(s *Settings) { f := false; s.ContactTouchpoints = &f })
	got2, err := h2.run(t, transform.Date(2026, 1, 1))
	if err != nil {
		t.Fatal(err)
	}
	if len(got2.Touchpoints) != 0 || len(got2.Conversions) != len(got.Conversions) || len(got2.Identities) != len(got.Identities) {
		t.Errorf("contact_touchpoints false: %d touchpoints, %d/%d conversions, %d/%d identities", len(got2.Touchpoints),
			len(got2.Conversions), len(got.Conversions), len(got2.Identities), len(got.Identities))
	}
}

func TestSettingsNeverPrintToken(t *testing.T) {
	s := DefaultSettings()
	s.AccessToken = token
	for _, txt := range []string{mustJSON(t, s), fmtV(s)} {
		if strings.Contains(txt, token) {
			t.Errorf("token printed: %s", txt)
		}
	}
}

func TestClassify(t *testing.T) {
	// classify leaves successes and non-HubSpot bodies to the generic rules.
	for _, tt := range []struct {
		status int
		body   string
		want   httpx.Action
	}{
		{200, `{"results":[]}`, httpx.Default},
		{429, `not json`, httpx.Default},
		{429, `{"status":"error","message":"x","policyName":"TEN_SECONDLY_ROLLING"}`, httpx.Retry},
		{429, `{"status":"error","message":"x","policyName":"DAILY"}`, httpx.Fatal},
		{401, `{"status":"error","message":"x","category":"INVALID_AUTHENTICATION"}`, httpx.Default},
	} {
		v := classify(&http.Response{StatusCode: tt.status}, []byte(tt.body))
		if v.Action != tt.want {
			t.Errorf("%d %s: action %v, want %v", tt.status, tt.body, v.Action, tt.want)
		}
	}
}

package salesforce

import (
	"bytes"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/socialroi/socialroi/extract"
	"github.com/socialroi/socialroi/extract/emulator"
	salesforceemu "github.com/socialroi/socialroi/extract/emulator/salesforce"
	"github.com/socialroi/socialroi/extract/httpx"
	"github.com/socialroi/socialroi/transform"
)

const token = "00D5g000004SECRET!AQ0AQLqvTOKENvalue.abc_def"

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

// org is the hand-made org every connector test runs against.
func org() salesforceemu.Data {
	return salesforceemu.Data{
		Contacts: []salesforceemu.Record{
			{ID: "0031", CreatedDate: at("2026-11-16T10:00:00Z"), SystemModstamp: at("2026-11-17T09:00:00Z"), Fields: map[string]any{
				"Email": " Dana@Example.com", "utm_source__c": "linkedin", "utm_medium__c": "paid_social", "utm_campaign__c": "li_c1",
				"Landing_Page__c": "https://shop.example.com/b2b?utm_content=li_ad1&li_fat_id=abc-123", "Web_Visitor_Id__c": "anon-dana"}},
			{ID: "0032", CreatedDate: at("2026-11-16T12:00:00Z"), SystemModstamp: at("2026-11-18T00:00:00Z"), Fields: map[string]any{
				"Email": "erin@example.com", "utm_source__c": nil}},
		},
		Leads: []salesforceemu.Record{
			// Converted to Dana's contact, and created earlier: its first
			// touch is Dana's.
			{ID: "00Q1", CreatedDate: at("2026-11-10T08:00:00Z"), SystemModstamp: at("2026-11-16T10:00:00Z"), Fields: map[string]any{
				"Email": "dana@example.com", "IsConverted": true, "ConvertedContactId": "0031",
				"utm_source__c": "facebook", "utm_medium__c": "paid_social"}},
			{ID: "00Q2", CreatedDate: at("2026-11-16T09:00:00Z"), SystemModstamp: at("2026-11-16T09:00:00Z"), Fields: map[string]any{
				"Email": "frank@example.com", "IsConverted": false, "utm_source__c": "tiktok", "utm_medium__c": "paid_social",
				"Web_Visitor_Id__c": "anon-frank"}},
			// Modified before the main runs' window.
			{ID: "00Q3", CreatedDate: at("2026-11-01T08:00:00Z"), SystemModstamp: at("2026-11-05T08:00:00Z"), Fields: map[string]any{
				"Email": "gina@example.com", "IsConverted": false}},
		},
		Opportunities: []salesforceemu.Record{
			{ID: "0061", CreatedDate: at("2026-11-16T11:00:00Z"), SystemModstamp: at("2026-11-18T17:00:00Z"), Fields: map[string]any{
				"Amount": 1200.0, "CloseDate": "2026-11-18", "StageName": "Closed Won", "IsWon": true, "IsClosed": true, "ContactId": "0031"}},
			{ID: "0062", CreatedDate: at("2026-11-16T11:30:00Z"), SystemModstamp: at("2026-11-20T17:00:00Z"), Fields: map[string]any{
				"Amount": 99.999, "CloseDate": "2026-11-20", "StageName": "Closed Won", "IsWon": true, "IsClosed": true, "ContactId": "0031"}},
			{ID: "0063", CreatedDate: at("2026-11-17T08:00:00Z"), SystemModstamp: at("2026-11-17T08:00:00Z"), Fields: map[string]any{
				"Amount": nil, "CloseDate": "2027-01-31", "StageName": "Negotiation/Review", "IsWon": false, "IsClosed": false, "ContactId": "0032"}},
			{ID: "0064", CreatedDate: at("2026-11-17T08:00:00Z"), SystemModstamp: at("2026-11-19T08:00:00Z"), Fields: map[string]any{
				"Amount": 700.0, "CloseDate": "2026-11-19", "StageName": "Closed Lost", "IsWon": false, "IsClosed": true, "ContactId": "0032"}},
			{ID: "0065", CreatedDate: at("2026-11-17T08:00:00Z"), SystemModstamp: at("2026-11-21T08:00:00Z"), Fields: map[string]any{
				"Amount": 5000, "CloseDate": "2026-11-21", "StageName": "Closed Won", "IsWon": true, "IsClosed": true}},
			// Modified before the main runs' window.
			{ID: "0060", CreatedDate: at("2026-11-01T08:00:00Z"), SystemModstamp: at("2026-11-05T18:00:00Z"), Fields: map[string]any{
				"Amount": 75.25, "CloseDate": "2026-11-05", "StageName": "Closed Won", "IsWon": true, "IsClosed": true, "ContactId": "0032"}},
		},
	}
}

// Hashed emails, worked out with `printf '%s' dana@example.com | sha256sum`:
// " Dana@Example.com" must be trimmed and lower-cased first.
const (
	danaHash  = "email:07e2f1394b0ea80e2adca010ea8318df697001a005ba7452720edda4b0ce57b3" // dana@example.com
	erinHash  = "email:405340cd9ac94b08b93800aee3f0db2dd673256bc318987e51e177eb53cca1b2" // erin@example.com
	frankHash = "email:36a9b382f8c0e0f39b36c798e8bbb1e74724bd3a4f81d182b0fa87a466429de6" // frank@example.com
	ginaHash  = "email:599d34717b7120c914a6ee1efee023a0d348c1cf01444b9b295b33503503788b" // gina@example.com
)

// wantSince16 is what an extraction modified-since 2026-11-16 delivers.
func wantSince16(opportunities bool) out {
	o := out{
		Conversions: []transform.ConversionRow{
			{ConversionID: "salesforce:opportunity:0061", PersonID: "salesforce:contact:0031", TS: at("2026-11-18T12:00:00Z"),
				Type: "deal_won", Revenue: decimal.RequireFromString("1200"), Currency: "USD", IsNewCustomer: true,
				DealID: "0061", CRMSource: "salesforce"},
			{ConversionID: "salesforce:opportunity:0062", PersonID: "salesforce:contact:0031", TS: at("2026-11-20T12:00:00Z"),
				Type: "deal_won", Revenue: decimal.RequireFromString("100.00"), Currency: "USD",
				DealID: "0062", CRMSource: "salesforce"},
			{ConversionID: "salesforce:opportunity:0065", TS: at("2026-11-21T12:00:00Z"),
				Type: "deal_won", Revenue: decimal.RequireFromString("5000"), Currency: "USD", IsNewCustomer: true,
				DealID: "0065", CRMSource: "salesforce"},
		},
		Touchpoints: []transform.TouchpointRow{
			{TouchpointID: "salesforce:contact:0031:first", PersonID: "salesforce:contact:0031", TS: at("2026-11-10T08:00:00Z"),
				Interaction: "visit", UTMSource: "facebook", UTMMedium: "paid_social", Source: "crm_derived"},
			{TouchpointID: "salesforce:lead:00Q2:first", PersonID: "salesforce:lead:00Q2", TS: at("2026-11-16T09:00:00Z"),
				Interaction: "visit", UTMSource: "tiktok", UTMMedium: "paid_social", Source: "crm_derived"},
		},
		Identities: []transform.IdentityRow{
			{AnonymousID: "anon-dana", PersonID: "salesforce:contact:0031"},
			{AnonymousID: "anon-frank", PersonID: "salesforce:lead:00Q2"},
			{AnonymousID: danaHash, PersonID: "salesforce:contact:0031"},
			{AnonymousID: frankHash, PersonID: "salesforce:lead:00Q2"},
			{AnonymousID: erinHash, PersonID: "salesforce:contact:0032"},
		},
	}
	if opportunities {
		o.Conversions = append(o.Conversions[:2], transform.ConversionRow{
			ConversionID: "salesforce:opportunity:0063", PersonID: "salesforce:contact:0032", TS: at("2026-11-17T08:00:00Z"),
			Type: "opportunity", Revenue: decimal.Zero, Currency: "USD", DealID: "0063", CRMSource: "salesforce"}, o.Conversions[2])
	}
	return o
}

type harness struct {
	emu    *salesforceemu.Salesforce
	src    *Source
	sleeps *sleeps
	logs   *bytes.Buffer
	raw    string
}

func newHarness(t *testing.T, cfg salesforceemu.Config, mod func(*Settings)) *harness {
	t.Helper()
	if cfg.AccessToken == "" {
		cfg.AccessToken = token
	}
	if cfg.Data.Opportunities == nil && cfg.Data.Leads == nil {
		cfg.Data = org()
	}
	// The org has the first-touch fields of the brand's web-to-lead form.
	custom := map[string][]string{}
	for _, obj := range []string{salesforceemu.Lead, salesforceemu.Contact} {
		custom[obj] = append(slices.Clone(cfg.CustomFields[obj]), salesforceemu.BrandCustomFields...)
	}
	cfg.CustomFields = custom
	emu, err := salesforceemu.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { emu.Close() })
	set := DefaultSettings()
	set.BaseURL = emu.URL
	set.AccessToken = token
	set.RequestsPerSecond = 0
	set.Fields["landing_page"] = "Landing_Page__c"
	set.Fields["anonymous_id"] = "Web_Visitor_Id__c"
	if mod != nil {
		mod(&set)
	}
	src, err := NewSource("salesforce", set)
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{emu: emu, src: src, sleeps: &sleeps{}, logs: &bytes.Buffer{}, raw: t.TempDir()}
	src.sleep = h.sleeps.Sleep
	src.waitMin, src.waitMax = time.Second, 30*time.Second
	return h
}

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
		emu           salesforceemu.Config
		settings      func(*Settings)
		faults        []emulator.Fault
		opportunities bool
		wantRequests  int
		wantSleeps    int
		wantLog       string
	}{
		{name: "one batch per object", wantRequests: 3},
		{
			name: "paging through nextRecordsUrl to the end",
			// Opportunity: 5 records since the 16th / 2 = 3 pages; Lead: 2 =
			// 1; Contact: 2 = 1.
			emu:          salesforceemu.Config{PageSize: 2},
			wantRequests: 5,
		},
		{
			name:          "open opportunities",
			settings:      func(s *Settings) { s.ConversionTypes = []string{"deal_won", "opportunity"} },
			opportunities: true,
			wantRequests:  3,
		},
		{
			name:         "unknown extra field is ignored",
			emu:          salesforceemu.Config{ExtraField: "Unexpected__r"},
			wantRequests: 3,
		},
		{
			name:         "5xx burst, then success",
			faults:       emulator.Repeat(2, emulator.Fault{Status: 503, Body: `[{"message":"Server unavailable","errorCode":"SERVER_UNAVAILABLE"}]`}),
			wantRequests: 5,
			wantSleeps:   2,
		},
		{
			name:         "dropped connection is retried",
			faults:       []emulator.Fault{{CloseConnection: true}},
			wantRequests: 4,
			wantSleeps:   1,
		},
		{
			name:         "usage above 90% warns once",
			emu:          salesforceemu.Config{APILimit: 1000, APIUsedBefore: 900},
			wantRequests: 3,
			wantLog:      `"msg":"salesforce API usage above 90% of the org's daily allowance","source":"salesforce","api_used":901,"api_max":1000`,
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
			reqs := h.emu.Requests()
			if len(reqs) != tt.wantRequests {
				t.Errorf("requests = %d, want %d", len(reqs), tt.wantRequests)
			}
			if n := h.emu.PendingFaults(); n != 0 {
				t.Errorf("%d injected faults never served", n)
			}
			if len(h.sleeps.D) != tt.wantSleeps {
				t.Errorf("sleeps = %v, want %d", h.sleeps.D, tt.wantSleeps)
			}
			for _, r := range reqs {
				if r.Header.Get("Authorization") != "Bearer "+token || r.Header.Get("Sforce-Query-Options") != "batchSize=2000" {
					t.Errorf("request %s lacks the token or batch size: %v", r.Path, r.Header)
				}
				if strings.HasPrefix(r.Path, "/services/data/v61.0/query/01g") && len(r.Query) != 0 {
					t.Errorf("nextRecordsUrl %s not followed exactly: query %v", r.Path, r.Query)
				}
			}
			if tt.wantLog != "" && strings.Count(h.logs.String(), tt.wantLog) != 1 {
				t.Errorf("logs do not hold %s exactly once:\n%s", tt.wantLog, h.logs)
			}
			if !strings.Contains(h.logs.String(), `"api_used"`) {
				t.Error("API usage not logged")
			}
		})
	}
}

func TestQueriesSent(t *testing.T) {
	h := newHarness(t, salesforceemu.Config{}, nil)
	if _, err := h.run(t, day16); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"SELECT Id, Amount, CloseDate, StageName, IsWon, IsClosed, LeadSource, CampaignId, ContactId, CreatedDate, SystemModstamp FROM Opportunity WHERE SystemModstamp >= 2026-11-16T00:00:00Z ORDER BY SystemModstamp ASC, Id ASC",
		"SELECT Id, Email, LeadSource, IsConverted, ConvertedContactId, CreatedDate, SystemModstamp, Landing_Page__c, Web_Visitor_Id__c, utm_campaign__c, utm_content__c, utm_medium__c, utm_source__c, utm_term__c FROM Lead WHERE SystemModstamp >= 2026-11-16T00:00:00Z ORDER BY SystemModstamp ASC, Id ASC",
		"SELECT Id, Email, LeadSource, CreatedDate, SystemModstamp, Landing_Page__c, Web_Visitor_Id__c, utm_campaign__c, utm_content__c, utm_medium__c, utm_source__c, utm_term__c FROM Contact WHERE SystemModstamp >= 2026-11-16T00:00:00Z ORDER BY SystemModstamp ASC, Id ASC",
	}
	if diff := cmp.Diff(want, h.emu.Queries()); diff != "" {
		t.Errorf("SOQL (-want +got):\n%s", diff)
	}
}

func TestOrgSpecificFieldNames(t *testing.T) {
	// An org whose fields are called First_Touch_Source__c and so on.
	data := org()
	rename := map[string]string{"utm_source__c": "First_Touch_Source__c", "utm_medium__c": "First_Touch_Medium__c"}
	for _, rs := range [][]salesforceemu.Record{data.Leads, data.Contacts} {
		for _, r := range rs {
			for from, to := range rename {
				if v, ok := r.Fields[from]; ok {
					r.Fields[to] = v
					delete(r.Fields, from)
				}
			}
		}
	}
	h := newHarness(t, salesforceemu.Config{Data: data, CustomFields: map[string][]string{
		"Lead": {"First_Touch_Source__c", "First_Touch_Medium__c"}, "Contact": {"First_Touch_Source__c", "First_Touch_Medium__c"}}},
		func(s *Settings) {
			s.Fields = map[string]string{"utm_source": "First_Touch_Source__c", "utm_medium": "First_Touch_Medium__c",
				"landing_page": "Landing_Page__c", "anonymous_id": "Web_Visitor_Id__c"}
		})
	got, err := h.run(t, day16)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(wantSince16(false), got, decimalEqual); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
}

func TestIncrementalRerunsAgree(t *testing.T) {
	wide := newHarness(t, salesforceemu.Config{}, nil)
	all, err := wide.run(t, transform.Date(2026, 11, 1))
	if err != nil {
		t.Fatal(err)
	}
	narrow := newHarness(t, salesforceemu.Config{PageSize: 1}, nil)
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
	if len(all.Conversions) != 4 || len(all.Identities) != 6 || ids[ginaHash] != "salesforce:lead:00Q3" {
		t.Errorf("wide run: %d conversions, %d identities (%v), want 4 and 6 with gina", len(all.Conversions), len(all.Identities), ids)
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
		emu       salesforceemu.Config
		settings  func(*Settings)
		faults    []emulator.Fault
		wantIs    error
		wantMsg   []string
		wantReqs  int
		wantSleep int
	}{
		{
			name:     "wrong token fails fast naming the token",
			settings: func(s *Settings) { s.AccessToken = "00Dwrong!token" },
			wantIs:   httpx.ErrUnauthorized,
			wantMsg: []string{"salesforce: Opportunity query page 1:", "HTTP 401: INVALID_SESSION_ID: Session expired or invalid",
				"renew the Salesforce access token in sources.salesforce.access_token"},
			wantReqs: 1,
		},
		{
			name:     "session expires mid-paging",
			emu:      salesforceemu.Config{PageSize: 2},
			faults:   []emulator.Fault{func() emulator.Fault { f := salesforceemu.SessionExpiredFault(); f.Skip = 1; return f }()},
			wantIs:   httpx.ErrUnauthorized,
			wantMsg:  []string{"Opportunity query page 2", "INVALID_SESSION_ID", "sources.salesforce.access_token"},
			wantReqs: 2,
		},
		{
			name:     "daily API limit fails at once",
			faults:   []emulator.Fault{salesforceemu.RequestLimitFault()},
			wantIs:   ErrDailyLimit,
			wantMsg:  []string{"HTTP 403: daily API request limit exceeded (REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded."},
			wantReqs: 1,
		},
		{
			name:     "a field the org does not have",
			settings: func(s *Settings) { s.Fields["utm_term"] = "UTM_Keyword__c" },
			wantIs:   ErrQuery,
			wantMsg:  []string{"Lead query page 1", "HTTP 400: INVALID_FIELD: No such column 'UTM_Keyword__c' on entity 'Lead'"},
			wantReqs: 2,
		},
		{
			name:     "malformed query",
			faults:   []emulator.Fault{{Status: 400, Body: salesforceemu.ErrorBody("MALFORMED_QUERY", "unexpected token: 'FROM'")}},
			wantIs:   ErrQuery,
			wantMsg:  []string{"HTTP 400: MALFORMED_QUERY: unexpected token: 'FROM'"},
			wantReqs: 1,
		},
		{
			name:      "5xx until retries run out",
			settings:  func(s *Settings) { s.MaxRetries = 2 },
			faults:    emulator.Repeat(3, emulator.Fault{Status: 500, Body: "Internal Server Error"}),
			wantIs:    httpx.ErrRetriesExhausted,
			wantMsg:   []string{"HTTP 500: Internal Server Error (after 3 attempts)"},
			wantReqs:  3,
			wantSleep: 2,
		},
		{
			name:     "malformed body",
			faults:   []emulator.Fault{{Status: 200, Body: `{"totalSize":1,"done":true,"records":[{"Id":`}},
			wantIs:   httpx.ErrInvalidJSON,
			wantMsg:  []string{"Opportunity query page 1", "invalid JSON"},
			wantReqs: 1,
		},
		{
			name:     "not done without nextRecordsUrl",
			faults:   []emulator.Fault{{Status: 200, Body: `{"totalSize":3,"done":false,"records":[]}`}},
			wantIs:   nil,
			wantMsg:  []string{"Opportunity query page 1: done is false but nextRecordsUrl is missing"},
			wantReqs: 1,
		},
		{
			name: "unreadable close date",
			faults: []emulator.Fault{{Status: 200, Body: `{"totalSize":1,"done":true,"records":[{"attributes":{"type":"Opportunity"},` +
				`"Id":"0069","IsWon":true,"IsClosed":true,"Amount":10,"CloseDate":"18/11/2026"}]}`}},
			wantIs:   ErrBadRecord,
			wantMsg:  []string{"salesforce: opportunity 0069:", `CloseDate: "18/11/2026" is not a Salesforce date`},
			wantReqs: 3,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, tt.emu, tt.settings)
			h.emu.Inject(tt.faults...)
			_, err := h.run(t, day16)
			if err == nil || (tt.wantIs != nil && !errors.Is(err, tt.wantIs)) {
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
	data := salesforceemu.FromBrand(demoBrand(t))
	h := newHarness(t, salesforceemu.Config{Data: data, PageSize: 3}, func(s *Settings) {
		s.Fields["referrer"] = "Referrer__c"
	})
	got, err := h.run(t, transform.Date(2026, 1, 1))
	if err != nil {
		t.Fatal(err)
	}
	assertUnique(t, got)
	won := 0
	for _, o := range data.Opportunities {
		if o.Fields["IsWon"] == true {
			won++
		}
	}
	if len(got.Conversions) != won || won == 0 {
		t.Errorf("%d conversions, want the %d won opportunities", len(got.Conversions), won)
	}
	for _, c := range got.Conversions {
		if !strings.HasPrefix(c.PersonID, "salesforce:contact:003") || c.Revenue.LessThan(decimal.NewFromInt(1000)) {
			t.Errorf("implausible conversion %+v", c)
		}
	}
	if len(got.Touchpoints) == 0 || len(got.Identities) < len(data.Leads) {
		t.Errorf("%d touchpoints, %d identities for %d leads", len(got.Touchpoints), len(got.Identities), len(data.Leads))
	}
}

func TestClassify(t *testing.T) {
	l := &limits{log: slog.New(slog.DiscardHandler)}
	for _, tt := range []struct {
		status int
		body   string
		want   httpx.Action
		is     error
	}{
		{200, `{"done":true}`, httpx.Default, nil},
		{403, `[{"message":"TotalRequests Limit exceeded.","errorCode":"REQUEST_LIMIT_EXCEEDED"}]`, httpx.Fatal, ErrDailyLimit},
		{400, `[{"message":"x","errorCode":"MALFORMED_QUERY"}]`, httpx.Fatal, ErrQuery},
		{401, `[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]`, httpx.Default, nil},
		{503, `[{"message":"busy","errorCode":"SERVER_UNAVAILABLE"}]`, httpx.Retry, nil},
		{500, `<html>`, httpx.Default, nil},
	} {
		v := l.classify(&http.Response{StatusCode: tt.status, Header: http.Header{}}, []byte(tt.body))
		if v.Action != tt.want || !errors.Is(v.Err, tt.is) {
			t.Errorf("%d %s: %v %v, want %v %v", tt.status, tt.body, v.Action, v.Err, tt.want, tt.is)
		}
	}
}

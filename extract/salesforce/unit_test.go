package salesforce

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/socialroi/socialroi/extract"
	"github.com/socialroi/socialroi/extract/emulator/gen"
)

func demoBrand(t *testing.T) *gen.Brand {
	t.Helper()
	b, err := gen.Generate(gen.Config{Persons: 1500}) // enough wholesale leads that some deals are won
	if err != nil {
		t.Fatal(err)
	}
	return b
}

const base = "base_url: https://acme.my.salesforce.com\naccess_token: tok\n"

func TestNewValidatesSettings(t *testing.T) {
	tests := []struct {
		name    string
		yaml    string
		wantErr string
	}{
		{"minimal", base, ""},
		{"no base url", "access_token: t", "salesforce: base_url: must be the org's instance URL"},
		{"base url with a path", "access_token: t\nbase_url: https://acme.my.salesforce.com/services/data", "salesforce: base_url:"},
		{"no token", "base_url: https://x.my.salesforce.com", "salesforce: access_token: must not be empty"},
		{"unexpanded token", "base_url: https://x.my.salesforce.com\naccess_token: ${SF}", "salesforce: access_token: environment variable"},
		{"bad version", base + "api_version: '61'", "salesforce: api_version:"},
		{"injection through a field name", base + "fields: {utm_source: 'Id FROM User --'}", "salesforce: fields: utm_source:"},
		{"field with a quote", base + "fields: {utm_source: \"utm'__c\"}", "salesforce: fields: utm_source:"},
		{"unknown canonical field", base + "fields: {gclid: Gclid__c}", "salesforce: fields: key \"gclid\""},
		{"batch size too small", base + "batch_size: 100", "salesforce: batch_size: 100 is outside 200..2000"},
		{"batch size too large", base + "batch_size: 2001", "salesforce: batch_size:"},
		{"bad conversion type", base + "conversion_types: [won]", "salesforce: conversion_types: entry 1"},
		{"bad currency", base + "currency: euro", "salesforce: currency:"},
		{"negative rate", base + "requests_per_second: -2", "salesforce: requests_per_second:"},
		{"negative retries", base + "max_retries: -1", "salesforce: max_retries:"},
		{"unknown key", base + "field: {}", "field"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, err := New("salesforce", yamlSettings(tt.yaml))
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				s := src.(*Source).settings
				if s.APIVersion != "v61.0" || s.BatchSize != 2000 || s.Currency != "USD" || len(s.Fields) != 5 || s.MaxRetries != 5 {
					t.Errorf("defaults not applied: %+v", s)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.wantErr)
			}
		})
	}
}

func TestFieldsOverrideOneByOne(t *testing.T) {
	src, err := New("salesforce", yamlSettings(base+"fields: {utm_source: UTM_Source__c, utm_term: '', landing_page: LP__c}"))
	if err != nil {
		t.Fatal(err)
	}
	got := src.(*Source).personFields()
	want := []string{"LP__c", "UTM_Source__c", "utm_campaign__c", "utm_content__c", "utm_medium__c"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("fields (-want +got):\n%s", diff)
	}
}

func TestKindRegistered(t *testing.T) {
	k, err := extract.Lookup(Kind)
	if err != nil {
		t.Fatal(err)
	}
	example := strings.ReplaceAll(k.Settings, "type: salesforce\n", "")
	example = strings.ReplaceAll(example, "${SALESFORCE_TOKEN}", "tok")
	if _, err := k.New("salesforce", yamlSettings(example)); err != nil {
		t.Errorf("settings example does not validate: %v", err)
	}
}

func TestSettingsNeverPrintToken(t *testing.T) {
	s := DefaultSettings()
	s.AccessToken = token
	b, _ := json.Marshal(s)
	for _, txt := range []string{string(b), fmt.Sprintf("%v %+v %#v", s, s, s)} {
		if strings.Contains(txt, token) {
			t.Errorf("token printed: %s", txt)
		}
	}
}

func TestSOQL(t *testing.T) {
	got := SOQL("Lead", []string{"Id", "Email", "email", "utm_source__c"}, time.Date(2026, 11, 16, 0, 0, 0, 0, time.FixedZone("CET", 3600)))
	want := "SELECT Id, Email, utm_source__c FROM Lead WHERE SystemModstamp >= 2026-11-15T23:00:00Z ORDER BY SystemModstamp ASC, Id ASC"
	if got != want {
		t.Errorf("SOQL =\n%s\nwant\n%s", got, want)
	}
}

func TestParseLimitInfo(t *testing.T) {
	for _, tt := range []struct {
		in        string
		used, max int
		ok        bool
	}{
		{"api-usage=18/15000", 18, 15000, true},
		{"api-usage=25/15000; per-app-api-usage=17/250(appName=sample-connected-app)", 25, 15000, true},
		{"per-app-api-usage=17/250(appName=x); api-usage=9/100", 9, 100, true},
		{"", 0, 0, false},
		{"api-usage=18", 0, 0, false},
		{"api-usage=a/b", 0, 0, false},
		{"api-usage=1/0", 0, 0, false},
	} {
		u, m, ok := parseLimitInfo(tt.in)
		if u != tt.used || m != tt.max || ok != tt.ok {
			t.Errorf("parseLimitInfo(%q) = %d, %d, %v; want %d, %d, %v", tt.in, u, m, ok, tt.used, tt.max, tt.ok)
		}
	}
}

func TestParseTime(t *testing.T) {
	for _, tt := range []struct {
		in, want string
	}{
		{"2026-11-16T10:00:00.000+0000", "2026-11-16T10:00:00Z"},
		{"2026-11-16T10:00:00.000+0100", "2026-11-16T09:00:00Z"},
		{"2026-11-16T10:00:00Z", "2026-11-16T10:00:00Z"},
		{"2026-11-16", "2026-11-16T12:00:00Z"}, // a date: noon UTC
		{"16/11/2026", ""},
		{"", ""},
	} {
		got, err := parseTime(tt.in)
		if tt.want == "" {
			if err == nil {
				t.Errorf("parseTime(%q) = %v, want an error", tt.in, got)
			}
			continue
		}
		if err != nil || got.Format(time.RFC3339) != tt.want {
			t.Errorf("parseTime(%q) = %v, %v; want %s", tt.in, got, err, tt.want)
		}
	}
}

// FuzzParseLimitInfo: any header value parses to a sane usage or not at all.
func FuzzParseLimitInfo(f *testing.F) {
	for _, s := range []string{"api-usage=18/15000", "api-usage=25/15000; per-app-api-usage=17/250(appName=x)", "", "api-usage=/", "api-usage=-1/5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, m, ok := parseLimitInfo(s)
		if ok && (u < 0 || m <= 0) {
			t.Errorf("parseLimitInfo(%q) = %d/%d", s, u, m)
		}
	})
}

// FuzzParseTime: any string either parses to a UTC time or errors.
func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"2026-11-16T10:00:00.000+0000", "2026-11-16", "2026-11-16T10:00:00Z", "", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if ts, err := parseTime(s); err == nil && ts.Location() != time.UTC {
			t.Errorf("parseTime(%q) not UTC", s)
		}
	})
}

// FuzzClassify: error bodies of any shape never panic the hook, and a
// success is never turned into a failure.
func FuzzClassify(f *testing.F) {
	f.Add(403, `[{"message":"TotalRequests Limit exceeded.","errorCode":"REQUEST_LIMIT_EXCEEDED"}]`, "api-usage=15001/15000")
	f.Add(401, `[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]`, "")
	f.Add(400, `[{"message":"unexpected token","errorCode":"MALFORMED_QUERY","fields":["x"]}]`, "api-usage=1/1")
	f.Add(200, `{"done":true}`, "api-usage=18/15000")
	for _, name := range []string{"error_request_limit.json", "error_invalid_session.json", "error_malformed_query.json"} {
		f.Add(400, string(readFixture(f, name)), "")
	}
	f.Fuzz(func(t *testing.T, status int, body, limit string) {
		l := &limits{log: slog.New(slog.DiscardHandler)}
		v := l.classify(&http.Response{StatusCode: status, Header: http.Header{"Sforce-Limit-Info": {limit}}}, []byte(body))
		if status < 400 && v.Action != 0 {
			t.Errorf("status %d: action %v", status, v.Action)
		}
	})
}

// FuzzRecordRows: a record of any shape either fails to decode, or maps to
// rows (or a wrapped error) without panicking.
func FuzzRecordRows(f *testing.F) {
	f.Add(`{"attributes":{"type":"Opportunity"},"Id":"0061","Amount":1200.0,"CloseDate":"2026-11-18","IsWon":true,"IsClosed":true,"ContactId":"0031"}`)
	f.Add(`{"Id":"00Q1","Email":" A@B.C ","IsConverted":true,"ConvertedContactId":"003","CreatedDate":"2026-11-16T10:00:00.000+0000","utm_source__c":"fb","Landing_Page__c":"https://x/?utm_medium=m&gclid=1"}`)
	f.Add(`{"Id":"0063","Amount":1e3,"IsWon":false,"IsClosed":false,"CreatedDate":"2026-11-17"}`)
	// The documented shapes in testdata/salesforce, one record each.
	for _, name := range []string{"query_opportunities.json", "query_leads.json"} {
		var page struct{ Records []json.RawMessage }
		if err := json.Unmarshal(readFixture(f, name), &page); err != nil {
			f.Fatalf("fixture %s: %v", name, err)
		}
		for _, r := range page.Records {
			f.Add(string(r))
		}
	}
	s := DefaultSettings()
	s.BaseURL, s.AccessToken = "https://x.my.salesforce.com", "t"
	s.ConversionTypes = []string{TypeDealWon, TypeOpportunity}
	s.Fields["landing_page"], s.Fields["anonymous_id"] = "Landing_Page__c", "Web_Visitor_Id__c"
	src, err := NewSource("salesforce", s)
	if err != nil {
		f.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	f.Fuzz(func(t *testing.T, body string) {
		var r record
		if json.Unmarshal([]byte(body), &r) != nil {
			return
		}
		if rows, err := src.conversions([]record{r}); err == nil {
			for _, c := range rows {
				if c.TS.IsZero() || c.ConversionID == "" {
					t.Errorf("bad conversion %+v", c)
				}
			}
		}
		if tps, _, err := src.personRows([]record{r}, []record{r}, log); err == nil {
			for _, tp := range tps {
				if tp.TS.IsZero() || tp.Source != TouchpointSource {
					t.Errorf("bad touchpoint %+v", tp)
				}
			}
		}
	})
}

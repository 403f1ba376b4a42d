package hubspot

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/socialroi/socialroi/extract"
	"github.com/socialroi/socialroi/extract/emulator/gen"
	"github.com/socialroi/socialroi/transform"
)

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func fmtV(v any) string { return fmt.Sprintf("%v %+v %#v", v, v, v) }

func demoBrand(t *testing.T) *gen.Brand {
	t.Helper()
	b, err := gen.Generate(gen.Config{Persons: 400})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestNewValidatesSettings(t *testing.T) {
	tests := []struct {
		name    string
		yaml    string
		wantErr string
	}{
		{"minimal", "access_token: tok", ""},
		{"no token", "page_limit: 10", "hubspot: access_token: must not be empty"},
		{"unexpanded token", "access_token: ${HUBSPOT_TOKEN}", "hubspot: access_token: environment variable"},
		{"bad base url", "access_token: t\nbase_url: api.hubapi.com", "hubspot: base_url:"},
		{"page limit over 200", "access_token: t\npage_limit: 201", "hubspot: page_limit: 201 is outside 1..200"},
		{"page limit zero", "access_token: t\npage_limit: 0", "hubspot: page_limit:"},
		{"no won stages", "access_token: t\nwon_stages: []", "hubspot: won_stages: must not be empty"},
		{"won and lost", "access_token: t\nlost_stages: [closedwon]", "hubspot: lost_stages: stage \"closedwon\" is also in won_stages"},
		{"bad conversion type", "access_token: t\nconversion_types: [purchase]", "hubspot: conversion_types: entry 1 \"purchase\""},
		{"bad currency", "access_token: t\ncurrency: dollars", "hubspot: currency:"},
		{"bad utm key", "access_token: t\ncontact_utm_properties: {utm_foo: x}", "hubspot: contact_utm_properties: key \"utm_foo\""},
		{"bad utm property", "access_token: t\ncontact_utm_properties: {utm_source: 'Bad Name'}", "hubspot: contact_utm_properties: utm_source:"},
		{"bad anon property", "access_token: t\nanonymous_id_properties: ['a-b']", "hubspot: anonymous_id_properties: entry 1"},
		{"negative rate", "access_token: t\nrequests_per_second: -1", "hubspot: requests_per_second:"},
		{"negative retries", "access_token: t\nmax_retries: -1", "hubspot: max_retries:"},
		{"unknown key", "access_token: t\nwon_stage: [x]", "won_stage"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, err := New("hubspot", yamlSettings(tt.yaml))
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				s := src.(*Source).settings
				if diff := cmp.Diff(DefaultSettings().ContactUTMProperties, s.ContactUTMProperties); diff != "" ||
					s.PageLimit != 100 || s.Currency != "USD" || s.BaseURL != "https://api.hubapi.com" ||
					len(s.WonStages) != 1 || s.MaxRetries != 5 {
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

func TestUTMPropertiesOverrideOneByOne(t *testing.T) {
	src, err := New("hubspot", yamlSettings("access_token: t\ncontact_utm_properties: {utm_source: first_utm_source}"))
	if err != nil {
		t.Fatal(err)
	}
	got := src.(*Source).settings.ContactUTMProperties
	if got["utm_source"] != "first_utm_source" || got["utm_medium"] != "utm_medium" || len(got) != 5 {
		t.Errorf("contact_utm_properties = %v", got)
	}
	props := src.(*Source).contactProperties()
	if !strings.Contains(strings.Join(props, ","), "first_utm_source") || strings.Contains(strings.Join(props, ","), ",utm_source,") {
		t.Errorf("requested properties %v", props)
	}
}

func TestKindRegistered(t *testing.T) {
	k, err := extract.Lookup(Kind)
	if err != nil {
		t.Fatal(err)
	}
	example := strings.ReplaceAll(k.Settings, "type: hubspot\n", "")
	example = strings.ReplaceAll(example, "${HUBSPOT_TOKEN}", "tok")
	if _, err := k.New("hubspot", yamlSettings(example)); err != nil {
		t.Errorf("settings example does not validate: %v", err)
	}
	if diff := cmp.Diff([]string{transform.Conversions, transform.Touchpoints, transform.Identities}, k.Tables); diff != "" {
		t.Errorf("tables (-want +got):\n%s", diff)
	}
}

func TestParseTime(t *testing.T) {
	for _, tt := range []struct {
		in      string
		want    string
		wantErr bool
	}{
		{"2026-11-16T12:00:00Z", "2026-11-16T12:00:00Z", false},
		{"2026-11-16T12:00:00.123Z", "2026-11-16T12:00:00.123Z", false},
		{"2026-11-16T13:00:00+01:00", "2026-11-16T12:00:00Z", false},
		{"2026-11-16", "2026-11-16T12:00:00Z", false}, // date only: noon UTC
		{"1794787200000", "2026-11-16T00:00:00Z", false},
		{"", "", true},
		{"yesterday", "", true},
		{"99999999999999999999", "", true},
	} {
		got, err := parseTime(tt.in)
		if tt.wantErr {
			if err == nil {
				t.Errorf("parseTime(%q) = %v, want an error", tt.in, got)
			}
			continue
		}
		if err != nil || got.Format(time.RFC3339Nano) != tt.want {
			t.Errorf("parseTime(%q) = %v, %v; want %s", tt.in, got.Format(time.RFC3339Nano), err, tt.want)
		}
	}
}

func TestTouchpointsWithoutEvidence(t *testing.T) {
	src, err := NewSource("hubspot", Settings{AccessToken: "t", BaseURL: "https://x", WonStages: []string{"w"},
		ConversionTypes: []string{"deal_won"}, Currency: "USD", PageLimit: 1})
	if err != nil {
		t.Fatal(err)
	}
	var c record
	if err := json.Unmarshal([]byte(`{"id":"5","properties":{"createdate":"2026-11-16T00:00:00Z","hs_analytics_source":"DIRECT_TRAFFIC","email":null}}`), &c); err != nil {
		t.Fatal(err)
	}
	tps, err := src.touchpoints(c)
	if err != nil || len(tps) != 0 {
		t.Errorf("touchpoints = %v, %v; want none for a direct visit", tps, err)
	}
}

// FuzzParseTime: any string either parses to a UTC time or errors.
func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"2026-11-16T12:00:00Z", "2026-11-16", "1794787200000", "2026-11-16T12:00:00.000+05:30", "", "-1", "0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ts, err := parseTime(s)
		if err == nil && ts.Location() != time.UTC {
			t.Errorf("parseTime(%q) not UTC", s)
		}
	})
}

// FuzzClassify: HubSpot error bodies of any shape never panic the hook, and
// only a 429 can ask for a retry or a fatal stop.
func FuzzClassify(f *testing.F) {
	f.Add(429, `{"status":"error","message":"You have reached your secondly limit.","errorType":"RATE_LIMIT","policyName":"SECONDLY"}`)
	f.Add(429, `{"status":"error","message":"You have reached your daily limit.","errorType":"RATE_LIMIT","policyName":"DAILY"}`)
	f.Add(401, `{"status":"error","message":"Authentication credentials not found.","category":"INVALID_AUTHENTICATION"}`)
	f.Add(400, `{"status":"error","message":"bad","category":"VALIDATION_ERROR"}`)
	f.Add(500, `<html>`)
	for _, name := range []string{"error_429_ten_secondly.json", "error_429_daily.json", "error_401.json"} {
		b, err := os.ReadFile(filepath.Join(fixtures, name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(429, string(b))
	}
	f.Fuzz(func(t *testing.T, status int, body string) {
		v := classify(&http.Response{StatusCode: status}, []byte(body))
		if status != http.StatusTooManyRequests && v.Action != 0 {
			t.Errorf("status %d: action %v", status, v.Action)
		}
	})
}

// FuzzRecordRows: a search result of any shape either fails to decode, or
// maps to rows (or a wrapped error) without panicking.
func FuzzRecordRows(f *testing.F) {
	f.Add(`{"id":"9001","properties":{"dealstage":"closedwon","amount":"1500.50","closedate":"2026-11-18","hs_lastmodifieddate":"2026-11-18T12:00:00Z"}}`)
	f.Add(`{"id":"701","properties":{"email":" A@B.C ","hubspotutk":"x;y","utm_source":"fb","hs_analytics_first_url":"https://s/p?utm_medium=m&gclid=1","hs_analytics_last_timestamp":"1794787200000","hs_analytics_last_url":"%zz"}}`)
	f.Add(`{"id":"1","properties":{"amount":12.5,"deal_currency_code":"eur","dealstage":"open","createdate":"2026-11-16"}}`)
	// The documented shapes in testdata/hubspot, one result each.
	for _, name := range []string{"deals_search.json", "contacts_search.json"} {
		var page struct{ Results []json.RawMessage }
		b, err := os.ReadFile(filepath.Join(fixtures, name))
		if err != nil || json.Unmarshal(b, &page) != nil {
			f.Fatalf("fixture %s: %v", name, err)
		}
		for _, r := range page.Results {
			f.Add(string(r))
		}
	}
	src, err := NewSource("hubspot", func() Settings {
		s := DefaultSettings()
		s.AccessToken = "t"
		s.ConversionTypes = []string{TypeDealWon, TypeOpportunity}
		return s
	}())
	if err != nil {
		f.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	f.Fuzz(func(t *testing.T, body string) {
		var r record
		if json.Unmarshal([]byte(body), &r) != nil {
			return
		}
		if r.ID == "" {
			r.ID = "1"
		}
		if rows, err := src.conversions([]record{r}, map[string]string{r.ID: "2"}, log); err == nil {
			for _, c := range rows {
				if c.TS.IsZero() || c.ConversionID == "" {
					t.Errorf("bad conversion %+v", c)
				}
			}
		}
		if tps, _, err := src.contactRows([]record{r}, log); err == nil {
			for _, tp := range tps {
				if tp.TS.IsZero() || tp.Source != TouchpointSource {
					t.Errorf("bad touchpoint %+v", tp)
				}
			}
		}
	})
}

package meta

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
	"gopkg.in/yaml.v3"

	"github.com/socialroi/socialroi/extract"
	"github.com/socialroi/socialroi/extract/httpx"
	"github.com/socialroi/socialroi/transform"
)

// yamlSettings decodes strictly, as the config package does.
type yamlSettings string

func (y yamlSettings) Dir() string { return "" }

func (y yamlSettings) Decode(v any) error {
	dec := yaml.NewDecoder(strings.NewReader(string(y)))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	return nil
}

func TestNewValidatesSettings(t *testing.T) {
	tests := []struct {
		name    string
		yaml    string
		wantErr string
	}{
		{"minimal", "account_ids: [act_1, '22']\naccess_token: tok", ""},
		{"no accounts", "access_token: tok", "meta_ads: account_ids: must not be empty"},
		{"bad account", "account_ids: [act_x1]\naccess_token: tok", "meta_ads: account_ids: entry 1"},
		{"duplicate account", "account_ids: [act_1, '1']\naccess_token: tok", "meta_ads: account_ids: account 1 is listed twice"},
		{"no token", "account_ids: ['1']", "meta_ads: access_token: must not be empty"},
		{"unexpanded token", "account_ids: ['1']\naccess_token: ${META_TOKEN}", "meta_ads: access_token: environment variable"},
		{"bad version", "account_ids: ['1']\naccess_token: t\napi_version: 21", "meta_ads: api_version:"},
		{"bad base url", "account_ids: ['1']\naccess_token: t\nbase_url: graph.facebook.com", "meta_ads: base_url:"},
		{"page limit", "account_ids: ['1']\naccess_token: t\npage_limit: 0", "meta_ads: page_limit:"},
		{"negative rate", "account_ids: ['1']\naccess_token: t\nrequests_per_second: -1", "meta_ads: requests_per_second:"},
		{"negative retries", "account_ids: ['1']\naccess_token: t\nmax_retries: -1", "meta_ads: max_retries:"},
		{"empty action types", "account_ids: ['1']\naccess_token: t\nconversion_action_types: []", "meta_ads: conversion_action_types: must not be empty"},
		{"unknown key", "account_ids: ['1']\naccess_token: t\nacount_ids: ['2']", "acount_ids"},
		{"async days", "account_ids: ['1']\naccess_token: t\nasync_after_days: 0", "meta_ads: async_after_days:"},
		{"async interval", "account_ids: ['1']\naccess_token: t\nasync_poll_interval: 0s", "meta_ads: async_poll_interval:"},
		{"async max below interval", "account_ids: ['1']\naccess_token: t\nasync_poll_interval: 2m", "meta_ads: async_poll_max:"},
		{"async timeout", "account_ids: ['1']\naccess_token: t\nasync_timeout: -1m", "meta_ads: async_timeout:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, err := New("meta", yamlSettings(tt.yaml))
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				s := src.(*Source).settings
				if diff := cmp.Diff([]string{"1", "22"}, s.AccountIDs); diff != "" {
					t.Errorf("account ids (-want +got):\n%s", diff)
				}
				if s.APIVersion != "v21.0" || s.PageLimit != 500 || s.RequestsPerSecond != 5 || s.MaxRetries != 5 ||
					len(s.ConversionActionTypes) != 2 || s.BaseURL != "https://graph.facebook.com" || s.AsyncAfterDays != 31 ||
					s.AsyncPollInterval != 10*time.Second || s.AsyncPollMax != time.Minute || s.AsyncTimeout != 30*time.Minute {
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

func TestKindRegistered(t *testing.T) {
	k, err := extract.Lookup(Kind)
	if err != nil {
		t.Fatal(err)
	}
	// The documented example must itself be valid settings (minus type).
	example := strings.ReplaceAll(k.Settings, "type: meta_ads\n", "")
	example = strings.ReplaceAll(example, "${META_ACCESS_TOKEN}", "tok")
	if _, err := k.New("meta", yamlSettings(example)); err != nil {
		t.Errorf("settings example does not validate: %v", err)
	}
}

func TestSettingsNeverPrintToken(t *testing.T) {
	s := DefaultSettings()
	s.AccessToken = "EAAGsecret"
	b, _ := json.Marshal(s)
	if strings.Contains(string(b), "EAAGsecret") {
		t.Errorf("token in JSON: %s", b)
	}
}

func TestMapRow(t *testing.T) {
	const raw = `{"date_start":"2026-11-16","date_stop":"2026-11-16","account_id":"111","account_name":"Acme",
	"account_currency":"eur","campaign_id":"c1","ad_id":"ad1","publisher_platform":"Instagram",
	"spend":"107.530000000000033","impressions":"1000","clicks":"12","inline_link_clicks":"9",
	"actions":[{"action_type":"purchase","value":"3","7d_click":"2"},
	           {"action_type":"offsite_conversion.fb_pixel_purchase","value":"2.5"},
	           {"action_type":"link_click","value":"40"},{"action_type":"video_view","value":"321"}],
	"action_values":[{"action_type":"purchase","value":"150.10"},
	                 {"action_type":"offsite_conversion.fb_pixel_purchase","value":"99.99"},
	                 {"action_type":"add_to_cart","value":"1000"}]}`
	var r insightRow
	if err := json.Unmarshal([]byte(raw), &r); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name      string
		types     []string
		wantConv  float64
		wantValue string
	}{
		{"default types summed", []string{"purchase", "offsite_conversion.fb_pixel_purchase"}, 5.5, "250.09"},
		{"purchase only", []string{"purchase"}, 3, "150.1"},
		{"type absent", []string{"lead"}, 0, "0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := DefaultSettings()
			s.AccountIDs, s.AccessToken, s.ConversionActionTypes = []string{"111"}, "t", tt.types
			src, err := NewSource("meta", s)
			if err != nil {
				t.Fatal(err)
			}
			got, err := src.mapRow(r, "111", at)
			if err != nil {
				t.Fatal(err)
			}
			want := transform.AdPerformanceRow{
				Date: transform.Date(2026, 11, 16), Platform: "instagram", AccountID: "111", AccountName: "Acme",
				CampaignID: "c1", AdID: "ad1", Currency: "EUR",
				Spend:       decimal.RequireFromString("107.53"), // rounded to 4 decimals by ParseMoney
				Impressions: 1000, Clicks: 12, LinkClicks: 9, VideoViews3s: transform.Ptr[int64](321),
				PlatformConversions: tt.wantConv, PlatformConversionValue: decimal.RequireFromString(tt.wantValue),
				Source: "meta", ExtractedAt: at,
			}
			if diff := cmp.Diff(want, got, decimalEqual); diff != "" {
				t.Errorf("row (-want +got):\n%s", diff)
			}
			if got.Spend.String() != "107.53" {
				t.Errorf("spend = %s, want exactly 107.53", got.Spend)
			}
		})
	}
}

func TestMapRowErrors(t *testing.T) {
	s := DefaultSettings()
	s.AccountIDs, s.AccessToken = []string{"1"}, "t"
	src, err := NewSource("meta", s)
	if err != nil {
		t.Fatal(err)
	}
	base := `"date_start":"2026-11-16","ad_id":"a","publisher_platform":"facebook","account_currency":"EUR"`
	for name, tc := range map[string]struct{ raw, want string }{
		"bad spend":         {`{` + base + `,"spend":"12,5"}`, "spend"},
		"bad impressions":   {`{` + base + `,"impressions":"1e3x"}`, "impressions"},
		"fractional clicks": {`{` + base + `,"clicks":"1.5"}`, "clicks"},
		"no date":           {`{"ad_id":"a","publisher_platform":"facebook","account_currency":"EUR"}`, "date_start"},
		"no currency":       {`{"date_start":"2026-11-16","ad_id":"a","publisher_platform":"facebook"}`, "account_currency"},
		"no platform":       {`{"date_start":"2026-11-16","ad_id":"a","account_currency":"EUR"}`, "publisher_platform"},
	} {
		t.Run(name, func(t *testing.T) {
			var r insightRow
			if err := json.Unmarshal([]byte(tc.raw), &r); err != nil {
				t.Fatal(err)
			}
			_, err := src.mapRow(r, "1", time.Now())
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want mention of %s", err, tc.want)
			}
		})
	}
	// Numbers as JSON numbers are accepted; absent reach stays NULL.
	var r insightRow
	if err := json.Unmarshal([]byte(`{`+base+`,"impressions":1000,"spend":1.5}`), &r); err != nil {
		t.Fatal(err)
	}
	got, err := src.mapRow(r, "1", time.Now())
	if err != nil || got.Impressions != 1000 || !got.Spend.Equal(decimal.RequireFromString("1.5")) || got.Reach != nil || got.VideoViews3s != nil {
		t.Errorf("got %+v, %v", got, err)
	}
}

func TestClassify(t *testing.T) {
	graph := func(code int, msg string) string {
		return `{"error":{"message":"` + msg + `","type":"OAuthException","code":` + itoa(code) + `,"fbtrace_id":"x"}}`
	}
	tests := []struct {
		name       string
		status     int
		header     http.Header
		body       string
		wantAction httpx.Action
		wantWait   time.Duration
		wantPause  time.Duration
		wantErr    error
		wantMsg    string
	}{
		{"success", 200, nil, `{"data":[]}`, httpx.Default, 0, 0, nil, ""},
		{"user throttle", 400, nil, graph(17, "(#17) User request limit reached"), httpx.Retry, 0, 0, nil, "(#17) User request limit reached"},
		{"app throttle", 400, nil, graph(4, "Application request limit reached"), httpx.Retry, 0, 0, nil, "(#4) Application request limit reached"},
		{"rate 613", 400, nil, graph(613, "Calls exceeded"), httpx.Retry, 0, 0, nil, ""},
		{"business use case 80014", 400, nil, graph(80014, "too many"), httpx.Retry, 0, 0, nil, ""},
		{"80015 is not throttling", 400, nil, graph(80015, "other"), httpx.Fatal, 0, 0, ErrAPI, ""},
		{"throttle with regain time", 400,
			http.Header{"X-Business-Use-Case-Usage": {`{"1":[{"type":"ads_insights","call_count":100,"estimated_time_to_regain_access":3}]}`}},
			graph(80000, "too many"), httpx.Retry, 3 * time.Minute, 3 * time.Minute, nil, ""},
		{"token expired", 400, nil, graph(190, "Error validating access token"), httpx.Fatal, 0, 0, ErrTokenInvalid, "(#190) Error validating access token"},
		{"token expired as 401", 401, nil, graph(190, "expired"), httpx.Fatal, 0, 0, ErrTokenInvalid, ""},
		{"bad parameter", 400, nil, graph(100, "(#100) Invalid parameter"), httpx.Fatal, 0, 0, ErrAPI, "(#100) Invalid parameter"},
		{"5xx graph error retried", 500, nil, graph(1, "An unknown error occurred"), httpx.Retry, 0, 0, nil, ""},
		{"reduce the amount of data", 500, nil, graph(1, "Please reduce the amount of data you're asking for, then retry your request"),
			httpx.Fatal, 0, 0, ErrTooMuchData, "(#1) Please reduce the amount of data"},
		{"reduce data as plain text", 500, nil, "Please reduce the amount of data you're asking for", httpx.Fatal, 0, 0, ErrTooMuchData, ""},
		{"too much data 100/1487534", 400, nil, `{"error":{"message":"(#100) Too much data","code":100,"error_subcode":1487534}}`,
			httpx.Fatal, 0, 0, ErrTooMuchData, "(#100) Too much data"},
		{"non-graph 503 left to defaults", 503, nil, `<html>down</html>`, httpx.Default, 0, 0, nil, ""},
		{"high usage pauses", 200, http.Header{"X-Fb-Ads-Insights-Throttle": {`{"app_id_util_pct":96.2,"acc_id_util_pct":3}`}},
			`{}`, httpx.Default, 0, time.Minute, nil, ""},
		{"95 exactly does not pause", 200, http.Header{"X-App-Usage": {`{"call_count":95,"total_cputime":1,"total_time":1}`}},
			`{}`, httpx.Default, 0, 0, nil, ""},
		{"ad account usage pauses", 200, http.Header{"X-Ad-Account-Usage": {`{"acc_id_util_pct":99,"reset_time_duration":120}`}},
			`{}`, httpx.Default, 0, time.Minute, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := tt.header
			if h == nil {
				h = http.Header{}
			}
			v := classify(&http.Response{StatusCode: tt.status, Header: h}, []byte(tt.body))
			if v.Action != tt.wantAction || v.Wait != tt.wantWait || v.Pause != tt.wantPause || !errors.Is(v.Err, tt.wantErr) {
				t.Errorf("verdict = %+v, want action %s wait %s pause %s err %v", v, tt.wantAction, tt.wantWait, tt.wantPause, tt.wantErr)
			}
			if tt.wantMsg != "" && !strings.HasPrefix(v.Message, tt.wantMsg) {
				t.Errorf("message = %q, want prefix %q", v.Message, tt.wantMsg)
			}
		})
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// FuzzParseUsage: go test -fuzz=FuzzParseUsage ./extract/meta
func FuzzParseUsage(f *testing.F) {
	f.Add(`{"app_id_util_pct":12.5,"acc_id_util_pct":3,"ads_api_access_tier":"standard_access"}`,
		`{"123":[{"type":"ads_insights","call_count":28,"total_cputime":25,"total_time":25,"estimated_time_to_regain_access":0}]}`)
	f.Add(`{"call_count":"97"}`, `{"1":[{"estimated_time_to_regain_access":1e300}]}`)
	f.Add(`not json`, `{"1":[{"estimated_time_to_regain_access":-5}]}`)
	f.Add(`[]`, `{"1":null}`)
	f.Fuzz(func(t *testing.T, throttle, buc string) {
		h := http.Header{}
		h.Set("X-FB-Ads-Insights-Throttle", throttle)
		h.Set("X-App-Usage", throttle)
		h.Set("X-Business-Use-Case-Usage", buc)
		u := parseUsage(h)
		if u.regain < 0 || u.regain > 24*time.Hour {
			t.Fatalf("regain %s out of range", u.regain)
		}
		// classify must never panic on any header or body.
		classify(&http.Response{StatusCode: 400, Header: h}, []byte(buc))
		var buf bytes.Buffer
		buf.WriteString(throttle)
		parseGraphError(buf.Bytes())
	})
}

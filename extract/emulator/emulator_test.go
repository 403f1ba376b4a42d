package emulator

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/socialroi/socialroi/transform"
)

func get(t *testing.T, u string) (int, http.Header, string) {
	t.Helper()
	resp, err := http.Get(u)
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

func TestFaultScript(t *testing.T) {
	s, err := Start(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "normal") }))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.Inject(Fault{PathPrefix: "/b", Status: 418, Body: "b-fault"})
	s.Inject(Fault{Status: 429, Header: http.Header{"Retry-After": {"1"}}, Body: "slow"})
	s.Inject(Repeat(2, Fault{PathPrefix: "/a", Status: 503})...)
	s.Inject(Fault{PathPrefix: "/c", Status: 500, Skip: 1})

	type step struct {
		path   string
		status int
		body   string
	}
	steps := []step{
		{"/a/1", 429, "slow"},    // the first fault matching /a is the catch-all
		{"/b/1", 418, "b-fault"}, // /b fault was queued first
		{"/a/2", 503, ""},
		{"/c/1", 200, "normal"}, // skipped once
		{"/c/2", 500, ""},
		{"/a/3", 503, ""},
		{"/a/4", 200, "normal"},
	}
	for _, st := range steps {
		status, _, body := get(t, s.URL+st.path)
		if status != st.status || body != st.body {
			t.Errorf("%s: got %d %q, want %d %q", st.path, status, body, st.status, st.body)
		}
	}
	if s.PendingFaults() != 0 {
		t.Errorf("pending faults = %d", s.PendingFaults())
	}
	reqs := s.Requests()
	if len(reqs) != len(steps) || !reqs[0].Fault || reqs[3].Fault || reqs[3].Path != "/c/1" {
		t.Errorf("requests = %+v", reqs)
	}
	// A dropped connection is a transport error.
	s.Inject(Fault{CloseConnection: true})
	// A fresh connection: net/http silently retries a GET whose reused
	// keep-alive connection was closed, which would hide the fault.
	fresh := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	if _, err := fresh.Get(s.URL + "/x"); err == nil {
		t.Error("want a transport error for a dropped connection")
	}
}

func metaRows() []transform.AdPerformanceRow {
	return []transform.AdPerformanceRow{
		{Date: transform.Date(2026, 11, 16), Platform: "facebook", AccountID: "1", AdID: "a1", Spend: decimal.RequireFromString("12.34"),
			Impressions: 1000, Clicks: 10, LinkClicks: 8, Reach: transform.Ptr[int64](900), PlatformConversions: 3,
			PlatformConversionValue: decimal.RequireFromString("150.00")},
		{Date: transform.Date(2026, 11, 16), Platform: "instagram", AccountID: "1", AdID: "a1", Spend: decimal.RequireFromString("1"),
			Impressions: 50, VideoViews3s: transform.Ptr[int64](7)},
		{Date: transform.Date(2026, 11, 17), Platform: "facebook", AccountID: "1", AdID: "a1", Spend: decimal.RequireFromString("2")},
		{Date: transform.Date(2026, 11, 18), Platform: "facebook", AccountID: "1", AdID: "a1", Spend: decimal.RequireFromString("3")},
		{Date: transform.Date(2026, 11, 16), Platform: "tiktok", AccountID: "1", AdID: "t1"},
	}
}

func TestMetaEnvelope(t *testing.T) {
	m, err := NewMeta(MetaConfig{AccessToken: "tok", Accounts: map[string]MetaAccount{"1": {Name: "Acme", Currency: "EUR"}},
		Rows: metaRows(), PageSize: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	q := url.Values{"access_token": {"tok"}, "level": {"ad"}, "time_increment": {"1"}, "breakdowns": {"publisher_platform"},
		"time_range": {`{"since":"2026-11-16","until":"2026-11-17"}`}, "limit": {"100"},
		"fields": {"account_id,account_currency,ad_id,spend,impressions,reach,clicks,actions,action_values"}}
	status, h, body := get(t, m.URL+"/v21.0/act_1/insights?"+q.Encode())
	if status != 200 {
		t.Fatalf("status %d: %s", status, body)
	}
	for _, name := range []string{"X-Fb-Ads-Insights-Throttle", "X-Business-Use-Case-Usage", "X-App-Usage", "X-Ad-Account-Usage"} {
		if !json.Valid([]byte(h.Get(name))) {
			t.Errorf("usage header %s = %q", name, h.Get(name))
		}
	}
	var page struct {
		Data   []map[string]any
		Paging struct {
			Cursors struct{ Before, After string }
			Next    string
		}
	}
	if err := json.Unmarshal([]byte(body), &page); err != nil {
		t.Fatal(err)
	}
	if len(page.Data) != 2 || page.Paging.Next == "" || page.Paging.Cursors.After == "" {
		t.Fatalf("page 1 = %s", body)
	}
	fb := page.Data[0]
	if fb["spend"] != "12.34" || fb["impressions"] != "1000" || fb["reach"] != "900" || fb["account_currency"] != "EUR" ||
		fb["publisher_platform"] != "facebook" || fb["date_start"] != "2026-11-16" {
		t.Errorf("facebook row = %v", fb)
	}
	if _, ok := fb["inline_link_clicks"]; ok {
		t.Error("fields not requested must be absent")
	}
	ig := page.Data[1]
	if _, ok := ig["reach"]; ok {
		t.Error("a missing metric must be an absent key")
	}
	if _, ok := ig["action_values"]; ok {
		t.Error("no conversions: no action_values")
	}
	if !strings.Contains(body, `{"7d_click":"3","action_type":"purchase","1d_view":"0","value":"3"}`) &&
		!strings.Contains(body, `"action_type":"purchase"`) {
		t.Errorf("purchase action missing: %s", body)
	}
	// Page 2 (absolute next URL) is the last: one row in range, no next.
	status, _, body = get(t, page.Paging.Next)
	if status != 200 {
		t.Fatalf("page 2 status %d: %s", status, body)
	}
	page.Paging.Next = ""
	page.Data = nil
	if err := json.Unmarshal([]byte(body), &page); err != nil {
		t.Fatal(err)
	}
	if len(page.Data) != 1 || page.Paging.Next != "" || page.Data[0]["date_start"] != "2026-11-17" {
		t.Errorf("page 2 = %s", body)
	}

	for name, tc := range map[string]struct {
		query url.Values
		path  string
		code  string
	}{
		"wrong token":     {url.Values{"access_token": {"nope"}}, "/v21.0/act_1/insights", `"code":190`},
		"missing token":   {url.Values{}, "/v21.0/act_1/insights", `"code":104`},
		"unknown account": {q, "/v21.0/act_9/insights", `"code":100`},
		"unknown path":    {q, "/v21.0/me/adaccounts", `"code":2500`},
	} {
		status, _, body := get(t, m.URL+tc.path+"?"+tc.query.Encode())
		if status != 400 || !strings.Contains(body, tc.code) || !strings.Contains(body, `"type":"OAuthException"`) {
			t.Errorf("%s: %d %s", name, status, body)
		}
	}
}

func TestMetaDeterministic(t *testing.T) {
	cfg := MetaConfig{AccessToken: "tok", Rows: metaRows(), PageSize: 1, EmptyPages: []int{1}}
	var bodies [2]string
	for i := range bodies {
		m, err := NewMeta(cfg)
		if err != nil {
			t.Fatal(err)
		}
		q := url.Values{"access_token": {"tok"}, "level": {"ad"}, "time_increment": {"1"}, "breakdowns": {"publisher_platform"},
			"time_range": {`{"since":"2026-11-01","until":"2026-11-30"}`}}
		_, _, bodies[i] = get(t, m.URL+"/v21.0/act_1/insights?"+q.Encode())
		m.Close()
		// Host differs between servers; compare the rest.
		bodies[i] = strings.ReplaceAll(bodies[i], strings.TrimPrefix(m.URL, "http://"), "HOST")
	}
	if bodies[0] != bodies[1] {
		t.Errorf("two runs differ:\n%s\n%s", bodies[0], bodies[1])
	}
	if !strings.Contains(bodies[0], `"data":[]`) || !strings.Contains(bodies[0], `"next":"http://HOST/v21.0/act_1/insights?`) {
		t.Errorf("page 1 must be empty and carry next: %s", bodies[0])
	}
}

func TestNewMetaRejectsUnknownAccount(t *testing.T) {
	_, err := NewMeta(MetaConfig{AccessToken: "t", Accounts: map[string]MetaAccount{"2": {}}, Rows: metaRows()})
	if err == nil || !strings.Contains(err.Error(), "not in Accounts") {
		t.Errorf("err = %v", err)
	}
}

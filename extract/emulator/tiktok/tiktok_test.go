package tiktok

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

func rows() []transform.AdPerformanceRow {
	var out []transform.AdPerformanceRow
	for d := range 5 {
		out = append(out, transform.AdPerformanceRow{
			Date: transform.Date(2026, 11, 16+d), Platform: Platform, AccountID: "71", CampaignID: "17", CampaignName: "c",
			AdsetID: "18", AdsetName: "g", AdID: "19", AdName: "a", Currency: "EUR",
			Spend: decimal.RequireFromString("12.34"), Impressions: 1000, Clicks: 30, LinkClicks: 20,
			VideoViews3s: transform.Ptr[int64](300),
		})
	}
	return append(out, transform.AdPerformanceRow{Date: transform.Date(2026, 11, 16), Platform: "google", AccountID: "71", AdID: "g"})
}

func get(t *testing.T, s *Server, token string, q url.Values) map[string]any {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, s.URL+ReportPath+"?"+q.Encode(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Access-Token", token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("HTTP %d: %s", resp.StatusCode, b)
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestServer(t *testing.T) {
	s, err := New(Config{AccessToken: "tok", Rows: rows()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if a := s.Advertisers(); len(a) != 1 || a["71"] != "EUR" {
		t.Errorf("Advertisers = %v", a)
	}
	query := func(mod func(url.Values)) url.Values {
		q := url.Values{"advertiser_id": {"71"}, "report_type": {"BASIC"}, "data_level": {"AUCTION_AD"},
			"dimensions": {`["stat_time_day","ad_id"]`}, "metrics": {`["spend","clicks","reach","video_watched_2s","total_complete_payment_rate"]`},
			"start_date": {"2026-11-16"}, "end_date": {"2026-11-20"}, "page": {"2"}, "page_size": {"2"}}
		if mod != nil {
			mod(q)
		}
		return q
	}
	tests := []struct {
		name     string
		token    string
		q        url.Values
		wantCode float64
		wantMsg  string
	}{
		{"no token", "", query(nil), CodeTokenMissing, "Access token is null"},
		{"wrong token", "bad", query(nil), CodeTokenExpired, "revoked"},
		{"unknown advertiser", "tok", query(func(q url.Values) { q.Set("advertiser_id", "9") }), CodeNoPermission, "advertiser 9"},
		{"bad metric", "tok", query(func(q url.Values) { q.Set("metrics", `["cpm_x"]`) }), CodeInvalidParam, "cpm_x"},
		{"31 days", "tok", query(func(q url.Values) { q.Set("start_date", "2026-10-21") }), CodeInvalidParam, "cannot exceed 30 days"},
		{"page size", "tok", query(func(q url.Values) { q.Set("page_size", "1001") }), CodeInvalidParam, "page_size"},
		{"ok", "tok", query(nil), CodeOK, "OK"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := get(t, s, tt.token, tt.q)
			if got["code"] != tt.wantCode || !strings.Contains(got["message"].(string), tt.wantMsg) {
				t.Errorf("got code %v message %q, want %v %q", got["code"], got["message"], tt.wantCode, tt.wantMsg)
			}
			if _, ok := got["request_id"].(string); !ok {
				t.Error("no request_id")
			}
		})
	}
	got := get(t, s, "tok", query(nil))
	data := got["data"].(map[string]any)
	pi, _ := json.Marshal(data["page_info"])
	if string(pi) != `{"page":2,"page_size":2,"total_number":5,"total_page":3}` {
		t.Errorf("page_info = %s", pi)
	}
	list, _ := json.Marshal(data["list"])
	want := `[{"dimensions":{"ad_id":"19","stat_time_day":"2026-11-18 00:00:00"},"metrics":{"clicks":"20","reach":"-","spend":"12.34","total_complete_payment_rate":"-","video_watched_2s":"300"}},` +
		`{"dimensions":{"ad_id":"19","stat_time_day":"2026-11-19 00:00:00"},"metrics":{"clicks":"20","reach":"-","spend":"12.34","total_complete_payment_rate":"-","video_watched_2s":"300"}}]`
	if string(list) != want {
		t.Errorf("list =\n%s\nwant\n%s", list, want)
	}
	if f := ThrottleFault(); f.Status != 200 || !strings.Contains(f.Body, `"code":40100`) {
		t.Errorf("ThrottleFault = %+v", f)
	}
}

func TestAdvertiserInfo(t *testing.T) {
	info := func(s *Server, q url.Values) map[string]any {
		t.Helper()
		req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, s.URL+InfoPath+"?"+q.Encode(), nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Access-Token", "tok")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	rs := rows()
	rs[0].AccountName = "Demo DE"
	s, err := New(Config{AccessToken: "tok", Rows: rs, Advertisers: []string{"71", "72"},
		AdvertiserInfo: map[string]Advertiser{"72": {Name: "Demo US", Currency: "USD", Timezone: "Etc/GMT+5"}}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got := info(s, url.Values{"advertiser_ids": {`["71","72"]`}, "fields": {`["timezone","currency","name"]`}})
	b, _ := json.Marshal(got["data"])
	want := `{"list":[{"advertiser_id":"71","currency":"EUR","name":"Demo DE","timezone":"America/New_York"},` +
		`{"advertiser_id":"72","currency":"USD","name":"Demo US","timezone":"Etc/GMT+5"}]}`
	if got["code"] != float64(CodeOK) || string(b) != want {
		t.Errorf("info = %v %s, want code 0 and %s", got["code"], b, want)
	}
	if got := info(s, url.Values{"advertiser_ids": {`["99"]`}}); got["code"] != float64(CodeNoPermission) {
		t.Errorf("unknown advertiser: code %v, want %d", got["code"], CodeNoPermission)
	}
	if got := info(s, url.Values{"advertiser_ids": {`71`}}); got["code"] != float64(CodeInvalidParam) {
		t.Errorf("advertiser_ids not a JSON array: code %v, want %d", got["code"], CodeInvalidParam)
	}
	if got := info(s, url.Values{"advertiser_ids": {`["71"]`}, "fields": {`["balance"]`}}); got["code"] != float64(CodeInvalidParam) {
		t.Errorf("unknown field: code %v, want %d", got["code"], CodeInvalidParam)
	}
}

package googleads

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/socialroi/socialroi/transform"
)

func rows() []transform.AdPerformanceRow {
	r := transform.AdPerformanceRow{
		Date: transform.Date(2026, 11, 16), Platform: Platform, AccountID: "1234567890", AccountName: "Acme",
		CampaignID: "2", CampaignName: "c", AdsetID: "3", AdsetName: "g", AdID: "4", AdName: "a",
		DestinationURL: "https://shop.example.com/x?utm_source=google&utm_medium=cpc", Currency: "USD",
		Spend: decimal.RequireFromString("12.34"), Impressions: 1000, Clicks: 0,
		PlatformConversions: 1.5, PlatformConversionValue: decimal.RequireFromString("50.25"),
	}
	r2 := r
	r2.Date, r2.AdID = transform.Date(2026, 11, 17), "5"
	other := r
	other.Platform = "tiktok"
	return []transform.AdPerformanceRow{r, r2, other}
}

func post(t *testing.T, s *Server, header map[string]string, customer, query string) (int, string) {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"query": query})
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, s.URL+QueryURL("v21", customer), strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestServer(t *testing.T) {
	s, err := New(Config{AccessToken: "tok", DeveloperToken: "dev", Rows: rows(), BatchSize: 1, UTMIn: UTMInFinalURLSuffix})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if ids := s.CustomerIDs(); len(ids) != 1 || ids[0] != "1234567890" {
		t.Errorf("CustomerIDs = %v", ids)
	}
	auth := map[string]string{"Authorization": "Bearer tok", "developer-token": "dev"}
	const q = "SELECT customer.id, ad_group_ad.ad.id, ad_group_ad.ad.final_urls, ad_group_ad.ad.final_url_suffix, segments.date, " +
		"metrics.cost_micros, metrics.clicks, metrics.conversions, metrics.conversions_value FROM ad_group_ad " +
		"WHERE segments.date BETWEEN '2026-11-16' AND '2026-11-16'"
	tests := []struct {
		name     string
		header   map[string]string
		customer string
		query    string
		status   int
		want     []string
		notWant  []string
	}{
		{"no token", map[string]string{"developer-token": "dev"}, "1234567890", q, 401, []string{`"status":"UNAUTHENTICATED"`}, nil},
		{"no developer token", map[string]string{"Authorization": "Bearer tok"}, "1234567890", q, 403, []string{"DEVELOPER_TOKEN_PARAMETER_MISSING"}, nil},
		{"unknown customer", auth, "1111111111", q, 403, []string{"USER_PERMISSION_DENIED"}, nil},
		{"unknown field", auth, "1234567890", "SELECT metrics.foo FROM ad_group_ad WHERE segments.date BETWEEN '2026-11-16' AND '2026-11-16'", 400, []string{"UNRECOGNIZED_FIELD", "metrics.foo"}, nil},
		{"no date range", auth, "1234567890", "SELECT customer.id FROM ad_group_ad", 400, []string{"EXPECTED_FILTERS_ON_DATE_RANGE"}, nil},
		{"served in the real shape", auth, "1234567890", q, 200, []string{
			`"customer":{"id":"1234567890","resourceName":"customers/1234567890"}`,
			`"costMicros":"12340000"`, `"conversions":1.5`, `"conversionsValue":50.25`,
			`"finalUrls":["https://shop.example.com/x"]`, `"finalUrlSuffix":"utm_source=google&utm_medium=cpc"`,
			`"fieldMask":"customer.id,adGroupAd.ad.id,adGroupAd.ad.finalUrls,adGroupAd.ad.finalUrlSuffix,segments.date,metrics.costMicros,metrics.clicks,metrics.conversions,metrics.conversionsValue"`,
			`"segments":{"date":"2026-11-16"}`, `"queryResourceConsumption"`,
		}, []string{`"clicks"`, `"impressions"`, `"campaign"`, `"2026-11-17"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := post(t, s, tt.header, tt.customer, tt.query)
			if status != tt.status {
				t.Errorf("status = %d, want %d: %s", status, tt.status, body)
			}
			for _, w := range tt.want {
				if !strings.Contains(body, w) {
					t.Errorf("body lacks %s:\n%s", w, body)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(body, w) {
					t.Errorf("body has %s:\n%s", w, body)
				}
			}
		})
	}
	// Two rows in batches of one: two batches, the last with the consumption.
	_, body := post(t, s, auth, "1234567890", strings.Replace(q, "AND '2026-11-16'", "AND '2026-11-17'", 1))
	var batches []map[string]json.RawMessage
	if err := json.Unmarshal([]byte(body), &batches); err != nil || len(batches) != 2 {
		t.Fatalf("batches = %d, %v: %s", len(batches), err, body)
	}
	if _, ok := batches[0]["queryResourceConsumption"]; ok {
		t.Error("queryResourceConsumption on the first batch")
	}
}

func TestFaultBodies(t *testing.T) {
	f := ResourceExhausted(40591 * time.Second)
	if f.Status != 429 || !strings.Contains(f.Body, `"retryDelay":"40591s"`) || !strings.Contains(f.Body, "Retry in 40591 seconds") {
		t.Errorf("ResourceExhausted = %+v", f)
	}
	if f := ResourceExhausted(1500 * time.Millisecond); !strings.Contains(f.Body, `"retryDelay":"1.5s"`) {
		t.Errorf("fractional delay: %s", f.Body)
	}
	if f := DeveloperTokenFault(); f.Status != 403 || !strings.Contains(f.Body, "DEVELOPER_TOKEN_NOT_APPROVED") {
		t.Errorf("DeveloperTokenFault = %+v", f)
	}
	if _, err := New(Config{AccessToken: "a", DeveloperToken: "d", UTMIn: "query"}); err == nil {
		t.Error("bad UTMIn accepted")
	}
}

func TestCustomerTimeZone(t *testing.T) {
	auth := map[string]string{"Authorization": "Bearer tok", "developer-token": "dev"}
	const q = "SELECT customer.time_zone, ad_group_ad.ad.id, segments.date FROM ad_group_ad " +
		"WHERE segments.date BETWEEN '2026-11-16' AND '2026-11-16'"
	withZone := rows()
	withZone[0].AccountTimezone = "Europe/Paris"
	for _, tc := range []struct {
		name string
		cfg  Config
		want string
	}{
		{"default", Config{Rows: rows()}, `"timeZone":"America/New_York"`},
		{"from the rows", Config{Rows: withZone}, `"timeZone":"Europe/Paris"`},
		{"configured", Config{Rows: rows(), Customers: map[string]Customer{"123-456-7890": {Name: "Acme", Currency: "USD", TimeZone: "Asia/Tokyo"}}},
			`"timeZone":"Asia/Tokyo"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.cfg.AccessToken, tc.cfg.DeveloperToken = "tok", "dev"
			s, err := New(tc.cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			status, body := post(t, s, auth, "1234567890", q)
			if status != 200 || !strings.Contains(body, tc.want) {
				t.Errorf("HTTP %d %s, want %s", status, body, tc.want)
			}
		})
	}
}

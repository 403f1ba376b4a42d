package linkedin

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/socialroi/socialroi/transform"
)

const tok = "li-token"

func rows() []transform.AdPerformanceRow {
	base := transform.AdPerformanceRow{Platform: "linkedin", AccountID: "123", AccountName: "Acme", Currency: "USD",
		CampaignID: "10", CampaignName: "camp ten"}
	var out []transform.AdPerformanceRow
	for d := 16; d <= 18; d++ {
		for _, ad := range []struct{ id, name, post, url string }{
			{"789", "ad one", "55", "https://shop.example.com/a"},
			{"790", "ad two", "56", "https://shop.example.com/b"},
		} {
			r := base
			r.Date, r.AdID, r.AdName, r.CreativeID, r.CreativeName, r.DestinationURL = transform.Date(2026, 11, d), ad.id, ad.name, ad.post, "post "+ad.post, ad.url
			r.Spend, r.Impressions, r.Clicks, r.LinkClicks = decimal.RequireFromString("12.345"), 1000, 20, 15
			r.PlatformConversions, r.PlatformConversionValue = 2, decimal.RequireFromString("99.5")
			if ad.id == "790" {
				r.VideoViews3s = transform.Ptr[int64](300)
			}
			out = append(out, r)
		}
	}
	return append(out, transform.AdPerformanceRow{Date: transform.Date(2026, 11, 16), Platform: "facebook", AccountID: "123", AdID: "1"})
}

func start(t *testing.T, cfg Config) *Server {
	t.Helper()
	cfg.AccessToken = tok
	cfg.Rows = rows()
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func get(t *testing.T, u string, h map[string]string) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	std := map[string]string{"Authorization": "Bearer " + tok, "LinkedIn-Version": "202411", "X-Restli-Protocol-Version": "2.0.0"}
	for k, v := range h {
		std[k] = v
	}
	for k, v := range std {
		if v != "" {
			req.Header.Set(k, v)
		}
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
	return resp.StatusCode, string(b)
}

const analytics = "/rest/adAnalytics?q=analytics&pivot=CREATIVE&timeGranularity=DAILY" +
	"&dateRange=(start:(year:2026,month:11,day:16),end:(year:2026,month:11,day:17))" +
	"&accounts=List(urn%3Ali%3AsponsoredAccount%3A123)"

func TestAnalyticsEnvelope(t *testing.T) {
	s := start(t, Config{})
	status, body := get(t, s.URL+analytics+"&fields=dateRange,pivotValues,costInLocalCurrency,impressions,videoViews", nil)
	if status != 200 {
		t.Fatalf("status %d: %s", status, body)
	}
	var resp struct {
		Paging   map[string]any
		Elements []map[string]any
	}
	if err := json.Unmarshal([]byte(body), &resp); err != nil {
		t.Fatal(err)
	}
	if len(resp.Elements) != 4 || resp.Paging == nil {
		t.Fatalf("want 4 elements (2 days × 2 creatives) and paging: %s", body)
	}
	e := resp.Elements[0]
	if e["costInLocalCurrency"] != "12.3450000000000000000335346" || e["impressions"] != 1000.0 {
		t.Errorf("element = %v", e)
	}
	if _, ok := e["clicks"]; ok {
		t.Error("fields not requested must be absent")
	}
	if _, ok := e["videoViews"]; ok {
		t.Error("no video: videoViews absent")
	}
	if pv := e["pivotValues"].([]any); pv[0] != "urn:li:sponsoredCreative:789" {
		t.Errorf("pivotValues = %v", pv)
	}
	if !strings.Contains(body, `"dateRange":{"end":{"day":16,"month":11,"year":2026},"start":{"day":16,"month":11,"year":2026}}`) {
		t.Errorf("dateRange shape: %s", body)
	}
	if resp.Elements[1]["videoViews"] != 300.0 {
		t.Errorf("video element = %v", resp.Elements[1])
	}
	// Newer syntax for pivot and granularity is accepted too.
	newer := strings.Replace(strings.Replace(analytics, "pivot=CREATIVE", "pivot=(value:CREATIVE)", 1), "timeGranularity=DAILY", "timeGranularity=(value:DAILY)", 1)
	if status, body := get(t, s.URL+newer, nil); status != 200 {
		t.Errorf("newer syntax: %d %s", status, body)
	}
}

func TestAnalyticsTruncatesSilently(t *testing.T) {
	s := start(t, Config{MaxElements: 3})
	_, body := get(t, s.URL+strings.Replace(analytics, "day:17", "day:18", 1), nil)
	var resp struct{ Elements []any }
	if err := json.Unmarshal([]byte(body), &resp); err != nil {
		t.Fatal(err)
	}
	if len(resp.Elements) != 3 || strings.Contains(body, "truncat") {
		t.Errorf("want exactly 3 elements and no hint: %s", body)
	}
}

func TestRequestsRejected(t *testing.T) {
	s := start(t, Config{})
	tests := []struct {
		name   string
		path   string
		header map[string]string
		status int
		want   string
	}{
		{"no token", analytics, map[string]string{"Authorization": ""}, 401, `"serviceErrorCode":65604`},
		{"wrong token", analytics, map[string]string{"Authorization": "Bearer x"}, 401, `"code":"INVALID_ACCESS_TOKEN"`},
		{"no version", analytics, map[string]string{"LinkedIn-Version": ""}, 400, "VERSION_MISSING"},
		{"no protocol", analytics, map[string]string{"X-Restli-Protocol-Version": ""}, 400, "2.0.0"},
		{"URN not encoded", strings.Replace(analytics, "urn%3Ali%3AsponsoredAccount%3A123", "urn:li:sponsoredAccount:123", 1), nil, 400, "must be URL-encoded"},
		{"structure encoded", strings.Replace(analytics, "List(", "List%28", 1), nil, 400, "not a Rest.li List"},
		{"bad date range", strings.Replace(analytics, "day:17", "day:32", 1), nil, 400, "not a calendar day"},
		{"range backwards", strings.Replace(analytics, "day:16", "day:19", 1), nil, 400, "end is before start"},
		{"unknown field", analytics + "&fields=dateRange,approximateUniqueImpressions", nil, 400, "unknown field"},
		{"other pivot", strings.Replace(analytics, "CREATIVE", "CAMPAIGN", 1), nil, 400, "pivot=CREATIVE only"},
		{"foreign account", strings.Replace(analytics, "3A123", "3A999", 1), nil, 403, "ACCESS_DENIED"},
		{"unknown path", "/rest/adAccounts/123/adSets", nil, 404, "NOT_FOUND"},
		{"creatives wrong finder", "/rest/adAccounts/123/creatives?q=search", nil, 400, "q must be criteria"},
		{"page size too large", "/rest/adAccounts/123/adCampaigns?q=search&pageSize=5000", nil, 400, "pageSize must be"},
		{"bad page token", "/rest/adAccounts/123/adCampaigns?q=search&pageToken=zzz", nil, 400, "invalid pageToken"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := get(t, s.URL+tt.path, tt.header)
			if status != tt.status || !strings.Contains(body, tt.want) {
				t.Errorf("got %d %s, want %d containing %q", status, body, tt.status, tt.want)
			}
		})
	}
}

func TestListingsAndPosts(t *testing.T) {
	s := start(t, Config{PageSize: 1})
	status, body := get(t, s.URL+"/rest/adAccounts/123", nil)
	if status != 200 || !strings.Contains(body, `"currency":"USD"`) || !strings.Contains(body, `"name":"Acme"`) || !strings.Contains(body, `"id":123`) {
		t.Errorf("account: %d %s", status, body)
	}
	_, body = get(t, s.URL+"/rest/adAccounts/123/adCampaigns?q=search", nil)
	if !strings.Contains(body, `"id":10,"name":"camp ten"`) || strings.Contains(body, "nextPageToken") {
		t.Errorf("campaigns: %s", body)
	}
	// Creatives: two pages of one.
	var page struct {
		Elements []struct {
			ID, Name, Campaign string
			Content            struct{ Reference string }
		}
		Metadata struct{ NextPageToken string }
	}
	_, body = get(t, s.URL+"/rest/adAccounts/123/creatives?q=criteria&pageSize=10", nil)
	if err := json.Unmarshal([]byte(body), &page); err != nil {
		t.Fatal(err)
	}
	if len(page.Elements) != 1 || page.Elements[0].ID != "urn:li:sponsoredCreative:789" || page.Elements[0].Campaign != "urn:li:sponsoredCampaign:10" ||
		page.Elements[0].Content.Reference != "urn:li:share:55" || page.Metadata.NextPageToken == "" {
		t.Fatalf("creatives page 1: %s", body)
	}
	_, body = get(t, s.URL+"/rest/adAccounts/123/creatives?q=criteria&pageToken="+page.Metadata.NextPageToken, nil)
	page.Metadata.NextPageToken = ""
	if err := json.Unmarshal([]byte(body), &page); err != nil {
		t.Fatal(err)
	}
	if len(page.Elements) != 1 || page.Elements[0].Name != "ad two" || page.Metadata.NextPageToken != "" {
		t.Errorf("creatives page 2: %s", body)
	}
	// Posts: an article, a video with contentLandingPage, an unknown URN.
	_, body = get(t, s.URL+"/rest/posts?ids=List(urn%3Ali%3Ashare%3A55,urn%3Ali%3Ashare%3A56,urn%3Ali%3Ashare%3A1)", nil)
	for _, want := range []string{`"source":"https://shop.example.com/a"`, `"contentLandingPage":"https://shop.example.com/b"`,
		`"errors":{"urn:li:share:1":{"message":"Not found: urn:li:share:1","status":404}}`, `"title":"post 55"`} {
		if !strings.Contains(body, want) {
			t.Errorf("posts: %s\nlacks %s", body, want)
		}
	}
}

func TestFaults(t *testing.T) {
	s := start(t, Config{})
	s.Inject(ThrottleFault(true), ThrottleFault(false), TokenExpiredFault())
	for _, want := range []struct {
		status int
		body   string
	}{
		{429, `"message":"Resource level throttle APPLICATION DAY limit for calls to this resource is reached."`},
		{429, `"serviceErrorCode":101`},
		{401, `"code":"EXPIRED_ACCESS_TOKEN"`},
	} {
		status, body := get(t, s.URL+analytics, nil)
		if status != want.status || !strings.Contains(body, want.body) {
			t.Errorf("got %d %s, want %d %s", status, body, want.status, want.body)
		}
	}
}

func TestNewValidates(t *testing.T) {
	if _, err := New(Config{}); err == nil {
		t.Error("no token must fail")
	}
	bad := rows()
	bad[0].AdID = "ad-1"
	if _, err := New(Config{AccessToken: "t", Rows: bad}); err == nil || !strings.Contains(err.Error(), "must be digits") {
		t.Errorf("err = %v", err)
	}
	if _, err := New(Config{AccessToken: "t", Rows: rows(), Accounts: map[string]Account{"9": {}}}); err == nil ||
		!strings.Contains(err.Error(), "not in Accounts") {
		t.Errorf("err = %v", err)
	}
}

func TestDeterministic(t *testing.T) {
	var bodies [2]string
	for i := range bodies {
		s := start(t, Config{})
		_, bodies[i] = get(t, s.URL+analytics, nil)
	}
	if bodies[0] != bodies[1] {
		t.Errorf("two servers differ:\n%s\n%s", bodies[0], bodies[1])
	}
}

// FuzzRestli: go test -fuzz=FuzzRestli ./extract/emulator/linkedin
//
// The emulator's Rest.li query parsing must answer every query with a
// result or an error, never panic, and read back what a client built.
func FuzzRestli(f *testing.F) {
	f.Add(strings.TrimPrefix(analytics, "/rest/adAnalytics?"))
	f.Add("dateRange=(start:(year:2026,month:2,day:29),end:(year:2026,month:3,day:1))&accounts=List()")
	f.Add("accounts=List(urn%3Ali%3AsponsoredAccount%3A1,%ZZ)&q=analytics&q=x")
	f.Add("ids=List(urn%3Ali%3Ashare%3A1)&pageToken=b2Zmc2V0PTE")
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := rawQuery(raw)
		if err != nil {
			return
		}
		for k, v := range q {
			if items, err := restliList(v); err == nil {
				for _, it := range items {
					if strings.ContainsAny(it, "()") && !strings.Contains(v, "%28") && !strings.Contains(v, "%29") {
						t.Fatalf("%s: item %q has structure characters", k, it)
					}
				}
			}
			if since, until, err := parseDateRange(v); err == nil && until.Before(since) {
				t.Fatalf("%s: range %s..%s backwards", k, since, until)
			}
			_ = plain(v)
		}
	})
}

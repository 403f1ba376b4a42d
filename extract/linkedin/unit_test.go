package linkedin

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
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
	const ok = "account_ids: ['1']\naccess_token: t\n"
	tests := []struct {
		name    string
		yaml    string
		wantErr string
	}{
		{"minimal", "account_ids: ['urn:li:sponsoredAccount:1', '22']\naccess_token: tok", ""},
		{"no accounts", "access_token: tok", "linkedin_ads: account_ids: must not be empty"},
		{"bad account", "account_ids: [act_1]\naccess_token: tok", "linkedin_ads: account_ids: entry 1 \"act_1\""},
		{"duplicate account", "account_ids: ['urn:li:sponsoredAccount:1', '1']\naccess_token: tok", "account 1 is listed twice"},
		{"no token", "account_ids: ['1']", "linkedin_ads: access_token: must not be empty"},
		{"unexpanded token", "account_ids: ['1']\naccess_token: ${LI}", "linkedin_ads: access_token: environment variable"},
		{"bad version", ok + "api_version: v2", "linkedin_ads: api_version:"},
		{"bad base url", ok + "base_url: api.linkedin.com", "linkedin_ads: base_url:"},
		{"bad currency", ok + "currency: dollars", "linkedin_ads: currency:"},
		{"slice days zero", ok + "slice_days: 0", "linkedin_ads: slice_days: 0 is outside 1..366"},
		{"page size", ok + "page_size: 5000", "linkedin_ads: page_size:"},
		{"negative rate", ok + "requests_per_second: -1", "linkedin_ads: requests_per_second:"},
		{"negative retries", ok + "max_retries: -1", "linkedin_ads: max_retries:"},
		{"unknown key", ok + "slice_dayz: 3", "slice_dayz"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, err := New("linkedin", yamlSettings(tt.yaml))
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				s := src.(*Source).settings
				if diff := cmp.Diff([]string{"1", "22"}, s.AccountIDs); diff != "" {
					t.Errorf("account ids (-want +got):\n%s", diff)
				}
				if s.APIVersion != "202411" || s.SliceDays != 30 || s.PageSize != 100 || s.RequestsPerSecond != 2 ||
					s.MaxRetries != 5 || s.BaseURL != "https://api.linkedin.com" || s.Currency != "" {
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
	example := strings.ReplaceAll(k.Settings, "type: linkedin_ads\n", "")
	example = strings.ReplaceAll(example, "${LINKEDIN_ACCESS_TOKEN}", "tok")
	if _, err := k.New("linkedin", yamlSettings(example)); err != nil {
		t.Errorf("settings example does not validate: %v", err)
	}
	// Every commented key of the example is a real key.
	for _, line := range strings.Split(k.Settings, "\n") {
		line = strings.TrimPrefix(line, "# ")
		key, _, found := strings.Cut(line, ":")
		if !found || strings.ContainsAny(key, " #") || key == "type" {
			continue
		}
		if _, err := k.New("linkedin", yamlSettings(example+"\n"+line+"\n")); err != nil &&
			strings.Contains(err.Error(), "not found") {
			t.Errorf("example key %q is not a setting: %v", key, err)
		}
	}
}

func TestSettingsNeverPrintToken(t *testing.T) {
	s := DefaultSettings()
	s.AccessToken = "AQVsecret"
	b, _ := json.Marshal(s)
	if strings.Contains(string(b), "AQVsecret") {
		t.Errorf("token in JSON: %s", b)
	}
}

func TestRestliSyntax(t *testing.T) {
	got := analyticsPath("123", transform.Date(2026, 11, 16), transform.Date(2026, 11, 22))
	want := "/rest/adAnalytics?q=analytics&pivot=CREATIVE&timeGranularity=DAILY" +
		"&dateRange=(start:(year:2026,month:11,day:16),end:(year:2026,month:11,day:22))" +
		"&accounts=List(urn%3Ali%3AsponsoredAccount%3A123)" +
		"&fields=dateRange,pivotValues,impressions,clicks,landingPageClicks,costInLocalCurrency," +
		"externalWebsiteConversions,conversionValueInLocalCurrency,videoViews"
	if got != want {
		t.Errorf("analyticsPath =\n%s\nwant\n%s", got, want)
	}
	if got := postsPath([]string{"urn:li:share:1", "urn:li:ugcPost:2"}); got != "/rest/posts?ids=List(urn%3Ali%3Ashare%3A1,urn%3Ali%3AugcPost%3A2)" {
		t.Errorf("postsPath = %s", got)
	}
	if got := listPath("9", "creatives", "criteria", 100, "a b"); got != "/rest/adAccounts/9/creatives?pageSize=100&pageToken=a+b&q=criteria" {
		t.Errorf("listPath = %s", got)
	}
}

func TestDateSlices(t *testing.T) {
	d := func(day int) time.Time { return transform.Date(2026, 11, day) }
	tests := []struct {
		name         string
		since, until time.Time
		days         int
		want         [][2]time.Time
	}{
		{"one day", d(5), d(5), 30, [][2]time.Time{{d(5), d(5)}}},
		{"fits", d(1), d(30), 30, [][2]time.Time{{d(1), d(30)}}},
		{"uneven", d(1), d(10), 4, [][2]time.Time{{d(1), d(4)}, {d(5), d(8)}, {d(9), d(10)}}},
		{"daily", d(1), d(3), 1, [][2]time.Time{{d(1), d(1)}, {d(2), d(2)}, {d(3), d(3)}}},
		{"across months", transform.Date(2026, 1, 30), transform.Date(2026, 2, 2), 2,
			[][2]time.Time{{transform.Date(2026, 1, 30), transform.Date(2026, 1, 31)}, {transform.Date(2026, 2, 1), transform.Date(2026, 2, 2)}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, dateSlices(tt.since, tt.until, tt.days)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestClassify(t *testing.T) {
	body := func(status, sec int, code, msg string) string {
		b, _ := json.Marshal(map[string]any{"status": status, "serviceErrorCode": sec, "code": code, "message": msg})
		return string(b)
	}
	tests := []struct {
		name       string
		status     int
		body       string
		wantAction httpx.Action
		wantErr    error
		wantMsg    string
	}{
		{"success", 200, `{"elements":[]}`, httpx.Default, nil, ""},
		{"application day limit", 429, body(429, 101, "TOO_MANY_REQUESTS", "Resource level throttle APPLICATION DAY limit for calls to this resource is reached."),
			httpx.Fatal, ErrDailyLimit, "TOO_MANY_REQUESTS: Resource level throttle APPLICATION DAY limit"},
		{"member day limit", 429, body(429, 101, "TOO_MANY_REQUESTS", "Resource level throttle MEMBER DAY limit"), httpx.Fatal, ErrDailyLimit, ""},
		{"short-term throttle", 429, body(429, 101, "TOO_MANY_REQUESTS", "Resource level throttle MEMBER MINUTE limit"), httpx.Retry, nil, "[serviceErrorCode 101]"},
		{"429 without body", 429, ``, httpx.Retry, nil, ""},
		{"DAYS in a word is not the day limit", 429, body(429, 101, "X", "TODAYS traffic"), httpx.Retry, nil, ""},
		{"invalid token", 401, body(401, 65600, "INVALID_ACCESS_TOKEN", "Invalid access token"), httpx.Fatal, ErrTokenInvalid, "INVALID_ACCESS_TOKEN: Invalid access token"},
		{"401 without body", 401, `nope`, httpx.Fatal, ErrTokenInvalid, ""},
		{"bad parameter", 400, body(400, 100, "ILLEGAL_ARGUMENT", "fields: unknown"), httpx.Fatal, ErrAPI, "ILLEGAL_ARGUMENT: fields: unknown"},
		{"permission", 403, body(403, 100, "ACCESS_DENIED", "Not enough permissions"), httpx.Fatal, ErrAPI, ""},
		{"5xx left to generic retry", 500, body(500, 0, "", "Internal Server Error"), httpx.Default, nil, "Internal Server Error"},
		{"non-LinkedIn 404 left to generic rules", 404, `<html>`, httpx.Default, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := classify(&http.Response{StatusCode: tt.status, Header: http.Header{}}, []byte(tt.body))
			if v.Action != tt.wantAction || !errors.Is(v.Err, tt.wantErr) || v.Wait != 0 {
				t.Errorf("verdict = %+v, want action %s err %v", v, tt.wantAction, tt.wantErr)
			}
			if !strings.Contains(v.Message, tt.wantMsg) {
				t.Errorf("message = %q, want it to contain %q", v.Message, tt.wantMsg)
			}
		})
	}
}

func TestMapElement(t *testing.T) {
	acct := &account{id: "508", name: "Acme", currency: "EUR", ads: map[string]adInfo{
		"789": {name: "ad", campaignID: "1", campaignName: "camp", creativeID: "55", creativeName: "post", url: "https://x/?utm_source=linkedin"},
	}}
	at := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	const dr = `"dateRange":{"start":{"year":2026,"month":11,"day":16},"end":{"year":2026,"month":11,"day":16}}`
	tests := []struct {
		name      string
		raw       string
		want      transform.AdPerformanceRow
		wantKnown bool
		wantErr   string
	}{
		{
			name: "full element, long cost string rounded to 4 decimals",
			raw: `{` + dr + `,"pivotValues":["urn:li:sponsoredCreative:789"],"impressions":1000,"clicks":20,"landingPageClicks":15,
				"costInLocalCurrency":"107.5300000000000335346","externalWebsiteConversions":3,
				"conversionValueInLocalCurrency":"150.1000000000000227374","videoViews":321}`,
			want: transform.AdPerformanceRow{Date: transform.Date(2026, 11, 16), Platform: "linkedin", AccountID: "508", AccountName: "Acme", AccountTimezone: "UTC",
				CampaignID: "1", CampaignName: "camp", AdID: "789", AdName: "ad", CreativeID: "55", CreativeName: "post",
				DestinationURL: "https://x/?utm_source=linkedin", Currency: "EUR", Spend: decimal.RequireFromString("107.53"),
				Impressions: 1000, Clicks: 20, LinkClicks: 15, VideoViews3s: transform.Ptr[int64](321), PlatformConversions: 3,
				PlatformConversionValue: decimal.RequireFromString("150.1"), Source: "li", ExtractedAt: at},
			wantKnown: true,
		},
		{
			name: "unknown creative, absent metrics, counts as strings",
			raw:  `{` + dr + `,"pivotValues":["urn:li:sponsoredCreative:42"],"impressions":"7","costInLocalCurrency":null}`,
			want: transform.AdPerformanceRow{Date: transform.Date(2026, 11, 16), Platform: "linkedin", AccountID: "508", AccountName: "Acme", AccountTimezone: "UTC",
				AdID: "42", Currency: "EUR", Impressions: 7, Source: "li", ExtractedAt: at},
		},
		{name: "no date", raw: `{"pivotValues":["urn:li:sponsoredCreative:1"]}`, wantErr: "dateRange missing"},
		{name: "range row", raw: `{"dateRange":{"start":{"year":2026,"month":11,"day":16},"end":{"year":2026,"month":11,"day":22}},"pivotValues":["urn:li:sponsoredCreative:1"]}`, wantErr: "is not one day"},
		{name: "impossible day", raw: `{"dateRange":{"start":{"year":2026,"month":2,"day":30}},"pivotValues":["urn:li:sponsoredCreative:1"]}`, wantErr: "not a calendar day"},
		{name: "campaign pivot", raw: `{` + dr + `,"pivotValues":["urn:li:sponsoredCampaign:1"]}`, wantErr: "is not a sponsoredCreative URN"},
		{name: "two pivots", raw: `{` + dr + `,"pivotValues":["a","b"]}`, wantErr: "want one creative URN"},
		{name: "fractional clicks", raw: `{` + dr + `,"pivotValues":["urn:li:sponsoredCreative:1"],"clicks":1.5}`, wantErr: "clicks: \"1.5\" is not a whole number"},
		{name: "negative impressions", raw: `{` + dr + `,"pivotValues":["urn:li:sponsoredCreative:1"],"impressions":-1}`, wantErr: "impressions: -1 is negative"},
		{name: "bad cost", raw: `{` + dr + `,"pivotValues":["urn:li:sponsoredCreative:1"],"costInLocalCurrency":"1,5"}`, wantErr: "costInLocalCurrency: not a decimal number"},
		{name: "bad conversions", raw: `{` + dr + `,"pivotValues":["urn:li:sponsoredCreative:1"],"externalWebsiteConversions":"x"}`, wantErr: "externalWebsiteConversions"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var e element
			if err := json.Unmarshal([]byte(tt.raw), &e); err != nil {
				t.Fatal(err)
			}
			got, known, err := mapElement(e, acct, "li", at)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if known != tt.wantKnown {
				t.Errorf("known = %v", known)
			}
			if diff := cmp.Diff(tt.want, got, decimalEqual); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// FuzzElement: go test -fuzz=FuzzElement ./extract/linkedin
//
// Any analytics body must decode and map to a row or an error, never panic,
// and a mapped row is always one valid day with non-negative counts.
func FuzzElement(f *testing.F) {
	f.Add(`{"elements":[{"dateRange":{"start":{"year":2026,"month":11,"day":16},"end":{"year":2026,"month":11,"day":16}},"pivotValues":["urn:li:sponsoredCreative:789"],"impressions":1000,"clicks":20,"costInLocalCurrency":"107.5300000000000335346","videoViews":3}]}`)
	f.Add(`{"elements":[{"dateRange":{"start":{"year":0,"month":0,"day":0}},"pivotValues":["urn:li:sponsoredCreative:"]}]}`)
	f.Add(`{"elements":[{"dateRange":{"start":{"year":2026,"month":13,"day":1}},"pivotValues":[],"impressions":1e30}]}`)
	f.Add(`{"elements":[{"costInLocalCurrency":"1e999999","externalWebsiteConversions":"NaN"}]}`)
	f.Add(`{"status":429,"serviceErrorCode":101,"message":"APPLICATION DAY limit"}`)
	recorded, _ := filepath.Glob(filepath.Join(recordedDir, "*.json"))
	for _, p := range recorded {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
	}
	acct := &account{id: "1", currency: "USD", ads: map[string]adInfo{"789": {name: "x"}}}
	f.Fuzz(func(t *testing.T, body string) {
		classify(&http.Response{StatusCode: 429, Header: http.Header{}}, []byte(body))
		var resp struct {
			Elements []element `json:"elements"`
		}
		if json.Unmarshal([]byte(body), &resp) != nil {
			return
		}
		for _, e := range resp.Elements {
			row, _, err := mapElement(e, acct, "li", time.Unix(0, 0).UTC())
			if err != nil {
				continue
			}
			if row.Date.IsZero() || row.Impressions < 0 || row.Clicks < 0 || row.LinkClicks < 0 || row.AdID == "" {
				t.Fatalf("bad row from %s: %+v", body, row)
			}
		}
	})
}

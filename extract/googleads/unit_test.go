package googleads

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
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
	const creds = "\ndeveloper_token: dt\naccess_token: at"
	tests := []struct {
		name    string
		yaml    string
		wantErr string
	}{
		{"minimal", "customer_ids: ['123-456-7890', 1112223333]" + creds, ""},
		{"no customers", "developer_token: dt\naccess_token: at", "google_ads: customer_ids: must not be empty"},
		{"short customer", "customer_ids: ['12345']" + creds, "google_ads: customer_ids: entry 1 \"12345\" is not a customer id"},
		{"letters", "customer_ids: ['123-456-789x']" + creds, "google_ads: customer_ids: entry 1"},
		{"duplicate", "customer_ids: ['123-456-7890', '1234567890']" + creds, "customer 1234567890 is listed twice"},
		{"bad login customer", "customer_ids: ['1234567890']\nlogin_customer_id: abc" + creds, "google_ads: login_customer_id:"},
		{"no developer token", "customer_ids: ['1234567890']\naccess_token: at", "google_ads: developer_token: must not be empty"},
		{"no access token", "customer_ids: ['1234567890']\ndeveloper_token: dt", "google_ads: access_token: must not be empty"},
		{"unexpanded token", "customer_ids: ['1234567890']\ndeveloper_token: dt\naccess_token: ${GOOGLE_ADS_ACCESS_TOKEN}", "google_ads: access_token: environment variable"},
		{"bad version", "customer_ids: ['1234567890']\napi_version: v21.0" + creds, "google_ads: api_version:"},
		{"bad base url", "customer_ids: ['1234567890']\nbase_url: googleads.googleapis.com" + creds, "google_ads: base_url:"},
		{"negative rate", "customer_ids: ['1234567890']\nrequests_per_second: -1" + creds, "google_ads: requests_per_second:"},
		{"negative retries", "customer_ids: ['1234567890']\nmax_retries: -1" + creds, "google_ads: max_retries:"},
		{"zero retry delay", "customer_ids: ['1234567890']\nmax_retry_delay: 0s" + creds, "google_ads: max_retry_delay:"},
		{"bad retry delay", "customer_ids: ['1234567890']\nmax_retry_delay: soon" + creds, "soon"},
		{"unknown key", "customer_ids: ['1234567890']\ncustomer_id: '1'" + creds, "customer_id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, err := New("google", yamlSettings(tt.yaml))
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				s := src.(*Source).settings
				if diff := cmp.Diff([]string{"1234567890", "1112223333"}, s.CustomerIDs); diff != "" {
					t.Errorf("customer ids (-want +got):\n%s", diff)
				}
				if s.APIVersion != "v21" || s.MaxRetries != 5 || s.MaxRetryDelay != 10*time.Minute ||
					s.RequestsPerSecond != 1 || s.BaseURL != "https://googleads.googleapis.com" {
					t.Errorf("defaults not applied: %+v", s)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.wantErr)
			}
		})
	}
	src, err := New("g", yamlSettings("customer_ids: ['1234567890']\nlogin_customer_id: 987-654-3210\nmax_retry_delay: 90s"+creds))
	if err != nil {
		t.Fatal(err)
	}
	if s := src.(*Source).settings; s.LoginCustomerID != "9876543210" || s.MaxRetryDelay != 90*time.Second {
		t.Errorf("login customer id %q, max retry delay %s", s.LoginCustomerID, s.MaxRetryDelay)
	}
}

func TestKindRegistered(t *testing.T) {
	k, err := extract.Lookup(Kind)
	if err != nil {
		t.Fatal(err)
	}
	example := strings.ReplaceAll(k.Settings, "type: google_ads\n", "")
	example = strings.ReplaceAll(example, "${GOOGLE_ADS_DEVELOPER_TOKEN}", "dt")
	example = strings.ReplaceAll(example, "${GOOGLE_ADS_ACCESS_TOKEN}", "at")
	if _, err := k.New("google", yamlSettings(example)); err != nil {
		t.Errorf("settings example does not validate: %v", err)
	}
}

func TestSettingsNeverPrintTokens(t *testing.T) {
	s := DefaultSettings()
	s.AccessToken, s.DeveloperToken = "ya29.secret", "devsecret"
	b, _ := json.Marshal(s)
	for _, v := range []string{"ya29.secret", "devsecret"} {
		if strings.Contains(string(b), v) || strings.Contains(fmtAll(s), v) {
			t.Errorf("secret %s printed: %s", v, b)
		}
	}
}

func fmtAll(s Settings) string {
	var b bytes.Buffer
	for _, f := range []string{"%v", "%+v", "%#v", "%s"} {
		b.WriteString(strings.TrimSpace(fmt.Sprintf(f, s)))
	}
	return b.String()
}

func TestMicros(t *testing.T) {
	for _, tc := range []struct {
		micros int64
		want   string
	}{
		{0, "0"}, {1, "0"}, {50, "0.0001"}, {12340000, "12.34"}, {1234567, "1.2346"},
		{1234550, "1.2346"}, {123456789012345678, "123456789012.3457"}, {10_000, "0.01"},
	} {
		if got := Micros(tc.micros); got.String() != tc.want {
			t.Errorf("Micros(%d) = %s, want %s", tc.micros, got, tc.want)
		}
	}
}

func TestMapRow(t *testing.T) {
	src, err := NewSource("google", Settings{BaseURL: "http://x", APIVersion: "v21", CustomerIDs: []string{"1111111111"},
		AccessToken: "a", DeveloperToken: "d", MaxRetryDelay: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	const full = `{"customer":{"resourceName":"customers/1111111111","id":"1111111111","descriptiveName":"Acme","currencyCode":"usd"},
	"campaign":{"resourceName":"customers/1111111111/campaigns/2","id":"2","name":"search_pr_us_brand"},
	"adGroup":{"id":"3","name":"brand_exact"},
	"adGroupAd":{"resourceName":"customers/1111111111/adGroupAds/3~4","ad":{"id":"4","name":"rsa",
	  "finalUrls":["https://shop.example.com/"],"trackingUrlTemplate":"{lpurl}?utm_source=google&utm_medium=cpc&utm_campaign={campaignid}&gclid={gclid}"}},
	"metrics":{"costMicros":"12345678","impressions":"1000","clicks":"25","conversions":2.5,"conversionsValue":123.456789,"allConversions":9},
	"segments":{"date":"2026-11-16"}}`
	var r result
	if err := json.Unmarshal([]byte(full), &r); err != nil {
		t.Fatal(err)
	}
	got, err := src.mapRow(&r, "1111111111", at)
	if err != nil {
		t.Fatal(err)
	}
	want := transform.AdPerformanceRow{
		Date: transform.Date(2026, 11, 16), Platform: "google", AccountID: "1111111111", AccountName: "Acme",
		CampaignID: "2", CampaignName: "search_pr_us_brand", AdsetID: "3", AdsetName: "brand_exact",
		AdID: "4", AdName: "rsa", CreativeID: "4", CreativeName: "rsa",
		DestinationURL: "https://shop.example.com/?utm_source=google&utm_medium=cpc&utm_campaign=2",
		Currency:       "USD", Spend: decimal.RequireFromString("12.3457"), Impressions: 1000, Clicks: 25, LinkClicks: 25,
		PlatformConversions: 2.5, PlatformConversionValue: decimal.RequireFromString("123.4568"),
		Source: "google", ExtractedAt: at,
	}
	if diff := cmp.Diff(want, got, decimalEqual); diff != "" {
		t.Errorf("row (-want +got):\n%s", diff)
	}

	// Zero metrics are omitted by the API: they read as 0, never NULL.
	var z result
	if err := json.Unmarshal([]byte(`{"customer":{"currencyCode":"EUR"},"adGroupAd":{"ad":{"id":"4"}},"segments":{"date":"2026-11-16"}}`), &z); err != nil {
		t.Fatal(err)
	}
	got, err = src.mapRow(&z, "1111111111", at)
	if err != nil || !got.Spend.IsZero() || got.Impressions != 0 || got.PlatformConversions != 0 || got.Reach != nil || got.DestinationURL != "" {
		t.Errorf("zero row = %+v, %v", got, err)
	}

	for name, tc := range map[string]struct{ raw, want string }{
		"other customer":  {`{"customer":{"id":"2","currencyCode":"EUR"},"adGroupAd":{"ad":{"id":"4"}},"segments":{"date":"2026-11-16"}}`, "customer.id"},
		"bad date":        {`{"customer":{"currencyCode":"EUR"},"adGroupAd":{"ad":{"id":"4"}},"segments":{"date":"16/11/2026"}}`, "segments.date"},
		"no ad id":        {`{"customer":{"currencyCode":"EUR"},"segments":{"date":"2026-11-16"}}`, "ad_group_ad.ad.id"},
		"bad impressions": {`{"customer":{"currencyCode":"EUR"},"adGroupAd":{"ad":{"id":"4"}},"segments":{"date":"2026-11-16"},"metrics":{"impressions":"1e3"}}`, "metrics.impressions"},
		"negative clicks": {`{"customer":{"currencyCode":"EUR"},"adGroupAd":{"ad":{"id":"4"}},"segments":{"date":"2026-11-16"},"metrics":{"clicks":"-1"}}`, "negative"},
		"bad conversions": {`{"customer":{"currencyCode":"EUR"},"adGroupAd":{"ad":{"id":"4"}},"segments":{"date":"2026-11-16"},"metrics":{"conversions":"NaNx"}}`, "metrics.conversions"},
		"bad value (NaN)": {`{"customer":{"currencyCode":"EUR"},"adGroupAd":{"ad":{"id":"4"}},"segments":{"date":"2026-11-16"},"metrics":{"conversionsValue":"NaN"}}`, "metrics.conversions_value"},
	} {
		t.Run(name, func(t *testing.T) {
			var r result
			if err := json.Unmarshal([]byte(tc.raw), &r); err != nil {
				t.Fatal(err)
			}
			if _, err := src.mapRow(&r, "1111111111", at); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want mention of %s", err, tc.want)
			}
		})
	}
}

func TestDestinationURL(t *testing.T) {
	vt := map[string]string{"{campaignid}": "22", "{adgroupid}": "33", "{creative}": "44"}
	tests := []struct {
		name             string
		final            []string
		suffix, template string
		want             string
	}{
		{"no final url", nil, "utm_source=google", "{lpurl}?utm_source=google", ""},
		{"final url only", []string{"https://shop.example.com/p"}, "", "", "https://shop.example.com/p"},
		{"first non-empty final url", []string{" ", "https://a.example/x?utm_source=google"}, "", "", "https://a.example/x?utm_source=google"},
		{"suffix", []string{"https://a.example/x"}, "utm_source=google&utm_medium=cpc", "", "https://a.example/x?utm_source=google&utm_medium=cpc"},
		{"suffix after query", []string{"https://a.example/x?color=red"}, "?utm_source=google", "", "https://a.example/x?color=red&utm_source=google"},
		{"suffix before fragment", []string{"https://a.example/x#top"}, "utm_source=google", "", "https://a.example/x?utm_source=google#top"},
		{"template UTMs with ValueTrack", []string{"https://a.example/x"}, "",
			"{lpurl}?utm_source=google&utm_medium=cpc&utm_campaign={campaignid}&utm_content={creative}&utm_term={keyword}&gclid={gclid}",
			"https://a.example/x?utm_source=google&utm_medium=cpc&utm_campaign=22&utm_content=44&utm_term={keyword}"},
		{"template does not override the URL's own UTMs", []string{"https://a.example/x?utm_source=newsletter"}, "",
			"{lpurl}?utm_source=google&utm_medium=cpc", "https://a.example/x?utm_source=newsletter&utm_medium=cpc"},
		{"redirect template", []string{"https://a.example/x"}, "",
			"https://tracker.example/r?url={escapedlpurl}&utm_campaign={campaignid}", "https://a.example/x?utm_campaign=22"},
		{"template without UTMs ignored", []string{"https://a.example/x"}, "", "{lpurl}?src=ads", "https://a.example/x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := DestinationURL(tt.final, tt.suffix, tt.template, vt); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestClassify(t *testing.T) {
	gads := func(code int, status, kind, value, msg, delay string) string {
		d := ""
		if delay != "" {
			d = `,"details":{"quotaErrorDetails":{"rateScope":"ACCOUNT","retryDelay":"` + delay + `"}}`
		}
		return `{"error":{"code":` + itoa(code) + `,"message":"top","status":"` + status + `","details":[{"@type":"type.googleapis.com/google.ads.googleads.v21.errors.GoogleAdsFailure","errors":[{"errorCode":{"` +
			kind + `":"` + value + `"},"message":"` + msg + `"` + d + `}],"requestId":"rq1"}]}}`
	}
	tests := []struct {
		name       string
		status     int
		body       string
		wantAction httpx.Action
		wantWait   time.Duration
		wantErr    error
		wantMsg    string
	}{
		{"success", 200, `[]`, httpx.Default, 0, nil, ""},
		{"throttled with delay", 429, gads(429, "RESOURCE_EXHAUSTED", "quotaError", "RESOURCE_EXHAUSTED", "Too many requests.", "30s"), httpx.Retry, 30 * time.Second, nil,
			"RESOURCE_EXHAUSTED: Too many requests. [quotaError=RESOURCE_EXHAUSTED] (request-id rq1)"},
		{"fractional delay", 429, gads(429, "RESOURCE_EXHAUSTED", "quotaError", "RESOURCE_EXHAUSTED", "x", "1.5s"), httpx.Retry, 1500 * time.Millisecond, nil, ""},
		{"delay at the max", 429, gads(429, "RESOURCE_EXHAUSTED", "quotaError", "RESOURCE_EXHAUSTED", "x", "600s"), httpx.Retry, 10 * time.Minute, nil, ""},
		{"delay over the max", 429, gads(429, "RESOURCE_EXHAUSTED", "quotaError", "RESOURCE_EXHAUSTED", "x", "601s"), httpx.Fatal, 0, ErrRetryDelayTooLong,
			"Google Ads asked to retry in 10m1s, more than max_retry_delay 10m0s"},
		{"huge delay", 429, gads(429, "RESOURCE_EXHAUSTED", "quotaError", "RESOURCE_EXHAUSTED", "x", "1e300s"), httpx.Fatal, 0, ErrRetryDelayTooLong, ""},
		{"bad delay backs off", 429, gads(429, "RESOURCE_EXHAUSTED", "quotaError", "RESOURCE_EXHAUSTED", "x", "soon"), httpx.Retry, 0, nil, ""},
		{"resource exhausted as 400", 400, gads(400, "RESOURCE_EXHAUSTED", "quotaError", "RESOURCE_TEMPORARILY_EXHAUSTED", "x", ""), httpx.Retry, 0, nil, ""},
		{"unauthenticated left to httpx", 401, `{"error":{"code":401,"message":"Request had invalid authentication credentials.","status":"UNAUTHENTICATED"}}`,
			httpx.Default, 0, nil, "UNAUTHENTICATED: Request had invalid authentication credentials."},
		{"developer token invalid as 401", 401, gads(401, "UNAUTHENTICATED", "authenticationError", "DEVELOPER_TOKEN_INVALID", "bad", ""), httpx.Fatal, 0, ErrDeveloperToken, ""},
		{"developer token not approved", 403, gads(403, "PERMISSION_DENIED", "authorizationError", "DEVELOPER_TOKEN_NOT_APPROVED", "test only", ""), httpx.Fatal, 0, ErrDeveloperToken, ""},
		{"permission denied", 403, gads(403, "PERMISSION_DENIED", "authorizationError", "USER_PERMISSION_DENIED", "no", ""), httpx.Fatal, 0, ErrPermission, ""},
		{"bad query", 400, gads(400, "INVALID_ARGUMENT", "queryError", "UNRECOGNIZED_FIELD", "Unrecognized field", ""), httpx.Fatal, 0, ErrAPI,
			"INVALID_ARGUMENT: Unrecognized field [queryError=UNRECOGNIZED_FIELD]"},
		{"internal retried", 500, gads(500, "INTERNAL", "internalError", "INTERNAL_ERROR", "x", ""), httpx.Retry, 0, nil, ""},
		{"non-Google 502 left to defaults", 502, `<html>bad gateway</html>`, httpx.Default, 0, nil, ""},
	}
	classify := classifier(10*time.Minute, "sources.g.developer_token")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := classify(&http.Response{StatusCode: tt.status, Header: http.Header{}}, []byte(tt.body))
			if v.Action != tt.wantAction || v.Wait != tt.wantWait || !errors.Is(v.Err, tt.wantErr) {
				t.Errorf("verdict = %+v, want action %s wait %s err %v", v, tt.wantAction, tt.wantWait, tt.wantErr)
			}
			if tt.wantMsg != "" && !strings.HasPrefix(v.Message, tt.wantMsg) {
				t.Errorf("message = %q, want prefix %q", v.Message, tt.wantMsg)
			}
		})
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// FuzzDecodeStream: go test -fuzz=FuzzDecodeStream ./extract/googleads
func FuzzDecodeStream(f *testing.F) {
	if b, err := os.ReadFile(fixture); err == nil {
		f.Add(b)
	}
	f.Add([]byte(`[{"results":[{"customer":{"id":"1111111111","currencyCode":"USD"},"adGroupAd":{"ad":{"id":"4","finalUrls":["https://a.example/"],` +
		`"trackingUrlTemplate":"{lpurl}?utm_campaign={campaignid}"}},"metrics":{"costMicros":"1234567","conversionsValue":1.5},"segments":{"date":"2026-11-16"}}],"fieldMask":"x","requestId":"r"}]`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`[{"fieldMask":"x"},{"error":{"code":500,"status":"INTERNAL"}}]`))
	f.Add([]byte(`{"error":{"code":429}}`))
	f.Add([]byte(`[{"results":[{"metrics":{"costMicros":99999999999999999999}}]}] x`))
	src, err := NewSource("g", Settings{BaseURL: "http://x", APIVersion: "v21", CustomerIDs: []string{"1111111111"},
		AccessToken: "a", DeveloperToken: "d", MaxRetryDelay: time.Minute})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		err := decodeStream(bytes.NewReader(body), streamVisitor{Row: func(_, _ int, r *result) error {
			row, err := src.mapRow(r, "1111111111", time.Unix(0, 0))
			if err != nil {
				return nil
			}
			if row.Spend.IsNegative() || row.AdID == "" || row.Date.IsZero() {
				t.Fatalf("accepted a bad row: %+v", row)
			}
			if _, err := transform.DecimalToArrow(row.Spend, transform.Money4); err != nil && !strings.Contains(err.Error(), "does not fit") {
				t.Fatalf("spend %s not at the money scale: %v", row.Spend, err)
			}
			return nil
		}})
		_ = err
		parseAPIError(body)
	})
}

// FuzzDestinationURL: go test -fuzz=FuzzDestinationURL ./extract/googleads
func FuzzDestinationURL(f *testing.F) {
	f.Add("https://a.example/x?c=1#f", "utm_source=google", "{lpurl}?utm_medium=cpc&utm_campaign={campaignid}")
	f.Add("", "", "")
	f.Add("https://a.example/x?", "&", "?utm_=&&utm_x")
	f.Fuzz(func(t *testing.T, final, suffix, template string) {
		got := DestinationURL([]string{final}, suffix, template, map[string]string{"{campaignid}": "1"})
		if strings.TrimSpace(final) == "" && got != "" {
			t.Fatalf("no final URL but got %q", got)
		}
		if strings.TrimSpace(final) != "" && !strings.HasPrefix(got, strings.SplitN(strings.SplitN(strings.TrimSpace(final), "#", 2)[0], "?", 2)[0]) {
			t.Fatalf("%q does not start with the final URL %q", got, final)
		}
	})
}

// FuzzClassify: go test -fuzz=FuzzClassify ./extract/googleads
func FuzzClassify(f *testing.F) {
	f.Add(429, `{"error":{"code":429,"status":"RESOURCE_EXHAUSTED","details":[{"errors":[{"errorCode":{"quotaError":"RESOURCE_EXHAUSTED"},"details":{"quotaErrorDetails":{"retryDelay":"40591s"}}}]}]}}`)
	f.Add(403, `{"error":{"code":403,"message":"developer token"}}`)
	f.Add(500, `not json`)
	f.Add(429, `{"error":{"code":429,"details":[{"errors":[{"details":{"quotaErrorDetails":{"retryDelay":"-5s"}}}]}]}}`)
	classify := classifier(10*time.Minute, "k")
	f.Fuzz(func(t *testing.T, status int, body string) {
		v := classify(&http.Response{StatusCode: status, Header: http.Header{}}, []byte(body))
		if v.Wait < 0 || v.Wait > 10*time.Minute {
			t.Fatalf("wait %s out of range", v.Wait)
		}
		if v.Action == httpx.Fatal && v.Err == nil {
			t.Fatalf("fatal verdict without a cause: %+v", v)
		}
	})
}

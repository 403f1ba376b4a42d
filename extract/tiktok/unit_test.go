package tiktok

import (
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
	const base = "advertiser_ids: ['1', 22]\naccess_token: tok"
	tests := []struct {
		name    string
		yaml    string
		wantErr string
	}{
		{"minimal", base + "\ncurrency: eur", ""},
		{"per advertiser currency", base + "\nadvertiser_currencies: {'1': usd, '22': JPY}", ""},
		{"no advertisers", "access_token: tok\ncurrency: EUR", "tiktok_ads: advertiser_ids: must not be empty"},
		{"bad advertiser", "advertiser_ids: [adv1]\naccess_token: tok\ncurrency: EUR", "tiktok_ads: advertiser_ids: entry 1"},
		{"duplicate advertiser", "advertiser_ids: ['1', '1']\naccess_token: tok\ncurrency: EUR", "advertiser 1 is listed twice"},
		{"no token", "advertiser_ids: ['1']\ncurrency: EUR", "tiktok_ads: access_token: must not be empty"},
		{"unexpanded token", "advertiser_ids: ['1']\naccess_token: ${TIKTOK_ACCESS_TOKEN}\ncurrency: EUR", "tiktok_ads: access_token: environment variable"},
		// Without a currency setting, the advertiser info call gives it.
		{"no currency", base, ""},
		{"currency for one advertiser only", base + "\nadvertiser_currencies: {'1': USD}", ""},
		{"not ISO", base + "\ncurrency: EURO", "tiktok_ads: currency: \"EURO\" is not an ISO 4217"},
		{"unknown code", base + "\ncurrency: XYZ", "tiktok_ads: currency: \"XYZ\""},
		{"override for an unknown advertiser", base + "\ncurrency: EUR\nadvertiser_currencies: {'3': USD}", "advertiser_currencies: advertiser 3 is not in advertiser_ids"},
		{"bad override", base + "\ncurrency: EUR\nadvertiser_currencies: {'1': dollars}", "advertiser_currencies: advertiser 1"},
		{"bad base url", base + "\ncurrency: EUR\nbase_url: business-api.tiktok.com", "tiktok_ads: base_url:"},
		{"page size", base + "\ncurrency: EUR\npage_size: 1001", "tiktok_ads: page_size: 1001 is outside 1..1000"},
		{"negative rate", base + "\ncurrency: EUR\nrequests_per_second: -1", "tiktok_ads: requests_per_second:"},
		{"negative retries", base + "\ncurrency: EUR\nmax_retries: -1", "tiktok_ads: max_retries:"},
		{"unknown key", base + "\ncurrency: EUR\npagesize: 5", "pagesize"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, err := New("tiktok", yamlSettings(tt.yaml))
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				s := src.(*Source).settings
				if diff := cmp.Diff([]string{"1", "22"}, s.AdvertiserIDs); diff != "" {
					t.Errorf("advertiser ids (-want +got):\n%s", diff)
				}
				if s.PageSize != 1000 || s.RequestsPerSecond != 5 || s.MaxRetries != 5 || s.BaseURL != "https://business-api.tiktok.com" {
					t.Errorf("defaults not applied: %+v", s)
				}
				for _, id := range s.AdvertiserIDs {
					// "" is left to the advertiser info call.
					if c := s.currencyOf(id); c != "" && (len(c) != 3 || strings.ToUpper(c) != c) {
						t.Errorf("currency of %s = %q", id, c)
					}
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
	example := strings.ReplaceAll(k.Settings, "type: tiktok_ads\n", "")
	example = strings.ReplaceAll(example, "${TIKTOK_ACCESS_TOKEN}", "tok")
	if _, err := k.New("tiktok", yamlSettings(example)); err != nil {
		t.Errorf("settings example does not validate: %v", err)
	}
}

func TestSettingsNeverPrintToken(t *testing.T) {
	s := DefaultSettings()
	s.AccessToken = "act.secret"
	b, _ := json.Marshal(s)
	for _, out := range []string{string(b), fmt.Sprintf("%v %+v %#v", s, s, s)} {
		if strings.Contains(out, "act.secret") {
			t.Errorf("token printed: %s", out)
		}
	}
}

func TestWindows(t *testing.T) {
	d := func(m time.Month, day int) time.Time { return transform.Date(2026, m, day) }
	tests := []struct {
		name         string
		since, until time.Time
		want         []Window
	}{
		{"one day", d(11, 16), d(11, 16), []Window{{d(11, 16), d(11, 16)}}},
		{"exactly 30 days", d(11, 1), d(11, 30), []Window{{d(11, 1), d(11, 30)}}},
		{"31 days", d(11, 1), d(12, 1), []Window{{d(11, 1), d(11, 30)}, {d(12, 1), d(12, 1)}}},
		{"across a year", d(12, 1), transform.Date(2027, 2, 3), []Window{{d(12, 1), d(12, 30)},
			{d(12, 31), transform.Date(2027, 1, 29)}, {transform.Date(2027, 1, 30), transform.Date(2027, 2, 3)}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, Windows(tt.since, tt.until, MaxDays)); diff != "" {
				t.Errorf("windows (-want +got):\n%s", diff)
			}
		})
	}
}

func newTestSource(t testing.TB) *Source {
	t.Helper()
	s := DefaultSettings()
	s.AdvertiserIDs, s.AccessToken, s.Currency = []string{"1"}, "t", "EUR"
	src, err := NewSource("tiktok", s)
	if err != nil {
		t.Fatal(err)
	}
	return src
}

func TestMapRow(t *testing.T) {
	src := newTestSource(t)
	at := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		raw  string
		want transform.AdPerformanceRow
	}{
		{
			name: "every metric",
			raw: `{"dimensions":{"ad_id":"190","stat_time_day":"2026-11-16 00:00:00"},"metrics":{"spend":"107.530000000000033",
			"impressions":"1000","clicks":"12","reach":"800","conversion":"3","total_complete_payment_rate":"150.10",
			"video_watched_2s":"321","video_views_p100":"40","campaign_id":"17","campaign_name":"conv_pr_de","adgroup_id":"18",
			"adgroup_name":"pr_de","ad_name":"video_x","cpc":"0.5"}}`,
			want: transform.AdPerformanceRow{Date: transform.Date(2026, 11, 16), Platform: "tiktok", AccountID: "1",
				CampaignID: "17", CampaignName: "conv_pr_de", AdsetID: "18", AdsetName: "pr_de", AdID: "190", AdName: "video_x",
				Currency: "EUR", Spend: decimal.RequireFromString("107.53"), Impressions: 1000, Clicks: 12, LinkClicks: 12,
				Reach: transform.Ptr[int64](800), VideoViews3s: transform.Ptr[int64](321), VideoCompletions: transform.Ptr[int64](40),
				PlatformConversions: 3, PlatformConversionValue: decimal.RequireFromString("150.1"), Source: "tiktok", ExtractedAt: at},
		},
		{
			// "-": NULL for nullable columns, 0 for required ones.
			name: "dashes",
			raw: `{"dimensions":{"ad_id":"190","stat_time_day":"2026-11-16 00:00:00"},"metrics":{"spend":"-","impressions":"-",
			"clicks":"-","reach":"-","conversion":"-","total_complete_payment_rate":"-","video_watched_2s":"-","video_views_p100":"-",
			"campaign_name":"-"}}`,
			want: transform.AdPerformanceRow{Date: transform.Date(2026, 11, 16), Platform: "tiktok", AccountID: "1", AdID: "190",
				Currency: "EUR", Spend: decimal.Zero, PlatformConversionValue: decimal.Zero, Source: "tiktok", ExtractedAt: at},
		},
		{
			name: "numbers as JSON numbers, bare date, absent metrics",
			raw:  `{"dimensions":{"ad_id":190,"stat_time_day":"2026-11-16"},"metrics":{"spend":1.5,"impressions":1000,"conversion":0.5,"reach":"12.0"}}`,
			want: transform.AdPerformanceRow{Date: transform.Date(2026, 11, 16), Platform: "tiktok", AccountID: "1", AdID: "190",
				Currency: "EUR", Spend: decimal.RequireFromString("1.5"), Impressions: 1000, Reach: transform.Ptr[int64](12),
				PlatformConversions: 0.5, PlatformConversionValue: decimal.Zero, Source: "tiktok", ExtractedAt: at},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r reportRow
			if err := json.Unmarshal([]byte(tt.raw), &r); err != nil {
				t.Fatal(err)
			}
			got, err := src.mapRow(&r, "1", at)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got, cmp.Comparer(func(a, b decimal.Decimal) bool { return a.Equal(b) })); diff != "" {
				t.Errorf("row (-want +got):\n%s", diff)
			}
		})
	}
	for name, tc := range map[string]struct{ raw, want string }{
		"bad date":          {`{"dimensions":{"ad_id":"1","stat_time_day":"16/11/2026"},"metrics":{}}`, "dimensions.stat_time_day"},
		"negative spend":    {`{"dimensions":{"ad_id":"1","stat_time_day":"2026-11-16"},"metrics":{"spend":"-1.00"}}`, "spend: -1.00 is negative"},
		"fractional clicks": {`{"dimensions":{"ad_id":"1","stat_time_day":"2026-11-16"},"metrics":{"clicks":"1.5"}}`, "clicks"},
		"bad reach":         {`{"dimensions":{"ad_id":"1","stat_time_day":"2026-11-16"},"metrics":{"reach":"many"}}`, "reach"},
		"bad conversion":    {`{"dimensions":{"ad_id":"1","stat_time_day":"2026-11-16"},"metrics":{"conversion":"NaN"}}`, "conversion"},
		"bad value":         {`{"dimensions":{"ad_id":"1","stat_time_day":"2026-11-16"},"metrics":{"total_complete_payment_rate":"1e"}}`, "total_complete_payment_rate"},
		"huge count":        {`{"dimensions":{"ad_id":"1","stat_time_day":"2026-11-16"},"metrics":{"impressions":"1e30"}}`, "impressions"},
	} {
		t.Run(name, func(t *testing.T) {
			var r reportRow
			if err := json.Unmarshal([]byte(tc.raw), &r); err != nil {
				t.Fatal(err)
			}
			if _, err := src.mapRow(&r, "1", at); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want mention of %s", err, tc.want)
			}
		})
	}
}

func TestClassify(t *testing.T) {
	env := func(code int, msg string) string {
		return fmt.Sprintf(`{"code":%d,"message":%q,"request_id":"rq","data":{}}`, code, msg)
	}
	tests := []struct {
		name       string
		status     int
		body       string
		wantAction httpx.Action
		wantErr    error
		wantMsg    string
	}{
		{"success", 200, env(0, "OK"), httpx.Default, nil, ""},
		{"throttled", 200, env(40100, "Too many requests"), httpx.Retry, nil, "code 40100: Too many requests (request_id rq)"},
		{"token expired", 200, env(40105, "Access token is incorrect or has been revoked."), httpx.Fatal, ErrTokenInvalid, "code 40105"},
		{"token missing", 200, env(40104, "Access token is null"), httpx.Fatal, ErrTokenInvalid, ""},
		{"bad parameter", 200, env(40002, "page_size: too large"), httpx.Fatal, ErrAPI, "code 40002: page_size: too large"},
		{"system error retried", 200, env(51004, "System busy"), httpx.Retry, nil, ""},
		{"envelope on a 503 left to the generic rule", 503, env(50002, "x"), httpx.Retry, nil, ""},
		{"envelope on a 500 with a client code", 500, env(40002, "x"), httpx.Default, nil, ""},
		{"not an envelope", 200, `<html/>`, httpx.Default, nil, ""},
		{"no code", 502, `{"message":"bad gateway"}`, httpx.Default, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := classify(&http.Response{StatusCode: tt.status, Header: http.Header{}}, []byte(tt.body))
			if v.Action != tt.wantAction || !errors.Is(v.Err, tt.wantErr) || v.Wait != 0 {
				t.Errorf("verdict = %+v, want action %s err %v", v, tt.wantAction, tt.wantErr)
			}
			if tt.wantMsg != "" && !strings.HasPrefix(v.Message, tt.wantMsg) {
				t.Errorf("message = %q, want prefix %q", v.Message, tt.wantMsg)
			}
		})
	}
}

// FuzzDecodePage: go test -fuzz=FuzzDecodePage ./extract/tiktok
func FuzzDecodePage(f *testing.F) {
	if b, err := os.ReadFile(fixture); err == nil {
		f.Add(b)
	}
	f.Add([]byte(`{"code":0,"message":"OK","request_id":"r","data":{"list":[{"dimensions":{"ad_id":"190","stat_time_day":"2026-11-16 00:00:00"},` +
		`"metrics":{"spend":"12.34","impressions":"1000","clicks":"-","reach":"-","conversion":"1","total_complete_payment_rate":"-"}}],` +
		`"page_info":{"page":1,"page_size":1000,"total_number":1,"total_page":1}}}`))
	f.Add([]byte(`{"code":40100,"message":"Too many requests","data":{}}`))
	f.Add([]byte(`{"code":0,"data":{"list":[{"dimensions":{"ad_id":1e3,"stat_time_day":"2026-02-30"},"metrics":{"spend":"1e-9"}}]}}`))
	f.Add([]byte(`[]`))
	src := newTestSource(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		classify(&http.Response{StatusCode: 200, Header: http.Header{}}, body)
		var p page
		if json.Unmarshal(body, &p) != nil {
			return
		}
		for i := range p.Data.List {
			row, err := src.mapRow(&p.Data.List[i], "1", time.Unix(0, 0))
			if err != nil {
				continue
			}
			if row.AdID == "" || row.Date.IsZero() || row.Spend.IsNegative() || row.Impressions < 0 || row.Clicks < 0 ||
				(row.Reach != nil && *row.Reach < 0) || row.PlatformConversions < 0 {
				t.Fatalf("accepted a bad row: %+v", row)
			}
		}
	})
}

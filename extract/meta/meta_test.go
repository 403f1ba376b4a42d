package meta

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/socialroi/socialroi/extract/extracttest"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/socialroi/socialroi/extract"
	"github.com/socialroi/socialroi/extract/emulator"
	"github.com/socialroi/socialroi/extract/httpx"
	"github.com/socialroi/socialroi/transform"
)

const token = "EAAGtestTOKEN0123456789abcdef"

// creatives are the ads' creative id, name and destination URL. The
// emulator splits each URL into an object_story_spec link and url_tags
// (templating ids as {{campaign.id}} / {{ad.id}} for some ads), which the
// connector must put back together: ad0 a link_data link without query, ad1
// a video call-to-action link that keeps its first parameter and a fragment,
// ad2 (account 222) again link_data.
var creatives = [3][3]string{
	{"cr0", "hoodie_ugc_v1", "https://shop.example.com/p/hoodie?utm_source=facebook&utm_medium=paid_social&utm_campaign=c0&utm_content=ad0"},
	{"cr1", "cap_video_15s", "https://shop.example.com/p/cap?ref=meta&utm_source=facebook&utm_medium=paid_social&utm_campaign=c1#reviews"},
	{"cr2", "sock_carousel", "https://shop.example.com/p/socks?utm_campaign=c0&utm_content=ad2"},
}

// groundTruth is a small deterministic brand: two accounts, four days,
// three ads, Meta platforms plus a TikTok row the emulator must not serve.
func groundTruth() []transform.AdPerformanceRow {
	var rows []transform.AdPerformanceRow
	platforms := []string{"facebook", "instagram", "audience_network"}
	for day := range 4 {
		for ad := range 3 {
			for pi, p := range platforms {
				acct := "111"
				if ad == 2 {
					acct = "222"
				}
				n := int64(day*100 + ad*10 + pi + 1)
				r := transform.AdPerformanceRow{
					Date:         transform.Date(2026, 11, 16+day),
					Platform:     p,
					AccountID:    acct,
					AccountName:  "Acme " + acct,
					CampaignID:   fmt.Sprintf("c%d", ad%2),
					CampaignName: fmt.Sprintf("prospecting_broad_fr_offer%d", ad%2),
					AdsetID:      fmt.Sprintf("s%d", ad),
					AdsetName:    fmt.Sprintf("adset %d", ad),
					AdID:         fmt.Sprintf("ad%d", ad),
					AdName:       fmt.Sprintf("video_hook%d_shop_cr%d", ad, ad),
					Currency:     "EUR",
					// 12.3456 style amounts catch float rounding.
					Spend:                   decimal.New(n*10000+3456, -4),
					Impressions:             n * 1000,
					Clicks:                  n * 10,
					LinkClicks:              n * 7,
					PlatformConversions:     float64(n % 4),
					PlatformConversionValue: decimal.New((n%4)*4999, -2),
				}
				if p != "audience_network" {
					r.Reach = transform.Ptr(n * 800)
				}
				if ad != 1 {
					r.VideoViews3s = transform.Ptr(n * 300)
				}
				r.CreativeID, r.CreativeName, r.DestinationURL = creatives[ad][0], creatives[ad][1], creatives[ad][2]
				rows = append(rows, r)
			}
		}
	}
	rows = append(rows, transform.AdPerformanceRow{Date: transform.Date(2026, 11, 16), Platform: "tiktok",
		AccountID: "111", AdID: "tt1", Currency: "EUR", Spend: decimal.New(5, 0)})
	return rows
}

// sink collects emitted records; it retains them as the Emitter contract says.
type sink struct {
	recs []arrow.RecordBatch
}

func (s *sink) Emit(table string, rec arrow.RecordBatch) error {
	if table != transform.AdPerformance {
		return fmt.Errorf("unexpected table %s", table)
	}
	rec.Retain()
	s.recs = append(s.recs, rec)
	return nil
}

func (s *sink) release() {
	for _, r := range s.recs {
		r.Release()
	}
}

// rows reads the records back into canonical rows (the columns the
// connector fills).
func (s *sink) rows(t *testing.T) []transform.AdPerformanceRow {
	t.Helper()
	var out []transform.AdPerformanceRow
	for _, rec := range s.recs {
		col := func(name string) arrow.Array {
			idx := rec.Schema().FieldIndices(name)
			if len(idx) != 1 {
				t.Fatalf("no column %s", name)
			}
			return rec.Column(idx[0])
		}
		str := func(name string, i int) string { return col(name).(*array.String).Value(i) }
		nstr := func(name string, i int) string {
			if col(name).IsNull(i) {
				return ""
			}
			return str(name, i)
		}
		i64 := func(name string, i int) int64 { return col(name).(*array.Int64).Value(i) }
		opt := func(name string, i int) *int64 {
			if col(name).IsNull(i) {
				return nil
			}
			return transform.Ptr(i64(name, i))
		}
		dec := func(name string, i int) decimal.Decimal {
			n := col(name).(*array.Decimal128).Value(i)
			return decimal.NewFromBigInt(n.BigInt(), -4)
		}
		for i := range int(rec.NumRows()) {
			out = append(out, transform.AdPerformanceRow{
				Date:                    col("date").(*array.Date32).Value(i).ToTime().UTC(),
				Platform:                str("platform", i),
				AccountID:               str("account_id", i),
				AccountName:             str("account_name", i),
				CampaignID:              str("campaign_id", i),
				CampaignName:            str("campaign_name", i),
				AdsetID:                 str("adset_id", i),
				AdsetName:               str("adset_name", i),
				AdID:                    str("ad_id", i),
				AdName:                  str("ad_name", i),
				CreativeID:              nstr("creative_id", i),
				CreativeName:            nstr("creative_name", i),
				DestinationURL:          nstr("destination_url", i),
				Currency:                str("currency", i),
				Spend:                   dec("spend", i),
				Impressions:             i64("impressions", i),
				Reach:                   opt("reach", i),
				Clicks:                  i64("clicks", i),
				LinkClicks:              i64("link_clicks", i),
				VideoViews3s:            opt("video_views_3s", i),
				PlatformConversions:     col("platform_conversions").(*array.Float64).Value(i),
				PlatformConversionValue: dec("platform_conversion_value", i),
				Source:                  str("source", i),
				ExtractedAt:             col("extracted_at").(*array.Timestamp).Value(i).ToTime(arrow.Microsecond).UTC(),
			})
		}
	}
	return out
}

var extractedAt = time.Date(2026, 11, 23, 6, 0, 0, 0, time.UTC)

// want is the ground truth as the connector should deliver it for accounts
// and dates.
func want(accounts []string, since, until time.Time) []transform.AdPerformanceRow {
	var out []transform.AdPerformanceRow
	for _, acct := range accounts {
		for _, r := range groundTruth() {
			if r.AccountID != acct || r.Platform == "tiktok" || r.Date.Before(since) || r.Date.After(until) {
				continue
			}
			r.Source = "meta"
			r.ExtractedAt = extractedAt
			out = append(out, r)
		}
	}
	sortRows(out)
	return out
}

// The shared connector test helpers, under the names these tests use.
type sleeps = extracttest.Sleeps

var decimalEqual = extracttest.DecimalEqual

// sortRows orders rows like the emulator: account, date, ad, platform.
func sortRows(rows []transform.AdPerformanceRow) {
	key := func(r transform.AdPerformanceRow) string {
		return r.AccountID + r.Date.Format(time.DateOnly) + r.AdID + r.Platform
	}
	for i := 1; i < len(rows); i++ {
		for j := i; j > 0 && key(rows[j]) < key(rows[j-1]); j-- {
			rows[j], rows[j-1] = rows[j-1], rows[j]
		}
	}
}

// insights aims faults at account 111's insights (the ads listing comes
// first and would otherwise take them).
func insights(faults ...emulator.Fault) []emulator.Fault {
	for i := range faults {
		faults[i].PathPrefix = "/v21.0/act_111/insights"
	}
	return faults
}

// isAdsPath reports the ads listing of a test account.
func isAdsPath(p string) bool { return p == "/v21.0/act_111/ads" || p == "/v21.0/act_222/ads" }

// isAccountPath is the account read (GET /act_{id}) of either account.
func isAccountPath(p string) bool { return p == "/v21.0/act_111" || p == "/v21.0/act_222" }

type harness struct {
	emu    *emulator.Meta
	src    *Source
	sleeps *sleeps
	logs   *bytes.Buffer
	raw    string
}

func newHarness(t *testing.T, emuCfg emulator.MetaConfig, mod func(*Settings)) *harness {
	t.Helper()
	if emuCfg.AccessToken == "" {
		emuCfg.AccessToken = token
	}
	emuCfg.Rows = groundTruth()
	emu, err := emulator.NewMeta(emuCfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { emu.Close() })
	set := DefaultSettings()
	set.BaseURL = emu.URL
	set.AccountIDs = []string{"act_111", "222"}
	set.AccessToken = token
	set.RequestsPerSecond = 0
	if mod != nil {
		mod(&set)
	}
	src, err := NewSource("meta", set)
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{emu: emu, src: src, sleeps: &sleeps{}, logs: &bytes.Buffer{}, raw: t.TempDir()}
	src.sleep = h.sleeps.Sleep
	src.now = func() time.Time { return extractedAt }
	src.waitMin, src.waitMax = time.Second, 30*time.Second
	return h
}

// run extracts 2026-11-16..19 and returns the rows, checking that no Arrow
// memory leaks and the token reached no error, log line or landed file.
func (h *harness) run(t *testing.T) ([]transform.AdPerformanceRow, error) {
	t.Helper()
	return h.runRange(t, transform.Date(2026, 11, 16), transform.Date(2026, 11, 19))
}

// runRange is run for since..until.
func (h *harness) runRange(t *testing.T, since, until time.Time) ([]transform.AdPerformanceRow, error) {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	s := &sink{}
	defer s.release()
	req := extract.Request{
		Since: since, Until: until, RunID: "r1", RawDir: h.raw,
		Logger: slog.New(slog.NewJSONHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Mem:    mem,
	}
	err := h.src.Extract(t.Context(), req, s)
	rows := s.rows(t)
	h.assertNoToken(t, err)
	return rows, err
}

func (h *harness) assertNoToken(t *testing.T, err error) {
	t.Helper()
	if err != nil && strings.Contains(err.Error(), token) {
		t.Errorf("token in error: %v", err)
	}
	if strings.Contains(h.logs.String(), token) {
		t.Errorf("token in logs:\n%s", h.logs)
	}
	files, _ := filepath.Glob(filepath.Join(h.raw, "*"))
	if len(files) == 0 {
		t.Error("no raw files landed")
	}
	for _, f := range files {
		if !strings.HasSuffix(f, ".json.gz") {
			t.Errorf("unexpected raw file %s", f)
			continue
		}
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		zr, err := gzip.NewReader(fh)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		b, err := io.ReadAll(zr)
		fh.Close()
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if bytes.Contains(b, []byte(token)) {
			t.Errorf("token in raw file %s", filepath.Base(f))
		}
	}
}

func TestExtractAgainstEmulator(t *testing.T) {
	all := []string{"111", "222"}
	d16, d19 := transform.Date(2026, 11, 16), transform.Date(2026, 11, 19)
	tests := []struct {
		name     string
		emu      emulator.MetaConfig
		settings func(*Settings)
		faults   []emulator.Fault
		// wantRequests counts HTTP requests; wantSleeps the retry waits.
		wantRequests int
		wantSleeps   func(t *testing.T, d []time.Duration)
	}{
		{
			name: "one page per account",
			// 111: 4 days × 2 ads × 3 platforms = 24 rows; 222: 12 rows; plus
			// one ads listing and one account read per account.
			wantRequests: 2 + 2 + 2,
		},
		{
			name:         "several pages with an empty page carrying next",
			emu:          emulator.MetaConfig{PageSize: 5, EmptyPages: []int{2}},
			wantRequests: 2 + 2 + 6 + 3 + 1, // ads listings; account reads; 111: 24 rows / 5 = 5 pages + 1 empty; 222: 12/5 = 3 pages; +1 empty page in 222
		},
		{
			name: "throttling: 429 with Retry-After, then Meta code 17, then success",
			faults: insights(
				emulator.Fault{Status: 429, Header: http.Header{"Retry-After": {"1"}}, Body: `{"error":{"message":"slow"}}`},
				emulator.MetaThrottleFault(17),
			),
			wantRequests: 2 + 2 + 4,
			wantSleeps: func(t *testing.T, d []time.Duration) {
				if len(d) != 2 || d[0] != time.Second || d[1] < time.Second || d[1] > 2*time.Second {
					t.Errorf("sleeps = %v, want [1s, backoff in 1s..2s]", d)
				}
			},
		},
		{
			name: "business use case throttle waits the regain time, capped",
			faults: insights(func() emulator.Fault {
				f := emulator.MetaThrottleFault(80000)
				f.Header = http.Header{"X-Business-Use-Case-Usage": {`{"42":[{"type":"ads_insights","call_count":100,"estimated_time_to_regain_access":5}]}`}}
				return f
			}()),
			wantRequests: 2 + 2 + 3,
			wantSleeps: func(t *testing.T, d []time.Duration) {
				// 5 minutes, capped by WaitMax (30s): the retry wait, then
				// the usage pause before the next call is already served.
				if len(d) < 1 || d[0] != 30*time.Second {
					t.Errorf("sleeps = %v, want first 30s", d)
				}
			},
		},
		{
			name:         "5xx burst then success",
			faults:       insights(emulator.Repeat(3, emulator.Fault{Status: 500, Body: `{"error":{"message":"An unknown error occurred","code":1,"is_transient":true}}`})...),
			wantRequests: 2 + 2 + 5,
			wantSleeps: func(t *testing.T, d []time.Duration) {
				if len(d) != 3 {
					t.Errorf("sleeps = %v, want 3", d)
				}
			},
		},
		{
			name: "dropped connection is retried",
			// On the first request, a fresh connection: a drop on a reused
			// keep-alive connection is retried inside net/http unseen.
			faults:       []emulator.Fault{{PathPrefix: "/v21.0/act_111/ads", CloseConnection: true}},
			wantRequests: 2 + 2 + 3,
			wantSleeps: func(t *testing.T, d []time.Duration) {
				if len(d) != 1 {
					t.Errorf("sleeps = %v, want one retry wait", d)
				}
			},
		},
		{
			name: "usage above 95% pauses the next call",
			emu: emulator.MetaConfig{Usage: func(call int) emulator.MetaUsage {
				if call == 1 {
					return emulator.MetaUsage{AppPct: 96, AccPct: 10}
				}
				return emulator.MetaUsage{AppPct: 5, AccPct: 5}
			}},
			wantRequests: 2 + 2 + 2,
			wantSleeps: func(t *testing.T, d []time.Duration) {
				if len(d) != 1 || d[0] < 29*time.Second || d[0] > 30*time.Second {
					t.Errorf("sleeps = %v, want one pause of a minute capped to 30s", d)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, tt.emu, tt.settings)
			h.emu.Inject(tt.faults...)
			got, err := h.run(t)
			if err != nil {
				t.Fatalf("Extract: %v", err)
			}
			sortRows(got)
			if diff := cmp.Diff(want(all, d16, d19), got, decimalEqual); diff != "" {
				t.Errorf("rows (-want +got):\n%s", diff)
			}
			if n := len(h.emu.Requests()); n != tt.wantRequests {
				t.Errorf("requests = %d, want %d", n, tt.wantRequests)
			}
			if n := h.emu.PendingFaults(); n != 0 {
				t.Errorf("%d injected faults never served", n)
			}
			if tt.wantSleeps != nil {
				tt.wantSleeps(t, h.sleeps.D)
			}
			for _, r := range h.emu.Requests() {
				if r.Query.Get("access_token") != token {
					t.Errorf("request %s without the token in the query", r.Path)
				}
				if isAccountPath(r.Path) {
					if r.Query.Get("fields") != "timezone_name,currency,name" {
						t.Errorf("account read %s without its fields: %v", r.Path, r.Query)
					}
					continue
				}
				if isAdsPath(r.Path) {
					if r.Query.Get("fields") != "id,name,adset_id,campaign_id,creative{id,name,url_tags,object_story_spec}" {
						t.Errorf("ads listing %s without its fields: %v", r.Path, r.Query)
					}
					continue
				}
				if r.Path != "/v21.0/act_111/insights" && r.Path != "/v21.0/act_222/insights" {
					t.Errorf("unexpected path %s", r.Path)
				}
				if r.Query.Get("breakdowns") != "publisher_platform" || r.Query.Get("level") != "ad" ||
					r.Query.Get("time_range") != `{"since":"2026-11-16","until":"2026-11-19"}` {
					t.Errorf("request %s lost its parameters: %v", r.Path, r.Query)
				}
			}
		})
	}
}

func TestExtractFailures(t *testing.T) {
	tests := []struct {
		name         string
		emu          emulator.MetaConfig
		settings     func(*Settings)
		faults       []emulator.Fault
		wantIs       error
		wantMsg      []string
		wantRequests int // "2 +": 111's ads listing and account read
	}{
		{
			name:         "wrong token fails fast naming the credential",
			settings:     func(s *Settings) { s.AccessToken = "EAAGwrong-token-value" },
			wantIs:       ErrTokenInvalid,
			wantMsg:      []string{"meta_ads: access token invalid or expired: renew the token named in sources.meta.access_token", "act_111 ads page 1", "(#190)"},
			wantRequests: 1,
		},
		{
			name:         "token expires mid-paging",
			emu:          emulator.MetaConfig{PageSize: 5},
			faults:       insights(func() emulator.Fault { f := emulator.MetaTokenExpiredFault(); f.Skip = 2; return f }()),
			wantIs:       ErrTokenInvalid,
			wantMsg:      []string{"sources.meta.access_token", "act_111 insights page 3", "Session has expired"},
			wantRequests: 2 + 3,
		},
		{
			name:         "throttled until retries run out",
			faults:       insights(emulator.Repeat(4, emulator.MetaThrottleFault(17))...),
			settings:     func(s *Settings) { s.MaxRetries = 3 },
			wantIs:       httpx.ErrRetriesExhausted,
			wantMsg:      []string{"meta_ads: act_111 insights page 1: meta: GET /v21.0/act_111/insights: HTTP 400: (#17) User request limit reached [subcode 2446079] (after 4 attempts)"},
			wantRequests: 2 + 4,
		},
		{
			name:         "5xx burst longer than the retries",
			faults:       insights(emulator.Repeat(6, emulator.Fault{Status: 503, Body: "upstream busy"})...),
			wantIs:       httpx.ErrRetriesExhausted,
			wantMsg:      []string{"act_111 insights page 1", "HTTP 503: upstream busy (after 6 attempts)"},
			wantRequests: 2 + 6,
		},
		{
			name:         "malformed body",
			faults:       insights(emulator.Fault{Status: 200, Body: "<html>Sorry, something went wrong.</html>"}),
			wantIs:       httpx.ErrInvalidJSON,
			wantMsg:      []string{"act_111 insights page 1", "<html>Sorry, something went wrong.</html>"},
			wantRequests: 2 + 1,
		},
		{
			name:         "unknown account is a fatal API error with Meta's message",
			settings:     func(s *Settings) { s.AccountIDs = []string{"999"} },
			wantIs:       ErrAPI,
			wantMsg:      []string{"act_999 ads page 1", "Object with ID 'act_999' does not exist"},
			wantRequests: 1,
		},
		{
			name:         "no retries configured",
			settings:     func(s *Settings) { s.MaxRetries = 0 },
			faults:       insights(emulator.Fault{Status: 500}),
			wantIs:       httpx.ErrRetriesExhausted,
			wantMsg:      []string{"HTTP 500"},
			wantRequests: 2 + 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, tt.emu, tt.settings)
			h.emu.Inject(tt.faults...)
			_, err := h.run(t)
			if !errors.Is(err, tt.wantIs) {
				t.Fatalf("err = %v, want errors.Is %v", err, tt.wantIs)
			}
			for _, m := range tt.wantMsg {
				if !strings.Contains(err.Error(), m) {
					t.Errorf("error %q\ndoes not contain %q", err, m)
				}
			}
			if n := len(h.emu.Requests()); n != tt.wantRequests {
				t.Errorf("requests = %d, want %d", n, tt.wantRequests)
			}
		})
	}
}

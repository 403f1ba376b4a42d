package tiktok

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

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/socialroi/socialroi/extract"
	"github.com/socialroi/socialroi/extract/emulator"
	ttemu "github.com/socialroi/socialroi/extract/emulator/tiktok"
	"github.com/socialroi/socialroi/extract/extracttest"
	"github.com/socialroi/socialroi/extract/httpx"
	"github.com/socialroi/socialroi/transform"
)

const (
	token = "act.tiktokTESTtoken0123456789abcdef"
	adv1  = "7123456789012345"
	adv2  = "7000000000000002"
)

// firstDay..lastDay is the ground truth's span: 45 days, more than one
// 30-day report window.
var (
	firstDay = transform.Date(2026, 10, 6)
	lastDay  = transform.Date(2026, 11, 19)
	d16      = transform.Date(2026, 11, 16)
)

// groundTruth: two advertisers, 45 days, three ads (ad 1 an image ad with
// no reach or video metrics), plus a Google row the emulator must not serve.
func groundTruth() []transform.AdPerformanceRow {
	var rows []transform.AdPerformanceRow
	for day := range 45 {
		for ad := range 3 {
			acct, cur := adv1, "EUR"
			if ad == 2 {
				acct, cur = adv2, "USD"
			}
			n := int64(day*100 + ad*10 + 1)
			r := transform.AdPerformanceRow{
				Date:                    firstDay.AddDate(0, 0, day),
				Platform:                "tiktok",
				AccountID:               acct,
				CampaignID:              fmt.Sprintf("17%d", ad%2),
				CampaignName:            fmt.Sprintf("conv_pr_de_20off_%d", ad%2),
				AdsetID:                 fmt.Sprintf("18%d", ad),
				AdsetName:               fmt.Sprintf("pr_de_interest-fashion_%d", ad),
				AdID:                    fmt.Sprintf("19%d", ad),
				AdName:                  fmt.Sprintf("video_ugc-unboxing_shop-now_cr01%d", ad),
				Currency:                cur,
				Spend:                   decimal.New(n*100+34, -2),
				Impressions:             n * 1000,
				Clicks:                  n * 10,
				LinkClicks:              n * 10,
				PlatformConversions:     float64(n % 4),
				PlatformConversionValue: decimal.New((n%4)*4999, -2),
			}
			if ad != 1 {
				r.Reach = transform.Ptr(n * 800)
				r.VideoViews3s = transform.Ptr(n * 300)
				r.VideoCompletions = transform.Ptr(n * 30)
			}
			rows = append(rows, r)
		}
	}
	rows = append(rows, transform.AdPerformanceRow{Date: d16, Platform: "google",
		AccountID: adv1, AdID: "g1", Currency: "EUR", Spend: decimal.New(5, 0)})
	return rows
}

var extractedAt = time.Date(2026, 11, 23, 6, 0, 0, 0, time.UTC)

// want is the ground truth as the connector delivers it for since..until.
func want(since, until time.Time) []transform.AdPerformanceRow {
	var out []transform.AdPerformanceRow
	for _, r := range groundTruth() {
		if r.Platform != "tiktok" || r.Date.Before(since) || r.Date.After(until) {
			continue
		}
		r.Source = "tiktok"
		r.ExtractedAt = extractedAt
		r.AccountTimezone = ttemu.DefaultTimezone // from /advertiser/info/
		out = append(out, r)
	}
	sortRows(out)
	return out
}

func sortRows(rows []transform.AdPerformanceRow) {
	key := func(r transform.AdPerformanceRow) string {
		return r.AccountID + r.Date.Format(time.DateOnly) + r.AdID
	}
	for i := 1; i < len(rows); i++ {
		for j := i; j > 0 && key(rows[j]) < key(rows[j-1]); j-- {
			rows[j], rows[j-1] = rows[j-1], rows[j]
		}
	}
}

// The shared connector test helpers, under the names these tests use.
type (
	sink   = extracttest.Sink
	sleeps = extracttest.Sleeps
)

var decimalEqual = extracttest.DecimalEqual

// report aims faults at the report endpoint (the advertiser info call comes
// first and would otherwise take them).
func report(faults ...emulator.Fault) []emulator.Fault {
	out := make([]emulator.Fault, len(faults))
	for i, f := range faults {
		if f.PathPrefix == "" {
			f.PathPrefix = ttemu.ReportPath
		}
		out[i] = f
	}
	return out
}

type harness struct {
	emu    *ttemu.Server
	src    *Source
	sleeps *sleeps
	logs   *bytes.Buffer
	raw    string
}

func newHarness(t *testing.T, cfg ttemu.Config, mod func(*Settings)) *harness {
	t.Helper()
	cfg.AccessToken = token
	cfg.Rows = groundTruth()
	emu, err := ttemu.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { emu.Close() })
	set := DefaultSettings()
	set.BaseURL = emu.URL
	set.AdvertiserIDs = []string{adv1, adv2}
	set.AccessToken = token
	set.Currency = "eur"
	set.AdvertiserCurrencies = map[string]string{adv2: "usd"}
	set.RequestsPerSecond = 0
	if mod != nil {
		mod(&set)
	}
	src, err := NewSource("tiktok", set)
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{emu: emu, src: src, sleeps: &sleeps{}, logs: &bytes.Buffer{}, raw: t.TempDir()}
	src.sleep = h.sleeps.Sleep
	src.now = func() time.Time { return extractedAt }
	src.waitMin, src.waitMax = time.Second, 30*time.Second
	return h
}

// run extracts since..until, checking that no Arrow memory leaks and the
// token reached no error, log line or landed file.
func (h *harness) run(t *testing.T, since, until time.Time) ([]transform.AdPerformanceRow, error) {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	s := &sink{Tables: []string{transform.AdPerformance}}
	defer s.Release()
	req := extract.Request{
		Since: since, Until: until, RunID: "r1", RawDir: h.raw,
		Logger: slog.New(slog.NewJSONHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Mem:    mem,
	}
	err := h.src.Extract(t.Context(), req, s)
	rows := s.AdRows(t)
	assertNoSecret(t, token, err, h.logs, h.raw)
	return rows, err
}

func assertNoSecret(t *testing.T, secret string, err error, logs *bytes.Buffer, raw string) {
	t.Helper()
	if err != nil && strings.Contains(err.Error(), secret) {
		t.Errorf("secret in error: %v", err)
	}
	if strings.Contains(logs.String(), secret) {
		t.Errorf("secret in logs:\n%s", logs)
	}
	files, _ := filepath.Glob(filepath.Join(raw, "*"))
	if len(files) == 0 {
		t.Error("no raw files landed")
	}
	for _, f := range files {
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
		if bytes.Contains(b, []byte(secret)) {
			t.Errorf("secret in raw file %s", filepath.Base(f))
		}
	}
}

func TestExtractAgainstEmulator(t *testing.T) {
	d19 := transform.Date(2026, 11, 19)
	tests := []struct {
		name     string
		emu      ttemu.Config
		settings func(*Settings)
		faults   []emulator.Fault
		// since..until default to 2026-11-16..19.
		since, until time.Time
		// wantRequests counts report requests (the one advertiser info call
		// is checked apart); wantWindows the start_date..end_date of the
		// first page requests, in order.
		wantRequests int
		wantWindows  []string
		// Exact sleeps, or (when wantNSleeps > 0) bounds for each.
		wantSleeps    []time.Duration
		sleepsBetween [2]time.Duration
		wantNSleeps   int
	}{
		{name: "one page per advertiser", wantRequests: 2},
		{
			// adv1: 8 rows / 3 = 3 pages; adv2: 4 rows = 2 pages.
			name: "paging to total_page", settings: func(s *Settings) { s.PageSize = 3 }, wantRequests: 5,
		},
		{
			name: "exact page boundary", settings: func(s *Settings) { s.PageSize = 4 }, wantRequests: 3,
		},
		{
			name:  "a 45-day range is split into 30-day windows",
			since: firstDay, until: lastDay,
			settings: func(s *Settings) { s.PageSize = 50 },
			// adv1: 60 rows in the first window (2 pages), 30 in the second;
			// adv2: 30 and 15 rows, one page each.
			wantRequests: 2 + 1 + 1 + 1,
			wantWindows: []string{"2026-10-06..2026-11-04", "2026-11-05..2026-11-19",
				"2026-10-06..2026-11-04", "2026-11-05..2026-11-19"},
		},
		{
			name:         "unknown extra metrics are ignored",
			emu:          ttemu.Config{ExtraMetrics: map[string]string{"cpc": "0.12", "new_metric": "-", "campaign_budget": "100"}},
			wantRequests: 2,
		},
		{
			name:          "code 40100 in a 200 body backs off and retries",
			faults:        []emulator.Fault{ttemu.ThrottleFault(), ttemu.ThrottleFault()},
			wantRequests:  4,
			wantNSleeps:   2,
			sleepsBetween: [2]time.Duration{time.Second, 4 * time.Second},
		},
		{
			name:         "HTTP 429 with Retry-After waits as told",
			faults:       []emulator.Fault{{Status: 429, Header: http.Header{"Retry-After": {"7"}}, Body: "rate limited"}},
			wantRequests: 3,
			wantSleeps:   []time.Duration{7 * time.Second},
		},
		{
			name:          "system error code 50000 is retried",
			faults:        []emulator.Fault{ttemu.ErrorFault(ttemu.CodeSystemError, "System error, please retry")},
			wantRequests:  3,
			wantNSleeps:   1,
			sleepsBetween: [2]time.Duration{time.Second, 2 * time.Second},
		},
		{
			name:          "5xx burst then success",
			faults:        emulator.Repeat(3, emulator.Fault{Status: 502, Body: "<html>Bad Gateway</html>"}),
			wantRequests:  5,
			wantNSleeps:   3,
			sleepsBetween: [2]time.Duration{time.Second, 8 * time.Second},
		},
		{
			// On the first request (the advertiser info call), a fresh
			// connection: a drop on a reused keep-alive connection is
			// retried inside net/http unseen.
			name:          "dropped connection is retried",
			faults:        []emulator.Fault{{PathPrefix: ttemu.InfoPath, CloseConnection: true}},
			wantRequests:  2,
			wantNSleeps:   1,
			sleepsBetween: [2]time.Duration{time.Second, 2 * time.Second},
		},
		{
			name:          "throttled on the second page",
			settings:      func(s *Settings) { s.PageSize = 3 },
			faults:        []emulator.Fault{func() emulator.Fault { f := ttemu.ThrottleFault(); f.Skip = 1; return f }()},
			wantRequests:  6,
			wantNSleeps:   1,
			sleepsBetween: [2]time.Duration{time.Second, 2 * time.Second},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			since, until := tt.since, tt.until
			if since.IsZero() {
				since, until = d16, d19
			}
			h := newHarness(t, tt.emu, tt.settings)
			h.emu.Inject(report(tt.faults...)...)
			got, err := h.run(t, since, until)
			if err != nil {
				t.Fatalf("Extract: %v", err)
			}
			sortRows(got)
			wantRows := want(since, until)
			for i := range wantRows {
				if wantRows[i].AccountID == adv2 {
					wantRows[i].Currency = "USD"
				} else {
					wantRows[i].Currency = "EUR"
				}
			}
			if diff := cmp.Diff(wantRows, got, decimalEqual); diff != "" {
				t.Errorf("rows (-want +got):\n%s", diff)
			}
			var reqs []emulator.Request
			infos := 0
			for _, r := range h.emu.Requests() {
				if r.Path == ttemu.InfoPath {
					if !r.Fault {
						infos++
					}
					if r.Query.Get("advertiser_ids") != `["`+adv1+`","`+adv2+`"]` || r.Query.Get("fields") != `["timezone","currency","name"]` {
						t.Errorf("advertiser info request lost its parameters: %v", r.Query)
					}
					continue
				}
				reqs = append(reqs, r)
			}
			if infos != 1 {
				t.Errorf("advertiser info requests = %d, want 1 per run", infos)
			}
			if len(reqs) != tt.wantRequests {
				t.Errorf("report requests = %d, want %d", len(reqs), tt.wantRequests)
			}
			if n := h.emu.PendingFaults(); n != 0 {
				t.Errorf("%d injected faults never served", n)
			}
			if tt.wantNSleeps > 0 {
				if len(h.sleeps.D) != tt.wantNSleeps {
					t.Errorf("sleeps = %v, want %d", h.sleeps.D, tt.wantNSleeps)
				}
				for _, d := range h.sleeps.D {
					if d < tt.sleepsBetween[0] || d > tt.sleepsBetween[1] {
						t.Errorf("sleep %s outside %v", d, tt.sleepsBetween)
					}
				}
			} else if diff := cmp.Diff(tt.wantSleeps, h.sleeps.D); diff != "" {
				t.Errorf("sleeps (-want +got):\n%s", diff)
			}
			var windows []string
			for _, r := range reqs {
				if r.Path != ttemu.ReportPath || r.Method != http.MethodGet {
					t.Errorf("unexpected request %s %s", r.Method, r.Path)
				}
				if r.Header.Get("Access-Token") != token {
					t.Errorf("request without the Access-Token header")
				}
				q := r.Query
				if q.Get("report_type") != "BASIC" || q.Get("data_level") != "AUCTION_AD" ||
					q.Get("dimensions") != `["ad_id","stat_time_day"]` || !strings.Contains(q.Get("metrics"), `"total_complete_payment_rate"`) {
					t.Errorf("request lost its parameters: %v", q)
				}
				for k, vs := range q {
					for _, v := range vs {
						if strings.Contains(v, token) {
							t.Errorf("token in query parameter %s", k)
						}
					}
				}
				if q.Get("page") == "1" && !r.Fault {
					windows = append(windows, q.Get("start_date")+".."+q.Get("end_date"))
				}
			}
			if tt.wantWindows != nil {
				if diff := cmp.Diff(tt.wantWindows, windows); diff != "" {
					t.Errorf("windows (-want +got):\n%s", diff)
				}
			}
			if !strings.Contains(h.logs.String(), `"msg":"tiktok report extracted"`) {
				t.Errorf("no summary log line:\n%s", h.logs)
			}
		})
	}
}

func TestExtractFailures(t *testing.T) {
	envelope := func(list string, pageInfo bool) string {
		pi := ""
		if pageInfo {
			pi = `,"page_info":{"page":1,"page_size":1000,"total_number":1,"total_page":1}`
		}
		return `{"code":0,"message":"OK","request_id":"r1","data":{"list":[` + list + `]` + pi + `}}`
	}
	d19 := transform.Date(2026, 11, 19)
	tests := []struct {
		name         string
		settings     func(*Settings)
		faults       []emulator.Fault
		wantIs       error
		wantMsg      []string
		wantRequests int // the advertiser info call included
	}{
		{
			name:         "expired token fails fast naming the setting",
			faults:       []emulator.Fault{ttemu.TokenExpiredFault()},
			wantIs:       ErrTokenInvalid,
			wantMsg:      []string{"tiktok_ads: access token invalid or expired: renew the token named in sources.tiktok.access_token", "advertiser 7123456789012345 report 2026-11-16..2026-11-19 page 1", "code 40105: Access token is incorrect or has been revoked."},
			wantRequests: 1 + 1,
		},
		{
			name:         "wrong token",
			settings:     func(s *Settings) { s.AccessToken = "act.wrong-token" },
			wantIs:       ErrTokenInvalid,
			wantMsg:      []string{"sources.tiktok.access_token", "advertiser info"},
			wantRequests: 1, // the advertiser info call fails first
		},
		{
			name:         "token expires mid-paging",
			settings:     func(s *Settings) { s.PageSize = 3 },
			faults:       []emulator.Fault{func() emulator.Fault { f := ttemu.TokenExpiredFault(); f.Skip = 1; return f }()},
			wantIs:       ErrTokenInvalid,
			wantMsg:      []string{"report 2026-11-16..2026-11-19 page 2"},
			wantRequests: 1 + 2,
		},
		{
			name:         "throttled until retries run out",
			settings:     func(s *Settings) { s.MaxRetries = 2 },
			faults:       emulator.Repeat(3, ttemu.ThrottleFault()),
			wantIs:       httpx.ErrRetriesExhausted,
			wantMsg:      []string{"tiktok_ads: advertiser 7123456789012345 report 2026-11-16..2026-11-19 page 1: tiktok: GET /open_api/v1.3/report/integrated/get/: HTTP 200: code 40100: Too many requests. Please retry in some time. (request_id 2026112306000000000000000000ERR) (after 3 attempts)"},
			wantRequests: 1 + 3,
		},
		{
			name:         "5xx burst longer than the retries",
			faults:       emulator.Repeat(6, emulator.Fault{Status: 503, Body: "upstream busy"}),
			wantIs:       httpx.ErrRetriesExhausted,
			wantMsg:      []string{"HTTP 503: upstream busy (after 6 attempts)"},
			wantRequests: 1 + 6,
		},
		{
			name:         "other codes fail fast with TikTok's message",
			faults:       []emulator.Fault{ttemu.ErrorFault(40002, "metrics: invalid metric total_complete_payment_rate")},
			wantIs:       ErrAPI,
			wantMsg:      []string{"code 40002: metrics: invalid metric total_complete_payment_rate"},
			wantRequests: 1 + 1,
		},
		{
			name:         "unknown advertiser",
			settings:     func(s *Settings) { s.AdvertiserIDs, s.AdvertiserCurrencies = []string{"999"}, nil },
			wantIs:       ErrAPI,
			wantMsg:      []string{"tiktok_ads: advertiser info:", "code 40001: No permission to operate advertiser 999"},
			wantRequests: 1, // the advertiser info call fails first
		},
		{
			name:         "malformed body",
			faults:       []emulator.Fault{{Status: 200, Body: "<html>Sorry</html>"}},
			wantIs:       httpx.ErrInvalidJSON,
			wantMsg:      []string{"page 1", "<html>Sorry</html>"},
			wantRequests: 1 + 1,
		},
		{
			name:         "not an envelope",
			faults:       []emulator.Fault{{Status: 200, Body: `{"data":{"list":[]}}`}},
			wantIs:       httpx.ErrInvalidJSON,
			wantMsg:      []string{"no code in the response envelope"},
			wantRequests: 1 + 1,
		},
		{
			name:         "page_info missing",
			faults:       []emulator.Fault{{Status: 200, Body: envelope("", false)}},
			wantIs:       httpx.ErrInvalidJSON,
			wantMsg:      []string{"data.page_info missing"},
			wantRequests: 1 + 1,
		},
		{
			name: "missing ad_id names the field and row",
			faults: []emulator.Fault{{Status: 200, Body: envelope(`{"dimensions":{"ad_id":"190","stat_time_day":"2026-11-16 00:00:00"},"metrics":{"spend":"1.00"}},`+
				`{"dimensions":{"stat_time_day":"2026-11-16 00:00:00"},"metrics":{"spend":"1.00"}}`, true)}},
			wantMsg:      []string{"advertiser 7123456789012345 report 2026-11-16..2026-11-19 page 1: row 2 (ad , 2026-11-16 00:00:00): dimensions.ad_id missing"},
			wantRequests: 1 + 1,
		},
		{
			name:         "missing stat_time_day",
			faults:       []emulator.Fault{{Status: 200, Body: envelope(`{"dimensions":{"ad_id":"190"},"metrics":{}}`, true)}},
			wantMsg:      []string{"row 1 (ad 190, ): dimensions.stat_time_day missing"},
			wantRequests: 1 + 1,
		},
		{
			name:         "bad spend names the field",
			faults:       []emulator.Fault{{Status: 200, Body: envelope(`{"dimensions":{"ad_id":"190","stat_time_day":"2026-11-16 00:00:00"},"metrics":{"spend":"1,234.00"}}`, true)}},
			wantMsg:      []string{"row 1 (ad 190, 2026-11-16 00:00:00): spend: not a decimal number: \"1,234.00\""},
			wantRequests: 1 + 1,
		},
		{
			name:         "an empty page short of total_page",
			faults:       []emulator.Fault{{Status: 200, Body: `{"code":0,"message":"OK","data":{"list":[],"page_info":{"page":1,"page_size":1000,"total_number":5,"total_page":3}}}`}},
			wantMsg:      []string{"page 1: paging: the page is empty but page_info.total_page is 3"},
			wantRequests: 1 + 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, ttemu.Config{}, tt.settings)
			h.emu.Inject(report(tt.faults...)...)
			_, err := h.run(t, d16, d19)
			if err == nil {
				t.Fatal("Extract succeeded, want an error")
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("err = %v, want errors.Is %v", err, tt.wantIs)
			}
			for _, m := range tt.wantMsg {
				if !strings.Contains(err.Error(), m) {
					t.Errorf("error %q\ndoes not contain %q", err, m)
				}
			}
			if n := len(h.emu.Requests()); n != tt.wantRequests {
				t.Errorf("requests = %d, want %d", n, tt.wantRequests)
			}
			if n := h.emu.PendingFaults(); n != 0 {
				t.Errorf("%d injected faults never served", n)
			}
		})
	}
}

package linkedin

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/socialroi/socialroi/extract/extracttest"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/socialroi/socialroi/extract"
	"github.com/socialroi/socialroi/extract/emulator"
	"github.com/socialroi/socialroi/extract/emulator/gen"
	liemu "github.com/socialroi/socialroi/extract/emulator/linkedin"
	"github.com/socialroi/socialroi/extract/httpx"
	"github.com/socialroi/socialroi/transform"
)

const token = "AQVtestLinkedInTOKEN-0123456789_abc"

var (
	day1  = transform.Date(2026, 11, 1)
	day20 = transform.Date(2026, 11, 20)
)

// groundTruth: account 508123456 (USD) with two campaigns and three
// creatives (one video, one without a post); account 508999000 (EUR) with
// one creative; twenty days; plus a Meta row the emulator must not serve.
func groundTruth() []transform.AdPerformanceRow {
	type ad struct {
		acct, acctName, cur, campaign, campaignName, id, name, post, postTitle, url string
		video                                                                       bool
	}
	ads := []ad{
		{"508123456", "Demo Brand B2B", "USD", "610000101", "lead_pr_us_wholesale", "614000101",
			"image_wholesale_learn-more_cr025", "616000101", "cr025 wholesale image",
			"https://shop.example.com/wholesale?utm_source=linkedin&utm_medium=paid_social&utm_campaign=610000101&utm_content=614000101", false},
		{"508123456", "Demo Brand B2B", "USD", "610000101", "lead_pr_us_wholesale", "614000102",
			"video_wholesale-guide_sign-up_cr026", "616000102", "cr026 wholesale-guide 15s",
			"https://shop.example.com/wholesale?utm_source=linkedin&utm_content=614000102", true},
		{"508123456", "Demo Brand B2B", "USD", "610000102", "lead_eng_us_wholesale", "614000103",
			"text_case-study_learn-more_cr027", "", "", "", false},
		{"508999000", "Demo Brand EU", "EUR", "610000201", "lead_pr_fr_wholesale", "614000201",
			"image_wholesale_learn-more_cr025", "616000101", "cr025 wholesale image",
			"https://shop.example.com/wholesale?utm_source=linkedin&utm_medium=paid_social&utm_campaign=610000101&utm_content=614000101", false},
	}
	var rows []transform.AdPerformanceRow
	for d := range 20 {
		for i, a := range ads {
			n := int64(d*10 + i + 1)
			r := transform.AdPerformanceRow{
				Date: day1.AddDate(0, 0, d), Platform: "linkedin", AccountID: a.acct, AccountName: a.acctName,
				CampaignID: a.campaign, CampaignName: a.campaignName, AdID: a.id, AdName: a.name,
				CreativeID: a.post, CreativeName: a.postTitle, DestinationURL: a.url, Currency: a.cur,
				Spend:       decimal.New(n*10000+3456, -4), // 4 decimals catch float rounding
				Impressions: n * 1000, Clicks: n * 10, LinkClicks: n * 7,
				PlatformConversions: float64(n % 3), PlatformConversionValue: decimal.New((n%3)*4999, -2),
			}
			if a.video {
				r.VideoViews3s = transform.Ptr(n * 300)
			}
			if a.cur == "EUR" {
				// LinkedIn serves no account time zone: the connector must
				// say UTC (its days) whatever the ground truth holds.
				r.AccountTimezone = "Europe/Paris"
			}
			rows = append(rows, r)
		}
	}
	return append(rows, transform.AdPerformanceRow{Date: day1, Platform: "facebook", AccountID: "508123456",
		AdID: "999", Currency: "USD", Spend: decimal.New(5, 0)})
}

var extractedAt = time.Date(2026, 11, 23, 18, 30, 0, 0, time.UTC)

// want is what the connector must deliver: the ground truth without what
// LinkedIn does not report (ad sets, reach), with source and extraction time.
func want(accounts []string, since, until time.Time, noAccountNames bool) []transform.AdPerformanceRow {
	var out []transform.AdPerformanceRow
	for _, r := range groundTruth() {
		if !slices.Contains(accounts, r.AccountID) || r.Platform != "linkedin" || r.Date.Before(since) || r.Date.After(until) {
			continue
		}
		// LinkedIn days are UTC: every row says so, whatever the ground truth.
		r.Source, r.ExtractedAt, r.AccountTimezone = "linkedin", extractedAt, "UTC"
		if noAccountNames {
			r.AccountName = ""
		}
		out = append(out, r)
	}
	sortRows(out)
	return out
}

func sortRows(rows []transform.AdPerformanceRow) {
	slices.SortStableFunc(rows, func(a, b transform.AdPerformanceRow) int {
		return strings.Compare(a.AccountID+a.Date.Format(time.DateOnly)+a.AdID, b.AccountID+b.Date.Format(time.DateOnly)+b.AdID)
	})
}

// The shared connector test helpers, under the names these tests use.
type (
	sink   = extracttest.Sink
	sleeps = extracttest.Sleeps
)

var decimalEqual = extracttest.DecimalEqual

type harness struct {
	emu    *liemu.Server
	src    *Source
	sleeps *sleeps
	logs   *bytes.Buffer
	raw    string
}

// newHarness starts an emulator with the ground truth and a source on it.
// cap sets both the emulator's truncation and the connector's threshold.
func newHarness(t *testing.T, emuCfg liemu.Config, elementCap int, mod func(*Settings)) *harness {
	t.Helper()
	if emuCfg.AccessToken == "" {
		emuCfg.AccessToken = token
	}
	emuCfg.Rows = groundTruth()
	emuCfg.MaxElements = elementCap
	emu, err := liemu.New(emuCfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { emu.Close() })
	set := DefaultSettings()
	set.BaseURL = emu.URL
	set.AccountIDs = []string{"urn:li:sponsoredAccount:508123456", "508999000"}
	set.AccessToken = token
	set.RequestsPerSecond = 0
	if mod != nil {
		mod(&set)
	}
	src, err := NewSource("linkedin", set)
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{emu: emu, src: src, sleeps: &sleeps{}, logs: &bytes.Buffer{}, raw: t.TempDir()}
	src.sleep = h.sleeps.Sleep
	src.now = func() time.Time { return extractedAt }
	src.waitMin, src.waitMax = time.Second, 30*time.Second
	src.maxElements = elementCap
	return h
}

// run extracts day1..day20 and returns the rows, checking that no Arrow
// memory leaks and that the token reached no error, log line or landed file.
func (h *harness) run(t *testing.T) ([]transform.AdPerformanceRow, error) {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	s := &sink{Tables: []string{transform.AdPerformance}}
	defer s.Release()
	req := extract.Request{
		Since: day1, Until: day20, RunID: "r1", RawDir: h.raw,
		Logger: slog.New(slog.NewJSONHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Mem:    mem,
	}
	err := h.src.Extract(t.Context(), req, s)
	rows := s.AdRows(t)
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

// countPaths counts requests by path.
func countPaths(reqs []emulator.Request) map[string]int {
	out := map[string]int{}
	for _, r := range reqs {
		out[r.Path]++
	}
	return out
}

func TestExtractAgainstEmulator(t *testing.T) {
	accounts := []string{"508123456", "508999000"}
	tests := []struct {
		name       string
		emu        liemu.Config
		elementCap int
		settings   func(*Settings)
		faults     []emulator.Fault
		noNames    bool
		// wantPaths counts requests per path (faults included).
		wantPaths  map[string]int
		wantSleeps func(t *testing.T, d []time.Duration)
	}{
		{
			name: "one slice per account",
			wantPaths: map[string]int{"/rest/adAnalytics": 2, "/rest/posts": 2,
				"/rest/adAccounts/508123456": 1, "/rest/adAccounts/508123456/adCampaigns": 1, "/rest/adAccounts/508123456/creatives": 1,
				"/rest/adAccounts/508999000": 1, "/rest/adAccounts/508999000/adCampaigns": 1, "/rest/adAccounts/508999000/creatives": 1},
		},
		{
			name:      "seven-day slices: 20 days take three calls per account",
			settings:  func(s *Settings) { s.SliceDays = 7 },
			wantPaths: map[string]int{"/rest/adAnalytics": 6},
		},
		{
			// 508123456 has 3 elements a day: 60 in 20 days. With a cap of
			// 10: 20 days → 2×10 → 4×5 → 4×(2+3) days of ≤ 9 elements:
			// 1+2+4+8 = 15 calls. 508999000 has 1 a day: 20 → 2×10 → 4×5
			// days of 5 elements: 7 calls.
			name:       "responses at the truncation cap are halved until they fit",
			elementCap: 10,
			wantPaths:  map[string]int{"/rest/adAnalytics": 15 + 7},
		},
		{
			name:     "listings paged by pageToken",
			emu:      liemu.Config{PageSize: 1},
			settings: func(s *Settings) { s.PageSize = 50 },
			wantPaths: map[string]int{"/rest/adAccounts/508123456/adCampaigns": 2, "/rest/adAccounts/508123456/creatives": 3,
				"/rest/adAccounts/508999000/adCampaigns": 1, "/rest/adAccounts/508999000/creatives": 1},
		},
		{
			name:      "currency setting skips the account call",
			settings:  func(s *Settings) { s.Currency = "usd"; s.AccountIDs = []string{"508123456"} },
			noNames:   true,
			wantPaths: map[string]int{"/rest/adAccounts/508123456": 0, "/rest/adAnalytics": 1},
		},
		{
			name: "short-term 429 without Retry-After, then 5xx, then success",
			faults: []emulator.Fault{
				func() emulator.Fault { f := liemu.ThrottleFault(false); f.PathPrefix = "/rest/adAnalytics"; return f }(),
				{PathPrefix: "/rest/adAnalytics", Status: 503, Body: `{"status":503,"message":"Service Unavailable"}`},
			},
			wantPaths: map[string]int{"/rest/adAnalytics": 4},
			wantSleeps: func(t *testing.T, d []time.Duration) {
				if len(d) != 2 || d[0] != time.Second || d[1] < time.Second || d[1] > 2*time.Second {
					t.Errorf("sleeps = %v, want [1s, backoff in 1s..2s]", d)
				}
			},
		},
		{
			// On the first request: net/http itself silently retries a GET
			// whose reused keep-alive connection drops, hiding the fault.
			name:      "dropped connection is retried",
			faults:    []emulator.Fault{{CloseConnection: true}},
			wantPaths: map[string]int{"/rest/adAccounts/508123456": 2},
			wantSleeps: func(t *testing.T, d []time.Duration) {
				if len(d) != 1 {
					t.Errorf("sleeps = %v, want one retry wait", d)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			elementCap := tt.elementCap
			if elementCap == 0 {
				elementCap = MaxElements
			}
			h := newHarness(t, tt.emu, elementCap, tt.settings)
			h.emu.Inject(tt.faults...)
			got, err := h.run(t)
			if err != nil {
				t.Fatalf("Extract: %v", err)
			}
			sortRows(got)
			accts := accounts
			if len(h.src.settings.AccountIDs) == 1 {
				accts = accounts[:1]
			}
			if diff := cmp.Diff(want(accts, day1, day20, tt.noNames), got, decimalEqual); diff != "" {
				t.Errorf("rows (-want +got):\n%s", diff)
			}
			reqs := h.emu.Requests()
			paths := countPaths(reqs)
			for p, n := range tt.wantPaths {
				if paths[p] != n {
					t.Errorf("requests to %s = %d, want %d (all: %v)", p, paths[p], n, paths)
				}
			}
			if n := h.emu.PendingFaults(); n != 0 {
				t.Errorf("%d injected faults never served", n)
			}
			if tt.wantSleeps != nil {
				tt.wantSleeps(t, h.sleeps.D)
			} else if len(h.sleeps.D) != 0 {
				t.Errorf("unexpected sleeps %v", h.sleeps.D)
			}
			for _, r := range reqs {
				if r.Header.Get("Authorization") != "Bearer "+token || r.Header.Get("LinkedIn-Version") != "202411" ||
					r.Header.Get("X-Restli-Protocol-Version") != "2.0.0" {
					t.Errorf("request %s lacks LinkedIn's headers: %v", r.Path, r.Header)
				}
				if r.Path == "/rest/adAnalytics" && (r.Query.Get("pivot") != "CREATIVE" || r.Query.Get("timeGranularity") != "DAILY" ||
					!strings.HasPrefix(r.Query.Get("accounts"), "List(urn:li:sponsoredAccount:")) {
					t.Errorf("analytics request lost its parameters: %v", r.Query)
				}
			}
		})
	}
}

func TestExtractFailures(t *testing.T) {
	tests := []struct {
		name         string
		elementCap   int
		settings     func(*Settings)
		faults       []emulator.Fault
		wantIs       error
		wantMsg      []string
		wantRequests int
	}{
		{
			name:         "wrong token fails fast naming the credential",
			settings:     func(s *Settings) { s.AccessToken = "AQVwrong-token-value" },
			wantIs:       ErrTokenInvalid,
			wantMsg:      []string{"linkedin_ads: access token invalid or expired: renew the token named in sources.linkedin.access_token", "account 508123456", "INVALID_ACCESS_TOKEN"},
			wantRequests: 1,
		},
		{
			name:         "token expires mid-run",
			faults:       []emulator.Fault{func() emulator.Fault { f := liemu.TokenExpiredFault(); f.Skip = 3; return f }()},
			wantIs:       ErrTokenInvalid,
			wantMsg:      []string{"sources.linkedin.access_token", "posts 1..2", "The token used in the request has expired"},
			wantRequests: 4,
		},
		{
			name:         "application day limit fails at once, saying when it resets",
			faults:       []emulator.Fault{func() emulator.Fault { f := liemu.ThrottleFault(true); f.PathPrefix = "/rest/adAnalytics"; return f }()},
			wantIs:       ErrDailyLimit,
			wantMsg:      []string{"daily request limit reached: LinkedIn's daily quota resets at midnight UTC (2026-11-24T00:00:00Z, in 5h30m0s)", "APPLICATION DAY limit", "analytics 2026-11-01..2026-11-20"},
			wantRequests: 5,
		},
		{
			name:         "short-term throttling until retries run out",
			settings:     func(s *Settings) { s.MaxRetries = 2 },
			faults:       emulator.Repeat(3, liemu.ThrottleFault(false)),
			wantIs:       httpx.ErrRetriesExhausted,
			wantMsg:      []string{"linkedin_ads: account 508123456: ad account: linkedin: GET /rest/adAccounts/508123456: HTTP 429: TOO_MANY_REQUESTS: Resource level throttle MEMBER MINUTE limit", "(after 3 attempts)"},
			wantRequests: 3,
		},
		{
			name:         "malformed analytics body",
			faults:       []emulator.Fault{{PathPrefix: "/rest/adAnalytics", Status: 200, Body: "<html>oops</html>"}},
			wantIs:       httpx.ErrInvalidJSON,
			wantMsg:      []string{"analytics 2026-11-01..2026-11-20", "<html>oops</html>"},
			wantRequests: 5,
		},
		{
			name:         "bad cost string fails naming the element",
			faults:       []emulator.Fault{{PathPrefix: "/rest/adAnalytics", Status: 200, Body: `{"elements":[{"dateRange":{"start":{"year":2026,"month":11,"day":1},"end":{"year":2026,"month":11,"day":1}},"pivotValues":["urn:li:sponsoredCreative:614000101"],"costInLocalCurrency":"12,50"}]}`}},
			wantIs:       nil,
			wantMsg:      []string{"analytics 2026-11-01..2026-11-20: element 1: costInLocalCurrency: not a decimal number"},
			wantRequests: 5,
		},
		{
			name:         "unknown account is an API error with LinkedIn's message",
			settings:     func(s *Settings) { s.AccountIDs = []string{"777"} },
			wantIs:       ErrAPI,
			wantMsg:      []string{"account 777: ad account", "Not found: urn:li:sponsoredAccount:777"},
			wantRequests: 1,
		},
		{
			name:         "one day at the cap cannot be split and is not loaded",
			elementCap:   3,
			wantIs:       ErrTruncated,
			wantMsg:      []string{"analytics 2026-11-01..2026-11-01: analytics response truncated: one day returned 3 elements"},
			wantRequests: 4 + 5, // account, campaigns, creatives, posts; 20 → 10 → 5 → 2 → 1 days
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			elementCap := tt.elementCap
			if elementCap == 0 {
				elementCap = MaxElements
			}
			h := newHarness(t, liemu.Config{}, elementCap, tt.settings)
			h.emu.Inject(tt.faults...)
			rows, err := h.run(t)
			if err == nil {
				t.Fatalf("no error; %d rows", len(rows))
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
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
			if errors.Is(err, ErrDailyLimit) && len(h.sleeps.D) != 0 {
				t.Errorf("the daily limit must not be waited out: sleeps %v", h.sleeps.D)
			}
			for _, r := range rows {
				if errors.Is(err, ErrTruncated) && r.Date.Equal(day1) {
					t.Errorf("a row of the truncated day was loaded: %+v", r)
				}
			}
		})
	}
}

// TestDemoBrand extracts the generated demo brand's LinkedIn account through
// the emulator: every row arrives, and spend, impressions and clicks equal
// the ground truth's totals to the cent.
func TestDemoBrand(t *testing.T) {
	b, err := gen.Generate(gen.Config{Persons: 200})
	if err != nil {
		t.Fatal(err)
	}
	emu, err := liemu.New(liemu.Config{AccessToken: token, Rows: b.AdPerformance})
	if err != nil {
		t.Fatal(err)
	}
	defer emu.Close()
	var acct string
	wantSpend, wantImpr, wantClicks, wantRows := decimal.Zero, int64(0), int64(0), 0
	for _, r := range b.AdPerformance {
		if r.Platform == "linkedin" {
			acct = r.AccountID
			wantSpend, wantImpr, wantClicks, wantRows = wantSpend.Add(r.Spend), wantImpr+r.Impressions, wantClicks+r.Clicks, wantRows+1
		}
	}
	set := DefaultSettings()
	set.BaseURL, set.AccountIDs, set.AccessToken, set.RequestsPerSecond = emu.URL, []string{acct}, token, 0
	src, err := NewSource("linkedin", set)
	if err != nil {
		t.Fatal(err)
	}
	src.sleep = (&sleeps{}).Sleep
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	s := &sink{Tables: []string{transform.AdPerformance}}
	defer s.Release()
	err = src.Extract(t.Context(), extract.Request{Since: b.Config.Start, Until: b.Config.End, Mem: mem, RawDir: t.TempDir()}, s)
	if err != nil {
		t.Fatal(err)
	}
	gotSpend, gotImpr, gotClicks := decimal.Zero, int64(0), int64(0)
	rows := s.AdRows(t)
	for _, r := range rows {
		gotSpend, gotImpr, gotClicks = gotSpend.Add(r.Spend), gotImpr+r.Impressions, gotClicks+r.Clicks
		if r.CampaignName == "" || r.AdName == "" || r.CreativeName == "" || !strings.HasPrefix(r.DestinationURL, "https://shop.example.com/") {
			t.Fatalf("row without names or URL: %+v", r)
		}
	}
	if len(rows) != wantRows || !gotSpend.Equal(wantSpend) || gotImpr != wantImpr || gotClicks != wantClicks {
		t.Errorf("got %d rows, spend %s, %d impressions, %d clicks; want %d, %s, %d, %d",
			len(rows), gotSpend, gotImpr, gotClicks, wantRows, wantSpend, wantImpr, wantClicks)
	}
}

const recordedDir = "../../testdata/linkedin"

// recordedServer serves the response bodies in testdata/linkedin by path.
func recordedServer(t *testing.T) *emulator.Server {
	t.Helper()
	files := map[string]string{
		"/rest/adAccounts/508123456":             "adAccount.json",
		"/rest/adAccounts/508123456/adCampaigns": "adCampaigns.json",
		"/rest/adAccounts/508123456/creatives":   "creatives.json",
		"/rest/posts":                            "posts.json",
		"/rest/adAnalytics":                      "adAnalytics.json",
	}
	srv, err := emulator.Start(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name, ok := files[r.URL.Path]
		if !ok || r.Header.Get("Authorization") != "Bearer "+token {
			http.Error(w, `{"status":404,"message":"no recording"}`, http.StatusNotFound)
			return
		}
		b, err := os.ReadFile(filepath.Join(recordedDir, name))
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(b)
	}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

// TestRecordedResponses runs the connector on LinkedIn-shaped bodies with
// the fields the emulator leaves out: a ugcPost reference, a video post's
// contentLandingPage, a post missing from the batch get, a creative without
// a name and an analytics row for a creative not in the listing.
func TestRecordedResponses(t *testing.T) {
	srv := recordedServer(t)
	set := DefaultSettings()
	set.BaseURL, set.AccountIDs, set.AccessToken, set.RequestsPerSecond = srv.URL, []string{"508123456"}, token, 0
	src, err := NewSource("linkedin", set)
	if err != nil {
		t.Fatal(err)
	}
	src.now = func() time.Time { return extractedAt }
	src.sleep = (&sleeps{}).Sleep
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	s := &sink{Tables: []string{transform.AdPerformance}}
	defer s.Release()
	var logs bytes.Buffer
	err = src.Extract(t.Context(), extract.Request{Since: transform.Date(2026, 11, 16), Until: transform.Date(2026, 11, 17), Mem: mem,
		Logger: slog.New(slog.NewTextHandler(&logs, nil))}, s)
	if err != nil {
		t.Fatal(err)
	}
	base := transform.AdPerformanceRow{Platform: "linkedin", AccountID: "508123456", AccountName: "Demo Brand B2B", AccountTimezone: "UTC", Currency: "USD",
		Source: "linkedin", ExtractedAt: extractedAt}
	row := func(day int, f func(*transform.AdPerformanceRow)) transform.AdPerformanceRow {
		r := base
		r.Date = transform.Date(2026, 11, day)
		f(&r)
		return r
	}
	want := []transform.AdPerformanceRow{
		row(16, func(r *transform.AdPerformanceRow) {
			r.CampaignID, r.CampaignName, r.AdID, r.AdName = "610000101", "lead_pr_us_wholesale", "614000101", "image_wholesale_learn-more_cr025"
			r.CreativeID, r.CreativeName = "7260000000000000101", "cr025 wholesale image"
			r.DestinationURL = "https://shop.example.com/wholesale?utm_source=linkedin&utm_medium=paid_social&utm_campaign=610000101&utm_content=614000101"
			r.Spend, r.Impressions, r.Clicks, r.LinkClicks = decimal.RequireFromString("107.53"), 2841, 27, 19
			r.PlatformConversions, r.PlatformConversionValue = 2, decimal.RequireFromString("240")
		}),
		row(16, func(r *transform.AdPerformanceRow) {
			r.CampaignID, r.CampaignName, r.AdID, r.AdName = "610000101", "lead_pr_us_wholesale", "614000102", "video_wholesale-guide_sign-up_cr026"
			r.CreativeID, r.CreativeName = "7260000000000000102", "cr026 wholesale-guide 15s"
			r.DestinationURL = "https://shop.example.com/wholesale?utm_source=linkedin&utm_content=614000102"
			r.Spend, r.Impressions, r.Clicks, r.LinkClicks = decimal.RequireFromString("64.2"), 1502, 11, 8
			r.VideoViews3s = transform.Ptr[int64](412)
		}),
		row(17, func(r *transform.AdPerformanceRow) {
			r.CampaignID, r.CampaignName, r.AdID, r.CreativeID = "610000102", "lead_eng_us_wholesale", "614000103", "7260000000000000999"
		}),
		row(17, func(r *transform.AdPerformanceRow) {
			r.AdID, r.Spend, r.Impressions, r.Clicks, r.LinkClicks = "614000777", decimal.RequireFromString("5"), 100, 1, 1
		}),
	}
	if diff := cmp.Diff(want, s.AdRows(t), decimalEqual); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
	if !strings.Contains(logs.String(), "missing from the creative listing") || !strings.Contains(logs.String(), "creatives=1") {
		t.Errorf("the unknown creative is not counted in the log:\n%s", logs.String())
	}
	// The posts batch asked for every referenced post, URNs encoded.
	for _, r := range srv.Requests() {
		if r.Path == "/rest/posts" && r.Query.Get("ids") != "List(urn:li:share:7260000000000000101,urn:li:ugcPost:7260000000000000102,urn:li:share:7260000000000000999)" {
			t.Errorf("posts ids = %q", r.Query.Get("ids"))
		}
	}
}

package googleads

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
	gademu "github.com/socialroi/socialroi/extract/emulator/googleads"
	"github.com/socialroi/socialroi/extract/httpx"
	"github.com/socialroi/socialroi/transform"
)

const (
	token    = "ya29.a0testOAUTHtoken0123456789"
	devToken = "DEVtok-ABCdef0123456789"
	cust1    = "1111111111"
	cust2    = "2222222222"
)

// groundTruth: two customers, four days, three ads, plus a TikTok row the
// emulator must not serve.
func groundTruth() []transform.AdPerformanceRow {
	var rows []transform.AdPerformanceRow
	for day := range 4 {
		for ad := range 3 {
			acct, cur := cust1, "USD"
			if ad == 2 {
				acct, cur = cust2, "EUR"
			}
			n := int64(day*100 + ad*10 + 1)
			r := transform.AdPerformanceRow{
				Date:         transform.Date(2026, 11, 16+day),
				Platform:     "google",
				AccountID:    acct,
				AccountName:  "Acme " + acct,
				CampaignID:   fmt.Sprintf("%d", 2000+ad%2),
				CampaignName: fmt.Sprintf("search_pr_us_brand%d", ad%2),
				AdsetID:      fmt.Sprintf("%d", 3000+ad),
				AdsetName:    fmt.Sprintf("brand_exact_%d", ad),
				AdID:         fmt.Sprintf("%d", 4000+ad),
				AdName:       fmt.Sprintf("text_brand-kw_shop-now_rsa00%d", ad),
				DestinationURL: fmt.Sprintf("https://shop.example.com/p/%d?utm_source=google&utm_medium=cpc&utm_campaign=%d&utm_content=%d",
					ad, 2000+ad%2, 4000+ad),
				Currency: cur,
				// 12.3456 style amounts catch float rounding.
				Spend:                   decimal.New(n*10000+3456, -4),
				Impressions:             n * 1000,
				Clicks:                  n * 10,
				PlatformConversions:     float64(n%4) * 1.25,
				PlatformConversionValue: decimal.New((n%4)*4999, -2),
			}
			if day == 3 && ad == 1 {
				// A day with no clicks or conversions: Google omits zero
				// metrics, which must read as 0.
				r.Clicks, r.PlatformConversions, r.PlatformConversionValue = 0, 0, decimal.Zero
			}
			rows = append(rows, r)
		}
	}
	rows = append(rows, transform.AdPerformanceRow{Date: transform.Date(2026, 11, 16), Platform: "tiktok",
		AccountID: cust1, AdID: "tt1", Currency: "EUR", Spend: decimal.New(5, 0)})
	return rows
}

var extractedAt = time.Date(2026, 11, 23, 6, 0, 0, 0, time.UTC)

// want is the ground truth as the connector delivers it.
func want(customers []string) []transform.AdPerformanceRow {
	var out []transform.AdPerformanceRow
	for _, c := range customers {
		for _, r := range groundTruth() {
			if r.AccountID != c || r.Platform != "google" {
				continue
			}
			r.Source = "google"
			r.ExtractedAt = extractedAt
			r.LinkClicks = r.Clicks
			r.CreativeID, r.CreativeName = r.AdID, r.AdName
			out = append(out, r)
		}
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
type sleeps = extracttest.Sleeps

var decimalEqual = extracttest.DecimalEqual

// sink collects emitted records; it retains them as the Emitter contract says.
type sink struct{ recs []arrow.RecordBatch }

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

// rows reads the records back into canonical rows.
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
		i64 := func(name string, i int) int64 { return col(name).(*array.Int64).Value(i) }
		opt := func(name string, i int) *int64 {
			if col(name).IsNull(i) {
				return nil
			}
			return transform.Ptr(i64(name, i))
		}
		dec := func(name string, i int) decimal.Decimal {
			return decimal.NewFromBigInt(col(name).(*array.Decimal128).Value(i).BigInt(), -4)
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
				CreativeID:              str("creative_id", i),
				CreativeName:            str("creative_name", i),
				DestinationURL:          str("destination_url", i),
				Currency:                str("currency", i),
				Spend:                   dec("spend", i),
				Impressions:             i64("impressions", i),
				Reach:                   opt("reach", i),
				Clicks:                  i64("clicks", i),
				LinkClicks:              i64("link_clicks", i),
				VideoViews3s:            opt("video_views_3s", i),
				VideoCompletions:        opt("video_completions", i),
				PlatformConversions:     col("platform_conversions").(*array.Float64).Value(i),
				PlatformConversionValue: dec("platform_conversion_value", i),
				Source:                  str("source", i),
				ExtractedAt:             col("extracted_at").(*array.Timestamp).Value(i).ToTime(arrow.Microsecond).UTC(),
			})
		}
	}
	return out
}

type harness struct {
	emu    *gademu.Server
	src    *Source
	sleeps *sleeps
	logs   *bytes.Buffer
	raw    string
}

func newHarness(t *testing.T, cfg gademu.Config, mod func(*Settings)) *harness {
	t.Helper()
	cfg.AccessToken, cfg.DeveloperToken = token, devToken
	cfg.Rows = groundTruth()
	emu, err := gademu.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { emu.Close() })
	set := DefaultSettings()
	set.BaseURL = emu.URL
	set.CustomerIDs = []string{"111-111-1111", cust2}
	set.AccessToken, set.DeveloperToken = token, devToken
	set.RequestsPerSecond = 0
	if mod != nil {
		mod(&set)
	}
	src, err := NewSource("google", set)
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{emu: emu, src: src, sleeps: &sleeps{}, logs: &bytes.Buffer{}, raw: t.TempDir()}
	src.sleep = h.sleeps.Sleep
	src.now = func() time.Time { return extractedAt }
	src.waitMin, src.waitMax = time.Second, 30*time.Second
	return h
}

// run extracts 2026-11-16..19, checking that no Arrow memory leaks and no
// credential reached an error, a log line or a landed file.
func (h *harness) run(t *testing.T) ([]transform.AdPerformanceRow, error) {
	t.Helper()
	return h.runRange(t, transform.Date(2026, 11, 16), transform.Date(2026, 11, 19))
}

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
	for _, secret := range []string{token, devToken} {
		assertNoSecret(t, secret, err, h.logs, h.raw)
	}
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
	rateLimited := `{"error":{"code":429,"message":"Resource has been exhausted (e.g. check quota).","status":"RESOURCE_EXHAUSTED"}}`
	tests := []struct {
		name     string
		emu      gademu.Config
		settings func(*Settings)
		faults   []emulator.Fault
		// wantRequests counts HTTP requests; wantSleeps the retry waits.
		wantRequests int
		wantSleeps   []time.Duration
		// sleepsBetween, when set, bounds each sleep instead of wantSleeps.
		sleepsBetween [2]time.Duration
		wantNSleeps   int
	}{
		{name: "one stream per customer", wantRequests: 2},
		{name: "several batches per stream", emu: gademu.Config{BatchSize: 3}, wantRequests: 2},
		{name: "one result per batch", emu: gademu.Config{BatchSize: 1}, wantRequests: 2},
		{name: "UTMs in the tracking template", emu: gademu.Config{UTMIn: gademu.UTMInTrackingTemplate}, wantRequests: 2},
		{name: "UTMs in the final URL suffix", emu: gademu.Config{UTMIn: gademu.UTMInFinalURLSuffix}, wantRequests: 2},
		{
			name:         "unknown extra fields are ignored",
			emu:          gademu.Config{ExtraResultFields: map[string]any{"adGroupAdLabel": map[string]any{"resourceName": "x"}, "newThing": []int{1}}},
			wantRequests: 2,
		},
		{
			name:         "through a manager account",
			emu:          gademu.Config{LoginCustomerID: "9999999999"},
			settings:     func(s *Settings) { s.LoginCustomerID = "999-999-9999" },
			wantRequests: 2,
		},
		{
			name:         "RESOURCE_EXHAUSTED waits exactly the retryDelay, each time",
			faults:       []emulator.Fault{gademu.ResourceExhausted(7 * time.Second), gademu.ResourceExhausted(9*time.Minute + 500*time.Millisecond)},
			wantRequests: 4,
			// 9m0.5s is above the test's WaitMax (30s) but within
			// max_retry_delay (10m): waited in full.
			wantSleeps: []time.Duration{7 * time.Second, 9*time.Minute + 500*time.Millisecond},
		},
		{
			name:          "429 without a retryDelay backs off",
			faults:        []emulator.Fault{{Status: 429, Body: rateLimited}},
			wantRequests:  3,
			sleepsBetween: [2]time.Duration{time.Second, 2 * time.Second},
			wantNSleeps:   1,
		},
		{
			name:         "429 with Retry-After and no details",
			faults:       []emulator.Fault{{Status: 429, Header: http.Header{"Retry-After": {"3"}}, Body: rateLimited}},
			wantRequests: 3,
			wantSleeps:   []time.Duration{3 * time.Second},
		},
		{
			name:          "5xx burst then success",
			faults:        append(emulator.Repeat(2, gademu.Internal()), emulator.Fault{Status: 503, Body: "upstream connect error"}),
			wantRequests:  5,
			sleepsBetween: [2]time.Duration{time.Second, 30 * time.Second},
			wantNSleeps:   3,
		},
		{
			name:          "dropped connection is retried",
			faults:        []emulator.Fault{{CloseConnection: true}},
			wantRequests:  3,
			sleepsBetween: [2]time.Duration{time.Second, 2 * time.Second},
			wantNSleeps:   1,
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
			if diff := cmp.Diff(want([]string{cust1, cust2}), got, decimalEqual); diff != "" {
				t.Errorf("rows (-want +got):\n%s", diff)
			}
			if n := len(h.emu.Requests()); n != tt.wantRequests {
				t.Errorf("requests = %d, want %d", n, tt.wantRequests)
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
			for _, r := range h.emu.Requests() {
				if r.Method != http.MethodPost || (r.Path != gademu.QueryURL("v21", cust1) && r.Path != gademu.QueryURL("v21", cust2)) {
					t.Errorf("unexpected request %s %s", r.Method, r.Path)
				}
				if r.Header.Get("Authorization") != "Bearer "+token || r.Header.Get("developer-token") != devToken {
					t.Errorf("request %s without credentials", r.Path)
				}
				if got, want := r.Header.Get("login-customer-id"), strings.ReplaceAll(tt.emu.LoginCustomerID, "-", ""); got != want {
					t.Errorf("login-customer-id = %q, want %q", got, want)
				}
				if len(r.Query) != 0 {
					t.Errorf("unexpected query %v", r.Query)
				}
			}
			if !strings.Contains(h.logs.String(), `"msg":"google ads extracted"`) {
				t.Errorf("no summary log line:\n%s", h.logs)
			}
		})
	}
}

func TestExtractFailures(t *testing.T) {
	// A 200 body whose only result lacks segments.date.
	missingDate := `[{"results":[{"customer":{"resourceName":"customers/1111111111","id":"1111111111","currencyCode":"USD"},` +
		`"adGroupAd":{"ad":{"id":"4000"}},"metrics":{"costMicros":"1000000"}}],"fieldMask":"x","requestId":"r"}]`
	missingCurrency := `[{"results":[{"adGroupAd":{"ad":{"id":"4000"}},"segments":{"date":"2026-11-16"}},` +
		`{"adGroupAd":{"ad":{"id":"4001"}},"segments":{"date":"2026-11-16"},"customer":{"id":"1111111111"}}]}]`
	badCost := `[{"results":[{"customer":{"currencyCode":"USD"},"adGroupAd":{"ad":{"id":"4000"}},"segments":{"date":"2026-11-16"},"metrics":{"costMicros":"12.5"}}]}]`
	midStream := `[{"results":[],"fieldMask":"x"},{"error":{"code":500,"message":"Internal error encountered.","status":"INTERNAL"}}]`
	tests := []struct {
		name         string
		emu          gademu.Config
		settings     func(*Settings)
		faults       []emulator.Fault
		wantIs       error
		wantMsg      []string
		wantRequests int
	}{
		{
			name:         "expired OAuth token fails fast naming it",
			faults:       []emulator.Fault{gademu.Unauthenticated()},
			wantIs:       httpx.ErrUnauthorized,
			wantMsg:      []string{"google_ads: customer 1111111111 searchStream", "HTTP 401", "UNAUTHENTICATED", "renew sources.google.access_token (the OAuth access token)"},
			wantRequests: 1,
		},
		{
			name:         "wrong OAuth token",
			settings:     func(s *Settings) { s.AccessToken = "ya29.wrong-token-value" },
			wantIs:       httpx.ErrUnauthorized,
			wantMsg:      []string{"sources.google.access_token"},
			wantRequests: 1,
		},
		{
			name:         "wrong developer token fails fast",
			settings:     func(s *Settings) { s.DeveloperToken = "not-the-developer-token" },
			wantIs:       ErrDeveloperToken,
			wantMsg:      []string{"HTTP 403: developer token rejected: PERMISSION_DENIED", "DEVELOPER_TOKEN_INVALID", "check sources.google.developer_token"},
			wantRequests: 1,
		},
		{
			name:         "developer token not approved",
			faults:       []emulator.Fault{gademu.DeveloperTokenFault()},
			wantIs:       ErrDeveloperToken,
			wantMsg:      []string{"only approved for use with test accounts", "authorizationError=DEVELOPER_TOKEN_NOT_APPROVED"},
			wantRequests: 1,
		},
		{
			name:         "retryDelay beyond max_retry_delay gives up at once",
			faults:       []emulator.Fault{gademu.ResourceExhausted(40591 * time.Second)},
			wantIs:       ErrRetryDelayTooLong,
			wantMsg:      []string{"asked to retry in 11h16m31s, more than max_retry_delay 10m0s", "Too many requests. Retry in 40591 seconds."},
			wantRequests: 1,
		},
		{
			name:         "retryDelay beyond a shorter configured max",
			settings:     func(s *Settings) { s.MaxRetryDelay = 5 * time.Second },
			faults:       []emulator.Fault{gademu.ResourceExhausted(7 * time.Second)},
			wantIs:       ErrRetryDelayTooLong,
			wantMsg:      []string{"retry in 7s, more than max_retry_delay 5s"},
			wantRequests: 1,
		},
		{
			name:         "throttled until retries run out",
			settings:     func(s *Settings) { s.MaxRetries = 2 },
			faults:       emulator.Repeat(3, gademu.ResourceExhausted(time.Second)),
			wantIs:       httpx.ErrRetriesExhausted,
			wantMsg:      []string{"HTTP 429: RESOURCE_EXHAUSTED: Too many requests. Retry in 1 seconds. [quotaError=RESOURCE_EXHAUSTED] (request-id emuErrReq0001) (after 3 attempts)"},
			wantRequests: 3,
		},
		{
			name:         "5xx burst longer than the retries",
			faults:       emulator.Repeat(6, gademu.Internal()),
			wantIs:       httpx.ErrRetriesExhausted,
			wantMsg:      []string{"customer 1111111111 searchStream", "HTTP 500: INTERNAL: An internal error has occurred.", "(after 6 attempts)"},
			wantRequests: 6,
		},
		{
			name:         "malformed body",
			faults:       []emulator.Fault{{Status: 200, Body: "<html>Sorry, something went wrong.</html>"}},
			wantIs:       httpx.ErrInvalidJSON,
			wantMsg:      []string{"customer 1111111111 searchStream", "<html>Sorry, something went wrong.</html>"},
			wantRequests: 1,
		},
		{
			name:         "truncated stream",
			faults:       []emulator.Fault{{Status: 200, Body: `[{"results":[{"segments":{"date":"2026-11-16"}`}},
			wantIs:       httpx.ErrInvalidJSON,
			wantMsg:      []string{"batch 1"},
			wantRequests: 1,
		},
		{
			name:         "error part way through the stream",
			faults:       []emulator.Fault{{Status: 200, Body: midStream}},
			wantIs:       ErrAPI,
			wantMsg:      []string{"batch 2", "INTERNAL: Internal error encountered."},
			wantRequests: 1,
		},
		{
			name:         "missing date names the field and row",
			faults:       []emulator.Fault{{Status: 200, Body: missingDate}},
			wantMsg:      []string{"google_ads: customer 1111111111 searchStream: batch 1 row 1 (ad 4000, ): segments.date missing"},
			wantRequests: 1,
		},
		{
			name:         "missing currency names the field and row",
			faults:       []emulator.Fault{{Status: 200, Body: missingCurrency}},
			wantMsg:      []string{"batch 1 row 1 (ad 4000, 2026-11-16): customer.currency_code missing"},
			wantRequests: 1,
		},
		{
			name:         "bad cost names the field",
			faults:       []emulator.Fault{{Status: 200, Body: badCost}},
			wantMsg:      []string{"batch 1 row 1 (ad 4000, 2026-11-16): metrics.cost_micros: \"12.5\" is not an integer"},
			wantRequests: 1,
		},
		{
			name:         "managed customer without login_customer_id",
			emu:          gademu.Config{LoginCustomerID: "9999999999"},
			wantIs:       ErrPermission,
			wantMsg:      []string{"USER_PERMISSION_DENIED", "set login_customer_id"},
			wantRequests: 1,
		},
		{
			name:         "second customer fails after the first succeeded",
			faults:       []emulator.Fault{func() emulator.Fault { f := gademu.Unauthenticated(); f.Skip = 1; return f }()},
			wantIs:       httpx.ErrUnauthorized,
			wantMsg:      []string{"customer 2222222222 searchStream"},
			wantRequests: 2,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, tt.emu, tt.settings)
			h.emu.Inject(tt.faults...)
			_, err := h.run(t)
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

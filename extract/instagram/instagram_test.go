package instagram

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/google/go-cmp/cmp"

	"github.com/socialroi/socialroi/extract"
	"github.com/socialroi/socialroi/extract/emulator"
	"github.com/socialroi/socialroi/extract/emulator/gen"
	instagramemu "github.com/socialroi/socialroi/extract/emulator/instagram"
	"github.com/socialroi/socialroi/extract/httpx"
	"github.com/socialroi/socialroi/transform"
)

const (
	token = "IGQVJtestTOKEN0123456789abcdef"
	acct1 = "17841400000000001"
	acct2 = "17841400000000002"
)

var (
	d16 = transform.Date(2026, 11, 16)
	d19 = transform.Date(2026, 11, 19)
)

func i64(n int64) *int64 { return &n }

func post(acct, id, format string, at time.Time, caption string, imp, reach, likes, comments, shares, saves *int64) transform.OrganicPostRow {
	return transform.OrganicPostRow{Platform: "instagram", AccountID: acct, PostID: id, PublishedAt: at, Format: format,
		Caption: caption, Permalink: "https://www.instagram.com/p/" + id + "/", Impressions: imp, Reach: reach,
		Likes: likes, Comments: comments, Shares: shares, Saves: saves}
}

// groundTruth: comments say what the connector must do with each post.
func groundTruth() []transform.OrganicPostRow {
	return []transform.OrganicPostRow{
		// After Until's end: skipped without an insights call.
		post(acct1, "p5", "video", time.Date(2026, 11, 20, 1, 0, 0, 0, time.UTC), "", i64(1), i64(1), i64(1), i64(1), i64(1), i64(1)),
		// A story whose insights are gone: empty data → NULL metrics.
		post(acct1, "p4", "story", time.Date(2026, 11, 19, 12, 0, 0, 0, time.UTC), "Swipe up #Sale", nil, nil, nil, nil, nil, nil),
		post(acct1, "p1", "reel", time.Date(2026, 11, 18, 20, 0, 0, 0, time.UTC), "New drop ✨ #Product #demobrand #TrendJack, #product",
			i64(12000), i64(9000), i64(450), i64(30), i64(12), i64(60)),
		// Hidden like count: like_count absent → NULL.
		post(acct1, "p2", "carousel", time.Date(2026, 11, 17, 9, 30, 0, 0, time.UTC), "", i64(5000), i64(4000), nil, i64(4), i64(0), i64(9)),
		// Exactly at Since: included.
		post(acct1, "p3", "image", time.Date(2026, 11, 16, 0, 0, 0, 0, time.UTC), "#howto\nLink in bio.", i64(800), i64(700), i64(20), i64(1), i64(2), i64(3)),
		// Before Since: paging stops here.
		post(acct1, "p6", "image", time.Date(2026, 11, 15, 23, 59, 59, 0, time.UTC), "", i64(1), i64(1), i64(1), i64(1), i64(1), i64(1)),
		post(acct1, "p7", "image", time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), "", i64(1), i64(1), i64(1), i64(1), i64(1), i64(1)),
		post(acct2, "p8", "video", time.Date(2026, 11, 17, 0, 0, 0, 0, time.UTC), "#BTS", i64(300), i64(250), i64(10), i64(2), i64(1), i64(0)),
	}
}

func want() []transform.OrganicPostRow {
	var out []transform.OrganicPostRow
	for _, p := range groundTruth() {
		switch p.PostID {
		case "p5", "p6", "p7":
			continue
		}
		p.SnapshotDate = d19
		p.Tags = Hashtags(p.Caption)
		if p.Format == "video" || p.Format == "reel" {
			p.VideoViews = p.Impressions
		}
		out = append(out, p)
	}
	sortRows(out)
	return out
}

func sortRows(rows []transform.OrganicPostRow) {
	slices.SortFunc(rows, func(a, b transform.OrganicPostRow) int { return strings.Compare(a.PostID, b.PostID) })
}

type sink struct{ recs []arrow.RecordBatch }

func (s *sink) Emit(table string, rec arrow.RecordBatch) error {
	if table != transform.OrganicPosts {
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

func (s *sink) rows(t *testing.T) []transform.OrganicPostRow {
	var out []transform.OrganicPostRow
	for _, rec := range s.recs {
		col := func(name string) arrow.Array {
			idx := rec.Schema().FieldIndices(name)
			if len(idx) != 1 {
				t.Fatalf("no column %s", name)
			}
			return rec.Column(idx[0])
		}
		str := func(name string, i int) string { return col(name).(*array.String).Value(i) }
		opt := func(name string, i int) *int64 {
			if col(name).IsNull(i) {
				return nil
			}
			return i64(col(name).(*array.Int64).Value(i))
		}
		for i := range int(rec.NumRows()) {
			var tags []string
			l := col("tags").(*array.List)
			if !l.IsNull(i) {
				start, end := l.ValueOffsets(i)
				for j := start; j < end; j++ {
					tags = append(tags, l.ListValues().(*array.String).Value(int(j)))
				}
			}
			out = append(out, transform.OrganicPostRow{
				Platform: str("platform", i), AccountID: str("account_id", i), PostID: str("post_id", i),
				SnapshotDate: col("snapshot_date").(*array.Date32).Value(i).ToTime().UTC(),
				PublishedAt:  col("published_at").(*array.Timestamp).Value(i).ToTime(arrow.Microsecond).UTC(),
				Format:       str("format", i), Caption: str("caption", i), Permalink: str("permalink", i), Tags: tags,
				Impressions: opt("impressions", i), Reach: opt("reach", i), Likes: opt("likes", i), Comments: opt("comments", i),
				Shares: opt("shares", i), Saves: opt("saves", i), VideoViews: opt("video_views", i), LinkClicks: opt("link_clicks", i),
			})
		}
	}
	sortRows(out)
	return out
}

type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.d = append(s.d, d)
	s.mu.Unlock()
	return ctx.Err()
}

type harness struct {
	emu    *instagramemu.Instagram
	src    *Source
	sleeps *sleeps
	logs   *bytes.Buffer
	raw    string
}

func newHarness(t *testing.T, cfg instagramemu.Config, mod func(*Settings)) *harness {
	t.Helper()
	if cfg.AccessToken == "" {
		cfg.AccessToken = token
	}
	if cfg.Posts == nil {
		cfg.Posts = groundTruth()
	}
	emu, err := instagramemu.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { emu.Close() })
	set := DefaultSettings()
	set.BaseURL = emu.URL
	set.IGUserIDs = []string{acct1, acct2}
	set.AccessToken = token
	set.RequestsPerSecond = 0
	if mod != nil {
		mod(&set)
	}
	src, err := NewSource("ig", set)
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{emu: emu, src: src, sleeps: &sleeps{}, logs: &bytes.Buffer{}, raw: t.TempDir()}
	src.sleep = h.sleeps.sleep
	src.waitMin, src.waitMax = time.Second, 30*time.Second
	return h
}

func (h *harness) run(t *testing.T, since, until time.Time) ([]transform.OrganicPostRow, error) {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	s := &sink{}
	defer s.release()
	req := extract.Request{Since: since, Until: until, RunID: "r1", RawDir: h.raw,
		Logger: slog.New(slog.NewJSONHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug})), Mem: mem}
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
	tests := []struct {
		name         string
		emu          instagramemu.Config
		faults       []emulator.Fault
		wantRequests int
		wantSleeps   func(t *testing.T, d []time.Duration)
		wantLog      string
	}{
		{
			name:         "one page per account, insights per media in the window",
			wantRequests: 1 + 4 + 1 + 1,
		},
		{
			name:         "cursor paging stops at the first media older than the window",
			emu:          instagramemu.Config{PageSize: 2},
			wantRequests: 3 + 4 + 1 + 1,
		},
		{
			name: "throttling: 429 with Retry-After, then Graph code 17 on insights",
			faults: []emulator.Fault{
				{Status: 429, Header: http.Header{"Retry-After": {"3"}}, Body: `{"error":{"message":"slow"}}`},
				func() emulator.Fault {
					f := emulator.MetaThrottleFault(17)
					f.PathPrefix = "/v21.0/p1/insights"
					return f
				}(),
			},
			wantRequests: 7 + 2,
			wantSleeps: func(t *testing.T, d []time.Duration) {
				if len(d) != 2 || d[0] != 3*time.Second || d[1] < time.Second || d[1] > 2*time.Second {
					t.Errorf("sleeps = %v, want [3s, backoff 1s..2s]", d)
				}
			},
		},
		{
			name: "unknown fields and an unsupported-metric error leave NULLs",
			faults: []emulator.Fault{{PathPrefix: "/v21.0/p4/insights", Status: 400,
				Body: emulator.MetaErrorBody(100, 2108006, "(#100) The Media Insights API does not support the views metric for this media product type.")}},
			wantRequests: 7,
			wantLog:      `"msg":"instagram insights unavailable; metrics left NULL","source":"ig","media":"p4"`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, tt.emu, nil)
			h.emu.Inject(tt.faults...)
			got, err := h.run(t, d16, d19)
			if err != nil {
				t.Fatalf("Extract: %v", err)
			}
			if diff := cmp.Diff(want(), got); diff != "" {
				t.Errorf("rows (-want +got):\n%s", diff)
			}
			reqs := h.emu.Requests()
			if len(reqs) != tt.wantRequests {
				t.Errorf("requests = %d, want %d", len(reqs), tt.wantRequests)
			}
			if n := h.emu.PendingFaults(); n != 0 {
				t.Errorf("%d injected faults never served", n)
			}
			if tt.wantSleeps != nil {
				tt.wantSleeps(t, h.sleeps.d)
			}
			if tt.wantLog != "" && !strings.Contains(h.logs.String(), tt.wantLog) {
				t.Errorf("logs lack %s:\n%s", tt.wantLog, h.logs)
			}
			for _, r := range reqs {
				if r.Query.Get("access_token") != token {
					t.Errorf("request %s without the token", r.Path)
				}
				if strings.HasSuffix(r.Path, "/insights") && r.Query.Get("metric") != "reach,saved,shares,views,total_interactions" {
					t.Errorf("insights request %s asks %q", r.Path, r.Query.Get("metric"))
				}
				if strings.Contains(r.Path, "/p5/") || strings.Contains(r.Path, "/p6/") {
					t.Errorf("insights requested for media outside the window: %s", r.Path)
				}
			}
		})
	}
}

func TestUsagePause(t *testing.T) {
	h := newHarness(t, instagramemu.Config{}, func(s *Settings) { s.IGUserIDs = []string{acct2} })
	h.emu.Inject(emulator.Fault{PathPrefix: "/v21.0/" + acct2 + "/media", Status: 500,
		Header: http.Header{"X-Business-Use-Case-Usage": {`{"1":[{"type":"instagram","call_count":99,"estimated_time_to_regain_access":0}]}`}},
		Body:   `{"error":{"message":"An unknown error occurred","code":1,"is_transient":true}}`})
	if _, err := h.run(t, d16, d19); err != nil {
		t.Fatal(err)
	}
	// The retry's backoff, then the usage pause (a minute capped at 30s).
	if len(h.sleeps.d) != 2 || h.sleeps.d[1] < 29*time.Second {
		t.Errorf("sleeps = %v, want a backoff then a 30s pause", h.sleeps.d)
	}
}

func TestSinceSettingWidensTheWindow(t *testing.T) {
	h := newHarness(t, instagramemu.Config{}, func(s *Settings) { s.Since = "2026-11-01" })
	got, err := h.run(t, d16, d19)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range got {
		ids = append(ids, r.PostID)
	}
	if diff := cmp.Diff([]string{"p1", "p2", "p3", "p4", "p6", "p7", "p8"}, ids); diff != "" {
		t.Errorf("posts (-want +got):\n%s", diff)
	}
}

func TestExtractFailures(t *testing.T) {
	tests := []struct {
		name         string
		emu          instagramemu.Config
		settings     func(*Settings)
		faults       []emulator.Fault
		wantIs       error
		wantMsg      []string
		wantRequests int
	}{
		{
			name:         "wrong token fails fast naming the setting",
			settings:     func(s *Settings) { s.AccessToken = "IGQVJwrong" },
			wantIs:       ErrTokenInvalid,
			wantMsg:      []string{"instagram_organic: access token invalid or expired: renew the token named in sources.ig.access_token", acct1 + " media page 1", "(#190)"},
			wantRequests: 1,
		},
		{
			name: "token expires mid-paging",
			emu:  instagramemu.Config{PageSize: 2},
			faults: []emulator.Fault{func() emulator.Fault {
				f := emulator.MetaTokenExpiredFault()
				f.PathPrefix = "/v21.0/" + acct1 + "/media"
				f.Skip = 1
				return f
			}()},
			wantIs:       ErrTokenInvalid,
			wantMsg:      []string{"sources.ig.access_token", acct1 + " media page 2", "Session has expired"},
			wantRequests: 1 + 1 + 1, // page 1, insights of p4, page 2
		},
		{
			name:         "throttled until retries run out",
			settings:     func(s *Settings) { s.MaxRetries = 2 },
			faults:       emulator.Repeat(3, emulator.MetaThrottleFault(4)),
			wantIs:       httpx.ErrRetriesExhausted,
			wantMsg:      []string{acct1 + " media page 1", "(#4) Application request limit reached", "(after 3 attempts)"},
			wantRequests: 3,
		},
		{
			name:         "malformed body",
			faults:       []emulator.Fault{{Status: 200, Body: "<html>oops</html>"}},
			wantIs:       httpx.ErrInvalidJSON,
			wantMsg:      []string{acct1 + " media page 1", "<html>oops</html>"},
			wantRequests: 1,
		},
		{
			name:         "missing timestamp",
			faults:       []emulator.Fault{{Status: 200, Body: `{"data":[{"id":"9","media_type":"IMAGE"}]}`}},
			wantIs:       ErrBadMedia,
			wantMsg:      []string{acct1 + " media page 1: media 1 (id \"9\"): unreadable media: timestamp missing"},
			wantRequests: 1,
		},
		{
			name:         "unknown media type",
			faults:       []emulator.Fault{{Status: 200, Body: `{"data":[{"id":"9","media_type":"HOLOGRAM","timestamp":"2026-11-17T00:00:00+0000"}]}`}},
			wantIs:       ErrBadMedia,
			wantMsg:      []string{"media 1 (id 9)", `unknown media_type "HOLOGRAM"`},
			wantRequests: 2,
		},
		{
			name:         "unknown account",
			settings:     func(s *Settings) { s.IGUserIDs = []string{"999"} },
			wantIs:       ErrAPI,
			wantMsg:      []string{"999 media page 1", "Object with ID '999' does not exist"},
			wantRequests: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, tt.emu, tt.settings)
			h.emu.Inject(tt.faults...)
			_, err := h.run(t, d16, d19)
			if err == nil {
				t.Fatal("Extract succeeded, want an error")
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("err = %v, want %v", err, tt.wantIs)
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

// TestExtractDemoBrand: the demo brand's Instagram posts come back as
// generated (tags from captions, NULL insights of expired stories).
func TestExtractDemoBrand(t *testing.T) {
	b, err := gen.Generate(gen.Config{Persons: 200})
	if err != nil {
		t.Fatal(err)
	}
	cfg := instagramemu.FromBrand(b)
	if len(cfg.Posts) == 0 {
		t.Fatal("no demo posts")
	}
	h := newHarness(t, cfg, func(s *Settings) { s.IGUserIDs = []string{cfg.Posts[0].AccountID} })
	since := b.Config.End.AddDate(0, 0, -27)
	got, err := h.run(t, since, b.Config.End)
	if err != nil {
		t.Fatal(err)
	}
	var wantRows []transform.OrganicPostRow
	for _, p := range cfg.Posts {
		if !p.PublishedAt.Before(since) {
			wantRows = append(wantRows, p)
		}
	}
	sortRows(wantRows)
	if diff := cmp.Diff(wantRows, got); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
}

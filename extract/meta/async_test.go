package meta

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/socialroi/socialroi/extract/emulator"
	"github.com/socialroi/socialroi/transform"
)

// TestReduceData: HTTP 500 "Please reduce the amount of data" halves limit
// and retries the same page, down to 25, then fails clearly.
func TestReduceData(t *testing.T) {
	all := []string{"111", "222"}
	d16, d19 := transform.Date(2026, 11, 16), transform.Date(2026, 11, 19)
	limits := func(h *harness) []string {
		var out []string
		for _, r := range h.emu.Requests() {
			if r.Path == "/v21.0/act_111/insights" {
				out = append(out, r.Query.Get("limit"))
			}
		}
		return out
	}
	t.Run("halved and retried, later pages keep the smaller limit", func(t *testing.T) {
		h := newHarness(t, emulator.MetaConfig{PageSize: 10}, nil)
		f := emulator.MetaReduceDataFault()
		f.PathPrefix, f.Skip = "/v21.0/act_111/insights", 1 // the second page
		h.emu.Inject(f)
		got, err := h.run(t)
		if err != nil {
			t.Fatalf("Extract: %v", err)
		}
		sortRows(got)
		if diff := cmp.Diff(want(all, d16, d19), got, decimalEqual); diff != "" {
			t.Errorf("rows (-want +got):\n%s", diff)
		}
		// 24 rows in pages of 10: page 1, page 2 refused, page 2 again, page 3.
		if diff := cmp.Diff([]string{"500", "500", "250", "250"}, limits(h)); diff != "" {
			t.Errorf("limits (-want +got):\n%s", diff)
		}
		if len(h.sleeps.D) != 0 {
			t.Errorf("sleeps = %v: halving needs no wait", h.sleeps.D)
		}
		if !strings.Contains(h.logs.String(), "smaller limit") {
			t.Errorf("halving not logged:\n%s", h.logs)
		}
		if h.emu.PendingFaults() != 0 {
			t.Error("fault never served")
		}
	})
	t.Run("fails at the floor", func(t *testing.T) {
		h := newHarness(t, emulator.MetaConfig{}, nil)
		f := emulator.MetaReduceDataFault()
		f.PathPrefix = "/v21.0/act_111/insights"
		h.emu.Inject(emulator.Repeat(6, f)...)
		_, err := h.run(t)
		if !errors.Is(err, ErrTooMuchData) {
			t.Fatalf("err = %v, want ErrTooMuchData", err)
		}
		for _, m := range []string{"act_111 insights page 1", "still too much data at limit 25", "Please reduce the amount of data"} {
			if !strings.Contains(err.Error(), m) {
				t.Errorf("error %q does not contain %q", err, m)
			}
		}
		if diff := cmp.Diff([]string{"500", "250", "125", "62", "31", "25"}, limits(h)); diff != "" {
			t.Errorf("limits (-want +got):\n%s", diff)
		}
	})
}

// TestAsyncReport: a range longer than async_after_days runs as a report
// job and returns the same rows as the synchronous path.
func TestAsyncReport(t *testing.T) {
	all := []string{"111", "222"}
	since, until := transform.Date(2026, 10, 1), transform.Date(2026, 11, 19) // 50 days
	sync := newHarness(t, emulator.MetaConfig{}, func(s *Settings) { s.AsyncAfterDays = 100 })
	wantRows, err := sync.runRange(t, since, until)
	if err != nil {
		t.Fatal(err)
	}
	sortRows(wantRows)
	if diff := cmp.Diff(want(all, since, until), wantRows, decimalEqual); diff != "" {
		t.Fatalf("sync rows (-want +got):\n%s", diff)
	}
	for _, r := range sync.emu.Requests() {
		if r.Method != "GET" {
			t.Errorf("sync path sent %s %s", r.Method, r.Path)
		}
	}

	tests := []struct {
		name      string
		polls     int
		pageSize  int
		settings  func(*Settings)
		wantSleep []time.Duration
	}{
		{"default settings, three polls", 3, 0, nil, []time.Duration{10 * time.Second, 20 * time.Second}},
		{"backoff capped at async_poll_max", 6, 0, nil,
			[]time.Duration{10 * time.Second, 20 * time.Second, 40 * time.Second, time.Minute, time.Minute}},
		{"paged results, done at the first poll", 0, 5, nil, nil},
		{"short interval settings", 4, 0, func(s *Settings) { s.AsyncPollInterval = time.Second; s.AsyncPollMax = 3 * time.Second },
			[]time.Duration{time.Second, 2 * time.Second, 3 * time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, emulator.MetaConfig{AsyncPolls: tt.polls, PageSize: tt.pageSize}, tt.settings)
			got, err := h.runRange(t, since, until)
			if err != nil {
				t.Fatalf("Extract: %v", err)
			}
			sortRows(got)
			if diff := cmp.Diff(wantRows, got, decimalEqual); diff != "" {
				t.Errorf("rows (-want +got):\n%s", diff)
			}
			// Sleeps per account, the same sequence twice.
			wantSleeps := append(append([]time.Duration(nil), tt.wantSleep...), tt.wantSleep...)
			if diff := cmp.Diff(wantSleeps, h.sleeps.D, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("sleeps (-want +got):\n%s", diff)
			}
			var posts, statuses, results int
			for _, r := range h.emu.Requests() {
				switch {
				case r.Method == "POST":
					posts++
					if r.Path != "/v21.0/act_111/insights" && r.Path != "/v21.0/act_222/insights" ||
						r.Query.Get("time_range") != `{"since":"2026-10-01","until":"2026-11-19"}` || r.Query.Get("level") != "ad" {
						t.Errorf("POST %s %v", r.Path, r.Query)
					}
				case strings.HasSuffix(r.Path, "/insights"):
					results++
					if strings.Contains(r.Path, "act_") {
						t.Errorf("synchronous insights call %s on the async path", r.Path)
					}
				case !isAdsPath(r.Path) && !isAccountPath(r.Path):
					statuses++
				}
			}
			wantResults := 2
			if tt.pageSize > 0 {
				wantResults = 5 + 3 // 24 rows / 5 and 12 rows / 5
			}
			if polls := 2 * max(tt.polls, 1); posts != 2 || statuses != polls || results != wantResults {
				t.Errorf("posts %d statuses %d result pages %d, want 2, %d, %d", posts, statuses, results, polls, wantResults)
			}
		})
	}
}

func TestAsyncReportFailures(t *testing.T) {
	since, until := transform.Date(2026, 10, 1), transform.Date(2026, 11, 19)
	tests := []struct {
		name     string
		emu      emulator.MetaConfig
		settings func(*Settings)
		faults   []emulator.Fault
		wantIs   error
		wantMsg  []string
	}{
		{
			name:    "job failed",
			emu:     emulator.MetaConfig{AsyncFail: emulator.MetaJobFailed, AsyncPolls: 3},
			wantIs:  ErrReportFailed,
			wantMsg: []string{"meta_ads: act_111 report run 6120000000000001: async report run failed", `"Job Failed"`},
		},
		{
			name:    "job skipped",
			emu:     emulator.MetaConfig{AsyncFail: emulator.MetaJobSkipped, AsyncPolls: 2},
			wantIs:  ErrReportFailed,
			wantMsg: []string{"report run 6120000000000001", `"Job Skipped"`},
		},
		{
			name:     "timeout",
			emu:      emulator.MetaConfig{AsyncPolls: 10},
			settings: func(s *Settings) { s.AsyncTimeout = 25 * time.Second },
			wantIs:   ErrReportTimeout,
			wantMsg:  []string{"report run 6120000000000001", `"Job Running" at 20% after 25s of polling (3 polls`},
		},
		{
			name:    "malformed POST answer",
			faults:  []emulator.Fault{{PathPrefix: "/v21.0/act_111/insights", Status: 200, Body: `{"report_run_id":""}`}},
			wantMsg: []string{"act_111 async report start", `report_run_id "" is not a report run id`},
		},
		{
			name:    "token expires while polling",
			faults:  []emulator.Fault{func() emulator.Fault { f := emulator.MetaTokenExpiredFault(); f.PathPrefix = "/v21.0/612"; return f }()},
			wantIs:  ErrTokenInvalid,
			wantMsg: []string{"sources.meta.access_token", "act_111 report run 6120000000000001 status page 1"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, tt.emu, tt.settings)
			h.emu.Inject(tt.faults...)
			_, err := h.runRange(t, since, until)
			if err == nil || (tt.wantIs != nil && !errors.Is(err, tt.wantIs)) {
				t.Fatalf("err = %v, want errors.Is %v", err, tt.wantIs)
			}
			for _, m := range tt.wantMsg {
				if !strings.Contains(err.Error(), m) {
					t.Errorf("error %q\ndoes not contain %q", err, m)
				}
			}
			if h.emu.PendingFaults() != 0 {
				t.Error("fault never served")
			}
		})
	}
}

package tiktok

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/socialroi/socialroi/extract/emulator"
	ttemu "github.com/socialroi/socialroi/extract/emulator/tiktok"
	"github.com/socialroi/socialroi/transform"
)

// accountColumns is account_name, currency and account_timezone per
// advertiser, as the rows carry them (one distinct triple expected each).
func accountColumns(rows []transform.AdPerformanceRow) map[string][]string {
	out := map[string][]string{}
	seen := map[string]bool{}
	for _, r := range rows {
		k := r.AccountID + "|" + r.AccountName + "|" + r.Currency + "|" + r.AccountTimezone
		if !seen[k] {
			seen[k] = true
			out[r.AccountID] = append(out[r.AccountID], r.AccountName+"|"+r.Currency+"|"+r.AccountTimezone)
		}
	}
	return out
}

// TestAdvertiserInfo: one GET /advertiser/info/ per run gives each row its
// account_name, account_timezone (as TikTok writes it) and, when the
// settings give none, its currency.
func TestAdvertiserInfo(t *testing.T) {
	d19 := transform.Date(2026, 11, 19)
	info := map[string]ttemu.Advertiser{
		adv1: {Name: "Demo DE", Currency: "EUR", Timezone: "Etc/GMT+5"},
		adv2: {Name: "Demo US", Currency: "USD", Timezone: "America/Los_Angeles"},
	}
	tests := []struct {
		name     string
		info     map[string]ttemu.Advertiser
		settings func(*Settings)
		faults   []emulator.Fault
		want     map[string][]string
		wantLogs []string // substrings of the log
		noLogs   []string // substrings the log must not hold
		wantErr  string
	}{
		{
			name:   "zone stored as given, settings currencies agree",
			info:   info,
			want:   map[string][]string{adv1: {"Demo DE|EUR|Etc/GMT+5"}, adv2: {"Demo US|USD|America/Los_Angeles"}},
			noLogs: []string{"IANA", "differs"},
		},
		{
			name:     "no currency setting: the advertiser's",
			info:     info,
			settings: func(s *Settings) { s.Currency, s.AdvertiserCurrencies = "", nil },
			want:     map[string][]string{adv1: {"Demo DE|EUR|Etc/GMT+5"}, adv2: {"Demo US|USD|America/Los_Angeles"}},
		},
		{
			name: "setting wins over a different advertiser currency, with a warning",
			info: map[string]ttemu.Advertiser{
				adv1: {Name: "Demo DE", Currency: "CHF", Timezone: "Europe/Berlin"},
				adv2: {Name: "Demo US", Currency: "usd", Timezone: "America/New_York"},
			},
			want:     map[string][]string{adv1: {"Demo DE|EUR|Europe/Berlin"}, adv2: {"Demo US|USD|America/New_York"}},
			wantLogs: []string{"the setting wins", `"advertiser_currency":"CHF"`},
		},
		{
			name: "unknown zone kept with a warning",
			info: map[string]ttemu.Advertiser{
				adv1: {Name: "Demo DE", Currency: "EUR", Timezone: "Mars/Phobos"},
				adv2: {Name: "Demo US", Currency: "USD", Timezone: "UTC"},
			},
			want:     map[string][]string{adv1: {"Demo DE|EUR|Mars/Phobos"}, adv2: {"Demo US|USD|UTC"}},
			wantLogs: []string{"not a known IANA zone", "Mars/Phobos"},
		},
		{
			name:   "info call throttled, then retried",
			info:   info,
			faults: []emulator.Fault{{PathPrefix: ttemu.InfoPath, Status: 200, Body: ttemu.ThrottleFault().Body}},
			want:   map[string][]string{adv1: {"Demo DE|EUR|Etc/GMT+5"}, adv2: {"Demo US|USD|America/Los_Angeles"}},
		},
		{
			name: "no currency anywhere fails",
			info: map[string]ttemu.Advertiser{
				adv1: {Name: "Demo DE", Timezone: "Europe/Berlin"},
				adv2: {Name: "Demo US", Currency: "USD"},
			},
			settings: func(s *Settings) { s.Currency, s.AdvertiserCurrencies = "", nil },
			wantErr:  "advertiser 7123456789012345: no currency",
		},
		{
			name:    "info call failure fails the source",
			info:    info,
			faults:  []emulator.Fault{func() emulator.Fault { f := ttemu.TokenExpiredFault(); f.PathPrefix = ttemu.InfoPath; return f }()},
			wantErr: "renew the token named in sources.tiktok.access_token: advertiser info",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, ttemu.Config{AdvertiserInfo: tt.info}, tt.settings)
			h.emu.Inject(tt.faults...)
			got, err := h.run(t, d16, d19)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to contain %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Extract: %v", err)
			}
			if diff := cmp.Diff(tt.want, accountColumns(got)); diff != "" {
				t.Errorf("name|currency|timezone (-want +got):\n%s", diff)
			}
			infos := 0
			for _, r := range h.emu.Requests() {
				if r.Path == ttemu.InfoPath && !r.Fault {
					infos++
				}
			}
			if infos != 1 {
				t.Errorf("advertiser info calls = %d, want 1", infos)
			}
			if n := h.emu.PendingFaults(); n != 0 {
				t.Errorf("%d injected faults never served", n)
			}
			for _, m := range tt.wantLogs {
				if !strings.Contains(h.logs.String(), m) {
					t.Errorf("log does not contain %q:\n%s", m, h.logs)
				}
			}
			for _, m := range tt.noLogs {
				if strings.Contains(h.logs.String(), m) {
					t.Errorf("log contains %q:\n%s", m, h.logs)
				}
			}
		})
	}
}

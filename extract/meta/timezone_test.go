package meta

import (
	"log/slog"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/google/go-cmp/cmp"

	"github.com/socialroi/socialroi/extract"
	"github.com/socialroi/socialroi/extract/emulator"
	"github.com/socialroi/socialroi/transform"
)

// zonesByAccount runs the harness over 2026-11-16..19 and returns the
// account_timezone values seen per account_id ("" for NULL).
func zonesByAccount(t *testing.T, h *harness) map[string][]string {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	s := &sink{}
	defer s.release()
	req := extract.Request{
		Since: transform.Date(2026, 11, 16), Until: transform.Date(2026, 11, 19), RunID: "r1", RawDir: h.raw,
		Logger: slog.New(slog.NewJSONHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Mem:    mem,
	}
	err := h.src.Extract(t.Context(), req, s)
	h.assertNoToken(t, err)
	if err != nil {
		t.Fatalf("Extract: %v", err)
	}
	out := map[string][]string{}
	seen := map[string]bool{}
	for _, rec := range s.recs {
		acct := rec.Column(rec.Schema().FieldIndices("account_id")[0]).(*array.String)
		tz := rec.Column(rec.Schema().FieldIndices("account_timezone")[0]).(*array.String)
		for i := range int(rec.NumRows()) {
			z := ""
			if !tz.IsNull(i) {
				z = tz.Value(i)
			}
			if k := acct.Value(i) + "|" + z; !seen[k] {
				seen[k] = true
				out[acct.Value(i)] = append(out[acct.Value(i)], z)
			}
		}
	}
	return out
}

// TestAccountTimezone: every row carries its account's timezone_name, read
// once per account from GET /act_{id}; an unknown zone is kept with a warning.
func TestAccountTimezone(t *testing.T) {
	t.Run("emulator default", func(t *testing.T) {
		h := newHarness(t, emulator.MetaConfig{}, nil)
		got := zonesByAccount(t, h)
		want := map[string][]string{"111": {"America/Los_Angeles"}, "222": {"America/Los_Angeles"}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("zones (-want +got):\n%s", diff)
		}
		reads := map[string]int{}
		for _, r := range h.emu.Requests() {
			if isAccountPath(r.Path) {
				reads[r.Path]++
			}
		}
		if diff := cmp.Diff(map[string]int{"/v21.0/act_111": 1, "/v21.0/act_222": 1}, reads); diff != "" {
			t.Errorf("account reads (-want +got):\n%s", diff)
		}
		if strings.Contains(h.logs.String(), "IANA") {
			t.Errorf("unexpected zone warning:\n%s", h.logs)
		}
	})
	t.Run("per account, unknown zone kept with a warning", func(t *testing.T) {
		h := newHarness(t, emulator.MetaConfig{Accounts: map[string]emulator.MetaAccount{
			"111": {Name: "Acme 111", Currency: "EUR", Timezone: "Europe/Paris"},
			"222": {Name: "Acme 222", Currency: "EUR", Timezone: "Mars/Olympus_Mons"},
		}}, nil)
		got := zonesByAccount(t, h)
		want := map[string][]string{"111": {"Europe/Paris"}, "222": {"Mars/Olympus_Mons"}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("zones (-want +got):\n%s", diff)
		}
		if !strings.Contains(h.logs.String(), "not a known IANA zone") || !strings.Contains(h.logs.String(), "Mars/Olympus_Mons") {
			t.Errorf("unknown zone not warned about:\n%s", h.logs)
		}
	})
	t.Run("zone from the ground truth rows", func(t *testing.T) {
		rows := groundTruth()
		for i := range rows {
			rows[i].AccountTimezone = "Asia/Tokyo"
		}
		emu, err := emulator.NewMeta(emulator.MetaConfig{AccessToken: token, Rows: rows})
		if err != nil {
			t.Fatal(err)
		}
		defer emu.Close()
		h := newHarness(t, emulator.MetaConfig{}, nil)
		h.src.settings.BaseURL = emu.URL
		got := zonesByAccount(t, h)
		want := map[string][]string{"111": {"Asia/Tokyo"}, "222": {"Asia/Tokyo"}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("zones (-want +got):\n%s", diff)
		}
	})
}

package googleads

import (
	"log/slog"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/google/go-cmp/cmp"

	"github.com/socialroi/socialroi/extract"
	gademu "github.com/socialroi/socialroi/extract/emulator/googleads"
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
	for _, secret := range []string{token, devToken} {
		assertNoSecret(t, secret, err, h.logs, h.raw)
	}
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

// TestAccountTimezone: every row carries customer.time_zone, selected in the
// query; an unknown zone is kept with a warning.
func TestAccountTimezone(t *testing.T) {
	t.Run("emulator default", func(t *testing.T) {
		h := newHarness(t, gademu.Config{}, nil)
		got := zonesByAccount(t, h)
		want := map[string][]string{cust1: {"America/New_York"}, cust2: {"America/New_York"}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("zones (-want +got):\n%s", diff)
		}
		if q := Query(transform.Date(2026, 11, 16), transform.Date(2026, 11, 19)); !strings.Contains(q, "customer.time_zone") {
			t.Errorf("query without customer.time_zone: %s", q)
		}
		if n := len(h.emu.Requests()); n != 2 {
			t.Errorf("requests = %d, want one searchStream per customer", n)
		}
		if strings.Contains(h.logs.String(), "IANA") {
			t.Errorf("unexpected zone warning:\n%s", h.logs)
		}
	})
	t.Run("per customer, unknown zone kept with a warning", func(t *testing.T) {
		h := newHarness(t, gademu.Config{Customers: map[string]gademu.Customer{
			cust1: {Name: "Acme 1", Currency: "EUR", TimeZone: "Europe/Paris"},
			cust2: {Name: "Acme 2", Currency: "EUR", TimeZone: "Mars/Olympus_Mons"},
		}}, nil)
		got := zonesByAccount(t, h)
		want := map[string][]string{cust1: {"Europe/Paris"}, cust2: {"Mars/Olympus_Mons"}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("zones (-want +got):\n%s", diff)
		}
		if n := strings.Count(h.logs.String(), "not a known IANA zone"); n != 1 || !strings.Contains(h.logs.String(), "Mars/Olympus_Mons") {
			t.Errorf("unknown zone warned %d times, want once:\n%s", n, h.logs)
		}
	})
}

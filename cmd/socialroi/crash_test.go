package main

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/socialroi/socialroi/models"
	"github.com/socialroi/socialroi/pipeline"
	"github.com/socialroi/socialroi/reports/manifest"
)

// buildBinary compiles socialroi for tests that need a real process.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "socialroi")
	cmd := exec.Command("go", "build", "-tags=duckdb_arrow", "-o", bin, ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// TestKilledRunsLeaveAConsistentWarehouse kills `socialroi demo` with
// SIGKILL at several points of its run. After each kill the warehouse must
// open and pass its data tests with the numbers of a complete run, the
// week's outputs must be whole (the last good run's or the new one's), and
// the next run must complete normally (the lock of a killed run is not stale).
func TestKilledRunsLeaveAConsistentWarehouse(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs the demo several times")
	}
	if runtime.GOOS != "linux" {
		t.Skip("relies on SIGKILL and flock semantics of Linux")
	}
	bin := buildBinary(t)
	out := t.TempDir()
	demo := func() *exec.Cmd {
		cmd := exec.Command(bin, "demo", "--out", out, "--log-format", "json")
		cmd.Stdout, cmd.Stderr = nil, nil
		return cmd
	}
	// The first run, killed before its commit (about 4 s in here, while
	// it builds the models), leaves no warehouse: it was being built
	// aside (models.Create). Killed after, the warehouse must be whole.
	first := demo()
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(4 * time.Second)
	_ = first.Process.Signal(syscall.SIGKILL)
	_ = first.Wait()
	if _, err := os.Stat(pipeline.DemoWarehouse(out)); err == nil {
		t.Log("the first run was killed after its commit")
		warehouseState(t, out)
	} else if !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}

	if err := demo().Run(); err != nil {
		t.Fatalf("first demo: %v", err)
	}
	baseline := warehouseState(t, out)

	for _, delay := range []time.Duration{200 * time.Millisecond, 700 * time.Millisecond, 1500 * time.Millisecond, 3 * time.Second, 5 * time.Second} {
		cmd := demo()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(delay)
		_ = cmd.Process.Signal(syscall.SIGKILL)
		_ = cmd.Wait()

		if got := warehouseState(t, out); got != baseline {
			t.Errorf("killed after %v: warehouse state %q, want %q", delay, got, baseline)
		}
		checkOutputsWhole(t, out)
	}
	if err := demo().Run(); err != nil {
		t.Fatalf("the run after the kills: %v", err)
	}
	if got := warehouseState(t, out); got != baseline {
		t.Errorf("after the kills and a good run: %q, want %q", got, baseline)
	}
	// The good run tidied what the killed ones left behind.
	if left, _ := filepath.Glob(filepath.Join(out, ".*")); len(left) != 0 {
		t.Errorf("leftovers of killed runs: %v", left)
	}
	if left, _ := filepath.Glob(pipeline.DemoWarehouse(out) + ".partial*"); len(left) != 0 {
		t.Errorf("the killed first run's warehouse is left: %v", left)
	}
}

// warehouseState opens the warehouse, runs the ledger's data tests and
// returns a fingerprint of its numbers.
func warehouseState(t *testing.T, out string) string {
	t.Helper()
	w, err := models.Open(t.Context(), pipeline.DemoWarehouse(out), models.Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("the warehouse does not open: %v", err)
	}
	defer w.Close()
	conn := w.Conn()
	bad := queryOne[int64](t, conn, `SELECT count(*) FROM (
		SELECT conversion_id, model FROM attribution_ledger GROUP BY ALL
		HAVING abs(sum(credit) - 1) > 1e-9 OR sum(revenue_credit) <> any_value(conversion_revenue))`)
	if bad != 0 {
		t.Errorf("%d conversions whose credits do not add up", bad)
	}
	return queryOne[string](t, conn, `SELECT
		(SELECT count(*) || ' ad rows, spend ' || sum(spend) FROM ad_performance) || '; ' ||
		(SELECT count(*) || ' ledger rows, ' || sum(revenue_credit) FROM attribution_ledger) || '; ' ||
		(SELECT string_agg(model || '=' || paid_revenue, ',' ORDER BY model) FROM mart_kpi_summary WHERE week_start = DATE '2026-11-16')`)
}

// checkOutputsWhole opens the week's manifest and workbook: whatever run
// wrote them, they are complete files.
func checkOutputsWhole(t *testing.T, out string) {
	t.Helper()
	var m manifest.Manifest
	b, err := os.ReadFile(filepath.Join(out, "2026-W47", "manifest.json"))
	if err != nil || json.Unmarshal(b, &m) != nil || m.RunID == "" {
		t.Errorf("manifest after a kill: %v", err)
	}
	f, err := excelize.OpenFile(filepath.Join(out, "socialroi_2026-W47.xlsx"))
	if err != nil {
		t.Errorf("workbook after a kill: %v", err)
		return
	}
	if idx, err := f.GetSheetIndex("Summary"); err != nil || idx < 0 {
		t.Errorf("workbook after a kill has no Summary sheet")
	}
	f.Close()
}

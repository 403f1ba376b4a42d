package pipeline

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/socialroi/socialroi/transform"
)

// An API that accepts the connection and never answers: the source's
// timeout fires on every attempt, the source fails, the other sources land
// (exit 4), and nothing waits on the hung server.
func TestRunWithAHangingAPI(t *testing.T) {
	release := make(chan struct{})
	hung := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer hung.Close()
	defer close(release)

	f := newFixture(t, []transform.AdPerformanceRow{adRow("2026-11-17", "a1", "10.00", "USD")}, nil)
	doc, err := os.ReadFile(f.cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	// The fixture's Meta source now points at the hung server, with a
	// 300 ms timeout per attempt and one retry.
	text := strings.Replace(string(doc), fmt.Sprintf("base_url: %q", f.meta.URL), fmt.Sprintf("base_url: %q\n    timeout: 300ms", hung.URL), 1)
	text = strings.Replace(text, "max_retries: 0", "max_retries: 1", 1)
	if text == string(doc) {
		t.Fatal("fixture config did not change")
	}
	if err := os.WriteFile(f.cfgPath, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	res := f.run(t, "tok-secret-42", true)
	if res.ExitCode != ExitSourcesFailed {
		t.Fatalf("exit %d (%v), want %d: the hung source fails, the files source lands", res.ExitCode, res.Err, ExitSourcesFailed)
	}
	if msg := res.Err.Error(); !strings.Contains(msg, "meta") || !strings.Contains(msg, "no answer within 300ms") {
		t.Errorf("error %q should name the source and the timeout", msg)
	}
	// Two attempts of 300 ms and a backoff: far below the client's 2-minute
	// default, which is what would have applied without the setting.
	if d := time.Since(start); d > time.Minute {
		t.Errorf("the run took %s: the timeout did not fire", d)
	}
	// The files source landed despite the hung one.
	if got := f.queryString(t, "SELECT count(*)::VARCHAR FROM touchpoints"); got != "1" {
		t.Errorf("touchpoints in the warehouse: %s, want the files source's 1", got)
	}
}

// A warehouse file that is not a DuckDB database: the run fails with an
// error naming the file, and leaves the file byte for byte as it was.
func TestRunWithACorruptWarehouse(t *testing.T) {
	f := newFixture(t, []transform.AdPerformanceRow{adRow("2026-11-17", "a1", "10.00", "USD")}, nil)
	path := filepath.Join(f.dir, "w.duckdb")
	garbage := bytes.Repeat([]byte("not a duckdb file\x00\xff"), 4096)
	if err := os.WriteFile(path, garbage, 0o644); err != nil {
		t.Fatal(err)
	}
	res := f.run(t, "tok-secret-42", true)
	if res.ExitCode != ExitFailure || res.Err == nil || !strings.Contains(res.Err.Error(), path) {
		t.Fatalf("exit %d, err %v; want exit %d naming %s", res.ExitCode, res.Err, ExitFailure, path)
	}
	after, err := os.ReadFile(path)
	if err != nil || !bytes.Equal(after, garbage) {
		t.Errorf("the corrupt warehouse was changed (%v)", err)
	}
	if _, err := os.Stat(filepath.Join(f.dir, "out", "2026-W47")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a failed run published outputs: %v", err)
	}
}

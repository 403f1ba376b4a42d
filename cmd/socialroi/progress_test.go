package main

import (
	"bytes"
	"errors"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vbauerster/mpb/v8"
)

// The bars finish whatever happens to the sources, so Wait never hangs,
// and they show what was counted.
func TestBarProgressFinishes(t *testing.T) {
	var buf bytes.Buffer
	b := newBarProgress(&buf, mpb.WithAutoRefresh()) // a buffer is not a terminal
	ok, failed := b.Source("meta"), b.Source("tiktok")
	ok.Rows(1200)
	ok.Rows(34)
	ok.Done(nil)
	failed.Done(errors.New("token expired"))
	stage := b.Stage("models", 3)
	for range 3 {
		stage.Step()
	}
	stage.Done()
	done := make(chan struct{})
	go func() { b.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("progress bars never finished")
	}
	out := buf.String()
	for _, want := range []string{"extract meta", "1234 rows", "models", "3 / 3"} {
		if !strings.Contains(out, want) {
			t.Errorf("progress output lacks %q:\n%s", want, out)
		}
	}
}

// The real binary on a terminal (under script(1), which gives it a pty)
// draws progress bars and logs text; the same run piped logs JSON and draws
// nothing.
func TestProgressOnATerminalOnly(t *testing.T) {
	script, err := exec.LookPath("script")
	if err != nil {
		t.Fatalf("script(1) is needed to give the binary a terminal: %v", err)
	}
	bin := buildBinary(t)
	dir := t.TempDir()

	// A pty made by script has no size until told; a terminal always has one.
	term := exec.Command(script, "-qec", "stty cols 120 rows 40; "+bin+" demo --out "+filepath.Join(dir, "tty"), "/dev/null")
	ttyOut, err := term.CombinedOutput()
	if err != nil {
		t.Fatalf("demo on a terminal: %v\n%s", err, ttyOut)
	}
	for _, want := range []string{"extract meta", "rows", "models", "reports"} {
		if !bytes.Contains(ttyOut, []byte(want)) {
			t.Errorf("terminal output lacks the %q bar:\n%s", want, ttyOut)
		}
	}
	if bytes.Contains(ttyOut, []byte(`{"time":`)) {
		t.Error("JSON log lines on a terminal")
	}

	piped := exec.Command(bin, "demo", "--out", filepath.Join(dir, "pipe"))
	var stdout, stderr bytes.Buffer
	piped.Stdout, piped.Stderr = &stdout, &stderr
	if err := piped.Run(); err != nil {
		t.Fatalf("piped demo: %v\n%s", err, stderr.String())
	}
	lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
	for _, l := range lines {
		if !strings.HasPrefix(l, `{"time":`) {
			t.Errorf("piped stderr line is not JSON: %q", l)
			break
		}
	}
	if strings.Contains(stdout.String()+stderr.String(), "extract meta") {
		t.Error("a progress bar when output is not a terminal")
	}
}

package main

import (
	"bytes"
	"errors"
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

package httpx

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

const testToken = "tok-SECRET-1234"

// reply is one scripted response.
type reply struct {
	status int
	header map[string]string
	body   string
}

// script serves replies in order (the last one repeats) and counts calls.
type script struct {
	mu      sync.Mutex
	replies []reply
	calls   int
	paths   []string
}

func (s *script) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	i := min(s.calls, len(s.replies)-1)
	s.calls++
	s.paths = append(s.paths, r.URL.RequestURI())
	rep := s.replies[i]
	s.mu.Unlock()
	for k, v := range rep.header {
		w.Header().Set(k, v)
	}
	w.WriteHeader(rep.status)
	io.WriteString(w, rep.body)
}

// sleeps records injected sleeps instead of waiting.
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

func newTestClient(t *testing.T, base string, mod func(*Options)) (*Client, *sleeps, *bytes.Buffer) {
	t.Helper()
	sl := &sleeps{}
	logs := &bytes.Buffer{}
	opts := Options{
		Source: "meta", BaseURL: base, MaxRetries: 3, WaitMin: time.Second, WaitMax: 10 * time.Second,
		Secrets: []string{testToken}, Credential: "sources.meta.access_token",
		RawDir: t.TempDir(), Sleep: sl.sleep,
		Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	if mod != nil {
		mod(&opts)
	}
	c, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return c, sl, logs
}

func TestClientRetries(t *testing.T) {
	ok := reply{status: 200, body: `{"ok":true}`}
	tests := []struct {
		name         string
		replies      []reply
		classify     Classifier
		wantCalls    int
		wantErr      error  // errors.Is target; nil = success
		wantMsg      string // substring of the error
		checkSleeps  func(t *testing.T, d []time.Duration)
		wantNoSleeps bool
	}{
		{
			name:      "429 with Retry-After seconds then success",
			replies:   []reply{{status: 429, header: map[string]string{"Retry-After": "2"}}, ok},
			wantCalls: 2,
			checkSleeps: func(t *testing.T, d []time.Duration) {
				if len(d) != 1 || d[0] != 2*time.Second {
					t.Errorf("sleeps = %v, want [2s]", d)
				}
			},
		},
		{
			name:      "503 with Retry-After beyond WaitMax is capped",
			replies:   []reply{{status: 503, header: map[string]string{"Retry-After": "3600"}}, ok},
			wantCalls: 2,
			checkSleeps: func(t *testing.T, d []time.Duration) {
				if len(d) != 1 || d[0] != 10*time.Second {
					t.Errorf("sleeps = %v, want [10s]", d)
				}
			},
		},
		{
			name:      "503 with Retry-After as HTTP date",
			replies:   []reply{{status: 503, header: map[string]string{"Retry-After": time.Now().Add(5 * time.Second).UTC().Format(http.TimeFormat)}}, ok},
			wantCalls: 2,
			checkSleeps: func(t *testing.T, d []time.Duration) {
				if len(d) != 1 || d[0] < 3*time.Second || d[0] > 5*time.Second {
					t.Errorf("sleeps = %v, want about [5s]", d)
				}
			},
		},
		{
			name:      "5xx burst exhausts retries",
			replies:   []reply{{status: 500, body: "upstream exploded"}},
			wantCalls: 4,
			wantErr:   ErrRetriesExhausted,
			wantMsg:   "meta: GET /v1/thing: HTTP 500: upstream exploded (after 4 attempts)",
			checkSleeps: func(t *testing.T, d []time.Duration) {
				if len(d) != 3 {
					t.Fatalf("sleeps = %v, want 3", d)
				}
				for i, w := range d {
					ceil := time.Second << i
					if w < time.Second || w > ceil {
						t.Errorf("sleep %d = %s, want within [1s, %s]", i, w, ceil)
					}
				}
			},
		},
		{
			name:         "501 is not retried",
			replies:      []reply{{status: 501, body: "nope"}},
			wantCalls:    1,
			wantErr:      ErrStatus,
			wantMsg:      "HTTP 501: nope",
			wantNoSleeps: true,
		},
		{
			name:         "401 fails fast naming the credential",
			replies:      []reply{{status: 401, body: `{"message":"bad token ` + testToken + `"}`}},
			wantCalls:    1,
			wantErr:      ErrUnauthorized,
			wantMsg:      "renew sources.meta.access_token",
			wantNoSleeps: true,
		},
		{
			name:         "400 fails with the start of the body",
			replies:      []reply{{status: 400, body: "bad\n\nrequest " + strings.Repeat("x", 300)}},
			wantCalls:    1,
			wantErr:      ErrStatus,
			wantMsg:      "HTTP 400: bad request xxx",
			wantNoSleeps: true,
		},
		{
			name:    "platform retry with its own wait, then platform fatal",
			replies: []reply{{status: 400, body: `throttled`}, {status: 400, body: `expired`}},
			classify: func(resp *http.Response, body []byte) Verdict {
				if string(body) == "throttled" {
					return Verdict{Action: Retry, Wait: 7 * time.Second, Message: "(#17) slow down"}
				}
				return Verdict{Action: Fatal, Err: errTestFatal, Message: "(#190) token expired"}
			},
			wantCalls: 2,
			wantErr:   errTestFatal,
			wantMsg:   "meta: GET /v1/thing: HTTP 400: (#190) token expired (after 2 attempts)",
			checkSleeps: func(t *testing.T, d []time.Duration) {
				if len(d) != 1 || d[0] != 7*time.Second {
					t.Errorf("sleeps = %v, want [7s]", d)
				}
			},
		},
		{
			name:    "platform throttle keeps failing: message of the last attempt",
			replies: []reply{{status: 400, body: `throttled`}},
			classify: func(resp *http.Response, body []byte) Verdict {
				return Verdict{Action: Retry, Message: "(#17) User request limit reached"}
			},
			wantCalls: 4,
			wantErr:   ErrRetriesExhausted,
			wantMsg:   "meta: GET /v1/thing: HTTP 400: (#17) User request limit reached (after 4 attempts)",
		},
		{
			name:    "platform OK accepts a non-2xx",
			replies: []reply{{status: 404, body: `{"ok":true}`}},
			classify: func(*http.Response, []byte) Verdict {
				return Verdict{Action: OK}
			},
			wantCalls:    1,
			wantNoSleeps: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &script{replies: tt.replies}
			srv := httptest.NewServer(s)
			defer srv.Close()
			c, sl, logs := newTestClient(t, srv.URL, func(o *Options) { o.Classify = tt.classify })
			var out map[string]any
			err := c.GetJSON(t.Context(), "/v1/thing", url.Values{"access_token": {testToken}}, &out)
			if tt.wantErr == nil && err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("error %v, want errors.Is %v", err, tt.wantErr)
				}
				var he *Error
				if !errors.As(err, &he) {
					t.Fatalf("error %T is not *Error", err)
				}
				if !strings.Contains(err.Error(), tt.wantMsg) {
					t.Errorf("error %q does not contain %q", err, tt.wantMsg)
				}
			}
			if s.calls != tt.wantCalls {
				t.Errorf("calls = %d, want %d", s.calls, tt.wantCalls)
			}
			if tt.checkSleeps != nil {
				tt.checkSleeps(t, sl.d)
			}
			if tt.wantNoSleeps && len(sl.d) != 0 {
				t.Errorf("slept %v, want no sleeps", sl.d)
			}
			assertNoSecret(t, err, logs, c.opts.RawDir, testToken)
			if n := countFiles(t, c.opts.RawDir); n != tt.wantCalls {
				t.Errorf("landed %d files, want one per response (%d)", n, tt.wantCalls)
			}
		})
	}
}

var errTestFatal = errors.New("test fatal")

// assertNoSecret checks the error, the logs and every landed file.
func assertNoSecret(t *testing.T, err error, logs *bytes.Buffer, rawDir, secret string) {
	t.Helper()
	if err != nil && strings.Contains(err.Error(), secret) {
		t.Errorf("secret in error: %v", err)
	}
	if strings.Contains(logs.String(), secret) {
		t.Errorf("secret in logs:\n%s", logs)
	}
	if rawDir == "" {
		return
	}
	files, _ := filepath.Glob(filepath.Join(rawDir, "*.json.gz"))
	for _, f := range files {
		if b := gunzip(t, f); bytes.Contains(b, []byte(secret)) {
			t.Errorf("secret in raw file %s: %s", f, b)
		}
	}
}

func gunzip(t *testing.T, name string) []byte {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return b
}

// countFiles counts the landed bodies (not the index).
func countFiles(t *testing.T, dir string) int {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "[0-9]*.json.gz"))
	if err != nil {
		t.Fatal(err)
	}
	return len(files)
}

func TestClientEchoedTokenIsRedacted(t *testing.T) {
	// The server echoes the token in the body (as Meta does in paging URLs)
	// and in an error; none of it may reach errors, logs or landed files.
	s := &script{replies: []reply{
		{status: 500, body: `{"error":"bad access_token=` + testToken + `"}`},
		{status: 200, body: `{"next":"http://x/?access_token=` + testToken + `"}`},
	}}
	srv := httptest.NewServer(s)
	defer srv.Close()
	c, _, logs := newTestClient(t, srv.URL, nil)
	var out struct{ Next string }
	if err := c.GetJSON(t.Context(), "/v1/thing", url.Values{"access_token": {testToken}}, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.Next, testToken) {
		t.Fatal("the caller must get the body as sent")
	}
	if !strings.Contains(s.paths[0], "access_token="+testToken) {
		t.Fatalf("token not sent: %v", s.paths)
	}
	assertNoSecret(t, nil, logs, c.opts.RawDir, testToken)
	files, _ := filepath.Glob(filepath.Join(c.opts.RawDir, "*"))
	want := []string{"000001-v1-thing.json.gz", "000002-v1-thing.json.gz", IndexFile}
	if len(files) != len(want) {
		t.Fatalf("raw files %v, want %v", files, want)
	}
	for i, f := range files {
		if filepath.Base(f) != want[i] {
			t.Errorf("raw file %d = %s, want %s", i, filepath.Base(f), want[i])
		}
	}
	if !bytes.Contains(gunzip(t, files[0]), []byte("access_token=REDACTED")) {
		t.Error("error body must be landed, redacted")
	}
}

func TestClientInvalidJSON(t *testing.T) {
	body := "<html><body>Service " + testToken + " maintenance</body></html>" + strings.Repeat("z", 400)
	s := &script{replies: []reply{{status: 200, body: body}}}
	srv := httptest.NewServer(s)
	defer srv.Close()
	c, _, logs := newTestClient(t, srv.URL, nil)
	var out map[string]any
	err := c.GetJSON(t.Context(), "/v1/act_1/insights?access_token="+testToken, nil, &out)
	if !errors.Is(err, ErrInvalidJSON) {
		t.Fatalf("err = %v, want ErrInvalidJSON", err)
	}
	msg := err.Error()
	for _, want := range []string{"meta: GET /v1/act_1/insights:", "<html><body>Service REDACTED maintenance", "invalid JSON"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not contain %q", msg, want)
		}
	}
	if strings.Contains(msg, strings.Repeat("z", 250)) {
		t.Error("error must quote only the start of the body")
	}
	assertNoSecret(t, err, logs, c.opts.RawDir, testToken)
	if countFiles(t, c.opts.RawDir) != 1 {
		t.Error("the malformed body must still be landed")
	}
}

func TestClientConnectionErrors(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	base := srv.URL
	srv.Close() // nothing listens any more: every dial fails
	c, sl, logs := newTestClient(t, base, func(o *Options) { o.MaxRetries = 2 })
	err := c.GetJSON(t.Context(), "/v1/x", url.Values{"access_token": {testToken}}, new(any))
	if !errors.Is(err, ErrRetriesExhausted) {
		t.Fatalf("err = %v, want ErrRetriesExhausted", err)
	}
	if !strings.Contains(err.Error(), "(after 3 attempts)") || !strings.Contains(err.Error(), "meta: GET /v1/x: ") {
		t.Errorf("error = %q", err)
	}
	if len(sl.d) != 2 {
		t.Errorf("sleeps = %v, want 2", sl.d)
	}
	assertNoSecret(t, err, logs, "", testToken)
	if !strings.Contains(logs.String(), "access_token=REDACTED") {
		t.Errorf("expected redacted URLs in debug logs:\n%s", logs)
	}
}

func TestClientContextCancelledWhileWaiting(t *testing.T) {
	s := &script{replies: []reply{{status: 503}}}
	srv := httptest.NewServer(s)
	defer srv.Close()
	ctx, cancel := context.WithCancel(t.Context())
	c, _, _ := newTestClient(t, srv.URL, func(o *Options) {
		o.Sleep = func(ctx context.Context, d time.Duration) error { cancel(); return ctx.Err() }
	})
	err := c.GetJSON(ctx, "/v1/x", nil, new(any))
	if !errors.Is(err, context.Canceled) || err.Error() != "meta: GET /v1/x: context canceled" {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if s.calls != 1 {
		t.Errorf("calls = %d, want 1", s.calls)
	}
}

func TestClientPauseFromUsage(t *testing.T) {
	s := &script{replies: []reply{{status: 200, header: map[string]string{"X-Usage": "97"}, body: `{}`}, {status: 200, body: `{}`}}}
	srv := httptest.NewServer(s)
	defer srv.Close()
	c, sl, _ := newTestClient(t, srv.URL, func(o *Options) {
		o.Classify = func(resp *http.Response, _ []byte) Verdict {
			if resp.Header.Get("X-Usage") == "97" {
				return Verdict{Pause: time.Hour} // capped by WaitMax (10s)
			}
			return Verdict{}
		}
	})
	for range 3 {
		if err := c.GetJSON(t.Context(), "/v1/x", nil, new(any)); err != nil {
			t.Fatal(err)
		}
	}
	if len(sl.d) != 1 || sl.d[0] < 9*time.Second || sl.d[0] > 10*time.Second {
		t.Errorf("sleeps = %v, want one pause of about 10s before the second call", sl.d)
	}
}

func TestClientRefusesForeignHost(t *testing.T) {
	s := &script{replies: []reply{{status: 200, body: `{}`}}}
	srv := httptest.NewServer(s)
	defer srv.Close()
	c, _, _ := newTestClient(t, srv.URL, nil)
	err := c.GetJSON(t.Context(), "https://evil.example/v1/x?access_token="+testToken, nil, new(any))
	if !errors.Is(err, ErrForeignHost) || strings.Contains(err.Error(), testToken) {
		t.Fatalf("err = %v, want ErrForeignHost without the token", err)
	}
	if s.calls != 0 {
		t.Error("no request may be sent to a foreign host")
	}
	// Same host, absolute URL: allowed, and Query overrides its parameters.
	if err := c.GetJSON(t.Context(), srv.URL+"/v1/x?after=abc&access_token=old", url.Values{"access_token": {"new"}}, new(any)); err != nil {
		t.Fatal(err)
	}
	if got := s.paths[0]; got != "/v1/x?access_token=new&after=abc" {
		t.Errorf("request URI = %q", got)
	}
}

func TestNewValidates(t *testing.T) {
	for _, o := range []Options{
		{BaseURL: "http://x"},
		{Source: "s", BaseURL: "x/y"},
		{Source: "s", BaseURL: "ftp://x"},
		{Source: "s", BaseURL: "http://x", WaitMin: time.Minute, WaitMax: time.Second},
		{Source: "s", BaseURL: "http://x", RateLimit: -1},
	} {
		if _, err := New(o); err == nil {
			t.Errorf("New(%+v) succeeded, want error", o)
		}
	}
}

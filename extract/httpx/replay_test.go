package httpx

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
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

// recordingAPI is a small platform: a paged list whose paging links echo the
// token (as Meta's do), an endpoint that throttles once, and a POST search
// paged by its body (as Google Ads GAQL and HubSpot search are).
type recordingAPI struct {
	mu        sync.Mutex
	throttled bool
	calls     int
}

func (a *recordingAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	a.calls++
	a.mu.Unlock()
	if r.URL.Query().Get("access_token") != testToken {
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	// Headers a connector reads, one of them echoing the credential, and a
	// session cookie: none of it may reach the index unredacted.
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Usage", `{"call_count":12}`)
	w.Header().Set("X-Debug", "token="+testToken)
	http.SetCookie(w, &http.Cookie{Name: "session", Value: testToken})
	switch r.URL.Path {
	case "/v1/items":
		switch r.URL.Query().Get("after") {
		case "":
			fmt.Fprintf(w, `{"data":[1,2],"next":"http://%s/v1/items?access_token=%s&after=p2"}`, r.Host, testToken)
		case "p2":
			fmt.Fprint(w, `{"data":[3]}`)
		default:
			w.WriteHeader(http.StatusBadRequest)
		}
	case "/v1/limited":
		a.mu.Lock()
		first := !a.throttled
		a.throttled = true
		a.mu.Unlock()
		if first {
			w.Header().Set("Retry-After", "7")
			w.WriteHeader(http.StatusTooManyRequests)
			fmt.Fprint(w, `{"error":"slow down"}`)
			return
		}
		fmt.Fprint(w, `{"ok":true}`)
	case "/v1/search":
		b, _ := io.ReadAll(r.Body)
		switch string(b) {
		case `{"after":0}`:
			fmt.Fprint(w, `{"results":["a"],"after":1}`)
		case `{"after":1}`:
			fmt.Fprint(w, `{"results":["b"]}`)
		default:
			w.WriteHeader(http.StatusBadRequest)
		}
	default:
		w.WriteHeader(http.StatusNotFound)
	}
}

// session is the sequence of requests a connector makes: two pages, a
// throttled call, a POST search with two bodies. It returns each body as
// the connector received it, and the throttled call's attempts.
func session(ctx context.Context, c *Client, token string) (bodies []string, attempts int, err error) {
	q := url.Values{"access_token": {token}}
	resp, err := c.Do(ctx, Request{Path: "/v1/items", Query: q})
	if err != nil {
		return nil, 0, err
	}
	bodies = append(bodies, string(resp.Body))
	// The next page is requested by the link the platform gave, with the
	// credential put back (the landed link carries REDACTED instead).
	resp, err = c.Do(ctx, Request{Path: "/v1/items", Query: url.Values{"access_token": {token}, "after": {"p2"}}})
	if err != nil {
		return nil, 0, err
	}
	bodies = append(bodies, string(resp.Body))
	resp, err = c.Do(ctx, Request{Path: "/v1/limited", Query: q})
	if err != nil {
		return nil, 0, err
	}
	bodies = append(bodies, string(resp.Body))
	attempts = resp.Attempts
	for _, body := range []string{`{"after":0}`, `{"after":1}`} {
		resp, err = c.Do(ctx, Request{Method: http.MethodPost, Path: "/v1/search", Query: q, Body: []byte(body)})
		if err != nil {
			return nil, 0, err
		}
		bodies = append(bodies, string(resp.Body))
	}
	return bodies, attempts, nil
}

// noDial fails the test if a replayed request ever reaches a transport.
type noDial struct{ t *testing.T }

func (d noDial) RoundTrip(req *http.Request) (*http.Response, error) {
	d.t.Errorf("replay dialled %s", req.URL.Redacted())
	return nil, errors.New("no network in replay")
}

// record runs the session against the API and returns the raw landing.
func record(t *testing.T) (rawDir string, bodies []string) {
	t.Helper()
	api := &recordingAPI{}
	srv := httptest.NewServer(api)
	defer srv.Close()
	c, sl, logs := newTestClient(t, srv.URL, nil)
	bodies, attempts, err := session(t.Context(), c, testToken)
	if err != nil {
		t.Fatal(err)
	}
	if attempts != 2 || len(sl.d) != 1 || sl.d[0] != 7*time.Second {
		t.Fatalf("recording: throttled call took %d attempts, sleeps %v", attempts, sl.d)
	}
	if api.calls != 6 {
		t.Fatalf("recording: %d calls, want 6", api.calls)
	}
	// assertNoSecret gunzips every *.json.gz, the index included.
	assertNoSecret(t, nil, logs, c.opts.RawDir, testToken)
	return c.opts.RawDir, bodies
}

func TestRecordIndex(t *testing.T) {
	dir, _ := record(t)
	f, err := os.Open(filepath.Join(dir, IndexFile))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	entries, err := readIndex(f)
	if err != nil {
		t.Fatal(err)
	}
	type short struct {
		seq            int64
		method, uri    string
		hasBody        bool
		status         int
		file           string
		attempt        int
		retryAfter     string
		usage, cookies string
	}
	var got []short
	for _, e := range entries {
		got = append(got, short{e.Seq, e.Method, requestURI(e.URL), e.BodySHA256 != "", e.Status, e.File, e.Attempt,
			e.Header.Get("Retry-After"), e.Header.Get("X-Usage"), e.Header.Get("Set-Cookie")})
		if !strings.HasPrefix(e.URL, "http://127.0.0.1:") || e.Time.IsZero() {
			t.Errorf("entry %d: url %q time %v", e.Seq, e.URL, e.Time)
		}
		if d := e.Header.Get("X-Debug"); d != "token="+Redacted {
			t.Errorf("entry %d: X-Debug %q, want it redacted", e.Seq, d)
		}
	}
	u := `{"call_count":12}`
	want := []short{
		{1, "GET", "/v1/items?access_token=REDACTED", false, 200, "000001-v1-items.json.gz", 1, "", u, ""},
		{2, "GET", "/v1/items?access_token=REDACTED&after=p2", false, 200, "000002-v1-items.json.gz", 1, "", u, ""},
		{3, "GET", "/v1/limited?access_token=REDACTED", false, 429, "000003-v1-limited.json.gz", 1, "7", u, ""},
		{4, "GET", "/v1/limited?access_token=REDACTED", false, 200, "000004-v1-limited.json.gz", 2, "", u, ""},
		{5, "POST", "/v1/search?access_token=REDACTED", true, 200, "000005-v1-search.json.gz", 1, "", u, ""},
		{6, "POST", "/v1/search?access_token=REDACTED", true, 200, "000006-v1-search.json.gz", 1, "", u, ""},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("index:\n got %v\nwant %v", got, want)
	}
	if entries[4].BodySHA256 == entries[5].BodySHA256 {
		t.Error("two POST bodies share a hash")
	}
}

func TestReplay(t *testing.T) {
	dir, recorded := record(t)
	rp, err := OpenReplay(dir, "run-1")
	if err != nil {
		t.Fatal(err)
	}
	// The server is gone and base_url points at a port nobody listens on:
	// only the path and query are matched, and nothing may dial anyway. The
	// token was renewed since: redacted URLs still match.
	out := t.TempDir()
	c, sl, logs := newTestClient(t, "http://127.0.0.1:1", func(o *Options) {
		o.Transport = noDial{t}
		o.Secrets = []string{"renewed-token"}
		o.RawDir = out
		o.RateLimit = 0.001 // would hold a live second request for 1000 s
	})
	ctx := WithReplay(t.Context(), rp)
	bodies, attempts, err := session(ctx, c, "renewed-token")
	if err != nil {
		t.Fatal(err)
	}
	// The connector sees what was landed: the echoed token is redacted.
	for i := range recorded {
		recorded[i] = strings.ReplaceAll(recorded[i], testToken, Redacted)
	}
	if fmt.Sprint(bodies) != fmt.Sprint(recorded) {
		t.Errorf("replayed bodies:\n got %q\nwant %q", bodies, recorded)
	}
	if attempts != 2 {
		t.Errorf("the recorded 429 then 200 took %d attempts, want 2", attempts)
	}
	if len(sl.d) != 0 {
		t.Errorf("replay slept %v", sl.d)
	}
	if n := rp.Unused(); n != 0 {
		t.Errorf("%d recorded responses unused", n)
	}
	if files, _ := os.ReadDir(out); len(files) != 0 {
		t.Errorf("replay landed %d files; it must not re-land", len(files))
	}

	// Asked once more than recorded, or never recorded: a clear error that
	// names the source, the redacted URL and the run, and no retry.
	for _, tc := range []struct {
		name string
		req  Request
		want []string
	}{
		{"page asked again", Request{Path: "/v1/items", Query: url.Values{"access_token": {"renewed-token"}, "after": {"p2"}}},
			[]string{"meta: GET /v1/items", "replay of run run-1", "/v1/items?access_token=REDACTED&after=p2", "more times than recorded", IndexFile}},
		{"never recorded", Request{Path: "/v1/other", Query: url.Values{"access_token": {"renewed-token"}}},
			[]string{"meta: GET /v1/other", "run-1", "http://127.0.0.1:1/v1/other?access_token=REDACTED", "never recorded"}},
		{"POST with another body", Request{Method: http.MethodPost, Path: "/v1/search", Query: url.Values{"access_token": {"renewed-token"}}, Body: []byte(`{"after":2}`)},
			[]string{"meta: POST /v1/search", "run-1", "never recorded", "body sha256"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.Do(ctx, tc.req)
			if !errors.Is(err, ErrNotRecorded) {
				t.Fatalf("err = %v, want ErrNotRecorded", err)
			}
			var he *Error
			if !errors.As(err, &he) || he.Attempts != 1 {
				t.Errorf("want one attempt, got %+v", he)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			assertNoSecret(t, err, logs, "", "renewed-token")
		})
	}
}

// A landing without an index (made before indexes existed, or by a source
// that sent no request) replays as "not recorded", saying why; a folder
// that is not there is an error at once.
func TestReplayWithoutIndex(t *testing.T) {
	if _, err := OpenReplay(filepath.Join(t.TempDir(), "nope"), "run-0"); err == nil {
		t.Error("opening a missing landing succeeded")
	}
	rp, err := OpenReplay(t.TempDir(), "run-0")
	if err != nil {
		t.Fatal(err)
	}
	c, _, _ := newTestClient(t, "http://127.0.0.1:1", func(o *Options) { o.Transport = noDial{t} })
	_, err = c.Do(WithReplay(t.Context(), rp), Request{Path: "/v1/items"})
	if !errors.Is(err, ErrNotRecorded) || !strings.Contains(err.Error(), "no request index") {
		t.Errorf("err = %v", err)
	}
}

// A run killed while writing its last index entry still replays up to it:
// a last line that arrived whole is kept (its JSON is checked), one cut
// short is dropped.
func TestReadIndexTruncatedTail(t *testing.T) {
	dir, _ := record(t)
	b, err := os.ReadFile(filepath.Join(dir, IndexFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ cut, want int }{{0, 6}, {1, 6}, {40, 5}} {
		entries, err := readIndex(bytes.NewReader(b[:len(b)-tc.cut]))
		if err != nil || len(entries) != tc.want {
			t.Errorf("cut %d bytes: %d entries, %v; want %d", tc.cut, len(entries), err, tc.want)
		}
	}
}

// A body cut short when recorded is cut short again in replay (and retried,
// as it was live).
func TestReplayReadError(t *testing.T) {
	dir := t.TempDir()
	c, _, _ := newTestClient(t, "http://127.0.0.1:1", func(o *Options) { o.RawDir = dir })
	for i, e := range []IndexEntry{
		{Method: "GET", URL: "http://x/v1/a", Status: 200, ReadError: "unexpected EOF"},
		{Method: "GET", URL: "http://x/v1/a", Status: 200},
	} {
		file, seq, err := c.land("/v1/a", []byte(`{"n":`+fmt.Sprint(i)+`}`))
		if err != nil {
			t.Fatal(err)
		}
		e.File, e.Seq = file, seq
		if err := c.record(e); err != nil {
			t.Fatal(err)
		}
	}
	rp, err := OpenReplay(dir, "run-2")
	if err != nil {
		t.Fatal(err)
	}
	r, _, _ := newTestClient(t, "http://127.0.0.1:1", func(o *Options) { o.Transport = noDial{t}; o.RawDir = "" })
	resp, err := r.Do(WithReplay(t.Context(), rp), Request{Path: "/v1/a"})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Attempts != 2 || string(resp.Body) != `{"n":1}` {
		t.Errorf("attempts %d body %s", resp.Attempts, resp.Body)
	}
}

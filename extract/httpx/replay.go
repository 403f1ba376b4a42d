package httpx

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// IndexFile is the request index of a raw landing, in RawDir next to the
// bodies. It is gzip-compressed JSON Lines: one gzip member per IndexEntry,
// appended as each response arrives, so `zcat index.json.gz` prints one JSON
// object a line and a run killed half-way leaves every earlier entry
// readable. It ends in .json.gz like every other landed file, so whatever
// gunzips a whole landing (audits, the connectors' no-secret tests) reads it
// too.
const IndexFile = "index.json.gz"

// IndexEntry is one response in a raw landing's index: enough to answer the
// same request again without the network (see Replay). Nothing in it is a
// secret: the URL, headers and read error are redacted, and the request body
// is kept only as a hash of its redacted text.
type IndexEntry struct {
	// Seq is the sequence number of the body file.
	Seq int64 `json:"seq"`
	// Time is when the response arrived.
	Time time.Time `json:"time"`
	// Attempt is the attempt of its request (1 = first; retries count up).
	Attempt int    `json:"attempt"`
	Method  string `json:"method"`
	// URL is the absolute request URL, query included, redacted.
	URL string `json:"url"`
	// BodySHA256 is the hex SHA-256 of the redacted request body, empty for
	// a request without one. POST bodies (a GAQL query, a CRM search) are
	// what tells one page's request from the next.
	BodySHA256 string `json:"body_sha256,omitempty"`
	Status     int    `json:"status"`
	// Header is the response's headers, redacted, without Set-Cookie.
	Header http.Header `json:"header,omitempty"`
	// File is the body's file name in the same folder.
	File string `json:"file"`
	// ReadError is set when the body was cut short (what was read is in
	// File); replay reproduces the failure.
	ReadError string `json:"read_error,omitempty"`
}

// indexWriter appends entries to IndexFile. One gzip.Writer is reused (its
// compressor state is large); the mutex keeps entries whole and in order.
type indexWriter struct {
	mu  sync.Mutex
	zw  *gzip.Writer
	buf bytes.Buffer
}

// record appends one entry to RawDir's index. Each entry is a complete gzip
// member written with a single O_APPEND write, so concurrent calls never
// interleave and an earlier entry is never rewritten.
func (c *Client) record(e IndexEntry) error {
	line, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("raw landing index: %w", err)
	}
	line = append(line, '\n')
	w := &c.index
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Reset()
	if w.zw == nil {
		w.zw = gzip.NewWriter(&w.buf)
	} else {
		w.zw.Reset(&w.buf)
	}
	if _, err := w.zw.Write(line); err != nil {
		return fmt.Errorf("raw landing index: %w", err)
	}
	if err := w.zw.Close(); err != nil {
		return fmt.Errorf("raw landing index: %w", err)
	}
	f, err := os.OpenFile(filepath.Join(c.opts.RawDir, IndexFile), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("raw landing index: %w", err)
	}
	_, werr := f.Write(w.buf.Bytes())
	if err := errors.Join(werr, f.Close()); err != nil {
		return fmt.Errorf("raw landing index: %w", err)
	}
	return nil
}

// redactedHeader copies h with every value redacted. Set-Cookie is dropped:
// a session cookie is a credential and no connector reads it.
func (c *Client) redactedHeader(h http.Header) http.Header {
	out := make(http.Header, len(h))
	for k, vs := range h {
		if strings.EqualFold(k, "Set-Cookie") || strings.EqualFold(k, "Set-Cookie2") {
			continue
		}
		cp := make([]string, len(vs))
		for i, v := range vs {
			cp[i] = c.redact.String(v)
		}
		out[k] = cp
	}
	return out
}

// bodyHash is the hex SHA-256 of a request body's redacted text ("" for no
// body). Redacting first keeps a credential sent in a body (an OAuth
// refresh) out of the index, even as a hash, and lets a replay made with a
// renewed credential match.
func bodyHash(r *Redactor, body []byte) string {
	if len(body) == 0 {
		return ""
	}
	sum := sha256.Sum256([]byte(r.String(string(body))))
	return hex.EncodeToString(sum[:])
}

// requestURI is the path and query of a (redacted) URL: what replay matches
// on. The scheme and host are left out because a Client only ever talks to
// its BaseURL's host, and a base_url that moved (an emulator on a new port,
// a regional endpoint) must not stop an old run from replaying.
func requestURI(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	return u.RequestURI()
}

// errReplayDamaged: the index names a body file that is missing or corrupt.
var errReplayDamaged = errors.New("raw landing damaged")

// replayError is a replay failure. The transport returns it; the client
// stops at once on it (retrying cannot make a recording appear).
type replayError struct {
	msg string
	err error
}

func (e *replayError) Error() string { return e.msg }
func (e *replayError) Unwrap() error { return e.err }

type replayKey struct{ method, uri, body string }

// Replay answers requests from a raw landing instead of the network. Open
// one per recorded RawDir with OpenReplay and attach it to the context of a
// source's extraction with WithReplay: every Client used under that context
// then never dials, lands nothing, and never sleeps.
//
// A request is answered by the next unused entry with the same method,
// redacted path and query, and redacted body hash, in recorded order: pages
// come back in sequence, and a recorded 429 or 5xx comes back before the
// response its retry got, so the connector takes the same path it took.
// Transport errors were never recorded (there was no response), so their
// retries simply take the next entry. A Replay is safe for concurrent use.
type Replay struct {
	dir, runID string
	indexed    bool // the landing has an index at all

	mu     sync.Mutex
	queue  map[replayKey][]IndexEntry
	total  int
	served int
}

// OpenReplay reads dir's index. runID names the recorded run in errors. A
// folder without an index (a source that made no HTTP request, or a landing
// made before indexes existed) opens as an empty replay whose every request
// fails with ErrNotRecorded, saying so; a folder that does not exist is an
// error.
func OpenReplay(dir, runID string) (*Replay, error) {
	if _, err := os.Stat(dir); err != nil {
		return nil, fmt.Errorf("replay of run %s: %w", runID, err)
	}
	r := &Replay{dir: dir, runID: runID, queue: map[replayKey][]IndexEntry{}}
	f, err := os.Open(filepath.Join(dir, IndexFile))
	if errors.Is(err, fs.ErrNotExist) {
		return r, nil
	}
	if err != nil {
		return nil, fmt.Errorf("replay of run %s: %w", runID, err)
	}
	defer f.Close()
	r.indexed = true
	entries, err := readIndex(f)
	if err != nil {
		return nil, fmt.Errorf("replay of run %s: %s: %w", runID, f.Name(), err)
	}
	for _, e := range entries {
		k := replayKey{e.Method, requestURI(e.URL), e.BodySHA256}
		r.queue[k] = append(r.queue[k], e)
	}
	r.total = len(entries)
	return r, nil
}

// readIndex decodes an index. A last entry cut short (the run was killed
// while writing it) is dropped: its request replays as not recorded.
func readIndex(rd io.Reader) ([]IndexEntry, error) {
	zr, err := gzip.NewReader(bufio.NewReader(rd))
	if err != nil {
		return nil, err
	}
	br := bufio.NewReader(zr)
	var out []IndexEntry
	for n := 1; ; n++ {
		line, err := br.ReadBytes('\n')
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return out, nil
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("entry %d: %w", n, err)
		}
		if len(bytes.TrimSpace(line)) > 0 {
			if !bytes.HasSuffix(line, []byte("\n")) {
				return out, nil // cut short before its newline
			}
			var e IndexEntry
			if jerr := json.Unmarshal(line, &e); jerr != nil {
				return nil, fmt.Errorf("entry %d: %w", n, jerr)
			}
			out = append(out, e)
		}
		if err != nil {
			return out, nil
		}
	}
}

// RunID is the recorded run's id.
func (r *Replay) RunID() string { return r.runID }

// Dir is the recorded landing.
func (r *Replay) Dir() string { return r.dir }

// Unused is how many recorded responses no request has asked for yet. After
// a replayed extraction, a non-zero count means the connector took another
// path than the recorded run did (worth a warning, not a failure).
func (r *Replay) Unused() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.total - r.served
}

// next takes the next recorded response for a request.
func (r *Replay) next(method, redactedURL, bodySHA string) (IndexEntry, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	k := replayKey{method, requestURI(redactedURL), bodySHA}
	q := r.queue[k]
	if len(q) == 0 {
		index := filepath.Join(r.dir, IndexFile)
		what := fmt.Sprintf("%s %s", method, redactedURL)
		if bodySHA != "" {
			what += " (body sha256 " + bodySHA[:12] + "…)"
		}
		switch {
		case !r.indexed:
			return IndexEntry{}, &replayError{err: ErrNotRecorded, msg: fmt.Sprintf(
				"replay of run %s: %s: the landing has no request index %s (recorded before replay support, or the run made no request)", r.runID, what, index)}
		case r.hasKeyLocked(k):
			return IndexEntry{}, &replayError{err: ErrNotRecorded, msg: fmt.Sprintf(
				"replay of run %s: %s was asked for more times than recorded in %s", r.runID, what, index)}
		}
		return IndexEntry{}, &replayError{err: ErrNotRecorded, msg: fmt.Sprintf(
			"replay of run %s: %s was never recorded in %s", r.runID, what, index)}
	}
	e := q[0]
	r.queue[k] = q[1:]
	r.served++
	return e, nil
}

// hasKeyLocked reports whether k was recorded at all (its queue may be
// used up): the queue slice keeps its backing array, so a used-up key still
// has a non-nil entry in the map.
func (r *Replay) hasKeyLocked(k replayKey) bool {
	q, ok := r.queue[k]
	return ok && q != nil
}

// body reads a recorded body file.
func (r *Replay) body(name string) ([]byte, error) {
	if name == "" || filepath.Base(name) != name {
		return nil, &replayError{err: errReplayDamaged, msg: fmt.Sprintf("replay of run %s: index entry names a bad file %q", r.runID, name)}
	}
	f, err := os.Open(filepath.Join(r.dir, name))
	if err != nil {
		return nil, &replayError{err: errReplayDamaged, msg: fmt.Sprintf("replay of run %s: %v", r.runID, err)}
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err == nil {
		var b []byte
		if b, err = io.ReadAll(io.LimitReader(zr, maxBody)); err == nil {
			return b, nil
		}
	}
	return nil, &replayError{err: errReplayDamaged, msg: fmt.Sprintf("replay of run %s: %s: %v", r.runID, f.Name(), err)}
}

type replayCtxKey struct{}

// WithReplay returns a context under which every Client answers from r
// instead of the network. The pipeline sets it per source for `run
// --from-raw`, which switches every connector to replay without each of them
// carrying an option of its own.
func WithReplay(ctx context.Context, r *Replay) context.Context {
	return context.WithValue(ctx, replayCtxKey{}, r)
}

// ReplayFrom returns the Replay attached to ctx, or nil.
func ReplayFrom(ctx context.Context) *Replay {
	r, _ := ctx.Value(replayCtxKey{}).(*Replay)
	return r
}

// replayTransport is the http.RoundTripper of one replayed call. It never
// dials: it has no connection to make. It matches on the call's own redacted
// URL and body hash, computed exactly as when recording.
type replayTransport struct {
	rp      *Replay
	method  string
	url     string
	bodySHA string
}

func (t *replayTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		req.Body.Close() // RoundTrip must close it; its hash is t.bodySHA
	}
	if err := req.Context().Err(); err != nil {
		return nil, err
	}
	e, err := t.rp.next(t.method, t.url, t.bodySHA)
	if err != nil {
		return nil, err
	}
	data, err := t.rp.body(e.File)
	if err != nil {
		return nil, err
	}
	var rc io.ReadCloser = io.NopCloser(bytes.NewReader(data))
	if e.ReadError != "" {
		rc = io.NopCloser(io.MultiReader(bytes.NewReader(data), &failingReader{err: errors.New(e.ReadError)}))
	}
	h := e.Header.Clone()
	if h == nil {
		h = http.Header{}
	}
	return &http.Response{
		Status:     fmt.Sprintf("%d %s", e.Status, http.StatusText(e.Status)),
		StatusCode: e.Status,
		Proto:      "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:  h,
		Body:    rc,
		Request: req,
	}, nil
}

// failingReader replays a body that was cut short.
type failingReader struct{ err error }

func (f *failingReader) Read([]byte) (int, error) { return 0, f.err }

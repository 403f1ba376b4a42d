package httpx

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"

	"github.com/hashicorp/go-retryablehttp"
	"golang.org/x/time/rate"
)

// Defaults for zero Options fields.
const (
	DefaultMaxRetries = 5
	DefaultWaitMin    = time.Second
	DefaultWaitMax    = 60 * time.Second
	DefaultTimeout    = 2 * time.Minute
)

// maxBody bounds how much of one response body is read into memory. An
// insights page of 500 rows is well under a megabyte; this only guards
// against a misbehaving server.
const maxBody = 256 << 20

// snippetLen is how much of an unexpected body goes into an error message.
const snippetLen = 200

// Options configure a Client. Only Source and BaseURL are required.
type Options struct {
	// Source names the source in errors and logs (the config key, e.g. "meta").
	Source string
	// BaseURL is the scheme, host and optional path prefix requests are made
	// against. Absolute request URLs must stay on its scheme and host.
	BaseURL string
	// MaxRetries is the number of retries after the first attempt. 0 means
	// DefaultMaxRetries; a negative value means no retries.
	MaxRetries int
	// WaitMin and WaitMax bound the wait between attempts (defaults 1s, 60s).
	// WaitMax also caps Retry-After and platform-requested waits.
	WaitMin, WaitMax time.Duration
	// Timeout bounds one attempt, from dialling to the end of the body.
	Timeout time.Duration
	// RateLimit is the steady request rate in requests per second; 0 = none.
	RateLimit float64
	// Secrets are values redacted from URLs, errors, logs and landed bodies.
	Secrets []string
	// Credential names the credential to renew when the server answers 401,
	// e.g. "sources.hubspot.token".
	Credential string
	// RawDir, if set, receives every response body (error bodies included),
	// gzip-compressed, as <seq:6 digits>-<slug of path>.json.gz, with Secrets
	// redacted, and an entry per response in its index (IndexFile) from
	// which a Replay answers the same requests later. One Client per RawDir:
	// the sequence number is the Client's.
	RawDir string
	// Logger receives retry and request logs, redacted. Default: discard.
	Logger *slog.Logger
	// Classify is the platform hook; nil means the generic rules only.
	Classify Classifier
	// Sleep waits d or until ctx is done. Tests inject one that records the
	// durations and returns at once. Default: a timer.
	Sleep func(ctx context.Context, d time.Duration) error
	// Transport overrides the HTTP transport (default: a clone of
	// http.DefaultTransport).
	Transport http.RoundTripper
	// UserAgent is sent with every request (default "socialroi").
	UserAgent string
}

// RetriesSetting maps a connector's max_retries setting, where 0 means "do
// not retry", to Options.MaxRetries, where 0 means the default.
func RetriesSetting(n int) int {
	if n == 0 {
		return -1
	}
	return n
}

// Client sends requests with retries, pacing, raw landing and redaction.
type Client struct {
	opts    Options
	base    *url.URL
	http    *http.Client
	limiter *rate.Limiter // nil without RateLimit
	redact  *Redactor
	log     *slog.Logger
	seq     atomic.Int64
	index   indexWriter

	mu         sync.Mutex
	pauseUntil time.Time
}

// New validates opts, fills defaults and returns a Client. It does not touch
// the network.
func New(opts Options) (*Client, error) {
	if opts.Source == "" {
		return nil, errors.New("httpx: Options.Source is required")
	}
	base, err := url.Parse(opts.BaseURL)
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, fmt.Errorf("%s: base URL %q must be an absolute http(s) URL", opts.Source, opts.BaseURL)
	}
	base.RawQuery, base.Fragment = "", ""
	switch {
	case opts.MaxRetries == 0:
		opts.MaxRetries = DefaultMaxRetries
	case opts.MaxRetries < 0:
		opts.MaxRetries = 0
	}
	if opts.WaitMin <= 0 {
		opts.WaitMin = DefaultWaitMin
	}
	if opts.WaitMax <= 0 {
		opts.WaitMax = DefaultWaitMax
	}
	if opts.WaitMax < opts.WaitMin {
		return nil, fmt.Errorf("%s: WaitMax %s is below WaitMin %s", opts.Source, opts.WaitMax, opts.WaitMin)
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.RateLimit < 0 {
		return nil, fmt.Errorf("%s: rate limit %v must not be negative", opts.Source, opts.RateLimit)
	}
	if opts.Sleep == nil {
		opts.Sleep = SleepContext
	}
	if opts.UserAgent == "" {
		opts.UserAgent = "socialroi"
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	transport := opts.Transport
	if transport == nil {
		transport = http.DefaultTransport.(*http.Transport).Clone()
	}
	c := &Client{
		opts:   opts,
		base:   base,
		redact: NewRedactor(opts.Secrets),
	}
	c.log = log.With("source", opts.Source)
	if opts.RateLimit > 0 {
		// Burst 1: requests are spread evenly rather than sent in a clump,
		// which is what platforms' per-second quotas reward.
		c.limiter = rate.NewLimiter(rate.Limit(opts.RateLimit), 1)
	}
	c.http = &http.Client{
		Transport: &pacedTransport{c: c, next: transport},
		Timeout:   opts.Timeout,
	}
	return c, nil
}

// Redactor returns the client's redactor, for callers that log or return
// text derived from responses.
func (c *Client) Redactor() *Redactor { return c.redact }

// Request is one logical request (retried as a unit).
type Request struct {
	Method string // default GET
	// Path is relative to BaseURL ("/v21.0/act_1/insights", may carry a
	// query), or an absolute URL on BaseURL's scheme and host (a paging URL).
	Path   string
	Query  url.Values // merged over Path's own query, key by key
	Header http.Header
	Body   []byte
}

// Response is a successful response, its body fully read.
type Response struct {
	StatusCode int
	Header     http.Header
	Body       []byte
	// Attempts is how many times the request was sent.
	Attempts int
}

// GetJSON sends a GET and decodes the JSON body into out. A body that is not
// valid JSON fails with ErrInvalidJSON and the body's first 200 bytes.
func (c *Client) GetJSON(ctx context.Context, path string, query url.Values, out any) error {
	resp, err := c.Do(ctx, Request{Method: http.MethodGet, Path: path, Query: query})
	if err != nil {
		return err
	}
	return c.DecodeJSON(http.MethodGet, path, resp, out)
}

// DecodeJSON decodes resp.Body into out, failing with an *Error wrapping
// ErrInvalidJSON that quotes the start of the body.
func (c *Client) DecodeJSON(method, path string, resp *Response, out any) error {
	if err := json.Unmarshal(resp.Body, out); err != nil {
		return &Error{
			Source: c.opts.Source, Method: method, Path: c.logPath(path),
			StatusCode: resp.StatusCode, Attempts: resp.Attempts,
			Message: fmt.Sprintf("%v: %v; body starts %q", ErrInvalidJSON, err, snippet(resp.Body)),
			Err:     err, kind: ErrInvalidJSON, redact: c.redact.String,
		}
	}
	return nil
}

// Do sends the request with retries and returns the final successful
// response. Every failure is an *Error; a cancelled ctx yields an *Error
// wrapping ctx.Err().
func (c *Client) Do(ctx context.Context, r Request) (*Response, error) {
	method := r.Method
	if method == "" {
		method = http.MethodGet
	}
	u, err := c.resolve(r.Path, r.Query)
	if err != nil {
		return nil, &Error{Source: c.opts.Source, Method: method, Path: c.logPath(r.Path),
			Err: err, kind: err, redact: c.redact.String}
	}
	cl := &call{c: c, method: method, path: c.logPath(u.Path),
		url: c.redact.String(u.String()), bodySHA: bodyHash(c.redact, r.Body), replay: ReplayFrom(ctx)}
	httpClient := c.http
	if d := attemptTimeoutFrom(ctx); d > 0 && cl.replay == nil {
		httpClient = &http.Client{Transport: c.http.Transport, Timeout: d}
	}
	if cl.replay != nil {
		// Replay: answers come from the recorded landing. No pacing (the
		// platform is not there to be spared), no timeout, no dialling.
		httpClient = &http.Client{Transport: &replayTransport{rp: cl.replay, method: method, url: cl.url, bodySHA: cl.bodySHA}}
	}
	// A retryablehttp.Client per call: its hooks close over this call's
	// state (last body, verdict, planned wait), which keeps concurrent calls
	// on one Client independent. The struct is cheap; the connection pool
	// lives in c.http and is shared.
	rc := &retryablehttp.Client{
		HTTPClient:   httpClient,
		Logger:       leveled{log: c.log, redact: c.redact},
		RetryWaitMin: c.opts.WaitMin,
		RetryWaitMax: c.opts.WaitMax,
		RetryMax:     c.opts.MaxRetries,
		CheckRetry:   cl.checkRetry,
		Backoff:      cl.backoff,
		PrepareRetry: cl.prepareRetry,
		ErrorHandler: cl.errorHandler,
	}
	var body any
	if r.Body != nil {
		body = r.Body
	}
	req, err := retryablehttp.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return nil, &Error{Source: c.opts.Source, Method: method, Path: cl.path,
			Err: c.redact.Error(err), redact: c.redact.String}
	}
	for k, vs := range r.Header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	if req.Header.Get("Accept") == "" {
		req.Header.Set("Accept", "application/json")
	}
	req.Header.Set("User-Agent", c.opts.UserAgent)

	resp, err := rc.Do(req)
	if err != nil {
		var he *Error
		if errors.As(err, &he) {
			if ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded) && httpClient.Timeout > 0 {
				// Our attempt timeout, not the run's deadline: say so.
				he.Message = fmt.Sprintf("timeout: no answer within %s", httpClient.Timeout)
			}
			return nil, err
		}
		// Errors raised by retryablehttp itself (e.g. rewinding a body)
		// bypass ErrorHandler.
		return nil, &Error{Source: c.opts.Source, Method: method, Path: cl.path,
			Attempts: cl.attempts, Err: c.redact.Error(err), redact: c.redact.String}
	}
	resp.Body.Close() // already read into cl.last.body by checkRetry
	return &Response{StatusCode: resp.StatusCode, Header: resp.Header, Body: cl.last.body, Attempts: cl.attempts}, nil
}

// resolve builds the request URL: a relative path is joined to BaseURL, an
// absolute URL must be on BaseURL's scheme and host (credentials travel in
// the query, so a paging URL pointing elsewhere is refused).
func (c *Client) resolve(p string, q url.Values) (*url.URL, error) {
	ref, err := url.Parse(p)
	if err != nil {
		return nil, fmt.Errorf("bad request path: %w", c.redact.Error(err))
	}
	var u url.URL
	if ref.IsAbs() {
		if !strings.EqualFold(ref.Scheme, c.base.Scheme) || !strings.EqualFold(ref.Host, c.base.Host) {
			return nil, ErrForeignHost
		}
		u = *ref
	} else {
		u = *c.base
		u.Path = strings.TrimSuffix(c.base.Path, "/") + "/" + strings.TrimPrefix(ref.Path, "/")
		u.RawPath = ""
		u.RawQuery = ref.RawQuery
	}
	u.Fragment = ""
	if len(q) > 0 {
		merged := u.Query()
		for k, vs := range q {
			merged[k] = vs
		}
		u.RawQuery = merged.Encode()
	}
	return &u, nil
}

// logPath is the redacted path, without query, used in errors and logs.
func (c *Client) logPath(p string) string {
	if u, err := url.Parse(p); err == nil {
		p = u.Path
	} else if i := strings.IndexAny(p, "?#"); i >= 0 {
		p = p[:i]
	}
	return c.redact.String(p)
}

// pause makes the next requests wait until at least now+d.
func (c *Client) pause(d time.Duration) {
	if d > c.opts.WaitMax {
		d = c.opts.WaitMax
	}
	until := time.Now().Add(d)
	c.mu.Lock()
	if until.After(c.pauseUntil) {
		c.pauseUntil = until
	}
	c.mu.Unlock()
}

// pace runs before every attempt: first any pause a usage header asked for,
// then the steady rate limit.
func (c *Client) pace(ctx context.Context) error {
	c.mu.Lock()
	until := c.pauseUntil
	c.mu.Unlock()
	if wait := time.Until(until); wait > 0 {
		c.log.InfoContext(ctx, "pausing before next request: platform usage near its limit", "wait", wait)
		if err := c.opts.Sleep(ctx, wait); err != nil {
			return err
		}
		// Clear the pause we served, unless a newer one was set meanwhile.
		// (Clearing rather than relying on the clock keeps an injected
		// Sleep that does not wait from pausing every later request.)
		c.mu.Lock()
		if c.pauseUntil.Equal(until) {
			c.pauseUntil = time.Time{}
		}
		c.mu.Unlock()
	}
	if c.limiter != nil {
		return c.limiter.Wait(ctx)
	}
	return nil
}

// pacedTransport applies Client.pace before each attempt. It sits under
// retryablehttp so that retries are paced too.
type pacedTransport struct {
	c    *Client
	next http.RoundTripper
}

func (t *pacedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := t.c.pace(req.Context()); err != nil {
		if req.Body != nil {
			req.Body.Close() // RoundTrip must close the body, even on error
		}
		return nil, err
	}
	return t.next.RoundTrip(req)
}

// call is the state of one Do across its attempts.
type call struct {
	c        *Client
	method   string
	path     string // redacted, no query
	url      string // redacted, absolute, with query: the index's key
	bodySHA  string // of the redacted request body, "" for none
	replay   *Replay
	attempts int
	last     struct {
		status  int
		body    []byte
		verdict Verdict
		err     error // transport or body-read error of the last attempt
	}
	wait   time.Duration // planned by backoff, slept by prepareRetry
	gaveUp bool          // the last checkRetry asked for a retry
}

// errFatal marks a Fatal verdict or a non-retryable status in CheckRetry's
// error so that errorHandler knows the loop stopped on purpose.
var errFatal = errors.New("fatal response")

// checkRetry reads and lands the body, asks the platform hook, and decides.
// Returning (false, err) routes the response to errorHandler; (false, nil)
// makes it the result.
func (cl *call) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	retry, err := cl.decide(ctx, resp, err)
	cl.gaveUp = retry
	return retry, err
}

func (cl *call) decide(ctx context.Context, resp *http.Response, err error) (bool, error) {
	cl.attempts++
	cl.last.status, cl.last.body, cl.last.verdict, cl.last.err = 0, nil, Verdict{}, nil
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	if err != nil {
		cl.last.err = err
		var re *replayError
		if errors.As(err, &re) {
			// Not recorded, or the landing is damaged: no retry can change
			// that. Unwrapped from http.Client's *url.Error, whose text
			// repeats the URL.
			cl.last.err = re
			return false, re
		}
		// retryablehttp knows which transport errors are permanent (bad
		// scheme, TLS verification, too many redirects).
		retry, _ := retryablehttp.DefaultRetryPolicy(ctx, nil, err)
		if !retry {
			return false, err
		}
		return true, nil
	}
	body, readErr := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	cl.last.status, cl.last.body = resp.StatusCode, body
	if cl.replay == nil {
		// A replayed response is already landed, in the recorded run.
		if err := cl.landAndIndex(resp, body, readErr); err != nil {
			// Nothing fetched may be lost: a run that cannot land is a failure.
			return false, err
		}
	}
	if readErr != nil {
		cl.last.err = readErr
		if ctx.Err() != nil {
			return false, ctx.Err()
		}
		return true, nil // a connection cut mid-body is worth a retry
	}

	var v Verdict
	if cl.c.opts.Classify != nil {
		v = cl.c.opts.Classify(resp, body)
	}
	cl.last.verdict = v
	if v.Pause > 0 {
		cl.c.pause(v.Pause)
	}
	switch v.Action {
	case OK:
		return false, nil
	case Retry:
		return true, nil
	case Fatal:
		return false, errFatal
	}
	switch s := resp.StatusCode; {
	case s >= 200 && s < 300:
		return false, nil
	case s == http.StatusUnauthorized:
		return false, ErrUnauthorized
	case retryable(s):
		return true, nil
	default:
		return false, errFatal
	}
}

// backoff plans the wait before the next attempt; prepareRetry sleeps it.
// It returns 0 to retryablehttp because its own timer cannot be replaced and
// tests must not wait. Order of precedence: the platform's requested wait,
// then Retry-After on 429/503, then exponential backoff with jitter; all
// capped by WaitMax.
func (cl *call) backoff(min, max time.Duration, attempt int, resp *http.Response) time.Duration {
	wait := backoffWait(min, max, attempt, rand.Float64())
	reason := "backoff"
	if resp != nil && (resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable) {
		if ra, ok := parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
			wait, reason = ra, "retry-after"
		}
	}
	if v := cl.last.verdict; v.Action == Retry && v.Wait > 0 {
		wait, reason = v.Wait, "platform"
	}
	if wait > max {
		wait = max
	}
	if cl.replay != nil {
		// The recorded run already waited; a rebuild need not.
		wait, reason = 0, "replay"
	}
	cl.wait = wait
	attrs := []any{"method", cl.method, "path", cl.path, "attempt", cl.attempts, "wait", wait, "wait_reason", reason}
	if cl.last.status != 0 {
		attrs = append(attrs, "status", cl.last.status)
	}
	if msg := cl.message(); msg != "" {
		attrs = append(attrs, "reason", msg)
	}
	cl.c.log.Warn("retrying request", attrs...)
	return 0
}

func (cl *call) prepareRetry(req *http.Request) error {
	if cl.replay != nil {
		return req.Context().Err()
	}
	return cl.c.opts.Sleep(req.Context(), cl.wait)
}

// landAndIndex lands one response's body and appends its index entry, the
// body first so that an entry always names a complete file.
func (cl *call) landAndIndex(resp *http.Response, body []byte, readErr error) error {
	c := cl.c
	file, seq, err := c.land(cl.path, body)
	if err != nil || file == "" {
		return err
	}
	e := IndexEntry{
		Seq: seq, Time: time.Now().UTC(), Attempt: cl.attempts,
		Method: cl.method, URL: cl.url, BodySHA256: cl.bodySHA,
		Status: resp.StatusCode, Header: c.redactedHeader(resp.Header), File: file,
	}
	if readErr != nil {
		e.ReadError = c.redact.String(readErr.Error())
	}
	return c.record(e)
}

// message describes the last attempt's failure for errors and logs.
func (cl *call) message() string {
	switch {
	case cl.last.verdict.Message != "":
		return cl.c.redact.String(cl.last.verdict.Message)
	case cl.last.err != nil:
		return ""
	case cl.last.status != 0 && (cl.last.status < 200 || cl.last.status > 299):
		if s := snippet(cl.last.body); s != "" {
			return cl.c.redact.String(s)
		}
		return http.StatusText(cl.last.status)
	}
	return ""
}

// errorHandler turns the end of the retry loop into an *Error. It replaces
// retryablehttp's default, whose message carries the unredacted URL.
func (cl *call) errorHandler(resp *http.Response, err error, numTries int) (*http.Response, error) {
	if resp != nil && resp.Body != nil {
		resp.Body.Close()
	}
	c := cl.c
	e := &Error{Source: c.opts.Source, Method: cl.method, Path: cl.path,
		StatusCode: cl.last.status, Attempts: numTries, Message: cl.message(), redact: c.redact.String}
	switch {
	case err != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)):
		// Say that we stopped, not what the last response happened to be.
		e.StatusCode, e.Message = 0, ""
		e.Err = c.redact.Error(err)
	case errors.Is(err, errFatal):
		if v := cl.last.verdict; v.Action == Fatal {
			e.Err = v.Err
		} else {
			e.kind = ErrStatus
		}
	case errors.Is(err, ErrUnauthorized):
		e.kind = ErrUnauthorized
		cred := c.opts.Credential
		if cred == "" {
			cred = "the source's credential"
		}
		if e.Message == "" {
			e.Message = "unauthorized"
		}
		e.Message += ": renew " + cred
	case cl.gaveUp:
		// The last attempt was retryable and MaxRetries ran out.
		e.kind = ErrRetriesExhausted
		if cl.last.err != nil {
			e.Err = c.redact.Error(cl.last.err)
		}
	default:
		// A permanent transport error, or landing the body failed.
		e.Err = c.redact.Error(err)
	}
	return nil, e
}

// snippet is the first snippetLen bytes of a body on one line, for errors.
func snippet(b []byte) string {
	if len(b) > snippetLen {
		b = b[:snippetLen]
	}
	s := strings.ToValidUTF8(string(b), "?")
	return strings.Join(strings.FieldsFunc(s, unicode.IsSpace), " ")
}

// SleepContext waits d or until ctx ends, whichever comes first, and
// returns ctx's error in the second case.
func SleepContext(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

type attemptTimeoutKey struct{}

// WithAttemptTimeout bounds every attempt of every request made under ctx
// (dial to end of body), overriding Options.Timeout: the pipeline sets a
// source's `timeout` this way, for every connector alike, so an API that
// hangs fails the source instead of the run.
func WithAttemptTimeout(ctx context.Context, d time.Duration) context.Context {
	return context.WithValue(ctx, attemptTimeoutKey{}, d)
}

func attemptTimeoutFrom(ctx context.Context) time.Duration {
	d, _ := ctx.Value(attemptTimeoutKey{}).(time.Duration)
	return d
}

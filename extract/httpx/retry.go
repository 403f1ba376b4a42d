package httpx

import (
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Action is what a platform hook decides about one response.
type Action int

const (
	// Default: the platform has no opinion; the generic HTTP rules apply
	// (2xx succeeds; 429 and 5xx other than 501 are retried; 401 fails fast
	// naming the credential; anything else fails).
	Default Action = iota
	// OK accepts the response as a success whatever its status.
	OK
	// Retry retries the request (after Verdict.Wait if set, else backoff).
	Retry
	// Fatal fails at once with Verdict.Err; no retry.
	Fatal
)

func (a Action) String() string {
	switch a {
	case OK:
		return "ok"
	case Retry:
		return "retry"
	case Fatal:
		return "fatal"
	}
	return "default"
}

// Verdict is a platform hook's reading of one response.
type Verdict struct {
	Action Action
	// Wait, for Retry, is how long the platform asked us to wait before the
	// retry; 0 means exponential backoff. It is capped by WaitMax.
	Wait time.Duration
	// Pause, with any Action, asks the client to hold its next request (to
	// any path) this long, e.g. because a usage header says the quota is
	// nearly spent. Capped by WaitMax.
	Pause time.Duration
	// Message is the platform's own description of a failure, used in the
	// error if the request finally fails. Empty: the start of the body.
	Message string
	// Err is the cause of a Fatal verdict, wrapped by the returned *Error so
	// callers can branch with errors.Is.
	Err error
}

// Classifier is the platform hook: it reads a response (whose body is fully
// read and given as body; resp.Body must not be used) and returns a Verdict.
type Classifier func(resp *http.Response, body []byte) Verdict

// backoffWait is exponential backoff with full jitter: a uniform draw in
// [min, min·2^attempt] capped by max. r is a random number in [0,1). Keeping
// min as the floor (rather than 0) stops a burst of 5xx from being retried
// within microseconds, while the jitter still spreads concurrent clients.
func backoffWait(min, max time.Duration, attempt int, r float64) time.Duration {
	if min <= 0 {
		min = time.Millisecond
	}
	if max < min {
		max = min
	}
	ceil := float64(min) * math.Pow(2, float64(attempt))
	if math.IsInf(ceil, 0) || math.IsNaN(ceil) || ceil > float64(max) {
		ceil = float64(max)
	}
	if r < 0 || r >= 1 || math.IsNaN(r) {
		r = 0
	}
	d := time.Duration(float64(min) + r*(ceil-float64(min)))
	if d > max {
		d = max
	}
	return d
}

// maxRetryAfter bounds a parsed Retry-After so that arithmetic on it cannot
// overflow; callers cap it by WaitMax anyway.
const maxRetryAfter = 100 * 365 * 24 * time.Hour

// parseRetryAfter reads a Retry-After header value: either delay-seconds or
// an HTTP date (RFC 9110 §10.2.3), relative to now. A date in the past means
// "now" (0). It reports false for an empty or unparseable value.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if isDigits(v) {
		secs, err := strconv.ParseInt(v, 10, 64)
		if err != nil || secs > int64(maxRetryAfter/time.Second) {
			// All digits but too large for int64 or our bound: the server
			// means "a very long time".
			return maxRetryAfter, true
		}
		return time.Duration(secs) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	d := t.Sub(now)
	switch {
	case d < 0:
		return 0, true
	case d > maxRetryAfter:
		return maxRetryAfter, true
	}
	return d, true
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// retryable is the generic HTTP rule: 429 and 5xx except 501 Not Implemented
// (which will not start working on a retry). Status 0 is a broken server.
func retryable(status int) bool {
	return status == http.StatusTooManyRequests || status == 0 ||
		(status >= 500 && status != http.StatusNotImplemented)
}

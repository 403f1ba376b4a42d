package httpx

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors, reachable with errors.Is through an *Error.
var (
	// ErrUnauthorized: the server answered 401. Retrying cannot help; the
	// credential named in Options.Credential must be renewed.
	ErrUnauthorized = errors.New("unauthorized")
	// ErrRetriesExhausted: every attempt met a retryable condition (throttling,
	// 5xx, a connection error) and MaxRetries ran out. Running later may work.
	ErrRetriesExhausted = errors.New("retries exhausted")
	// ErrStatus: the server answered a status that is neither success nor
	// retryable (most 4xx) and the platform hook had nothing more specific.
	ErrStatus = errors.New("unexpected HTTP status")
	// ErrInvalidJSON: the body of a successful response is not the JSON the
	// caller asked for. The body was still landed raw.
	ErrInvalidJSON = errors.New("invalid JSON response")
	// ErrForeignHost: a request (typically a paging URL returned by the API)
	// points at a host other than BaseURL's; it is refused so that credentials
	// are never sent elsewhere.
	ErrForeignHost = errors.New("URL is not on the configured base URL's host")
	// ErrNotRecorded: in replay (WithReplay), a request the recorded run
	// never made, or made fewer times than it is now asked. The connector
	// wants data the landing does not hold; nothing was sent anywhere. The
	// error names the source, the redacted URL, the run id and the index.
	ErrNotRecorded = errors.New("request not recorded")
)

// Error is the error every Client method returns for a failed request. Its
// text is redacted; Err carries the cause (a Classify error, a transport error
// with its URL redacted, or a context error) for errors.Is / errors.As.
type Error struct {
	Source string // Options.Source
	Method string
	// Path is the request path, redacted, without the query string.
	Path string
	// StatusCode of the last response, 0 when none arrived.
	StatusCode int
	// Message is the platform's description of the failure (from Classify),
	// or the start of the body; redacted.
	Message string
	// Attempts is how many times the request was sent.
	Attempts int
	// Err is the cause, if any (it may be nil for a plain bad status).
	Err error

	kind   error // one of the sentinels above, or nil
	redact func(string) string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Source)
	b.WriteString(": ")
	b.WriteString(e.Method)
	b.WriteString(" ")
	b.WriteString(e.Path)
	if e.StatusCode != 0 {
		fmt.Fprintf(&b, ": HTTP %d", e.StatusCode)
	}
	switch {
	case e.Message != "":
		b.WriteString(": ")
		b.WriteString(e.Message)
	case e.Err != nil:
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	case e.kind != nil:
		b.WriteString(": ")
		b.WriteString(e.kind.Error())
	}
	if e.Attempts > 1 {
		fmt.Fprintf(&b, " (after %d attempts)", e.Attempts)
	}
	if e.redact != nil {
		return e.redact(b.String())
	}
	return b.String()
}

// Unwrap exposes both the cause and the sentinel describing the failure kind.
func (e *Error) Unwrap() []error {
	var out []error
	if e.Err != nil {
		out = append(out, e.Err)
	}
	if e.kind != nil {
		out = append(out, e.kind)
	}
	return out
}

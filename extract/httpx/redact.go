package httpx

import (
	"encoding/json"
	"log/slog"
	"net/url"
	"regexp"
	"sort"
	"strings"
)

// Redacted is what every secret is replaced with.
const Redacted = "REDACTED"

// Secret holds a credential. It prints, logs and marshals as a redaction
// mark, so a settings struct holding one can be logged or dumped safely; call
// Reveal where the value must really be sent.
type Secret string

// Reveal returns the credential itself.
func (s Secret) Reveal() string { return string(s) }

// String implements fmt.Stringer (used by %v, %s and %q).
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return Redacted
}

// GoString implements fmt.GoStringer (used by %#v).
func (s Secret) GoString() string { return `"` + s.String() + `"` }

// LogValue implements slog.LogValuer.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalJSON writes the redaction mark, never the credential.
func (s Secret) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }

// credentialParam catches credentials passed the usual ways even when they
// were not declared in Options.Secrets: query parameters with a credential's
// name and Authorization header values.
var credentialParam = regexp.MustCompile(
	`(?i)\b(access_token|refresh_token|client_secret|api_key|apikey|password|appsecret_proof)=[^&\s"'<>]+` +
		`|\b(bearer)\s+[A-Za-z0-9\-._~+/]+=*`)

// Redactor replaces secrets in text.
type Redactor struct {
	exact *strings.Replacer // nil when there are no secrets
}

// NewRedactor returns a redactor for the given secret values. Empty values
// are ignored. Each secret is also matched in its URL-escaped and
// JSON-escaped forms, the shapes in which a token appears inside a URL or a
// response body.
func NewRedactor(secrets []string) *Redactor {
	seen := map[string]bool{}
	var forms []string
	for _, s := range secrets {
		if s == "" {
			continue
		}
		js, _ := json.Marshal(s)
		for _, f := range []string{s, url.QueryEscape(s), url.PathEscape(s), string(js[1 : len(js)-1])} {
			if f != "" && !seen[f] {
				seen[f] = true
				forms = append(forms, f)
			}
		}
	}
	// Longest first, so that a secret containing another is replaced whole.
	sort.Slice(forms, func(i, j int) bool { return len(forms[i]) > len(forms[j]) })
	r := &Redactor{}
	if len(forms) > 0 {
		pairs := make([]string, 0, 2*len(forms))
		for _, f := range forms {
			pairs = append(pairs, f, Redacted)
		}
		r.exact = strings.NewReplacer(pairs...)
	}
	return r
}

// String redacts the declared secrets and any credential-named parameter.
func (r *Redactor) String(s string) string {
	if r != nil && r.exact != nil {
		s = r.exact.Replace(s)
	}
	return credentialParam.ReplaceAllStringFunc(s, func(m string) string {
		if i := strings.IndexByte(m, '='); i >= 0 && !strings.HasPrefix(strings.ToLower(m), "bearer") {
			return m[:i+1] + Redacted
		}
		return m[:len("bearer")] + " " + Redacted
	})
}

// Bytes redacts only the declared secrets. It is what landed response
// bodies go through: data such as a destination URL with a token= parameter
// must stay as the platform sent it, while our own credential (which Meta
// echoes in paging URLs) must not be stored.
func (r *Redactor) Bytes(b []byte) []byte {
	if r == nil || r.exact == nil {
		return b
	}
	return []byte(r.exact.Replace(string(b)))
}

// redactedError keeps a cause reachable for errors.Is while printing only
// its redacted text.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// Error returns err with its text redacted. A *url.Error (what http.Client
// returns, carrying the full URL) is rebuilt around a redacted URL.
func (r *Redactor) Error(err error) error {
	if err == nil {
		return nil
	}
	if ue, ok := err.(*url.Error); ok {
		cp := *ue
		cp.URL = r.String(ue.URL)
		err = &cp
	}
	return &redactedError{msg: r.String(err.Error()), err: err}
}

package salesforce

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/socialroi/socialroi/extract/httpx"
)

// apiError is one element of Salesforce's error array:
// [{"message":"…","errorCode":"REQUEST_LIMIT_EXCEEDED"}].
type apiError struct {
	Message   string   `json:"message"`
	ErrorCode string   `json:"errorCode"`
	Fields    []string `json:"fields"`
}

// parseErrors reads a Salesforce error body; ok is false for anything else.
func parseErrors(body []byte) ([]apiError, bool) {
	var errs []apiError
	if err := json.Unmarshal(body, &errs); err != nil || len(errs) == 0 || errs[0].ErrorCode == "" {
		return nil, false
	}
	return errs, true
}

func errorsText(errs []apiError) string {
	parts := make([]string, 0, len(errs))
	for _, e := range errs {
		parts = append(parts, e.ErrorCode+": "+e.Message)
	}
	return strings.Join(parts, "; ")
}

// queryCodes are the error codes of a SOQL Salesforce will never accept.
var queryCodes = map[string]bool{
	"MALFORMED_QUERY": true, "INVALID_FIELD": true, "INVALID_TYPE": true,
	"INVALID_QUERY_FILTER_OPERATOR": true, "INVALID_QUERY_LOCATOR": true,
}

// usageWarnAt is the share of the daily allowance past which a warning is
// logged: the pipeline is not the org's only API user, and running out
// stops every integration.
const usageWarnAt = 0.9

// limits reads Sforce-Limit-Info from every response and keeps the latest.
type limits struct {
	log *slog.Logger

	mu     sync.Mutex
	used   int
	max    int
	warned bool
}

// parseLimitInfo reads "api-usage=18/15000" (other entries such as
// per-app-api-usage=…(appName=…) are skipped); ok is false when absent or
// malformed.
func parseLimitInfo(h string) (used, max int, ok bool) {
	for _, part := range strings.Split(h, ";") {
		k, v, found := strings.Cut(strings.TrimSpace(part), "=")
		if !found || !strings.EqualFold(k, "api-usage") {
			continue
		}
		a, b, found := strings.Cut(v, "/")
		if !found {
			return 0, 0, false
		}
		u, err1 := strconv.Atoi(strings.TrimSpace(a))
		m, err2 := strconv.Atoi(strings.TrimSpace(b))
		if err1 != nil || err2 != nil || u < 0 || m <= 0 {
			return 0, 0, false
		}
		return u, m, true
	}
	return 0, 0, false
}

func (l *limits) observe(h http.Header) {
	used, max, ok := parseLimitInfo(h.Get("Sforce-Limit-Info"))
	if !ok {
		return
	}
	l.mu.Lock()
	l.used, l.max = used, max
	warn := !l.warned && float64(used) > usageWarnAt*float64(max)
	if warn {
		l.warned = true
	}
	l.mu.Unlock()
	l.log.Debug("salesforce API usage", "api_used", used, "api_max", max)
	if warn {
		l.log.Warn("salesforce API usage above 90% of the org's daily allowance", "api_used", used, "api_max", max)
	}
}

func (l *limits) last() (used, max int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.used, l.max
}

// classify is the httpx platform hook for Salesforce.
func (l *limits) classify(resp *http.Response, body []byte) httpx.Verdict {
	l.observe(resp.Header)
	if resp.StatusCode < 400 {
		return httpx.Verdict{}
	}
	errs, ok := parseErrors(body)
	if !ok {
		return httpx.Verdict{} // generic rules: 5xx retry, 401 renew
	}
	v := httpx.Verdict{Message: errorsText(errs)}
	switch code := errs[0].ErrorCode; {
	case code == "REQUEST_LIMIT_EXCEEDED":
		v.Action, v.Err = httpx.Fatal, ErrDailyLimit
		v.Message = "daily API request limit exceeded (REQUEST_LIMIT_EXCEEDED; the org's allowance is a rolling 24 hours): " + errs[0].Message
	case queryCodes[code]:
		v.Action, v.Err = httpx.Fatal, ErrQuery
	case code == "SERVER_UNAVAILABLE" || code == "UNABLE_TO_LOCK_ROW":
		v.Action = httpx.Retry
	}
	// INVALID_SESSION_ID (401) keeps the generic rule: fail at once naming
	// the token setting.
	return v
}

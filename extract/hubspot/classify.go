package hubspot

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/socialroi/socialroi/extract/httpx"
)

// apiError is HubSpot's error body: {"status":"error","message":…,
// "category":…,"policyName":…}. policyName and errorType appear on 429s.
type apiError struct {
	Status     string `json:"status"`
	Message    string `json:"message"`
	Category   string `json:"category"`
	ErrorType  string `json:"errorType"`
	PolicyName string `json:"policyName"`
}

// parseError reads a HubSpot error body; ok is false for anything else.
func parseError(body []byte) (apiError, bool) {
	var e apiError
	if err := json.Unmarshal(body, &e); err != nil || (e.Message == "" && e.PolicyName == "" && e.Category == "") {
		return apiError{}, false
	}
	return e, true
}

func (e apiError) text() string {
	var parts []string
	if e.PolicyName != "" {
		parts = append(parts, "policy "+e.PolicyName)
	}
	if e.Category != "" {
		parts = append(parts, e.Category)
	}
	msg := e.Message
	if len(parts) > 0 {
		msg = strings.Join(parts, ", ") + ": " + msg
	}
	return msg
}

// secondlyWait is how long to hold a retry after a SECONDLY 429: the window
// is one second. TEN_SECONDLY_ROLLING gets exponential backoff, whose
// jittered waits spread over its ten-second window.
const secondlyWait = time.Second

// classify is the httpx platform hook for HubSpot.
func classify(resp *http.Response, body []byte) httpx.Verdict {
	if resp.StatusCode < 400 {
		return httpx.Verdict{}
	}
	e, ok := parseError(body)
	if !ok {
		return httpx.Verdict{} // generic rules: 429/5xx retry, 401 renew
	}
	v := httpx.Verdict{Message: e.text()}
	if resp.StatusCode == http.StatusTooManyRequests {
		switch e.PolicyName {
		case "DAILY":
			v.Action, v.Err = httpx.Fatal, ErrDailyLimit
			v.Message = "daily API limit exhausted (policy DAILY; it resets at midnight in the portal's time zone): " + e.Message
		case "SECONDLY":
			v.Action, v.Wait = httpx.Retry, secondlyWait
		default: // TEN_SECONDLY_ROLLING and any future burst policy
			v.Action = httpx.Retry
		}
	}
	// Other statuses keep the generic rules (401 fails fast naming the
	// token, 5xx retries, other 4xx fail) with HubSpot's own message.
	return v
}

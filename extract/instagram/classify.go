package instagram

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/socialroi/socialroi/extract/httpx"
)

// usagePauseAt and usagePause: past 95% of any usage header, hold the next
// call a minute (Meta blocks at 100% for far longer).
const (
	usagePauseAt = 95
	usagePause   = time.Minute
)

// graphError is the "error" object of a Graph API error body.
type graphError struct {
	Message     string `json:"message"`
	Code        int    `json:"code"`
	Subcode     int    `json:"error_subcode"`
	IsTransient bool   `json:"is_transient"`
	UserMessage string `json:"error_user_msg"`
}

func parseGraphError(body []byte) (graphError, bool) {
	var env struct {
		Error *graphError `json:"error"`
	}
	if err := json.Unmarshal(body, &env); err != nil || env.Error == nil || env.Error.Code == 0 {
		return graphError{}, false
	}
	return *env.Error, true
}

func (e graphError) text() string {
	msg := e.Message
	if !strings.HasPrefix(msg, "(#") {
		msg = fmt.Sprintf("(#%d) %s", e.Code, msg)
	}
	if e.UserMessage != "" {
		msg += ": " + e.UserMessage
	}
	if e.Subcode != 0 {
		msg += fmt.Sprintf(" [subcode %d]", e.Subcode)
	}
	return msg
}

func throttleCode(code int) bool {
	return code == 4 || code == 17 || code == 32 || code == 613 || (code >= 80000 && code <= 80014)
}

func tokenCode(code int) bool { return code == 190 || code == 102 || code == 104 }

// classify is the httpx platform hook for the Graph API (the same rules as
// extract/meta, whose classifier is not exported).
func classify(resp *http.Response, body []byte) httpx.Verdict {
	var v httpx.Verdict
	if pct, regain := parseUsage(resp.Header); pct > usagePauseAt || regain > 0 {
		v.Pause = max(usagePause, regain)
	}
	if resp.StatusCode < 400 {
		return v
	}
	e, ok := parseGraphError(body)
	if !ok {
		return v
	}
	v.Message = e.text()
	switch {
	case throttleCode(e.Code):
		v.Action = httpx.Retry
	case tokenCode(e.Code):
		v.Action = httpx.Fatal
		v.Err = ErrTokenInvalid
	case resp.StatusCode >= 500 || e.IsTransient:
		v.Action = httpx.Retry
	default:
		v.Action = httpx.Fatal
		v.Err = &apiError{code: e.Code}
	}
	return v
}

// apiError carries the Graph code of a fatal client error so the connector
// can tell "insights unavailable for this media" (10, 100) from the rest.
type apiError struct{ code int }

func (e *apiError) Error() string { return fmt.Sprintf("%v (code %d)", ErrAPI, e.code) }
func (e *apiError) Unwrap() error { return ErrAPI }

// parseUsage reads X-App-Usage ({"call_count":…,"total_cputime":…,
// "total_time":…}, percentages) and X-Business-Use-Case-Usage (per business
// lists with the same keys and estimated_time_to_regain_access in minutes).
// Malformed values are ignored: usage headers are advice.
func parseUsage(h http.Header) (maxPct float64, regain time.Duration) {
	take := func(m map[string]any) {
		for k, val := range m {
			n, ok := val.(float64)
			if !ok {
				continue
			}
			switch k {
			case "estimated_time_to_regain_access":
				if n > 0 {
					regain = max(regain, time.Duration(min(n, 24*60)*float64(time.Minute)))
				}
			case "call_count", "total_cputime", "total_time":
				maxPct = max(maxPct, n)
			}
		}
	}
	if v := h.Get("X-App-Usage"); v != "" {
		var m map[string]any
		if json.Unmarshal([]byte(v), &m) == nil {
			take(m)
		}
	}
	if v := h.Get("X-Business-Use-Case-Usage"); v != "" {
		var buc map[string][]map[string]any
		if json.Unmarshal([]byte(v), &buc) == nil {
			for _, entries := range buc {
				for _, e := range entries {
					take(e)
				}
			}
		}
	}
	return maxPct, regain
}

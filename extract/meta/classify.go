package meta

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/socialroi/socialroi/extract/httpx"
)

// usagePauseAt is the usage percentage past which the next call waits:
// Meta blocks an app or account that reaches 100%, for far longer than we
// would have paused.
const usagePauseAt = 95

// usagePause is how long to hold the next call once usage passes
// usagePauseAt, as well-used connectors do.
const usagePause = time.Minute

// graphError is the "error" object of a Graph API error body.
type graphError struct {
	Message     string `json:"message"`
	Type        string `json:"type"`
	Code        int    `json:"code"`
	Subcode     int    `json:"error_subcode"`
	IsTransient bool   `json:"is_transient"`
	UserTitle   string `json:"error_user_title"`
	UserMessage string `json:"error_user_msg"`
	FBTraceID   string `json:"fbtrace_id"`
}

// parseGraphError reads a Graph API error body; ok is false for anything else.
func parseGraphError(body []byte) (graphError, bool) {
	var env struct {
		Error *graphError `json:"error"`
	}
	if err := json.Unmarshal(body, &env); err != nil || env.Error == nil || env.Error.Code == 0 {
		return graphError{}, false
	}
	return *env.Error, true
}

// text is the error as Meta's docs quote it: "(#17) User request limit reached".
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

// reduceDataMsg is the message Meta sends with HTTP 500 when one call asks
// for more rows than it can compute in time.
const reduceDataMsg = "reduce the amount of data"

// tooMuchData reports Meta's "Please reduce the amount of data you're asking
// for" (a 5xx carrying that message, Graph error or not) and code 100
// subcode 1487534 ("too much data in one call").
func tooMuchData(status int, e graphError, body []byte) bool {
	if e.Code == 100 && e.Subcode == 1487534 {
		return true
	}
	return status >= 500 && strings.Contains(strings.ToLower(string(body)), reduceDataMsg)
}

// throttleCode reports Meta's rate-limit codes: 4 app, 17 user, 32 page,
// 613 rate, 80000–80014 business use case.
func throttleCode(code int) bool {
	return code == 4 || code == 17 || code == 32 || code == 613 || (code >= 80000 && code <= 80014)
}

// tokenCode reports codes that mean the token must be renewed: 190 invalid
// or expired, 102 session key invalid, 104 no token.
func tokenCode(code int) bool { return code == 190 || code == 102 || code == 104 }

// classify is the httpx platform hook for the Graph API.
func classify(resp *http.Response, body []byte) httpx.Verdict {
	u := parseUsage(resp.Header)
	var v httpx.Verdict
	if u.maxPct > usagePauseAt || u.regain > 0 {
		v.Pause = max(usagePause, u.regain)
	}
	if resp.StatusCode < 400 {
		return v
	}
	e, ok := parseGraphError(body)
	if tooMuchData(resp.StatusCode, e, body) {
		// Retrying the same call cannot help: the caller halves limit.
		v.Action, v.Err = httpx.Fatal, ErrTooMuchData
		if ok {
			v.Message = e.text()
		}
		return v
	}
	if !ok {
		return v // not a Graph error: generic rules (429/5xx retry, 401 renew)
	}
	v.Message = e.text()
	switch {
	case throttleCode(e.Code):
		v.Action = httpx.Retry
		v.Wait = u.regain // 0: exponential backoff
	case tokenCode(e.Code):
		v.Action = httpx.Fatal
		v.Err = ErrTokenInvalid
	case resp.StatusCode >= 500 || e.IsTransient:
		v.Action = httpx.Retry
	default:
		v.Action = httpx.Fatal
		v.Err = ErrAPI
	}
	return v
}

// usage is what the usage headers say, reduced to what decides a wait.
type usage struct {
	maxPct float64       // highest utilisation percentage of any header
	regain time.Duration // estimated_time_to_regain_access, longest
}

// parseUsage reads the usage headers. Malformed values are ignored: a usage
// header is advice, and misreading it must not fail a request.
func parseUsage(h http.Header) usage {
	var u usage
	for _, name := range []string{"X-FB-Ads-Insights-Throttle", "X-App-Usage", "X-Ad-Account-Usage"} {
		if v := h.Get(name); v != "" {
			u.addPercents(v)
		}
	}
	if v := h.Get("X-Business-Use-Case-Usage"); v != "" {
		var buc map[string][]map[string]any
		if json.Unmarshal([]byte(v), &buc) == nil {
			for _, entries := range buc {
				for _, e := range entries {
					for k, val := range e {
						n, ok := val.(float64)
						if !ok {
							continue
						}
						switch k {
						case "estimated_time_to_regain_access":
							// Minutes; bounded so the multiplication cannot
							// overflow (httpx caps by WaitMax anyway).
							if n > 0 {
								d := time.Duration(min(n, 24*60) * float64(time.Minute))
								u.regain = max(u.regain, d)
							}
						case "call_count", "total_cputime", "total_time":
							u.maxPct = max(u.maxPct, n)
						}
					}
				}
			}
		}
	}
	return u
}

// addPercents takes the numeric values of a flat JSON object header
// ({"app_id_util_pct":12.5,"acc_id_util_pct":3} or {"call_count":28,…});
// every numeric field of these headers is a percentage. Meta documents
// acc_id_util_pct and friends as numbers; strings are accepted too.
func (u *usage) addPercents(v string) {
	var m map[string]any
	if json.Unmarshal([]byte(v), &m) != nil {
		return
	}
	for k, val := range m {
		if k == "ads_api_access_tier" || k == "reset_time_duration" {
			continue
		}
		var n float64
		switch x := val.(type) {
		case float64:
			n = x
		case string:
			if _, err := fmt.Sscanf(x, "%g", &n); err != nil {
				continue
			}
		default:
			continue
		}
		u.maxPct = max(u.maxPct, n)
	}
}

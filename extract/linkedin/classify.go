package linkedin

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"

	"github.com/socialroi/socialroi/extract/httpx"
)

// apiError is LinkedIn's error body.
type apiError struct {
	Status           int    `json:"status"`
	ServiceErrorCode int    `json:"serviceErrorCode"`
	Code             string `json:"code"`
	Message          string `json:"message"`
}

// parseAPIError reads a LinkedIn error body; ok is false for anything else.
func parseAPIError(body []byte) (apiError, bool) {
	var e apiError
	if err := json.Unmarshal(body, &e); err != nil || (e.Message == "" && e.Code == "" && e.ServiceErrorCode == 0) {
		return apiError{}, false
	}
	return e, true
}

func (e apiError) text() string {
	s := e.Message
	if e.Code != "" {
		s = e.Code + ": " + s
	}
	if e.ServiceErrorCode != 0 {
		s += fmt.Sprintf(" [serviceErrorCode %d]", e.ServiceErrorCode)
	}
	return s
}

// dayLimitRE matches the daily quotas' messages ("Resource level throttle
// APPLICATION DAY limit …", "… MEMBER DAY limit …").
var dayLimitRE = regexp.MustCompile(`\bDAY\b`)

// classify is the httpx platform hook for the LinkedIn REST API.
func classify(resp *http.Response, body []byte) httpx.Verdict {
	if resp.StatusCode < 400 {
		return httpx.Verdict{}
	}
	e, ok := parseAPIError(body)
	var v httpx.Verdict
	if ok {
		v.Message = e.text()
	}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		if ok && dayLimitRE.MatchString(e.Message) {
			v.Action, v.Err = httpx.Fatal, ErrDailyLimit
			return v
		}
		// No Retry-After from LinkedIn: exponential backoff with jitter.
		v.Action = httpx.Retry
	case resp.StatusCode == http.StatusUnauthorized:
		v.Action, v.Err = httpx.Fatal, ErrTokenInvalid
	case resp.StatusCode >= 500:
		return v // generic rules: retry except 501
	case ok:
		v.Action, v.Err = httpx.Fatal, ErrAPI
	}
	return v
}

package googleads

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/socialroi/socialroi/extract/httpx"
)

// apiError is the "error" object of a Google API error body (google.rpc.Status
// with GoogleAdsFailure details).
type apiError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Status  string `json:"status"`
	Details []struct {
		Type   string `json:"@type"`
		Errors []struct {
			ErrorCode map[string]string `json:"errorCode"`
			Message   string            `json:"message"`
			Details   struct {
				QuotaErrorDetails struct {
					RateScope  string `json:"rateScope"`
					RetryDelay string `json:"retryDelay"`
				} `json:"quotaErrorDetails"`
			} `json:"details"`
		} `json:"errors"`
		RequestID string `json:"requestId"`
	} `json:"details"`
}

// parseAPIError reads an error body; ok is false for anything else.
func parseAPIError(body []byte) (apiError, bool) {
	var env struct {
		Error *apiError `json:"error"`
	}
	if err := json.Unmarshal(body, &env); err != nil || env.Error == nil || (env.Error.Code == 0 && env.Error.Status == "") {
		return apiError{}, false
	}
	return *env.Error, true
}

// codes lists the GoogleAdsFailure error codes as "kind=VALUE", sorted.
func (e apiError) codes() []string {
	var out []string
	for _, d := range e.Details {
		for _, er := range d.Errors {
			for k, v := range er.ErrorCode {
				out = append(out, k+"="+v)
			}
		}
	}
	sort.Strings(out)
	return out
}

// text is the error as an operator should read it:
// "RESOURCE_EXHAUSTED: Too many requests. Retry in 40591 seconds. [quotaError=RESOURCE_EXHAUSTED]".
func (e apiError) text() string {
	var msgs []string
	for _, d := range e.Details {
		for _, er := range d.Errors {
			if er.Message != "" && !containsStr(msgs, er.Message) {
				msgs = append(msgs, er.Message)
			}
		}
	}
	if len(msgs) == 0 {
		msgs = append(msgs, e.Message)
	}
	s := strings.Join(msgs, "; ")
	if e.Status != "" {
		s = e.Status + ": " + s
	}
	if c := e.codes(); len(c) > 0 {
		s += " [" + strings.Join(c, ", ") + "]"
	}
	for _, d := range e.Details {
		if d.RequestID != "" {
			s += " (request-id " + d.RequestID + ")"
			break
		}
	}
	return s
}

func containsStr(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// retryDelay is the longest quotaErrorDetails.retryDelay in the failure, and
// whether any was given.
func (e apiError) retryDelay() (time.Duration, bool) {
	var d time.Duration
	found := false
	for _, det := range e.Details {
		for _, er := range det.Errors {
			if v, ok := parseDelay(er.Details.QuotaErrorDetails.RetryDelay); ok {
				d, found = max(d, v), true
			}
		}
	}
	return d, found
}

// maxDelay bounds a parsed delay so that arithmetic on it cannot overflow.
const maxDelay = 100 * 365 * 24 * time.Hour

// parseDelay reads a protobuf Duration in its JSON form: decimal seconds with
// an "s" suffix ("40591s", "1.5s"). Negative or malformed values are not
// delays.
func parseDelay(s string) (time.Duration, bool) {
	s = strings.TrimSpace(s)
	num, ok := strings.CutSuffix(s, "s")
	if !ok || num == "" {
		return 0, false
	}
	f, err := strconv.ParseFloat(num, 64)
	if err != nil || math.IsNaN(f) || f < 0 {
		return 0, false
	}
	if f >= maxDelay.Seconds() {
		return maxDelay, true
	}
	return time.Duration(f * float64(time.Second)), true
}

// developerTokenProblem reports whether the failure is about the developer
// token (authenticationError or authorizationError DEVELOPER_TOKEN_…).
func (e apiError) developerTokenProblem() bool {
	for _, c := range e.codes() {
		if strings.Contains(c, "DEVELOPER_TOKEN") {
			return true
		}
	}
	return strings.Contains(strings.ToLower(e.Message), "developer token")
}

// classifier returns the httpx platform hook for a source whose longest
// acceptable throttling wait is maxWait.
func classifier(maxWait time.Duration, devTokenKey string) httpx.Classifier {
	return func(resp *http.Response, body []byte) httpx.Verdict {
		var v httpx.Verdict
		if resp.StatusCode < 400 {
			return v
		}
		e, ok := parseAPIError(body)
		if !ok {
			return v // not a Google error body: generic rules (429/5xx retry, 401 renew)
		}
		v.Message = e.text()
		switch {
		case resp.StatusCode == http.StatusTooManyRequests || e.Status == "RESOURCE_EXHAUSTED":
			d, ok := e.retryDelay()
			if ok && d > maxWait {
				v.Action = httpx.Fatal
				v.Err = ErrRetryDelayTooLong
				v.Message = fmt.Sprintf("Google Ads asked to retry in %s, more than max_retry_delay %s: run again later or raise max_retry_delay: %s",
					d, maxWait, v.Message)
				return v
			}
			v.Action = httpx.Retry
			v.Wait = d // 0: exponential backoff
		case e.developerTokenProblem():
			v.Action = httpx.Fatal
			v.Err = ErrDeveloperToken
			v.Message = "developer token rejected: " + v.Message + ": check " + devTokenKey
		case resp.StatusCode == http.StatusUnauthorized:
			// Generic rule: fail fast with ErrUnauthorized naming the
			// credential (the OAuth access token).
		case resp.StatusCode == http.StatusForbidden:
			v.Action = httpx.Fatal
			v.Err = ErrPermission
		case resp.StatusCode >= 500:
			v.Action = httpx.Retry
		default:
			v.Action = httpx.Fatal
			v.Err = ErrAPI
		}
		return v
	}
}

package shopify

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

// nearlyFull is the share of the call-limit bucket past which the next call
// waits for the bucket to leak.
const nearlyFull = 0.8

// defaultRetryAfter is the wait on a 429 without a readable Retry-After.
const defaultRetryAfter = 2 * time.Second

// classify is the httpx platform hook for the Shopify REST Admin API.
func classify(resp *http.Response, body []byte) httpx.Verdict {
	var v httpx.Verdict
	if used, limit, ok := parseCallLimit(resp.Header.Get("X-Shopify-Shop-Api-Call-Limit")); ok {
		v.Pause = bucketWait(used, limit)
	}
	if resp.StatusCode < 400 {
		return v
	}
	v.Message = errorText(body)
	switch s := resp.StatusCode; {
	case s == http.StatusTooManyRequests:
		v.Action = httpx.Retry
		v.Wait = defaultRetryAfter
		if d, ok := parseRetryAfter(resp.Header.Get("Retry-After")); ok {
			v.Wait = d
		}
	case s == http.StatusUnauthorized:
		// Default: httpx fails fast with ErrUnauthorized naming the credential.
	case s >= 500:
		// Default: retried.
	default:
		v.Action = httpx.Fatal
		v.Err = ErrAPI
	}
	return v
}

// parseCallLimit reads "32/40". ok is false for anything else.
func parseCallLimit(h string) (used, limit int, ok bool) {
	a, b, found := strings.Cut(strings.TrimSpace(h), "/")
	if !found {
		return 0, 0, false
	}
	u, err1 := strconv.Atoi(strings.TrimSpace(a))
	l, err2 := strconv.Atoi(strings.TrimSpace(b))
	if err1 != nil || err2 != nil || u < 0 || l <= 0 || u > 1<<20 || l > 1<<20 {
		return 0, 0, false
	}
	return u, l, true
}

// bucketWait is how long to hold the next call so that the bucket, leaking
// limit/20 calls a second (2/s for 40, 4/s for 80 on Plus), drops below
// nearlyFull. Zero below the threshold.
func bucketWait(used, limit int) time.Duration {
	threshold := int(math.Ceil(nearlyFull * float64(limit)))
	if used < threshold {
		return 0
	}
	leak := float64(limit) / 20
	return time.Duration(float64(used-threshold+1) / leak * float64(time.Second))
}

// parseRetryAfter reads Shopify's Retry-After: seconds, possibly with a
// decimal ("2.0"). HTTP dates are left to httpx's generic rule (false here).
func parseRetryAfter(h string) (time.Duration, bool) {
	f, err := strconv.ParseFloat(strings.TrimSpace(h), 64)
	if err != nil || math.IsNaN(f) || f < 0 || f > 24*3600 {
		return 0, false
	}
	return time.Duration(f * float64(time.Second)), true
}

// errorText reads Shopify's error bodies: {"errors":"text"},
// {"errors":{"field":["msg",…]}}, {"errors":["msg"]} or {"error":"text"}.
// Empty when the body is none of these.
func errorText(body []byte) string {
	var env struct {
		Errors json.RawMessage `json:"errors"`
		Error  string          `json:"error"`
	}
	if json.Unmarshal(body, &env) != nil {
		return ""
	}
	if len(env.Errors) == 0 {
		return env.Error
	}
	var s string
	if json.Unmarshal(env.Errors, &s) == nil {
		return s
	}
	var list []string
	if json.Unmarshal(env.Errors, &list) == nil {
		return strings.Join(list, "; ")
	}
	var byField map[string]json.RawMessage
	if json.Unmarshal(env.Errors, &byField) == nil {
		keys := make([]string, 0, len(byField))
		for k := range byField {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var parts []string
		for _, k := range keys {
			var msgs []string
			if json.Unmarshal(byField[k], &msgs) == nil {
				parts = append(parts, fmt.Sprintf("%s: %s", k, strings.Join(msgs, ", ")))
			} else {
				parts = append(parts, fmt.Sprintf("%s: %s", k, byField[k]))
			}
		}
		return strings.Join(parts, "; ")
	}
	return ""
}

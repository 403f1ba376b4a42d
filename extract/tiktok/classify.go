package tiktok

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/socialroi/socialroi/extract/httpx"
)

// TikTok response codes the connector branches on.
const (
	codeTooManyRequests = 40100
	codeTokenMissing    = 40104
	codeTokenInvalid    = 40105
)

// status is the part of TikTok's envelope that says whether a call worked.
type status struct {
	Code      *int   `json:"code"`
	Message   string `json:"message"`
	RequestID string `json:"request_id"`
}

// parseStatus reads the envelope's code; ok is false when the body is not a
// TikTok envelope.
func parseStatus(body []byte) (status, bool) {
	var st status
	if err := json.Unmarshal(body, &st); err != nil || st.Code == nil {
		return status{}, false
	}
	return st, true
}

func (st status) text() string {
	s := fmt.Sprintf("code %d: %s", *st.Code, st.Message)
	if st.RequestID != "" {
		s += " (request_id " + st.RequestID + ")"
	}
	return s
}

// classify is the httpx platform hook: TikTok answers HTTP 200 with a
// non-zero code for every failure, throttling included.
func classify(resp *http.Response, body []byte) httpx.Verdict {
	var v httpx.Verdict
	st, ok := parseStatus(body)
	if !ok {
		// Not an envelope: generic rules for the status (a 200 then fails
		// to decode with ErrInvalidJSON).
		return v
	}
	if *st.Code == 0 {
		return v
	}
	v.Message = st.text()
	switch c := *st.Code; {
	case c == codeTooManyRequests:
		v.Action = httpx.Retry // TikTok gives no wait: exponential backoff
	case c == codeTokenMissing || c == codeTokenInvalid:
		v.Action = httpx.Fatal
		v.Err = ErrTokenInvalid
	case c >= 50000 && c < 60000:
		v.Action = httpx.Retry // system errors
	case resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests:
		// An envelope on a retryable status: let the generic rule retry.
	default:
		v.Action = httpx.Fatal
		v.Err = ErrAPI
	}
	return v
}

package meta

import "errors"

var (
	// ErrTokenInvalid: Meta rejected the access token (code 190, or 102/104
	// for a missing session). Retrying cannot help; the token must be renewed.
	ErrTokenInvalid = errors.New("access token invalid or expired")
	// ErrAPI: Meta answered a client error that is neither throttling nor a
	// token problem (bad parameter, unknown account, missing permission).
	ErrAPI = errors.New("meta API error")
	// ErrTooMuchData: Meta answered "Please reduce the amount of data you're
	// asking for" (HTTP 500, or code 100 subcode 1487534). The connector
	// halves limit and retries the page; it returns this error only once
	// limit is at its floor (25). Shorten the date range or ask later.
	ErrTooMuchData = errors.New("meta asks for less data per call")
	// ErrReportFailed: an async report run ended in "Job Failed" or "Job
	// Skipped". The error names the report run id; run again later.
	ErrReportFailed = errors.New("async report run failed")
	// ErrReportTimeout: an async report run did not complete within
	// async_timeout.
	ErrReportTimeout = errors.New("async report run timed out")
)

package googleads

import "errors"

var (
	// ErrRetryDelayTooLong: Google throttled the request and asked for a
	// wait (retryDelay) longer than max_retry_delay. Run again after the
	// wait, or raise max_retry_delay.
	ErrRetryDelayTooLong = errors.New("Google Ads asked to wait longer than max_retry_delay")
	// ErrDeveloperToken: Google rejected the developer token (missing,
	// invalid, or not approved for production accounts). Retrying cannot help.
	ErrDeveloperToken = errors.New("developer token rejected")
	// ErrPermission: the credentials may not read the customer (HTTP 403),
	// typically because login_customer_id (the manager account) is missing
	// or wrong, or the customer is not enabled.
	ErrPermission = errors.New("permission denied for customer")
	// ErrAPI: any other error Google reported (bad query, an error inside
	// the stream).
	ErrAPI = errors.New("google ads API error")
)

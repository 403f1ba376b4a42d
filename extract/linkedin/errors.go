package linkedin

import "errors"

var (
	// ErrTokenInvalid: LinkedIn answered 401 (invalid, expired or revoked
	// token). Retrying cannot help; the token named in the error must be
	// renewed.
	ErrTokenInvalid = errors.New("access token invalid or expired")
	// ErrDailyLimit: LinkedIn's APPLICATION (or MEMBER) DAY quota is spent.
	// It resets at midnight UTC; the source fails rather than retry for
	// hours. Run again after midnight UTC.
	ErrDailyLimit = errors.New("daily request limit reached")
	// ErrAPI: LinkedIn answered a client error that is neither throttling nor
	// a token problem (bad parameter, missing permission, unknown account).
	ErrAPI = errors.New("linkedin API error")
	// ErrTruncated: one day of one account still returns LinkedIn's maximum
	// number of analytics elements, so the response may be cut off and
	// cannot be split further by date. Nothing of it is loaded.
	ErrTruncated = errors.New("analytics response truncated")
)

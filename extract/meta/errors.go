package meta

import "errors"

var (
	// ErrTokenInvalid: Meta rejected the access token (code 190, or 102/104
	// for a missing session). Retrying cannot help; the token must be renewed.
	ErrTokenInvalid = errors.New("access token invalid or expired")
	// ErrAPI: Meta answered a client error that is neither throttling nor a
	// token problem (bad parameter, unknown account, missing permission).
	ErrAPI = errors.New("meta API error")
)

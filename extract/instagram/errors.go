package instagram

import "errors"

var (
	// ErrTokenInvalid: the Graph API rejected the access token (code 190,
	// or 102/104). Retrying cannot help; the token must be renewed.
	ErrTokenInvalid = errors.New("access token invalid or expired")
	// ErrAPI: the Graph API answered a client error that is neither
	// throttling nor a token problem (unknown account, missing permission).
	ErrAPI = errors.New("instagram API error")
	// ErrBadMedia: a media item lacks a required field (id, timestamp) or
	// carries one that cannot be read. The run fails.
	ErrBadMedia = errors.New("unreadable media")
)

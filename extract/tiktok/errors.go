package tiktok

import "errors"

var (
	// ErrTokenInvalid: TikTok rejected the access token (code 40104 missing,
	// 40105 expired or revoked). Retrying cannot help; renew the token.
	ErrTokenInvalid = errors.New("access token invalid or expired")
	// ErrAPI: TikTok answered a code that is neither throttling nor a token
	// problem (bad parameter, no permission for the advertiser).
	ErrAPI = errors.New("tiktok API error")
)

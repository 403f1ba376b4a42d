package shopify

import "errors"

var (
	// ErrAPI: Shopify answered a client error other than 401 and throttling
	// (missing scope, unknown shop, frozen or locked shop). Retrying cannot
	// help; the message says what Shopify objected to.
	ErrAPI = errors.New("shopify API error")
	// ErrBadOrder: an order lacks a required field or carries one that
	// cannot be read. The run fails rather than load partial revenue.
	ErrBadOrder = errors.New("unreadable order")
)

package hubspot

import "errors"

var (
	// ErrDailyLimit: HubSpot answered 429 with policyName DAILY. The
	// portal's daily API allowance is spent; retrying before it resets (at
	// midnight in the portal's time zone) cannot help, so the source fails
	// at once.
	ErrDailyLimit = errors.New("HubSpot daily API limit exhausted")
	// ErrSearchCap: more results share one modified timestamp than one search
	// can page through (10,000), so moving the modified-since window forward
	// cannot make progress.
	ErrSearchCap = errors.New("search result cap reached without progress")
	// ErrBadRecord: a deal or contact could not be mapped (a timestamp or an
	// amount HubSpot should not have sent). The source fails rather than load
	// a deal with the wrong revenue.
	ErrBadRecord = errors.New("unreadable HubSpot record")
)

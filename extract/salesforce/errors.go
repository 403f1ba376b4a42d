package salesforce

import "errors"

var (
	// ErrDailyLimit: Salesforce answered REQUEST_LIMIT_EXCEEDED (HTTP 403):
	// the org's rolling 24-hour API allowance is spent. The source fails at
	// once: the allowance frees up over hours, not within a retry's wait,
	// and every retry would itself be refused.
	ErrDailyLimit = errors.New("Salesforce daily API request limit exceeded")
	// ErrQuery: Salesforce refused the SOQL (MALFORMED_QUERY, INVALID_FIELD,
	// INVALID_TYPE …), most often because a field named in the fields
	// setting does not exist on Lead, Contact or Opportunity in this org.
	ErrQuery = errors.New("Salesforce refused the query")
	// ErrBadRecord: a record could not be mapped (a date or an amount
	// Salesforce should not have sent). The source fails rather than load
	// an opportunity with the wrong revenue.
	ErrBadRecord = errors.New("unreadable Salesforce record")
)

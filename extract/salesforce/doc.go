// Package salesforce is the Salesforce connector, registered as source kind
// "salesforce". It fills the canonical conversions, touchpoints and
// identities tables.
//
// Built against the REST API v61.0 (the default api_version; override per
// source). It runs three SOQL queries with GET
// /services/data/{version}/query?q=…, each
//
//	SELECT <fields> FROM <Opportunity|Lead|Contact>
//	WHERE SystemModstamp >= <Request.Since as 2026-11-16T00:00:00Z>
//	ORDER BY SystemModstamp ASC, Id ASC
//
// with Sforce-Query-Options: batchSize=<batch_size>, and follows
// nextRecordsUrl exactly as given until done. SOQL is built from constant
// object and field names plus the fields setting, whose values must match
// ^[A-Za-z][A-Za-z0-9_]*(__c)?$; the only value is a formatted datetime, so
// no configured or fetched text is ever spliced in.
//
// Mapping:
//
//   - conversions: IsWon opportunities become type deal_won at CloseDate
//     (a date: noon UTC of that day); with conversion_types including
//     opportunity, open ones (IsClosed false) become type opportunity at
//     CreatedDate. conversion_id "salesforce:opportunity:<Id>", deal_id the
//     Id, revenue Amount rounded to cents, currency the currency setting (the
//     org's corporate currency; CurrencyIsoCode of multi-currency orgs is not
//     read), crm_source the source's name. person_id is
//     "salesforce:contact:<ContactId>" from Opportunity.ContactId — chosen
//     over OpportunityContactRole because it costs no extra query and is set
//     when an opportunity is created by lead conversion, which is how
//     marketing-sourced opportunities arise; orgs that attach contacts only
//     through roles get conversions without a person (credited to direct).
//     is_new_customer is true on each contact's earliest won opportunity
//     among those this run returned: with an incremental window an older won
//     opportunity outside it is not seen.
//   - touchpoints: the first touch of each contact and lead as interaction
//     "visit", source "crm_derived", at the record's CreatedDate, with UTMs,
//     landing page and referrer from the fields setting (missing UTMs and the
//     click id from the landing page's query). A converted lead speaks for its
//     contact; the earlier record wins. Last-touch fields are not read.
//   - identities: the anonymous_id field's value and the hashed Email
//     ("email:" + SHA-256 hex of the trimmed, lower-cased address) map to the person.
//
// Re-runs: rows are keyed by Salesforce ids, so overlapping runs produce the
// same rows for the records they share (is_new_customer aside) and the
// warehouse upserts them. Deleted records are not read (query, not
// queryAll).
//
// Errors and limits: the JSON error array is read. REQUEST_LIMIT_EXCEEDED
// (403) fails at once with ErrDailyLimit — the allowance is a rolling 24
// hours, so no retry within a run can succeed and each would be refused
// too. INVALID_SESSION_ID (401) fails at once naming the token setting.
// MALFORMED_QUERY, INVALID_FIELD and INVALID_TYPE fail with ErrQuery and
// Salesforce's message (usually a misnamed field in the fields setting).
// 5xx and connection errors are retried with backoff. Sforce-Limit-Info
// (api-usage=18/15000) is read on every answer, logged at debug level and
// in the final summary, with a warning once usage passes 90%.
package salesforce

// Package hubspot is the HubSpot CRM connector, registered as source kind
// "hubspot". It fills the canonical conversions, touchpoints and identities
// tables.
//
// Built against the CRM v3 search API and the v4 associations API (as
// documented in 2026-11). It calls:
//
//   - POST /crm/v3/objects/deals/search and /crm/v3/objects/contacts/search
//     with one filter hs_lastmodifieddate (contacts: lastmodifieddate) GTE
//     Request.Since as epoch milliseconds, sorted ascending on it, paging with
//     paging.next.after (page_limit ≤ 200). A search can page through at most
//     10,000 results: when the next page would pass that, the connector starts
//     a new search from the last modified time it saw; records seen twice are
//     kept once. More than 10,000 records sharing one millisecond fail with
//     ErrSearchCap. Offset paging has a known gap: a record modified while a
//     search pages can shift the later results by one, so one unchanged
//     record may be missed by that run; a later run whose window covers its
//     modified date reads it.
//   - POST /crm/v4/associations/deals/contacts/batch/read for the deals it
//     emits (100 per call; a 207 answer listing deals without contacts is
//     normal). A deal's person is its lowest associated contact id.
//
// Mapping:
//
//   - conversions: deals in won_stages become type deal_won at closedate;
//     with conversion_types including opportunity, open deals (neither won
//     nor in lost_stages) become type opportunity at createdate. A date-only
//     closedate is taken as noon UTC of that day. conversion_id is
//     "hubspot:deal:<id>" (the same row when a deal moves from open to won),
//     revenue is amount rounded to cents, currency deal_currency_code or the
//     currency setting, person_id "hubspot:contact:<id>", crm_source the
//     source's name. is_new_customer is true on each contact's earliest won
//     deal among the deals this run returned: with an incremental window an
//     older won deal outside it is not seen, so a repeat customer's first
//     deal in the window is marked new. Won deals without closedate are
//     skipped and counted in a warning.
//   - touchpoints: each contact's first touch (and last touch, when
//     hs_analytics_last_timestamp is set) as interaction "visit", source
//     "crm_derived"; see Source.touchpoints for the fields. Set
//     contact_touchpoints: false when the web analytics export already
//     carries the sessions (these would be second copies of two of them).
//   - identities: each anonymous_id_properties value (hubspotutk by default)
//     and the contact's email hashed ("email:" + SHA-256 hex of the trimmed, lower-cased
//     address) map to the contact's person id.
//
// Re-runs: rows are keyed by HubSpot ids, so overlapping runs produce the
// same rows for the records they share (is_new_customer aside, as above) and
// the warehouse upserts them. Request.Until does not bound the search: the
// current state of every record modified since Since is loaded.
//
// Throttling: 429 with policyName SECONDLY waits a second and retries;
// TEN_SECONDLY_ROLLING retries with exponential backoff; DAILY fails at once
// with ErrDailyLimit (the allowance resets at midnight in the portal's time
// zone). 401 fails at once naming the private app token setting.
//
// Not covered: archived records (deleted deals stay in the warehouse), deal
// line items and multi-currency conversion of amounts (the currency is
// recorded and converted downstream), company associations.
package hubspot

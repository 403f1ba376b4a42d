// Package googleads is the Google Ads API connector, registered as source
// kind "google_ads". It fills ad_performance with platform "google".
//
// Built against the Google Ads API REST interface v21 (the default
// api_version; override per source). For each configured customer it sends
// one POST /{version}/customers/{id}/googleAds:searchStream with a GAQL query
// on ad_group_ad segmented by segments.date, and decodes the streamed array
// of batches one batch at a time, emitting one ad_performance record per
// batch. Headers: Authorization: Bearer {access_token}, developer-token and,
// when set, login-customer-id (the manager account, digits only; dashes in
// the setting are stripped).
//
// Mapping: cost_micros is divided by 1,000,000 in decimal arithmetic (never a
// float) and rounded half away from zero to the column's four decimals;
// conversions_value (a double on the wire) is read from its JSON text into a
// decimal and rounded the same way. Metrics the API omits (proto3 JSON leaves
// zeros out) are 0. clicks fill both clicks and link_clicks (a Google click
// is a click to the landing page); reach, 3-second views and completions are
// not reported per ad and stay NULL. The ad is the creative in Google Ads:
// creative_id and creative_name are the ad's id and name. destination_url is
// the first final URL, plus final_url_suffix, plus any utm_* parameters of
// the tracking URL template that the URL does not already carry (with the
// ValueTrack parameters {campaignid}, {adgroupid} and {creative} filled in).
//
// account_timezone is customer.time_zone (selected in the query; the API
// returns it as customer.timeZone), the IANA zone the customer's
// segments.date days are in, e.g. "America/New_York". A zone that
// time.LoadLocation does not know is stored as given with a warning (once
// per customer and zone); an absent one leaves the column NULL with a
// warning.
//
// Throttling and errors: 429 RESOURCE_EXHAUSTED is retried after exactly the
// retryDelay Google puts in the error details (exponential backoff when it
// gives none), unless that delay exceeds max_retry_delay (default 10m): then
// the source fails at once with ErrRetryDelayTooLong, saying how long Google
// asked to wait. 5xx and dropped connections are retried with backoff
// (Retry-After honoured, capped by max_retry_delay). 401
// UNAUTHENTICATED fails at once naming the OAuth access token to renew; 403
// developer-token errors fail at once with ErrDeveloperToken; other 403s
// (USER_PERMISSION_DENIED, usually a missing login_customer_id) with
// ErrPermission; other 4xx with ErrAPI and Google's message. An error
// element inside a 200 stream (Google can fail a stream part-way) fails the
// source with ErrAPI.
//
// Not covered yet: refreshing the OAuth access token from a refresh token
// (the access token must be supplied fresh, e.g. by the scheduler), the
// paged googleAds:search endpoint, and video metrics.
package googleads

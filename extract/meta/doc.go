// Package meta is the Meta Marketing API connector (Facebook, Instagram,
// Audience Network and Messenger ads), registered as source kind "meta_ads".
//
// Built against Graph API v21.0 (the default api_version; override per
// source). It reads ad-level daily insights broken down by
// publisher_platform from GET /{version}/act_{id}/insights, follows cursor
// paging (paging.next, absent on the last page; a page may be empty and
// still carry next), and emits canonical ad_performance records.
//
// Throttling: Meta answers HTTP 400 with error codes 4, 17, 32, 613 or
// 80000–80014; those are retried with backoff, waiting
// estimated_time_to_regain_access from X-Business-Use-Case-Usage when given.
// When any usage header (X-FB-Ads-Insights-Throttle, X-App-Usage,
// X-Ad-Account-Usage, X-Business-Use-Case-Usage) passes 95%, the next call is
// held for a minute. Code 190 (invalid or expired token) fails at once with
// a message naming the setting to renew; other 4xx fail with Meta's message.
//
// Not covered yet: creative id/name and destination URL (they come from
// /act_{id}/ads and are left NULL), video completions, the async report
// jobs for long ranges, and halving limit on "reduce the amount of data".
package meta

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
// Creatives: once per account and run, before its insights, the connector
// lists GET /{version}/act_{id}/ads?fields=id,name,adset_id,campaign_id,
// creative{id,name,url_tags,object_story_spec} (same cursor paging; a
// failure fails the source like an insights failure) and maps each
// insights row's ad_id to creative_id, creative_name and destination_url.
// The destination URL is the object_story_spec link (link_data.link, else
// video_data.call_to_action.value.link, else template_data.link) with the
// creative's url_tags appended as query parameters after any query the
// link has (before a fragment). Meta's dynamic parameters in url_tags are
// expanded per row: {{campaign.id}}, {{adset.id}}, {{ad.id}},
// {{campaign.name}}, {{adset.name}}, {{ad.name}} (query-escaped) and
// {{site_source_name}} (fb, ig, msg, an from publisher_platform). Others
// ({{placement}}, which needs a platform_position breakdown) are kept as
// written and counted in a warning. The listing returns Meta's default
// set of ads (deleted and archived ads are not listed): their rows load
// with the creative columns NULL, counted in a warning.
//
// Account time zone: once per account and run, after the ads listing and
// before the insights, the connector reads GET /{version}/act_{id}?fields=
// timezone_name,currency,name and stores timezone_name (the IANA zone the
// account's insights days are in, e.g. "America/Los_Angeles") in
// account_timezone on every row of the account. A zone that time.LoadLocation
// does not know is stored as given with a warning; an empty one leaves the
// column NULL with a warning. A failed read fails the source like insights.
//
// Long ranges: when the requested range is longer than async_after_days
// (default 31) the connector starts an async report run (POST
// /act_{id}/insights with the same parameters), polls GET /{report_run_id}
// (waiting async_poll_interval, doubling up to async_poll_max, for at most
// async_timeout of waiting) until async_status is "Job Completed", then
// pages GET /{report_run_id}/insights. "Job Failed" or "Job Skipped" fails
// with ErrReportFailed naming the report run id.
//
// "Please reduce the amount of data you're asking for" (HTTP 500, or code
// 100 subcode 1487534) is not retried as is: the page is asked again with
// half the limit (later pages keep the smaller limit), down to 25, below
// which the source fails with ErrTooMuchData.
//
// Not covered yet: video completions; splitting the date range (rather
// than the limit) when even 25 rows are too much; listing archived and
// deleted ads (an effective_status filter) for names of ads no longer live.
package meta

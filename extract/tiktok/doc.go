// Package tiktok is the TikTok API for Business connector, registered as
// source kind "tiktok_ads". It fills ad_performance with platform "tiktok".
//
// Built against Business API v1.3. For each advertiser it reads the
// synchronous integrated report, GET /open_api/v1.3/report/integrated/get/
// with report_type=BASIC, data_level=AUCTION_AD, dimensions
// ["ad_id","stat_time_day"], page by page until page_info.total_page, with the
// Access-Token header. TikTok caps a daily report at 30 days, so longer
// ranges are split into 30-day windows. One ad_performance record is emitted
// per page.
//
// Metrics requested and how they map:
//
//	spend                        → spend (decimal, rounded to 4 places)
//	impressions                  → impressions
//	clicks                       → clicks and link_clicks (TikTok's clicks
//	                               are clicks to the destination)
//	reach                        → reach
//	conversion                   → platform_conversions (conversions of the
//	                               ad group's optimization event)
//	total_complete_payment_rate  → platform_conversion_value (despite its
//	                               name, TikTok's total value of Complete
//	                               Payment events)
//	video_watched_2s             → video_views_3s (TikTok has no 3-second
//	                               view; the 2-second view is the closest,
//	                               slightly higher, thumb-stop measure)
//	video_views_p100             → video_completions
//	campaign_id/name, adgroup_id/name, ad_name → the ids and names
//
// Metrics arrive as strings and "-" means "no value": nullable columns
// (reach, video_views_3s, video_completions) become NULL; required columns
// (spend, impressions, clicks, platform_conversions,
// platform_conversion_value) become 0.
//
// Advertiser info: once per run, before the reports, the connector reads
// GET /open_api/v1.3/advertiser/info/?advertiser_ids=[…]&fields=
// ["timezone","currency","name"] (one call per 100 advertisers; same
// envelope and error handling as the report, a failure fails the source).
// name fills account_name; timezone fills account_timezone as TikTok writes
// it ("America/New_York", "Etc/GMT+5": both IANA names), a zone that
// time.LoadLocation does not know being stored as given with a warning. The
// report carries no currency: it comes from the currency setting (per
// advertiser through advertiser_currencies, ISO 4217), else from the info
// call's currency; the setting wins when both are set (a mismatch is a
// warning), and with neither the source fails. An advertiser the info call
// does not list keeps account_name and account_timezone NULL (warning).
// Creative and destination URL are not in the report and stay NULL.
//
// Errors come as HTTP 200 with a non-zero code: 40100 (too many requests)
// and 5xxxx system errors are retried with exponential backoff; 40104 and
// 40105 (token missing, expired or revoked) fail at once with
// ErrTokenInvalid naming the setting to renew; any other code fails at once
// with ErrAPI and TikTok's message. HTTP 429 and 5xx are retried as usual.
//
// Not covered yet: the ad details call (/ad/get/: landing page URL, video
// id) for destination_url and creative fields, and asynchronous report
// tasks.
package tiktok

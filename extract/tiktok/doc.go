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
// platform_conversion_value) become 0. TikTok reports no currency in this
// report: it comes from the currency setting (per advertiser through
// advertiser_currencies), validated as an ISO 4217 code. account_name,
// creative and destination URL are not in the report and stay NULL.
//
// Errors come as HTTP 200 with a non-zero code: 40100 (too many requests)
// and 5xxxx system errors are retried with exponential backoff; 40104 and
// 40105 (token missing, expired or revoked) fail at once with
// ErrTokenInvalid naming the setting to renew; any other code fails at once
// with ErrAPI and TikTok's message. HTTP 429 and 5xx are retried as usual.
//
// Not covered yet: the ad details call (/ad/get/: landing page URL, video
// id) for destination_url and creative fields, the advertiser info call for
// name and currency, and asynchronous report tasks.
package tiktok

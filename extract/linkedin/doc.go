// Package linkedin is the LinkedIn Marketing API connector (sponsored
// content ads in Campaign Manager), registered as source kind
// "linkedin_ads". Rows get platform "linkedin".
//
// Built against the versioned REST API (/rest, LinkedIn-Version 202411 by
// default; api_version overrides it) with Rest.li protocol 2.0.0. Per ad
// account it reads:
//
//  1. GET /rest/adAccounts/{id} for the account name and currency, unless
//     the currency setting is given (then the account name stays NULL and
//     this call is skipped);
//  2. GET /rest/adAccounts/{id}/adCampaigns?q=search and
//     GET /rest/adAccounts/{id}/creatives?q=criteria, paged by cursor:
//     pageSize=page_size and pageToken taken from metadata.nextPageToken
//     (absent on the last page) — the paging those finders use in current
//     versions, rather than start/count;
//  3. GET /rest/posts?ids=List(...) (batch get, 50 URNs per call) for the
//     posts the creatives promote: their article source, or
//     contentLandingPage for video ads, is the destination URL;
//  4. GET /rest/adAnalytics?q=analytics&pivot=CREATIVE&timeGranularity=DAILY
//     with dateRange and accounts in Rest.li syntax (URNs URL-encoded,
//     structure characters not).
//
// Mapping: the sponsored creative is the ad (ad_id = the creative URN's
// numeric id, ad_name = the creative's name); creative_id and creative_name
// are the promoted post's id and title (the asset, which several ads can
// share); campaign_id/campaign_name are the LinkedIn campaign. Ad sets and
// campaign groups are not read (adset_* stay NULL), nor is reach (LinkedIn
// has no daily reach per creative). landingPageClicks is link_clicks,
// externalWebsiteConversions platform_conversions,
// conversionValueInLocalCurrency platform_conversion_value, and videoViews
// (LinkedIn counts a view at 2 seconds with half the player in view) fills
// video_views_3s, the closest measure. Money arrives as long decimal strings
// ("107.5300000000000335346") and is rounded to 4 decimals, never parsed as
// float. An analytics row for a creative missing from the listing (deleted)
// is still loaded, with its names NULL, and counted in the log.
//
// Time zone: account_timezone is "UTC" on every row. LinkedIn ad accounts
// expose no time zone in GET /rest/adAccounts/{id} (as far as we know), and
// adAnalytics days with timeGranularity=DAILY are UTC days (LinkedIn's
// quotas likewise reset at midnight UTC), so no call is made for it.
//
// Truncation: analytics is not paged and silently stops at 15,000 elements.
// The range is cut into slice_days slices (default 30); a slice whose
// response holds 15,000 elements or more is halved and fetched again, down
// to single days. A single day that still reaches the cap fails with
// ErrTruncated: a truncated result is never loaded.
//
// Throttling: LinkedIn answers HTTP 429 with serviceErrorCode 101 and no
// Retry-After. A message naming a DAY limit (the APPLICATION DAY quota)
// fails at once with ErrDailyLimit, saying that it resets at midnight UTC;
// other 429s and 5xx are retried with exponential backoff and jitter
// (httpx). 401 fails at once with ErrTokenInvalid naming the setting that
// holds the token. The token travels only in the Authorization header and is
// redacted from errors, logs and landed bodies.
package linkedin

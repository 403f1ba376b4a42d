// Package linkedin is the in-process emulator of the LinkedIn Marketing API
// (Rest.li 2.0, versioned /rest endpoints) for the linkedin_ads connector's
// tests and for `socialroi demo`. Importers alias it, e.g.
//
//	import liemu "github.com/socialroi/socialroi/extract/emulator/linkedin"
//
// It serves a ground truth given as canonical ad_performance rows of
// platform "linkedin" and derives from them everything the connector reads:
//
//   - GET /rest/adAccounts/{id}: the account's name and currency;
//   - GET /rest/adAccounts/{id}/adCampaigns?q=search: campaigns (id, name),
//     paged with pageSize/pageToken and metadata.nextPageToken;
//   - GET /rest/adAccounts/{id}/creatives?q=criteria: creatives (id URN,
//     name, campaign URN, content.reference to the post), same paging;
//   - GET /rest/posts?ids=List(...): the posts behind creatives (BATCH_GET),
//     whose article source or contentLandingPage is the destination URL;
//   - GET /rest/adAnalytics?q=analytics&pivot=CREATIVE&timeGranularity=DAILY:
//     one element per creative and day, counts as integers and money as long
//     decimal strings, not paged, silently truncated at Config.MaxElements
//     (default 15,000) as the real API truncates.
//
// Row mapping: the sponsored creative id is the row's AdID and its name the
// AdName; the post (share) id is the CreativeID, its title the CreativeName
// and its link the DestinationURL; the campaign is CampaignID/CampaignName.
// Reach and ad sets are not served (LinkedIn has no daily reach and its
// campaign groups are not emulated).
//
// Time zone: LinkedIn ad accounts expose none, and adAnalytics days are UTC
// days, so the rows' AccountTimezone is not served anywhere (a connector
// stores "UTC").
//
// Every request must carry Authorization: Bearer <AccessToken>, a
// LinkedIn-Version header (YYYYMM) and X-Restli-Protocol-Version: 2.0.0;
// Rest.li values must be sent unencoded with their URNs URL-encoded, as the
// real API requires. Errors use LinkedIn's body
// {"status":…,"serviceErrorCode":…,"code":…,"message":…}. Faults come from
// the shared emulator.Server script; ThrottleFault and TokenExpiredFault
// build LinkedIn's 429 and 401 answers.
package linkedin

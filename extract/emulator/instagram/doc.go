// Package instagram emulates the Instagram Graph API's organic endpoints for
// connector tests and `socialroi demo`: GET /{version}/{ig_user_id}/media
// (newest first, cursor paging with paging.next carrying the token as the
// real API does) and GET /{version}/{media_id}/insights (reach, saved,
// shares, views, total_interactions as numbers; an empty data array when
// insights are unavailable). Errors are Graph API error bodies; faults reuse
// the emulator package's MetaThrottleFault and MetaTokenExpiredFault.
//
// Ground truth is canonical organic_posts rows (Config.Posts; FromBrand
// takes the demo brand's Instagram posts). Importers alias the package
// (instagramemu) because the connector package is also named instagram.
package instagram

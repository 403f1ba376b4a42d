// Package instagram is the Instagram organic connector (Instagram Graph API
// through the Facebook Login flavour), registered as source kind
// "instagram_organic". It emits canonical organic_posts.
//
// Built against Graph API v21.0 (the default api_version; override per
// source). For each configured Instagram professional account it pages
// GET /{version}/{ig_user_id}/media?fields=id,caption,media_type,
// media_product_type,permalink,timestamp,like_count,comments_count
// (newest first, cursor paging through paging.next, whose access_token is
// stripped and sent again from the settings) and, per media,
// GET /{version}/{media_id}/insights?metric=reach,saved,shares,views,total_interactions.
//
// Which media: those published from the window's start (Request.Since, or
// the `since` setting when set, to keep snapshotting older posts) to the end
// of Request.Until. Paging stops at the first media older than the start.
//
// Mapping, one row per media with snapshot_date = Request.Until:
//   - format: media_product_type REELS → reel, STORY → story; otherwise
//     media_type IMAGE → image, VIDEO → video, CAROUSEL_ALBUM → carousel.
//   - tags: the caption's #hashtags, lower-cased, without '#', trailing
//     punctuation dropped, first occurrence order, no duplicates.
//   - impressions = the views insight: Meta deprecated impressions (and
//     plays) for views in 2025, so views is what is comparable over time;
//     video_views = views as well for video and reel, NULL otherwise.
//   - likes, comments from like_count and comments_count (NULL when the
//     field is absent: hidden like counts, stories); reach, saves, shares
//     from insights; link_clicks NULL (not reported per media).
//   - Unavailable insights stay NULL, never 0: an empty data array, a metric
//     missing from it, or a Graph error 10/100 on one media's insights (too
//     few viewers, a metric the media type does not support) — the last is
//     logged and counted, and the run goes on.
//
// Errors and throttling are the Graph API's: codes 4, 17, 32, 613 and
// 80000–80014 are retried with backoff; 190 (and 102/104) fail at once
// naming the access_token setting; X-App-Usage or
// X-Business-Use-Case-Usage above 95% holds the next call for a minute.
//
// Not covered: stories through /{ig_user_id}/stories (the /media edge only
// lists the stories it returns), carousel children, the 48-hour lag of
// insights (re-run to restate), and account-level insights.
package instagram

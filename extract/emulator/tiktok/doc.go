// Package tiktok emulates the TikTok API for Business synchronous report
// endpoint (GET /open_api/v1.3/report/integrated/get/, report_type=BASIC,
// data_level=AUCTION_AD, dimensions ["ad_id","stat_time_day"]) for connector
// tests and `socialroi demo`.
//
// It serves canonical ad_performance rows of platform "tiktok" in the real
// envelope {code, message, request_id, data:{list, page_info}}: dimensions
// and metrics as strings, "-" where a value does not exist, stat_time_day as
// "YYYY-MM-DD 00:00:00", page/page_size paging with page_info.total_page,
// and the 30-day cap on daily ranges (code 40002 beyond it). Errors come as
// HTTP 200 with a non-zero code, as TikTok sends them: a missing Access-Token
// header is 40104, a wrong one 40105, an unknown advertiser 40001.
//
// It also serves GET /open_api/v1.3/advertiser/info/?advertiser_ids=[…]&
// fields=["timezone","currency","name"] ({code, message, request_id,
// data:{list:[{advertiser_id, name, currency, timezone}]}}): each advertiser
// as Config.AdvertiserInfo gives it, else from its first row (AccountName,
// Currency, AccountTimezone), the time zone defaulting to DefaultTimezone.
//
// Throttling and outages are injected with the emulator.Fault script of the
// embedded *emulator.Server; ThrottleFault (code 40100), TokenExpiredFault
// (40105) and ErrorFault build TikTok's bodies for it.
//
// Import it under an alias, e.g. ttemu "…/extract/emulator/tiktok".
package tiktok

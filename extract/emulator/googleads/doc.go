// Package googleads emulates the Google Ads API (REST) for connector tests
// and `socialroi demo`: POST /{version}/customers/{id}/googleAds:searchStream
// with a GAQL query on ad_group_ad segmented by segments.date.
//
// It serves canonical ad_performance rows of platform "google" in the real
// envelope: a JSON array of batches ({"results":[…],"fieldMask":…,
// "requestId":…}), camelCase keys, resourceName on every resource, int64
// values as strings, cost in micros, conversions as doubles, and zero
// metrics omitted (proto3 JSON leaves defaults out). Only the fields named in
// the query's SELECT are served; an unknown field is a 400 like the real
// UNRECOGNIZED_FIELD.
//
// It checks Authorization: Bearer (401 UNAUTHENTICATED otherwise), the
// developer-token header (403 PERMISSION_DENIED with a developer-token
// error code) and, when configured, login-customer-id (403
// USER_PERMISSION_DENIED). Throttling and outages are injected with the
// emulator.Fault script of the embedded *emulator.Server; ResourceExhausted,
// Unauthenticated, DeveloperTokenFault and Internal build the platform's own
// error bodies for it.
//
// Import it under an alias, e.g. gademu "…/extract/emulator/googleads".
package googleads

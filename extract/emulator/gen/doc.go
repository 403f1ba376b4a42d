// Package gen generates the demo brand: a deterministic, synthetic paid-social
// and CRM dataset with a known ground truth, used by the emulators, by
// `socialroi demo` and by tests that need realistic data at scale.
//
// Responsibilities:
//   - the brand's ad accounts, campaigns, ad sets, ads and creatives on Meta
//     (Facebook and Instagram placements), TikTok, LinkedIn and Google Ads, with
//     names that follow the naming conventions (and a few that deliberately do
//     not, for tracking QA);
//   - daily ad delivery (spend, impressions, clicks, video views, the platforms'
//     own over-claimed conversions);
//   - persons with multi-touch journeys across every channel the default
//     channel rules know, identity stitching through anonymous ids, and
//     conversions drawn from a hazard that grows with recent touches, so the
//     true incremental effect of each channel is known (GroundTruth);
//   - influencers, their costs, daily FX rates and other costs;
//   - turning all of it into canonical Arrow records, Parquet or CSV files.
//
// The same Config always yields byte-identical output: randomness comes from
// seeded PCG streams only, no map is iterated into output, and the default
// date range is fixed rather than relative to today.
package gen

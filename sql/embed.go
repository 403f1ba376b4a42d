// Package sqlfiles embeds the project's SQL models: staging/ (typed, cleaned,
// converted to reporting currency), intermediate/ (classification, paths,
// credits), marts/ (the weekly tables reports read) and tests/ (data tests:
// queries that return offending rows). The models runner (package models)
// orders and runs them; any fs.FS with the same layout works in its place.
//
// Parameters reach SQL as DuckDB variables, read with getvariable('name'):
//
//	reporting_currency  VARCHAR   ISO code marts are expressed in
//	timezone            VARCHAR   IANA zone that defines days and weeks
//	week_start          DATE      Monday of the report week
//	week_end            DATE      Sunday of the report week
//	lookback_days       INTEGER   attribution window
//	half_life_days      DOUBLE    time-decay half-life
//	position_first      DOUBLE    position-based share of the first touch
//	position_last       DOUBLE    position-based share of the last touch
//	models              VARCHAR[] attribution models to compute
//	primary_model       VARCHAR   the model Summary figures use
//	conversion_types    VARCHAR[] conversion types that count
//	paid_channels       VARCHAR[] channels whose credit is paid revenue
//	paid_social_channels VARCHAR[] channels whose spend and credit make paid-social CAC
//	qa_utm_coverage_min  DOUBLE    least share of spend with UTMs (tracking QA)
//	qa_other_share_max   DOUBLE    largest share of touchpoints classified other
//	qa_reconciliation_tolerance DOUBLE platform vs attributed conversions, ±
//	target_roas          DOUBLE    ROAS target (budget actions)
//	target_cac           VARCHAR   CAC target as a decimal string; '0' = none
//	fatigue_ctr_drop     DOUBLE    creative fatigue: CTR fall against the first week
//	fatigue_frequency    DOUBLE    creative fatigue: frequency above which it counts
//	organic_pillars      VARCHAR[] tags that name content pillars ([] = first tag)
//	organic_trend_tags   VARCHAR[] tags of agile/trend posts
//	community_sla_minutes INTEGER  first-response service level
//	usage_rights_warning_days INTEGER days before usage rights end to warn
//	budget_trailing_weeks INTEGER  weeks of the marginal-ROAS curve fit
//	budget_hold_band     DOUBLE    ± band around target ROAS that means hold
//	naming_<level>_pattern VARCHAR naming template of campaign, adset or ad
//	                               names as a regex with a group per naming
//	                               field (an empty group for the fields the
//	                               template lacks)
//	naming_<level>_fields VARCHAR[] the names of those groups, in order
//	naming_checked_levels VARCHAR[] the levels that have a template
//
// Config tables loaded by the pipeline before the models run:
// channel_rules (rule_order, channel, platform, utm_source, utm_medium,
// click_id_type, referrer, interaction — regexes, ” = any),
// platform_patterns (pattern_order, platform, pattern) and
// audience_segments (code, segment).
package sqlfiles

import "embed"

// FS holds the SQL tree.
//
//go:embed staging/*.sql intermediate/*.sql marts/*.sql tests/*.sql
var FS embed.FS

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
//
// Config tables loaded by the pipeline before the models run:
// channel_rules (rule_order, channel, platform, utm_source, utm_medium,
// click_id_type, referrer, interaction — regexes, ” = any) and
// platform_patterns (pattern_order, platform, pattern).
package sqlfiles

import "embed"

// FS holds the SQL tree.
//
//go:embed staging/*.sql intermediate/*.sql marts/*.sql tests/*.sql
var FS embed.FS

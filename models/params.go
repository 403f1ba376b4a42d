package models

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/socialroi/socialroi/config"
)

// Week is an ISO report week: Monday to Sunday.
type Week struct {
	Start time.Time // Monday, midnight UTC as a calendar day
}

// End is the week's Sunday.
func (w Week) End() time.Time { return w.Start.AddDate(0, 0, 6) }

// Label is the ISO week, e.g. 2026-W47.
func (w Week) Label() string {
	y, n := w.Start.ISOWeek()
	return fmt.Sprintf("%d-W%02d", y, n)
}

// ParamsFor derives the SQL parameters of a run from the config and week.
// This is the one place parameters are named: SQL reads exactly these.
func ParamsFor(cfg *config.Config, week Week) (Params, error) {
	p := Params{
		"reporting_currency":          cfg.Reporting.Currency,
		"timezone":                    cfg.Reporting.Timezone,
		"week_start":                  week.Start,
		"week_end":                    week.End(),
		"lookback_days":               cfg.Attribution.LookbackDays,
		"half_life_days":              cfg.Attribution.HalfLifeDays,
		"position_first":              cfg.Attribution.PositionFirst,
		"position_last":               cfg.Attribution.PositionLast,
		"models":                      cfg.Attribution.Models,
		"primary_model":               cfg.Reporting.PrimaryModel,
		"conversion_types":            cfg.Reporting.ConversionTypes,
		"paid_channels":               cfg.Reporting.PaidChannels,
		"paid_social_channels":        cfg.Reporting.PaidSocialChannels,
		"qa_utm_coverage_min":         cfg.QA.UTMCoverageMin,
		"qa_other_share_max":          cfg.QA.OtherShareMax,
		"qa_reconciliation_tolerance": cfg.QA.ReconciliationTolerance,
		"target_roas":                 cfg.Reporting.TargetROAS,
		"target_cac":                  cfg.TargetCAC().String(),
		"fatigue_ctr_drop":            cfg.Creative.FatigueCTRDrop,
		"fatigue_frequency":           cfg.Creative.FatigueFrequency,
		"organic_pillars":             nonNil(cfg.Organic.Pillars),
		"organic_trend_tags":          nonNil(cfg.Organic.TrendTags),
		"community_sla_minutes":       cfg.Community.SLAMinutes,
		"usage_rights_warning_days":   cfg.Influencers.UsageRightsWarningDays,
		"budget_trailing_weeks":       cfg.Budget.TrailingWeeks,
		"budget_hold_band":            cfg.Budget.HoldBand,
	}
	if err := addNamingParams(p, cfg); err != nil {
		return nil, err
	}
	return p, nil
}

// addNamingParams adds, per level of names (campaign, adset, ad), the
// template's extract pattern and its group names (naming_<level>_pattern,
// naming_<level>_fields), and naming_checked_levels, the levels that have a
// template. They are variables, not a table, because DuckDB compiles a
// regex once when its pattern is a constant and once per row otherwise:
// with patterns in a table, parsing 60k ads' names took 7 s.
func addNamingParams(p Params, cfg *config.Config) error {
	checked := []string{}
	for _, level := range []struct{ name, tmpl string }{
		{"campaign", cfg.Naming.Campaign}, {"adset", cfg.Naming.Adset}, {"ad", cfg.Naming.Ad},
	} {
		t, err := config.CompileTemplate(level.tmpl)
		if err != nil {
			return fmt.Errorf("naming.%s: %w", level.name, err)
		}
		if t == nil {
			// a pattern with every group that only an empty name matches:
			// SQL ignores it, as the level is not in naming_checked_levels
			t = &config.Template{ExtractPattern: "^" + strings.Repeat("()", len(config.NamingFields)) + "$", ExtractFields: config.NamingFields}
		} else {
			checked = append(checked, level.name)
		}
		p["naming_"+level.name+"_pattern"] = t.ExtractPattern
		p["naming_"+level.name+"_fields"] = t.ExtractFields
	}
	p["naming_checked_levels"] = checked
	return nil
}

// nonNil keeps an empty list a list: a nil slice would bind as NULL.
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

var (
	channelRulesSchema = arrow.NewSchema([]arrow.Field{
		{Name: "rule_order", Type: arrow.PrimitiveTypes.Int64},
		{Name: "channel", Type: arrow.BinaryTypes.String},
		{Name: "platform", Type: arrow.BinaryTypes.String},
		{Name: "utm_source", Type: arrow.BinaryTypes.String},
		{Name: "utm_medium", Type: arrow.BinaryTypes.String},
		{Name: "click_id_type", Type: arrow.BinaryTypes.String},
		{Name: "referrer", Type: arrow.BinaryTypes.String},
		{Name: "interaction", Type: arrow.BinaryTypes.String},
	}, nil)
	audienceSegmentsSchema = arrow.NewSchema([]arrow.Field{
		{Name: "code", Type: arrow.BinaryTypes.String},
		{Name: "segment", Type: arrow.BinaryTypes.String},
	}, nil)
	platformPatternsSchema = arrow.NewSchema([]arrow.Field{
		{Name: "pattern_order", Type: arrow.PrimitiveTypes.Int64},
		{Name: "platform", Type: arrow.BinaryTypes.String},
		{Name: "pattern", Type: arrow.BinaryTypes.String},
	}, nil)
)

// LoadConfigTables replaces the tables SQL reads configuration from:
// channel_rules, platform_patterns and audience_segments (code in lower
// case, segment). Naming templates are parameters (ParamsFor).
func (tx *Tx) LoadConfigTables(ctx context.Context, cfg *config.Config) error {
	mem := memory.DefaultAllocator
	rb := array.NewRecordBuilder(mem, channelRulesSchema)
	defer rb.Release()
	for i, r := range cfg.Channels.Rules {
		rb.Field(0).(*array.Int64Builder).Append(int64(i + 1))
		for j, v := range []string{r.Channel, r.Platform, r.Source, r.Medium, r.ClickIDType, r.Referrer, r.Interaction} {
			rb.Field(j + 1).(*array.StringBuilder).Append(v)
		}
	}
	rules := rb.NewRecordBatch()
	defer rules.Release()
	if err := tx.Replace(ctx, "channel_rules", channelRulesSchema, []arrow.RecordBatch{rules}); err != nil {
		return err
	}

	pb := array.NewRecordBuilder(mem, platformPatternsSchema)
	defer pb.Release()
	for i, p := range config.PlatformPatterns {
		pb.Field(0).(*array.Int64Builder).Append(int64(i + 1))
		pb.Field(1).(*array.StringBuilder).Append(p.Platform)
		pb.Field(2).(*array.StringBuilder).Append(p.Pattern)
	}
	patterns := pb.NewRecordBatch()
	defer patterns.Release()
	if err := tx.Replace(ctx, "platform_patterns", platformPatternsSchema, []arrow.RecordBatch{patterns}); err != nil {
		return err
	}

	sb := array.NewRecordBuilder(mem, audienceSegmentsSchema)
	defer sb.Release()
	for _, code := range slices.Sorted(maps.Keys(cfg.Naming.Segments)) {
		sb.Field(0).(*array.StringBuilder).Append(strings.ToLower(code))
		sb.Field(1).(*array.StringBuilder).Append(cfg.Naming.Segments[code])
	}
	segments := sb.NewRecordBatch()
	defer segments.Release()
	return tx.Replace(ctx, "audience_segments", audienceSegmentsSchema, []arrow.RecordBatch{segments})
}

package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/socialroi/socialroi/config"
	"github.com/socialroi/socialroi/pipeline"
)

func newAttributeCmd(g *globals) *cobra.Command {
	var (
		o       pipeline.AttributeOptions
		modelsF string
		weights string
	)
	defaults := config.Defaults().Attribution
	cmd := &cobra.Command{
		Use:   "attribute --touchpoints FILE --conversions FILE --out DIR",
		Short: "Attribution on plain CSV or Parquet files, no config needed",
		Long: `Runs the attribution models on two files and writes ledger.csv (conversion_id,
touchpoint_id, model, channel, credit, revenue_credit) and channels.csv (model,
channel, conversions, revenue).

Touchpoints need person_id and ts, plus utm_source/utm_medium/… or referrer
to classify channels; touchpoint_id is generated when absent. Conversions need
conversion_id, person_id, ts and revenue; type defaults to purchase, currency
to --currency. Column order is free; errors name the file, line and column.

A Parquet file that has every column the command would otherwise fill in
(touchpoint_id, interaction and source; type, currency, is_new_customer and
crm_source), each in its canonical type (ts a UTC timestamp, revenue
DECIMAL(18,2)), is read in place with no conversion: the fastest input for
millions of rows.`,
		Example: `  socialroi attribute --touchpoints touchpoints.csv --conversions orders.csv --out attribution/
  socialroi attribute --touchpoints tp.parquet --conversions conv.parquet --models linear,time_decay --half-life-days 3.5 --out out/`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.Attribution.Models = splitList(modelsF)
			parts := splitList(weights)
			if len(parts) != 2 {
				return usageErr("--position-weights %q: give the first and last shares, e.g. 0.4,0.4", weights)
			}
			var err error
			if o.Attribution.PositionFirst, err = strconv.ParseFloat(parts[0], 64); err != nil {
				return usageErr("--position-weights: %q is not a number", parts[0])
			}
			if o.Attribution.PositionLast, err = strconv.ParseFloat(parts[1], 64); err != nil {
				return usageErr("--position-weights: %q is not a number", parts[1])
			}
			// The same validation as the config file, so flags and YAML agree.
			check := config.Defaults()
			check.Attribution = o.Attribution
			check.Reporting.PrimaryModel = firstOr(o.Attribution.Models, "")
			if err := check.Validate(); err != nil {
				return usageErr("%s", strings.Replace(err.Error(), "config: attribution.", "--", 1))
			}
			if o.Logger, err = g.logger(); err != nil {
				return err
			}
			outs, err := pipeline.Attribute(cmd.Context(), o)
			if err != nil {
				return err
			}
			for _, out := range outs {
				fmt.Fprintf(g.stdout, "%s (%d rows)\n", out.Path, out.Rows)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Touchpoints, "touchpoints", "", "touchpoints file (.csv or .parquet)")
	f.StringVar(&o.Conversions, "conversions", "", "conversions file (.csv or .parquet)")
	f.StringVar(&o.OutDir, "out", ".", "folder for ledger.csv and channels.csv")
	f.StringVar(&modelsF, "models", strings.Join(defaults.Models, ","), "comma-separated models")
	f.IntVar(&o.Attribution.LookbackDays, "lookback-days", defaults.LookbackDays, "attribution window in days")
	f.Float64Var(&o.Attribution.HalfLifeDays, "half-life-days", defaults.HalfLifeDays, "time_decay half-life in days (fractions allowed)")
	f.StringVar(&weights, "position-weights", fmt.Sprintf("%g,%g", defaults.PositionFirst, defaults.PositionLast), "position_based shares of the first and last touchpoint")
	f.StringVar(&o.Currency, "currency", "USD", "currency of revenue when the file has no currency column")
	f.StringVar(&o.MemoryLimit, "memory-limit", "", "cap on DuckDB's memory, e.g. 4GB (default: the config default); it spills to disk beyond it")
	return cmd
}

func firstOr(s []string, def string) string {
	if len(s) > 0 {
		return s[0]
	}
	return def
}

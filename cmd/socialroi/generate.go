package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/socialroi/socialroi/pipeline"
)

func newGenerateCmd(g *globals) *cobra.Command {
	var out, scale string
	cmd := &cobra.Command{
		Use:   "generate --scale S|M|L --out DIR",
		Short: "Write a dataset of a given size as canonical Parquet files, with a config to run on it",
		Long: `Writes the canonical tables (ad_performance, touchpoints, conversions, …) as
Parquet files in DIR, and DIR/socialroi.yaml, a config whose files source reads
them, so 'socialroi run --config DIR/socialroi.yaml --week 2026-W47' runs the
pipeline on them. For benchmarks and for trying the pipeline at size.

  S  the demo brand (about 10k touchpoints, 3k ad-days)
  M  200k persons, 2M touchpoints, 50k purchases, 500k ad-days
  L  2M persons, 20M touchpoints, 500k purchases, 5M ad-days

The same scale always writes the same rows.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			gen, err := pipeline.Generate(cmd.Context(), scale, out)
			if err != nil {
				return &exitError{code: pipeline.ExitUsage, err: err}
			}
			fmt.Fprintf(g.stdout, "Wrote %d tables to %s\nRun: socialroi run --config %s --week %s\n",
				len(gen.Files), gen.Dir, gen.Config, gen.Week.Label())
			return nil
		},
	}
	cmd.Flags().StringVar(&out, "out", "generated", "output folder")
	cmd.Flags().StringVar(&scale, "scale", "S", "data size: S, M or L")
	return cmd
}

package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/socialroi/socialroi/pipeline"
)

func newDemoCmd(g *globals) *cobra.Command {
	var out, scale string
	cmd := &cobra.Command{
		Use:   "demo [--out DIR] [--scale S|M|L]",
		Short: "Run the whole pipeline offline on a generated brand",
		Long: `Generates a demo brand (fixed seed: the same data on every machine and day),
starts in-process emulators of the ad APIs seeded with it, points the real
connectors at them and runs extract → transform → models → reports for the
last complete week of the generated data. No network, no credentials.

--scale M and L run instead on the datasets 'socialroi generate' writes (2M and
20M touchpoints), read from Parquet by the files source.

Writes DIR/socialroi_<week>.xlsx, DIR/<week>/*.parquet and manifest.json, and
keeps the warehouse and raw responses under DIR/demo/ for 'socialroi query'.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			log, err := g.logger()
			if err != nil {
				return err
			}
			res, err := pipeline.Demo(cmd.Context(), pipeline.DemoOptions{
				OutDir: out, Scale: scale, Logger: log, Version: versionString(), Progress: g.progress(),
			})
			g.finishProgress()
			if err != nil {
				return err
			}
			printResult(g, res)
			if res.ExitCode != 0 {
				return &exitError{code: res.ExitCode, err: res.Err}
			}
			fmt.Fprintf(g.stdout, "Warehouse: %s (try: socialroi query --warehouse %s \"SELECT * FROM mart_kpi_summary\")\n",
				pipeline.DemoWarehouse(out), pipeline.DemoWarehouse(out))
			return nil
		},
	}
	cmd.Flags().StringVar(&out, "out", "out", "output folder")
	cmd.Flags().StringVar(&scale, "scale", "S", "data size: S (the demo brand), M (2M touchpoints) or L (20M)")
	return cmd
}

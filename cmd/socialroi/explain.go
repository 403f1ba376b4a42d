package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/socialroi/socialroi/models"
	"github.com/socialroi/socialroi/pipeline"
)

func newExplainCmd(g *globals) *cobra.Command {
	var configPath, warehouse, conversion, currency string
	cmd := &cobra.Command{
		Use:   "explain --conversion ID [--config FILE | --warehouse FILE]",
		Short: "Show one conversion's path and the credit each model gave each touchpoint",
		Long: `Prints a conversion, its path (each touchpoint's time, channel, platform and
UTMs) and, per model, the share of credit and the revenue each touchpoint
received, with totals. This is how an attributed dollar is traced back.`,
		Example: `  socialroi explain --config socialroi.yaml --conversion shopify:order:450789469
  socialroi explain --warehouse out/demo/socialroi.duckdb --conversion cv_000123`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if conversion == "" {
				return usageErr("--conversion is required")
			}
			if warehouse == "" {
				cfg, err := loadConfig(configPath)
				if err != nil {
					return err
				}
				warehouse, currency = cfg.Warehouse, cfg.Reporting.Currency
			}
			if _, err := os.Stat(warehouse); err != nil {
				return fmt.Errorf("warehouse %s: %w (run the pipeline first)", warehouse, err)
			}
			wh, err := models.Open(cmd.Context(), warehouse, models.Options{ReadOnly: true})
			if err != nil {
				return err
			}
			defer wh.Close()
			e, err := pipeline.Explain(cmd.Context(), wh, conversion)
			if errors.Is(err, pipeline.ErrNoConversion) {
				return &exitError{code: 1, err: err}
			}
			if err != nil {
				return err
			}
			return e.Print(g.stdout, currency)
		},
	}
	cmd.Flags().StringVar(&conversion, "conversion", "", "conversion id")
	cmd.Flags().StringVarP(&configPath, "config", "c", "socialroi.yaml", "config file (names the warehouse)")
	cmd.Flags().StringVar(&warehouse, "warehouse", "", "warehouse file, instead of taking it from the config")
	cmd.Flags().StringVar(&currency, "currency", "USD", "reporting currency label, with --warehouse")
	return cmd
}

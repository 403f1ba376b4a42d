package main

import (
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/socialroi/socialroi/models"
	"github.com/socialroi/socialroi/pipeline"
)

func newCheckCmd(g *globals) *cobra.Command {
	var configPath, weekFlag string
	cmd := &cobra.Command{
		Use:   "check --config FILE [--week 2026-W47]",
		Short: "Pre-flight and post-run checks, without extracting or writing",
		Long: `Checks the config and every source's settings (no network), that no run
holds the warehouse, how fresh each source is, and runs the data tests on what
the warehouse holds. Exit codes: 0 all passed, 1 a run is in progress or the
warehouse cannot be read, 2 bad config, 3 a check of severity error failed.
Use it as an Airflow sensor or after a run.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig(configPath)
			if err != nil {
				return err
			}
			week := pipeline.LastCompleteWeek(timeNow(), cfg.Location())
			if weekFlag != "" {
				if week, err = pipeline.ParseWeek(weekFlag); err != nil {
					return usageErr("--week: %v", err)
				}
			}
			results, code, err := pipeline.Check(cmd.Context(), cfg, week)
			printChecks(g, week, results)
			if err != nil {
				return &exitError{code: max(code, 1), err: err}
			}
			if code != 0 {
				return &exitError{code: code, err: fmt.Errorf("checks failed for %s", week.Label())}
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&configPath, "config", "c", "socialroi.yaml", "config file")
	cmd.Flags().StringVar(&weekFlag, "week", "", "ISO report week (default: the last complete week)")
	return cmd
}

func printChecks(g *globals, week models.Week, results []pipeline.CheckResult) {
	fmt.Fprintf(g.stdout, "Checks for %s\n", week.Label())
	tw := tabwriter.NewWriter(g.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "status\tseverity\tcheck\tdetail")
	for _, r := range results {
		status := "ok"
		if !r.Passed {
			status = "FAIL"
			if r.Severity == "warn" {
				status = "warn"
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", status, r.Severity, r.Check, r.Detail)
	}
	tw.Flush()
}

package main

import (
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/socialroi/socialroi/config"
	"github.com/socialroi/socialroi/models"
	"github.com/socialroi/socialroi/pipeline"
)

type runOpts struct {
	configPath      string
	week            string
	sources         string
	skipExtract     bool
	fromRaw         string
	outputs         string
	allowQAFailures bool
	rebuild         bool
	stage           string
}

func newRunCmd(g *globals) *cobra.Command {
	o := &runOpts{}
	cmd := &cobra.Command{
		Use:   "run --config FILE [--week 2026-W47]",
		Short: "The scheduled job: extract, model and report one week",
		Long: `Runs the whole pipeline for one report week: extracts every enabled source
(concurrently, re-extracting the restatement window), loads and models the
data in the warehouse in one transaction, runs the data tests, and writes
the workbook, Parquet files and out/<week>/manifest.json.

Re-running a week replaces that week's outputs; it never duplicates rows.
Loads write only the rows that changed, and when nothing the models are
computed from changed since the last build (a retry), its tables are reused;
--rebuild builds them anyway.

--from-raw RUN_ID rebuilds a run from its raw landing with no API call:
each API source extracts the same days as run RUN_ID did and every request
is answered from raw_dir/<source>/RUN_ID/ (a request that run never made
fails, naming it). Sources that read files (files, influencer_registry)
read their inputs as usual. The week defaults to that run's; cursors move
no further than that run moved them. Use it after fixing a normalizer or a
model, or to audit a past week. A source with no landing in that run is a
usage error (exit 2); leave it out with --sources.`,
		Example: `  socialroi run --config socialroi.yaml
  socialroi run --config socialroi.yaml --week 2026-W47 --sources meta,web
  socialroi run --config socialroi.yaml --skip-extract --outputs excel
  socialroi run --config socialroi.yaml --from-raw 20261123T060000Z-a1b2c3`,
		Args: cobra.NoArgs,
		RunE: runE(g, o),
	}
	addRunFlags(cmd, o)
	return cmd
}

// stageHelp says what each stage command does.
var stageHelp = map[string][2]string{
	"extract": {"Extract and land the raw API responses; load nothing",
		`Runs the sources for the week and lands every response under
raw_dir/<source>/<run_id>/ (with the window extracted), then stops: nothing is
loaded and no cursor moves. Load the landing with 'socialroi transform
--from-raw <run_id>'.`},
	"transform": {"Normalize a landed run into canonical tables and load the warehouse",
		`Rebuilds run --from-raw RUN_ID (an 'extract' run, or any run) from its raw
landing with no API call, normalizes it into the canonical Arrow tables and
upserts them into the warehouse in one transaction. Models are not rebuilt:
run 'socialroi model' next.`},
	"model": {"Build the models and run the data tests on the warehouse",
		`Builds every SQL model for the week from what the warehouse holds and runs
the data tests, in one transaction: exit 3 when a test of severity error
fails (nothing is committed unless --allow-qa-failures). When nothing the
models are computed from changed since the last build, its tables are
reused; --rebuild builds them anyway.`},
	"report": {"Write the workbook, Parquet files and manifest from the warehouse",
		`Writes the week's outputs from the marts as the last model run left them,
staged and published by rename.`},
}

// newStageCmd is one stage of 'run' on its own, with the same flags.
func newStageCmd(g *globals, stage string) *cobra.Command {
	o := &runOpts{stage: stage}
	cmd := &cobra.Command{
		Use:   stage + " --config FILE [--week 2026-W47]",
		Short: stageHelp[stage][0],
		Long:  stageHelp[stage][1] + "\n\nThe stages in order: extract, transform --from-raw RUN_ID, model, report.",
		Args:  cobra.NoArgs,
		RunE:  runE(g, o),
	}
	addRunFlags(cmd, o)
	return cmd
}

// runE loads the config and runs the pipeline (or the stage o names).
func runE(g *globals, o *runOpts) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, _ []string) error {
		cfg, err := loadConfig(o.configPath)
		if err != nil {
			return err
		}
		return runPipeline(cmd, g, cfg, o)
	}
}

func addRunFlags(cmd *cobra.Command, o *runOpts) {
	f := cmd.Flags()
	f.StringVarP(&o.configPath, "config", "c", "socialroi.yaml", "config file")
	f.StringVar(&o.week, "week", "", "ISO report week, e.g. 2026-W47 (default: the last complete week)")
	f.StringVar(&o.sources, "sources", "", "comma-separated source names to extract (default: all enabled)")
	f.BoolVar(&o.skipExtract, "skip-extract", false, "model and report what the warehouse already holds")
	f.StringVar(&o.fromRaw, "from-raw", "", "rebuild run `RUN_ID` from its raw landing: same windows, no API calls")
	f.StringVar(&o.outputs, "outputs", "", "comma-separated outputs: excel,parquet,csv,bigquery (default: from the config)")
	f.BoolVar(&o.allowQAFailures, "allow-qa-failures", false, "publish outputs even when data tests of severity error fail")
	f.BoolVar(&o.rebuild, "rebuild", false, "build every model, incremental ones whole, even when nothing it is computed from changed since the last build")
}

func loadConfig(path string) (*config.Config, error) {
	if _, err := os.Stat(path); os.IsNotExist(err) {
		return nil, &config.Error{File: path, Msg: "no such file (write a starter one with `socialroi init`)"}
	}
	return config.Load(path)
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// runPipeline runs the pipeline with the command's options and reports the
// outcome on stdout, returning the exit code as an error for non-zero codes.
func runPipeline(cmd *cobra.Command, g *globals, cfg *config.Config, o *runOpts) error {
	log, err := g.logger()
	if err != nil {
		return err
	}
	var week models.Week
	if o.week != "" {
		if week, err = pipeline.ParseWeek(o.week); err != nil {
			return usageErr("--week: %v", err)
		}
	}
	if o.fromRaw != "" && o.skipExtract {
		return usageErr("--from-raw and --skip-extract: --from-raw rebuilds the extraction; pick one")
	}
	outputs := splitList(o.outputs)
	for _, out := range outputs {
		if !slices.Contains(config.KnownOutputs, out) {
			return usageErr("--outputs: unknown output %q (known: %s)", out, strings.Join(config.KnownOutputs, ", "))
		}
	}
	res := pipeline.Run(cmd.Context(), pipeline.Options{
		Config:          cfg,
		Week:            week,
		Sources:         splitList(o.sources),
		SkipExtract:     o.skipExtract,
		FromRaw:         o.fromRaw,
		Outputs:         outputs,
		AllowQAFailures: o.allowQAFailures,
		Rebuild:         o.rebuild,
		Logger:          log,
		Version:         versionString(),
		Progress:        g.progress(),
		Stage:           o.stage,
	})
	g.finishProgress()
	printResult(g, res)
	if res.ExitCode != 0 {
		return &exitError{code: res.ExitCode, err: res.Err}
	}
	return nil
}

func printResult(g *globals, res *pipeline.Result) {
	w := g.stdout
	fmt.Fprintf(w, "Week %s (%s – %s), run %s\n", res.Week.Label(),
		res.Week.Start.Format("2 Jan"), res.Week.End().Format("2 Jan 2006"), res.RunID)
	for _, s := range res.Sources {
		status := "ok"
		if s.Err != nil {
			status = "FAILED"
		}
		var rows []string
		for t, n := range s.Rows {
			rows = append(rows, fmt.Sprintf("%s %d", t, n))
		}
		slices.Sort(rows)
		fmt.Fprintf(w, "  source %-12s %-6s %s\n", s.Name, status, strings.Join(rows, ", "))
	}
	if from := res.ModelsReusedFrom(); from != "" {
		fmt.Fprintf(w, "  models reused from run %s: nothing they are computed from changed (--rebuild builds them)\n", from)
	}
	for _, t := range res.Tests {
		if !t.Passed() {
			fmt.Fprintf(w, "  data test %s (%s): %d offending rows\n", t.Name, t.Severity, t.Failures)
		}
	}
	if res.Workbook != "" {
		fmt.Fprintf(w, "Workbook: %s\n", res.Workbook)
	}
	if res.OutDir != "" {
		fmt.Fprintf(w, "Parquet and manifest: %s\n", res.OutDir)
	}
}

// Command bench times the weekly pipeline on generated datasets of scale M
// and L (see `socialroi generate`), twice: first into a fresh warehouse,
// then the same week again on the warehouse that run left, which is how the
// weekly job usually runs. For each: every stage's wall time, rows, rows per
// second and peak resident memory. It prints the tables and appends the
// figures, with the commit and the machine, to bench/results.json, so runs
// can be compared across commits. `make bench` runs it after the Go
// benchmarks.
//
//	go run -tags=duckdb_arrow ./bench -scales M,L
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/socialroi/socialroi/config"
	"github.com/socialroi/socialroi/models"
	"github.com/socialroi/socialroi/pipeline"
)

// Result is one bench run of one scale: the first run into a fresh
// warehouse, then a re-run of the same week on the warehouse it left.
type Result struct {
	Scale       string  `json:"scale"`
	Touchpoints int     `json:"touchpoints"`
	Generate    float64 `json:"generate_seconds"`
	Figures             // the first run, into a fresh warehouse
	// Rerun is the weekly job's usual case: the warehouse already holds
	// every table. It loads the same files again, so its load replaces
	// every row, more than a week's new data would.
	Rerun *Figures `json:"rerun,omitempty"`
}

// Figures are one pipeline run's timings.
type Figures struct {
	Stages []pipeline.Timing `json:"stages"`
	// Pipeline is transform + load + models + reports: the stages after
	// the data exists (extract here is reading the Parquet files into Arrow).
	Pipeline             float64 `json:"pipeline_seconds"`
	SecondsPerMillionTps float64 `json:"seconds_per_million_touchpoints"`
	PeakRSSBytes         int64   `json:"peak_rss_bytes"`
	ExitCode             int     `json:"exit_code"`
}

// Record is one invocation: the machine and commit, and each scale.
type Record struct {
	Date    time.Time `json:"date"`
	Commit  string    `json:"commit"`
	Machine string    `json:"machine"`
	CPUs    int       `json:"cpus"`
	Results []Result  `json:"results"`
}

func main() {
	scales := flag.String("scales", "M,L", "comma-separated scales to run (S, M, L)")
	dir := flag.String("dir", filepath.Join("bench", "data"), "where the generated datasets are kept")
	out := flag.String("out", filepath.Join("bench", "results.json"), "results file (appended to)")
	flag.Parse()
	if err := run(context.Background(), strings.Split(*scales, ","), *dir, *out, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, scales []string, dir, out string, w io.Writer) error {
	rec := Record{Date: time.Now().UTC(), Commit: gitCommit(), Machine: machine(), CPUs: runtime.NumCPU()}
	for _, s := range scales {
		s = strings.ToUpper(strings.TrimSpace(s))
		r, err := benchScale(ctx, s, filepath.Join(dir, s))
		if err != nil {
			return fmt.Errorf("scale %s: %w", s, err)
		}
		rec.Results = append(rec.Results, r)
		printResult(w, r)
	}
	var history []Record
	if b, err := os.ReadFile(out); err == nil {
		if err := json.Unmarshal(b, &history); err != nil {
			return fmt.Errorf("%s: %w", out, err)
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return err
	}
	history = append(history, rec)
	b, err := json.MarshalIndent(history, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return err
	}
	return os.WriteFile(out, append(b, '\n'), 0o644)
}

// benchScale generates the dataset (each time: generation is part of the
// figures), runs the pipeline on it in a fresh warehouse, then once more.
func benchScale(ctx context.Context, scale, dir string) (Result, error) {
	if err := os.RemoveAll(dir); err != nil {
		return Result{}, err
	}
	start := time.Now()
	gen, err := pipeline.Generate(ctx, scale, dir)
	if err != nil {
		return Result{}, err
	}
	r := Result{Scale: scale, Generate: time.Since(start).Seconds()}
	cfg, err := config.Load(gen.Config)
	if err != nil {
		return Result{}, err
	}
	first, res, err := timeRun(ctx, cfg, gen.Week)
	if err != nil {
		return Result{}, err
	}
	for _, src := range res.Sources {
		r.Touchpoints += int(src.Rows["touchpoints"])
	}
	rerun, _, err := timeRun(ctx, cfg, gen.Week)
	if err != nil {
		return Result{}, err
	}
	r.Figures = first.perMillion(r.Touchpoints)
	rerun = rerun.perMillion(r.Touchpoints)
	r.Rerun = &rerun
	return r, nil
}

// timeRun runs the pipeline for the week and collects its stage timings.
func timeRun(ctx context.Context, cfg *config.Config, week models.Week) (Figures, *pipeline.Result, error) {
	res := pipeline.Run(ctx, pipeline.Options{Config: cfg, Week: week, AllowQAFailures: true,
		Logger: slog.New(slog.DiscardHandler), Version: "bench"})
	if res.Err != nil && res.ExitCode != pipeline.ExitSourcesFailed {
		return Figures{}, nil, res.Err
	}
	f := Figures{ExitCode: res.ExitCode, Stages: res.Timings}
	for _, t := range res.Timings {
		f.Pipeline += t.Seconds
		f.PeakRSSBytes = max(f.PeakRSSBytes, t.PeakRSSBytes)
	}
	return f, res, nil
}

func (f Figures) perMillion(touchpoints int) Figures {
	if touchpoints > 0 {
		f.SecondsPerMillionTps = f.Pipeline / (float64(touchpoints) / 1e6)
	}
	return f
}

func printResult(w io.Writer, r Result) {
	fmt.Fprintf(w, "\nscale %s: %d touchpoints; generated in %.1f s\n", r.Scale, r.Touchpoints, r.Generate)
	printFigures(w, "first run, fresh warehouse", r.Figures)
	if r.Rerun != nil {
		printFigures(w, "re-run of the week on that warehouse", *r.Rerun)
	}
}

func printFigures(w io.Writer, title string, f Figures) {
	fmt.Fprintf(w, "%s: pipeline %.1f s (%.1f s per million touchpoints); peak RSS %s\n",
		title, f.Pipeline, f.SecondsPerMillionTps, gib(f.PeakRSSBytes))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "stage\tseconds\trows\trows/s\tpeak RSS\t")
	for _, t := range f.Stages {
		rate := "-"
		if t.Seconds > 0 && t.Rows > 0 {
			rate = fmt.Sprintf("%.0f", float64(t.Rows)/t.Seconds)
		}
		fmt.Fprintf(tw, "%s\t%.1f\t%d\t%s\t%s\t\n", t.Stage, t.Seconds, t.Rows, rate, gib(t.PeakRSSBytes))
	}
	tw.Flush()
}

func gib(b int64) string { return fmt.Sprintf("%.2f GiB", float64(b)/(1<<30)) }

func gitCommit() string {
	out, err := exec.Command("git", "rev-parse", "--short", "HEAD").Output()
	if err != nil {
		return "unknown"
	}
	return strings.TrimSpace(string(out))
}

// machine names the CPU model (Linux) and the OS/arch.
func machine() string {
	model := ""
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if name, ok := strings.CutPrefix(line, "model name"); ok {
				model = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(name), ":"))
				break
			}
		}
	}
	return strings.TrimSpace(model + " " + runtime.GOOS + "/" + runtime.GOARCH)
}

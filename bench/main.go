// Command bench times the weekly pipeline on generated datasets of scale M
// and L (see `socialroi generate`), three times on one warehouse: first the
// weeks before the report week into a fresh warehouse; then the whole
// dataset, which brings the report week, as the weekly job usually runs;
// then the same week again, as a retry does. For each: every stage's wall
// time, rows, rows per second and peak resident memory. It prints the
// tables and appends the figures, with the commit and the machine, to
// bench/results.json, so runs can be compared across commits. `make bench`
// runs it after the Go benchmarks.
//
//	go run -tags=duckdb_arrow ./bench -scales M,L
//
// With -ab COMMIT it instead compares two builds' weekly runs, alternating
// on one dataset (ab.go):
//
//	go run -tags=duckdb_arrow ./bench -scales L -ab 6931fb5 -rounds 2
package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/socialroi/socialroi/config"
	"github.com/socialroi/socialroi/pipeline"
	"github.com/socialroi/socialroi/reports/manifest"
)

// Result is one bench of one scale.
type Result struct {
	Scale       string  `json:"scale"`
	Touchpoints int     `json:"touchpoints"` // in the whole dataset
	Generate    float64 `json:"generate_seconds"`
	// Figures are the first run, into a fresh warehouse. Since 2026-11-24
	// it loads the weeks before the report week and reports the week
	// before; earlier records loaded the whole dataset.
	Figures
	// Weekly is the weekly job's usual case: the warehouse holds every
	// earlier week, and the sources bring the report week's rows along
	// with the earlier ones again.
	Weekly *Figures `json:"weekly,omitempty"`
	// Rerun is the same week once more, as a retry runs: the same files,
	// nothing changed.
	Rerun *Figures `json:"rerun,omitempty"`
}

// Figures are one pipeline run's timings.
type Figures struct {
	Week   string            `json:"week,omitempty"`
	Stages []pipeline.Timing `json:"stages"`
	// Pipeline is the sum of the stages: extract (here, finding the
	// Parquet files), load, models, tests, commit and reports. Records
	// before 2026-11-24 had no commit stage: the checkpoint at commit,
	// 10–14 s at L, was in none.
	Pipeline             float64 `json:"pipeline_seconds"`
	SecondsPerMillionTps float64 `json:"seconds_per_million_touchpoints"`
	PeakRSSBytes         int64   `json:"peak_rss_bytes"`
	ExitCode             int     `json:"exit_code"`
	// SlowestModels are the models stage's profile: its slowest models,
	// slowest first.
	SlowestModels []ModelTiming `json:"slowest_models,omitempty"`
}

// ModelTiming is one model's build time; Note says how an incremental
// model was built.
type ModelTiming struct {
	Name    string  `json:"name"`
	Seconds float64 `json:"seconds"`
	Note    string  `json:"note,omitempty"`
}

// slowestModels is how many models a run's profile lists.
const slowestModels = 6

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
	ab := flag.String("ab", "", "compare the weekly run of this commit's CLI with the working tree's, alternating (see ab.go); prints, records nothing")
	rounds := flag.Int("rounds", 2, "with -ab: weekly runs per side")
	flag.Parse()
	if *ab != "" {
		if err := abCompare(context.Background(), *ab, strings.Split(*scales, ","), *dir, *rounds, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(context.Background(), strings.Split(*scales, ","), *dir, *out, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, scales []string, dir, out string, w io.Writer) error {
	rec := Record{Date: time.Now().UTC(), Commit: gitCommit(), Machine: machine(), CPUs: runtime.NumCPU()}
	bin := filepath.Join(dir, "socialroi")
	if err := goBuild(ctx, ".", bin); err != nil {
		return err
	}
	for _, s := range scales {
		s = strings.ToUpper(strings.TrimSpace(s))
		r, err := benchScale(ctx, bin, s, filepath.Join(dir, s))
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
// figures) and its prior weeks, and runs the pipeline three times on one
// warehouse: the prior weeks fresh, the whole dataset, the same again.
func benchScale(ctx context.Context, bin, scale, dir string) (Result, error) {
	if err := os.RemoveAll(dir); err != nil {
		return Result{}, err
	}
	start := time.Now()
	gen, err := pipeline.Generate(ctx, scale, dir)
	if err != nil {
		return Result{}, err
	}
	prior, err := gen.PriorWeeks(ctx)
	if err != nil {
		return Result{}, err
	}
	r := Result{Scale: scale, Generate: time.Since(start).Seconds()}
	cfg, err := config.Load(gen.Config)
	if err != nil {
		return Result{}, err
	}
	var runs []Figures
	for _, g := range []*pipeline.Generated{prior, gen, gen} {
		f, touchpoints, err := timeRun(ctx, bin, g, cfg.OutDir)
		if err != nil {
			return Result{}, fmt.Errorf("%s: %w", g.Week.Label(), err)
		}
		runs = append(runs, f.perMillion(touchpoints))
		r.Touchpoints = touchpoints
	}
	r.Figures, r.Weekly, r.Rerun = runs[0], &runs[1], &runs[2]
	return r, nil
}

// timeRun runs the week with the CLI, in a process of its own as a
// scheduler would, and collects its stage timings from the run's record.
// (Until 2026-11-24 the bench ran the pipeline in its own process, after
// generating the data: the stages' peak RSS then began from what the
// generation and earlier runs had left, 0.5–1 GiB above the CLI's.)
func timeRun(ctx context.Context, bin string, g *pipeline.Generated, outDir string) (Figures, int, error) {
	rec, err := runCLI(ctx, bin, g.Config, g.Week.Label(), outDir)
	if err != nil {
		return Figures{}, 0, err
	}
	f, touchpoints := figures(rec)
	return f, touchpoints, nil
}

// figures are a run's timings from its record, and the touchpoints its
// sources wrote.
func figures(rec *manifest.Manifest) (Figures, int) {
	f := Figures{Week: rec.Week, ExitCode: rec.ExitCode}
	for _, t := range rec.Timings {
		f.Stages = append(f.Stages, pipeline.Timing{Stage: t.Name, Seconds: t.Seconds, Rows: t.Rows, PeakRSSBytes: t.PeakRSSBytes})
		f.Pipeline += t.Seconds
		f.PeakRSSBytes = max(f.PeakRSSBytes, t.PeakRSSBytes)
	}
	byTime := slices.Clone(rec.Models)
	slices.SortStableFunc(byTime, func(a, b manifest.Model) int { return cmp.Compare(b.Seconds, a.Seconds) })
	for _, m := range byTime[:min(slowestModels, len(byTime))] {
		if m.Seconds == 0 {
			break
		}
		mt := ModelTiming{Name: m.Name, Seconds: m.Seconds}
		switch inc := m.Incremental; {
		case inc != nil && inc.FullBuild:
			mt.Note = "rebuilt whole: " + inc.Reason
		case inc != nil:
			mt.Note = fmt.Sprintf("incremental: %d keys recomputed", inc.KeysRecomputed)
			if inc.Partition != "" {
				mt.Note = fmt.Sprintf("incremental: %d partitions (%s) recomputed", inc.KeysRecomputed, inc.Partition)
			}
		}
		f.SlowestModels = append(f.SlowestModels, mt)
	}
	touchpoints := 0
	for _, src := range rec.Sources {
		touchpoints += int(src.Rows["touchpoints"])
	}
	return f, touchpoints
}

// stage is a run's seconds in one stage.
func (f Figures) stage(name string) float64 {
	for _, t := range f.Stages {
		if t.Stage == name {
			return t.Seconds
		}
	}
	return 0
}

func (f Figures) perMillion(touchpoints int) Figures {
	if touchpoints > 0 {
		f.SecondsPerMillionTps = f.Pipeline / (float64(touchpoints) / 1e6)
	}
	return f
}

func printResult(w io.Writer, r Result) {
	fmt.Fprintf(w, "\nscale %s: %d touchpoints; generated in %.1f s\n", r.Scale, r.Touchpoints, r.Generate)
	printFigures(w, "first run: the weeks before "+r.Weekly.Week+", fresh warehouse", r.Figures)
	printFigures(w, "weekly run: "+r.Weekly.Week+" arrives", *r.Weekly)
	printFigures(w, "re-run of "+r.Rerun.Week+", nothing changed", *r.Rerun)
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
	if len(f.SlowestModels) > 0 {
		fmt.Fprint(w, "slowest models:")
		for _, m := range f.SlowestModels {
			fmt.Fprintf(w, " %s %.1f s", m.Name, m.Seconds)
			if m.Note != "" {
				fmt.Fprintf(w, " (%s)", m.Note)
			}
			fmt.Fprint(w, ";")
		}
		fmt.Fprintln(w)
	}
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

package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/socialroi/socialroi/config"
	"github.com/socialroi/socialroi/pipeline"
	"github.com/socialroi/socialroi/reports/manifest"
)

// A/B mode (-ab BASE): the weekly run of two builds of the CLI on one
// dataset, alternating. The same code measured in two benches an hour
// apart can differ by 20% per model on a shared machine, more than most
// single changes gain; runs that alternate on the same warehouse state
// share whatever the machine is doing.
//
// Each side loads the prior weeks into a fresh warehouse once, with its
// own binary (an incremental model's state is the build's own), and keeps
// a copy. Every round then restores each side's copy and times its weekly
// run, base first. The figures come from the runs' records.

// abSide is one build under comparison.
type abSide struct {
	name, bin, snapshot string
}

func abCompare(ctx context.Context, base string, scales []string, dir string, rounds int, w io.Writer) error {
	bins := filepath.Join(dir, "ab")
	if err := os.MkdirAll(bins, 0o755); err != nil {
		return err
	}
	sides := []*abSide{{name: "base " + base, bin: filepath.Join(bins, "base")}, {name: "head", bin: filepath.Join(bins, "head")}}
	if err := buildAt(ctx, base, sides[0].bin); err != nil {
		return fmt.Errorf("build %s: %w", base, err)
	}
	if err := goBuild(ctx, ".", sides[1].bin); err != nil {
		return fmt.Errorf("build the working tree: %w", err)
	}
	for _, s := range scales {
		s = strings.ToUpper(strings.TrimSpace(s))
		gen, err := pipeline.Generate(ctx, s, filepath.Join(dir, s))
		if err != nil {
			return err
		}
		prior, err := gen.PriorWeeks(ctx)
		if err != nil {
			return err
		}
		cfg, err := config.Load(gen.Config)
		if err != nil {
			return err
		}
		for _, side := range sides {
			side.snapshot = filepath.Join(bins, s+"-"+filepath.Base(side.bin)+".duckdb")
			if err := removeWarehouse(cfg.Warehouse); err != nil {
				return err
			}
			if _, err := runCLI(ctx, side.bin, prior.Config, prior.Week.Label(), cfg.OutDir); err != nil {
				return fmt.Errorf("%s, prior weeks: %w", side.name, err)
			}
			if err := copyFile(cfg.Warehouse, side.snapshot); err != nil {
				return err
			}
		}
		runs := map[*abSide][]*manifest.Manifest{}
		for round := range rounds {
			for _, side := range sides {
				if err := removeWarehouse(cfg.Warehouse); err != nil {
					return err
				}
				if err := copyFile(side.snapshot, cfg.Warehouse); err != nil {
					return err
				}
				r, err := runCLI(ctx, side.bin, gen.Config, gen.Week.Label(), cfg.OutDir)
				if err != nil {
					return fmt.Errorf("%s, round %d: %w", side.name, round+1, err)
				}
				runs[side] = append(runs[side], r)
			}
		}
		printAB(w, s, gen.Week.Label(), sides, runs)
		for _, side := range sides {
			os.Remove(side.snapshot)
		}
	}
	return nil
}

// buildAt builds the CLI as of a commit, in a temporary worktree.
func buildAt(ctx context.Context, commit, bin string) error {
	tmp, err := os.MkdirTemp("", "socialroi-ab-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	src := filepath.Join(tmp, "src")
	if out, err := exec.CommandContext(ctx, "git", "worktree", "add", "--detach", src, commit).CombinedOutput(); err != nil {
		return fmt.Errorf("git worktree add: %v: %s", err, out)
	}
	defer exec.Command("git", "worktree", "remove", "--force", src).Run()
	return goBuild(ctx, src, bin)
}

func goBuild(ctx context.Context, src, bin string) error {
	abs, err := filepath.Abs(bin)
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, "go", "build", "-tags=duckdb_arrow", "-o", abs, "./cmd/socialroi")
	cmd.Dir = src
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build: %v: %s", err, out)
	}
	return nil
}

// runCLI runs one week with the CLI at bin and reads back the run's record.
func runCLI(ctx context.Context, bin, configPath, week, outDir string) (*manifest.Manifest, error) {
	cmd := exec.CommandContext(ctx, bin, "run", "--config", configPath, "--week", week, "--allow-qa-failures", "--log-format", "json")
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("%s run: %v: %s", bin, err, tail(out, 2000))
	}
	// The run's record in runs/, the newest: the week's manifest.json is
	// written before the reports stage ends, so it has no time for it.
	runs, err := filepath.Glob(filepath.Join(outDir, "runs", "*.json"))
	if err != nil || len(runs) == 0 {
		return nil, fmt.Errorf("no run record in %s/runs", outDir)
	}
	slices.Sort(runs) // named by start time
	return manifest.Read(runs[len(runs)-1])
}

func tail(b []byte, n int) []byte { return b[max(0, len(b)-n):] }

func removeWarehouse(path string) error {
	for _, p := range []string{path, path + ".wal"} {
		if err := os.Remove(p); err != nil && !os.IsNotExist(err) {
			return err
		}
	}
	return nil
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// printAB prints every run's stages, then each model's median per side
// for the models slowest on either side.
func printAB(w io.Writer, scale, week string, sides []*abSide, runs map[*abSide][]*manifest.Manifest) {
	fmt.Fprintf(w, "\nscale %s, weekly run of %s, alternating from one snapshot per side:\n", scale, week)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "side\tround\tload\tmodels\ttests\tcommit\treports\ttotal\tpeak RSS\t")
	for _, side := range sides {
		for i, r := range runs[side] {
			f, _ := figures(r)
			fmt.Fprintf(tw, "%s\t%d\t%.1f s\t%.1f s\t%.1f s\t%.1f s\t%.1f s\t%.1f s\t%s\t\n", side.name, i+1,
				f.stage("load"), f.stage("models"), f.stage("tests"), f.stage("commit"), f.stage("reports"), f.Pipeline, gib(f.PeakRSSBytes))
		}
	}
	tw.Flush()

	medians := map[string][]float64{} // model → median per side
	for si, side := range sides {
		byModel := map[string][]float64{}
		for _, r := range runs[side] {
			for _, m := range r.Models {
				byModel[m.Name] = append(byModel[m.Name], m.Seconds)
			}
		}
		for name, xs := range byModel {
			if medians[name] == nil {
				medians[name] = make([]float64, len(sides))
			}
			medians[name][si] = median(xs)
		}
	}
	names := make([]string, 0, len(medians))
	for name := range medians {
		names = append(names, name)
	}
	slices.SortFunc(names, func(a, b string) int {
		return cmp.Or(cmp.Compare(slices.Max(medians[b]), slices.Max(medians[a])), cmp.Compare(a, b))
	})
	fmt.Fprintln(w, "\nmodels, median seconds:")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "model\t%s\t\n", strings.Join(sideNames(sides), "\t"))
	for _, name := range names[:min(8, len(names))] {
		fmt.Fprintf(tw, "%s\t", name)
		for _, s := range medians[name] {
			fmt.Fprintf(tw, "%.1f s\t", s)
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()
}

func sideNames(sides []*abSide) []string {
	var out []string
	for _, s := range sides {
		out = append(out, s.name)
	}
	return out
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

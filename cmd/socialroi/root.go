package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/socialroi/socialroi/config"
	_ "github.com/socialroi/socialroi/extract/all" // registers every source kind
	"github.com/socialroi/socialroi/pipeline"
)

// exitError carries an exit code out of a command.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// globals are the flags every command shares.
type globals struct {
	logFormat string
	logLevel  string
	stdout    io.Writer
	stderr    io.Writer
	// bars draws progress on a terminal; nil otherwise (unattended runs).
	bars *barProgress
}

// progress returns the run's progress display, or nil without a terminal.
func (g *globals) progress() pipeline.Progress {
	if g.bars == nil {
		return nil
	}
	return g.bars
}

// finishProgress lets the bars draw their last state.
func (g *globals) finishProgress() {
	if g.bars != nil {
		g.bars.Wait()
	}
}

// timeNow is the clock, replaceable in tests.
var timeNow = time.Now

// version is set at build time with -ldflags "-X main.version=…"; otherwise
// the module version or the VCS revision is used.
var version = ""

func versionString() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		if bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			return bi.Main.Version
		}
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				return "dev-" + s.Value[:12]
			}
		}
	}
	return "dev"
}

// run is the whole CLI, callable in-process by tests.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	g := &globals{stdout: stdout, stderr: stderr}
	root := newRoot(g)
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return 0
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil && ee.code != 0 {
			fmt.Fprintln(stderr, "socialroi:", ee.err)
		}
		return ee.code
	}
	var ce *config.Error
	if errors.As(err, &ce) {
		fmt.Fprintln(stderr, "socialroi:", err)
		return pipeline.ExitUsage
	}
	fmt.Fprintln(stderr, "socialroi:", err)
	if isUsageError(err) {
		fmt.Fprintln(stderr, "Run 'socialroi --help' for usage.")
		return pipeline.ExitUsage
	}
	return pipeline.ExitFailure
}

// isUsageError recognises cobra's flag and argument errors.
func isUsageError(err error) bool {
	msg := err.Error()
	for _, s := range []string{"unknown flag", "unknown command", "unknown shorthand", "flag needs an argument", "invalid argument", "accepts ", "requires at least", "required flag"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

func usageErr(format string, args ...any) error {
	return &exitError{code: pipeline.ExitUsage, err: fmt.Errorf(format, args...)}
}

func newRoot(g *globals) *cobra.Command {
	root := &cobra.Command{
		Use:   "socialroi",
		Short: "Paid-social and attribution analytics, from ad platforms to a weekly workbook",
		Long: `socialroi pulls ad, organic, CRM and web data, models it in DuckDB and writes
the weekly report: which ads, audiences, platforms and creatives earn the next
dollar, and a credit ledger finance can audit to the cent.

Start here:
  socialroi demo                 run everything offline on a generated brand
  socialroi init                 write a commented starter config (socialroi.yaml)
  socialroi run --config socialroi.yaml
                                 the weekly job (last complete week by default)

Exit codes: 0 success, 1 failure, 2 bad usage or config, 3 bad data (data tests
failed, outputs withheld; or a source sent two different rows for one key),
4 some sources failed (the rest completed; see the manifest).`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.PersistentFlags().StringVar(&g.logFormat, "log-format", "auto", "log format: text, json, or auto (text on a terminal, JSON otherwise)")
	root.PersistentFlags().StringVar(&g.logLevel, "log-level", "info", "log level: debug, info, warn, error")
	root.AddCommand(
		newDemoCmd(g),
		newGenerateCmd(g),
		newRunCmd(g),
		newStageCmd(g, "extract"),
		newStageCmd(g, "transform"),
		newStageCmd(g, "model"),
		newStageCmd(g, "report"),
		newAttributeCmd(g),
		newQueryCmd(g),
		newExplainCmd(g),
		newCheckCmd(g),
		newInitCmd(g),
		newSourcesCmd(g),
		newVersionCmd(g),
	)
	return root
}

// logger builds the run's logger from the global flags. Logs go to stderr so
// that stdout stays clean for query results.
func (g *globals) logger() (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(g.logLevel)); err != nil {
		return nil, usageErr("--log-level %q: use debug, info, warn or error", g.logLevel)
	}
	tty := false
	if f, ok := g.stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		tty = true
	}
	format := g.logFormat
	if format == "auto" {
		format = "json"
		if tty {
			format = "text"
		}
	}
	opts := &slog.HandlerOptions{Level: level}
	switch format {
	case "text":
		if tty {
			// Progress bars on a terminal only; log lines print above them.
			g.bars = newBarProgress(g.stderr)
			return slog.New(slog.NewTextHandler(g.bars.Writer(), opts)), nil
		}
		return slog.New(slog.NewTextHandler(g.stderr, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(g.stderr, opts)), nil
	}
	return nil, usageErr("--log-format %q: use text, json or auto", g.logFormat)
}

func newVersionCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprintln(g.stdout, "socialroi", versionString())
			return nil
		},
	}
}

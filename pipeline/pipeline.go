// Package pipeline ties the stages of a run together: extract (sources,
// concurrently, raw landing), load (canonical tables, one transaction),
// models (the SQL project and its data tests, same transaction) and reports
// (Parquet, the workbook, the manifest). The CLI and the demo call Run.
package pipeline

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/socialroi/socialroi/config"
	"github.com/socialroi/socialroi/extract"
	"github.com/socialroi/socialroi/models"
	"github.com/socialroi/socialroi/models/attribution"
	sqlfiles "github.com/socialroi/socialroi/sql"
	"github.com/socialroi/socialroi/transform"
)

// Exit codes (DESIGN §5), returned by Result.ExitCode.
const (
	ExitOK            = 0
	ExitFailure       = 1
	ExitUsage         = 2
	ExitQA            = 3 // bad data: failed data tests, or a duplicate natural key
	ExitSourcesFailed = 4
)

// profileDirEnv names the folder that receives each model's DuckDB
// profile (models.Tx.ProfileDir), for `run` and `attribute` alike: a
// developer's switch, not configuration (see README "Performance").
const profileDirEnv = "SOCIALROI_PROFILE_DIR"

// Options configure one run.
type Options struct {
	Config *config.Config
	// Week is the report week; zero means the last complete week in the
	// reporting time zone as of Now.
	Week models.Week
	// Sources limits the run to these sources (names from the config).
	Sources []string
	// SkipExtract runs models and reports on what the warehouse holds.
	SkipExtract bool
	// FromRaw rebuilds a run from the raw landing of run FromRaw with no API
	// call: every selected source extracts the window that run used (its
	// window.json) and its HTTP requests are answered from
	// raw_dir/<source>/<FromRaw>/ (see httpx.Replay); nothing is re-landed.
	// Sources that read files (files, influencer_registry) read their inputs
	// as usual. The week defaults to the recorded run's. Cursors move as the
	// recorded run moved them (never backwards, never further). A source
	// without a landing in that run is an error (ExitUsage).
	FromRaw string
	// Outputs overrides the config's outputs (excel, parquet, csv, bigquery).
	Outputs         []string
	AllowQAFailures bool
	// Rebuild builds every model even when the warehouse holds a build
	// from the same inputs (see buildModels).
	Rebuild bool
	Logger  *slog.Logger
	Version string
	Now     func() time.Time
	// Progress, when set, shows the run's advance on a terminal.
	Progress Progress
	// Stage runs one stage of the pipeline alone ("" runs them all):
	//   extract    extract and land the raw responses; nothing is loaded
	//   transform  normalize a landed run (FromRaw) and load the warehouse
	//   model      build the models and run the data tests on the warehouse
	//   report     write the outputs from the warehouse
	// so a scheduler can retry or rerun one step: extract, then
	// transform --from-raw <that run>, then model, then report.
	Stage string
}

// Stages are the values of Options.Stage.
var Stages = []string{"extract", "transform", "model", "report"}

// Result is what a run did. ExitCode is the process exit code the CLI should
// return; Err explains a non-zero code.
type Result struct {
	RunID    string
	Week     models.Week
	ExitCode int
	Err      error
	OutDir   string
	Workbook string
	Manifest string
	Sources  []SourceResult
	Models   []models.ModelResult
	Tests    []models.TestResult
	QA       []QACheck
	Outputs  []Output
	Timings  []Timing
	started  time.Time
}

// SourceResult is one source's part of the run.
type SourceResult struct {
	Name, Type   string
	Since, Until time.Time
	Rows         map[string]int64
	RawDir       string
	Err          error
}

// Output is one file the run wrote.
type Output struct {
	Kind   string
	Path   string
	Rows   int64
	Bytes  int64
	SHA256 string
}

// QACheck is one row of mart_tracking_qa for the run's week.
type QACheck struct {
	Check, Subject, Severity, Status, Detail string
	Value                                    *float64
}

// Timing is how long a stage took.
type Timing struct {
	Stage   string
	Seconds float64
	// Rows the stage handled: extracted, loaded, built by the models,
	// checked by the data tests (tests run), written to outputs.
	Rows int64
	// PeakRSSBytes is the process's peak resident memory during the stage
	// (Linux; 0 elsewhere).
	PeakRSSBytes int64
}

type weekRange struct{ start, end time.Time }

// LastCompleteWeek is the ISO week before the one that contains now, in loc.
func LastCompleteWeek(now time.Time, loc *time.Location) models.Week {
	local := now.In(loc)
	day := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, time.UTC)
	offset := (int(day.Weekday()) + 6) % 7 // days since Monday
	thisMonday := day.AddDate(0, 0, -offset)
	return models.Week{Start: thisMonday.AddDate(0, 0, -7)}
}

// ParseWeek parses an ISO week like 2026-W47.
func ParseWeek(s string) (models.Week, error) {
	var year, week int
	if _, err := fmt.Sscanf(s, "%d-W%d", &year, &week); err != nil || week < 1 || week > 53 {
		return models.Week{}, fmt.Errorf("week %q: use the ISO form YYYY-Www, e.g. 2026-W47", s)
	}
	// ISO week 1 contains 4 January.
	jan4 := time.Date(year, 1, 4, 0, 0, 0, 0, time.UTC)
	monday1 := jan4.AddDate(0, 0, -((int(jan4.Weekday()) + 6) % 7))
	start := monday1.AddDate(0, 0, 7*(week-1))
	if y, w := start.ISOWeek(); y != year || w != week {
		return models.Week{}, fmt.Errorf("week %q: %d has no week %d", s, year, week)
	}
	return models.Week{Start: start}, nil
}

func newRunID(now time.Time) string {
	var b [3]byte
	_, _ = rand.Read(b[:])
	return now.UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b[:])
}

// Run executes one pipeline run. It never panics on bad data: every failure
// is in Result.Err with the matching exit code, and a run that fails before
// committing leaves the warehouse and earlier outputs as they were.
func Run(ctx context.Context, opts Options) *Result {
	cfg := opts.Config
	now := time.Now
	if opts.Now != nil {
		now = opts.Now
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	res := &Result{RunID: newRunID(now()), started: now().UTC()}
	defer writeRunRecord(cfg, opts, res)
	log = log.With("run_id", res.RunID)
	progress := opts.Progress
	if progress == nil {
		progress = noProgress{}
	}
	res.Week = opts.Week
	if res.Week.Start.IsZero() {
		res.Week = LastCompleteWeek(now(), cfg.Location())
	}
	week := weekRange{start: res.Week.Start, end: res.Week.End()}

	fail := func(code int, err error) *Result {
		res.ExitCode, res.Err = code, err
		log.Error("run failed", "exit_code", code, "err", err)
		return res
	}
	clock := &stageClock{res: res, log: log}

	switch opts.Stage {
	case "", "extract", "transform":
	case "model", "report":
		opts.SkipExtract = true
	default:
		return fail(ExitUsage, &config.Error{Key: "stage", Msg: fmt.Sprintf("unknown stage %q (known: %s)", opts.Stage, strings.Join(Stages, ", "))})
	}
	if opts.Stage == "transform" && opts.FromRaw == "" {
		return fail(ExitUsage, &config.Error{Key: "--from-raw", Msg: "transform normalizes a landed run: name it with --from-raw RUN_ID (the run id `extract` printed)"})
	}
	if opts.Stage == "extract" && opts.FromRaw != "" {
		return fail(ExitUsage, &config.Error{Key: "--from-raw", Msg: "extract calls the APIs; to rebuild a landed run use transform --from-raw"})
	}

	// Sources are built (and their settings checked, a registry file read)
	// before the warehouse is touched, so a bad config changes nothing.
	var (
		specs   []config.SourceSpec
		sources map[string]extract.Source
	)
	if !opts.SkipExtract {
		var err error
		if specs, err = selectSources(cfg, opts.Sources); err != nil {
			return fail(ExitUsage, err)
		}
		if sources, err = buildSources(specs); err != nil {
			return fail(ExitUsage, err)
		}
	}
	var plan map[string]*replaySource
	if opts.FromRaw != "" {
		if opts.SkipExtract {
			return fail(ExitUsage, errors.New("--from-raw rebuilds the extraction; it cannot be combined with --skip-extract"))
		}
		var err error
		if plan, err = planReplay(cfg, opts.FromRaw, specs); err != nil {
			return fail(ExitUsage, err)
		}
		if opts.Week.Start.IsZero() {
			// Rebuild the recorded run's week, not the current one.
			for _, spec := range specs {
				if w, err := ParseWeek(plan[spec.Name].week); err == nil {
					res.Week = w
					week = weekRange{start: w.Start, end: w.End()}
					break
				}
			}
		}
		log.Info("replaying a recorded run: no API calls", "from_raw", opts.FromRaw, "raw_dir", cfg.RawDir)
	}
	log.Info("run started", "week", res.Week.Label(), "warehouse", cfg.Warehouse)

	if err := os.MkdirAll(filepath.Dir(cfg.Warehouse), 0o755); err != nil {
		return fail(ExitFailure, fmt.Errorf("warehouse: %w", err))
	}
	lock, err := AcquireLock(cfg.Warehouse, res.RunID)
	if err != nil {
		return fail(ExitFailure, err)
	}
	defer lock.Release()
	// A first run builds its warehouse aside and moves it into place when
	// it commits: one that fails leaves none, and it commits as it goes,
	// which at L took its models from 183–213 s to 100–111 s.
	wh, err := models.OpenOrCreate(ctx, cfg.Warehouse, models.Options{Threads: cfg.DuckDB.Threads, MemoryLimit: cfg.DuckDB.MemoryLimit})
	if err != nil {
		return fail(ExitFailure, err)
	}
	defer wh.Close()
	if err := wh.EnsureTables(ctx); err != nil {
		return fail(ExitFailure, err)
	}

	mem := memory.DefaultAllocator
	var runs []*sourceRun
	if !opts.SkipExtract {
		clock.begin()
		runs, err = extractAll(ctx, wh, res.RunID, cfg, week, specs, sources, plan, mem, log, progress)
		if err != nil {
			return fail(ExitFailure, err)
		}
		var extracted int64
		for _, r := range runs {
			for _, n := range r.rows {
				extracted += n
			}
		}
		clock.end("extract", extracted)
		defer func() {
			for _, r := range runs {
				r.release()
			}
		}()
		for _, r := range runs {
			res.Sources = append(res.Sources, SourceResult{
				Name: r.spec.Name, Type: r.spec.Type, Since: r.since, Until: r.until,
				Rows: r.rows, RawDir: r.rawDir, Err: r.err,
			})
		}
		if err := ctx.Err(); err != nil {
			return fail(ExitFailure, fmt.Errorf("run cancelled during extraction: %w", err))
		}
		for _, r := range runs {
			if r.err != nil && r.spec.Strict {
				return fail(ExitFailure, fmt.Errorf("source %s is strict and failed; nothing was loaded: %w", r.spec.Name, r.err))
			}
		}
		if len(runs) > 0 && failedCount(runs) == len(runs) {
			return fail(ExitFailure, fmt.Errorf("every source failed; nothing was loaded: %w", sourceErrors(runs)))
		}
	}

	if opts.Stage == "extract" {
		return finish(res, runs, log)
	}

	if opts.Stage != "report" {
		do := warehouseSteps{load: opts.Stage != "model", models: opts.Stage != "transform", rebuild: opts.Rebuild}
		err = buildWarehouse(ctx, wh, cfg, res, runs, opts.AllowQAFailures, log, progress, clock, do)
	} else {
		res.QA, err = readQAFrom(ctx, wh)
	}
	if err != nil {
		// Data that fails a check needs a person, not a retry: a data test
		// of severity error, or a source sending two different rows for
		// one natural key (which is right is the source's to say).
		var qa *qaError
		var dup *models.DuplicateKeyError
		if errors.As(err, &qa) || errors.As(err, &dup) {
			return fail(ExitQA, err)
		}
		return fail(ExitFailure, err)
	}

	if opts.Stage == "" || opts.Stage == "report" {
		clock.begin()
		if err := writeReports(ctx, wh, cfg, opts, res, log); err != nil {
			return fail(ExitFailure, err)
		}
		var written int64
		for _, o := range res.Outputs {
			written += o.Rows
		}
		clock.end("reports", written)
	}
	return finish(res, runs, log)
}

// finish sets a run's exit code for sources that failed while the rest
// completed, and logs the end.
func finish(res *Result, runs []*sourceRun, log *slog.Logger) *Result {
	if n := failedCount(runs); n > 0 {
		res.ExitCode, res.Err = ExitSourcesFailed, fmt.Errorf("%d of %d sources failed (the rest completed): %w", n, len(runs), sourceErrors(runs))
		log.Warn("run finished with failed sources", "exit_code", res.ExitCode, "err", res.Err)
	} else {
		log.Info("run finished", "week", res.Week.Label(), "out", res.OutDir)
	}
	return res
}

// ModelsReusedFrom is the run whose model build this run reused, or "" when
// it built the models (or ran none).
func (r *Result) ModelsReusedFrom() string {
	if len(r.Models) > 0 && r.Models[0].Reused {
		return r.Models[0].BuiltBy
	}
	return ""
}

// warehouseSteps says which parts of buildWarehouse run; rebuild builds the
// models even when the last build's can be reused.
type warehouseSteps struct{ load, models, rebuild bool }

func failedCount(runs []*sourceRun) int {
	n := 0
	for _, r := range runs {
		if r.err != nil {
			n++
		}
	}
	return n
}

func sourceErrors(runs []*sourceRun) error {
	var errs []error
	for _, r := range runs {
		if r.err != nil {
			errs = append(errs, r.err)
		}
	}
	return errors.Join(errs...)
}

// qaError is a run stopped by failing data tests.
type qaError struct{ failed []models.TestResult }

func (e *qaError) Error() string {
	msg := fmt.Sprintf("%d data test(s) failed; outputs withheld (use --allow-qa-failures to publish anyway):", len(e.failed))
	for _, t := range e.failed {
		msg += fmt.Sprintf("\n  %s: %d offending rows", t.Path, t.Failures)
		if len(t.Sample) > 0 {
			msg += ", e.g. " + t.Sample[0]
		}
	}
	return msg
}

// buildWarehouse loads the extracted records and runs the models and data
// tests in one transaction, committing only when all of it succeeded.
func buildWarehouse(ctx context.Context, wh *models.Warehouse, cfg *config.Config, res *Result, runs []*sourceRun, allowQA bool, log *slog.Logger, progress Progress, clock *stageClock, do warehouseSteps) error {
	tx, err := wh.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()

	if do.load {
		if err := loadRuns(ctx, tx, res, runs, log, clock); err != nil {
			return err
		}
		// In a new warehouse, the models read the loaded tables committed:
		// on every thread (models.Create).
		if err := tx.CommitSoFar(ctx); err != nil {
			return err
		}
	}
	if !do.models {
		return commit(ctx, tx, clock)
	}
	return runModels(ctx, tx, cfg, res, allowQA, do.rebuild, log, progress, clock)
}

// commit commits the run's transaction as a stage of its own: DuckDB
// checkpoints the tables the run rewrote, which at L takes 10–14 s that
// belong to no other stage.
func commit(ctx context.Context, tx *models.Tx, clock *stageClock) error {
	clock.begin()
	if err := tx.Commit(ctx); err != nil {
		return err
	}
	clock.end("commit", 0)
	return nil
}

// loadRuns upserts the extracted records and advances the source cursors.
func loadRuns(ctx context.Context, tx *models.Tx, res *Result, runs []*sourceRun, log *slog.Logger, clock *stageClock) error {
	clock.begin()
	var loaded int64
	for _, r := range runs {
		if r.err != nil {
			continue
		}
		for _, table := range transform.TableNames() {
			in := models.Input{Records: r.records[table], Parquet: r.parquet[table]}
			if len(in.Records) == 0 && len(in.Parquet) == 0 {
				continue
			}
			var scope *models.Scope
			switch {
			case r.snapshot:
				scope = &models.Scope{All: true}
			case table == transform.AdPerformance:
				// The source re-extracted this window: what it no longer
				// reports for it is gone at the source too.
				scope = &models.Scope{Column: "source", Value: r.spec.Name, DateColumn: "date", Since: r.since, Until: r.until}
			}
			n, err := tx.LoadInput(ctx, table, in, scope)
			if err != nil {
				return fmt.Errorf("source %s: %w", r.spec.Name, err)
			}
			log.Info("loaded", "source", r.spec.Name, "table", table, "rows", n.Rows, "changed_keys", n.Changed)
			loaded += n.Rows
		}
		// The cursor only ever moves forward (greatest): a --from-raw run,
		// whose until is the recorded run's, moves it no further than that
		// run did, and never back.
		if err := tx.AdvanceSourceCursor(ctx, r.spec.Name, r.until, res.RunID); err != nil {
			return err
		}
	}
	clock.end("load", loaded)
	return nil
}

// runModels builds every model and runs the data tests, and commits unless
// a data test of severity error failed (and allowQA is off).
func runModels(ctx context.Context, tx *models.Tx, cfg *config.Config, res *Result, allowQA, rebuild bool, log *slog.Logger, progress Progress, clock *stageClock) error {
	if err := tx.LoadConfigTables(ctx, cfg); err != nil {
		return err
	}
	params, err := models.ParamsFor(cfg, res.Week)
	if err != nil {
		return err
	}
	if err := tx.Set(ctx, params); err != nil {
		return err
	}
	cat, err := models.LoadCatalog(sqlfiles.FS, attribution.GoModels()...)
	if err != nil {
		return err
	}
	clock.begin()
	if res.Models, err = buildModels(ctx, tx, cat, params, res.RunID, rebuild, log, progress); err != nil {
		return err
	}
	var built int64
	for _, m := range res.Models {
		if !m.Reused {
			built += m.Rows
		}
	}
	clock.end("models", built)
	clock.begin()
	res.Tests, err = tx.RunTests(ctx, cat)
	if err != nil {
		return err
	}
	clock.end("tests", int64(len(res.Tests)))
	if res.QA, err = readQA(ctx, tx); err != nil {
		return err
	}
	var failed []models.TestResult
	for _, t := range res.Tests {
		if t.Passed() {
			continue
		}
		log.Warn("data test failed", "test", t.Path, "severity", t.Severity, "rows", t.Failures, "sample", t.Sample)
		if t.Severity == "error" {
			failed = append(failed, t)
		}
	}
	if len(failed) > 0 && !allowQA {
		return &qaError{failed: failed}
	}
	return commit(ctx, tx, clock)
}

// buildModels builds every model, unless the warehouse holds a build from
// the same inputs (the same fingerprint: data, parameters, SQL, program),
// as when a run is retried for the same week: then its tables are reused,
// unless rebuild.
func buildModels(ctx context.Context, tx *models.Tx, cat *models.Catalog, params models.Params, runID string, rebuild bool, log *slog.Logger, progress Progress) ([]models.ModelResult, error) {
	fingerprint, err := tx.Fingerprint(ctx, cat, params)
	if err != nil {
		return nil, err
	}
	last, ok, err := tx.LastBuild(ctx)
	if err != nil {
		return nil, err
	}
	if ok && last.Fingerprint == fingerprint && !rebuild {
		reused, ok, err := tx.ReuseModels(ctx, cat, last)
		if err != nil {
			return nil, err
		}
		if ok {
			log.Info("models reused: their inputs have not changed since the run that built them",
				"built_by", last.RunID, "built_at", last.BuiltAt, "models", len(reused))
			return reused, nil
		}
		log.Info("models rebuilt: a model of the last build is missing from the warehouse")
	}
	stage := progress.Stage("models", len(cat.Models))
	tx.OnModel = func(models.ModelResult) { stage.Step() }
	tx.ProfileDir = os.Getenv(profileDirEnv)
	tx.FullRefresh = rebuild
	built, err := tx.RunModels(ctx, cat, log)
	stage.Done()
	if err != nil {
		return nil, err
	}
	log.Info("models built", "models", len(built))
	if err := tx.RecordBuild(ctx, models.Build{Fingerprint: fingerprint, RunID: runID, BuiltAt: time.Now().UTC(), Models: built}); err != nil {
		return nil, err
	}
	return built, nil
}

// readQAFrom reads the tracking-QA results the last model run left, for a
// report-only run's manifest and Run sheet.
func readQAFrom(ctx context.Context, wh *models.Warehouse) ([]QACheck, error) {
	tx, err := wh.Begin(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return readQA(ctx, tx)
}

// readQA reads the week's tracking-QA results for the manifest.
func readQA(ctx context.Context, tx *models.Tx) ([]QACheck, error) {
	rows, err := tx.QueryContext(ctx, `SELECT check_name, coalesce(subject, ''), severity, status, value, detail
		FROM mart_tracking_qa ORDER BY severity, check_name, subject`)
	if err != nil {
		return nil, fmt.Errorf("tracking QA: %w", err)
	}
	defer rows.Close()
	var out []QACheck
	for rows.Next() {
		var q QACheck
		var v sql.NullFloat64
		if err := rows.Scan(&q.Check, &q.Subject, &q.Severity, &q.Status, &v, &q.Detail); err != nil {
			return nil, err
		}
		if v.Valid {
			q.Value = &v.Float64
		}
		out = append(out, q)
	}
	return out, rows.Err()
}

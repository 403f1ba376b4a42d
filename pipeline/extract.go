package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/socialroi/socialroi/config"
	"github.com/socialroi/socialroi/extract"
	"github.com/socialroi/socialroi/extract/httpx"
	"github.com/socialroi/socialroi/models"
	"github.com/socialroi/socialroi/transform"
)

// sourceRun is one source's extraction in this run.
type sourceRun struct {
	spec    config.SourceSpec
	since   time.Time
	until   time.Time
	rawDir  string
	records map[string][]arrow.RecordBatch
	// parquet: files the warehouse scans in place (extract.ParquetEmitter)
	parquet  map[string][]models.ParquetScan
	rows     map[string]int64
	progress SourceProgress
	err      error
	duration time.Duration
	// snapshot: the source's tables are whole each time (extract.Snapshotter)
	snapshot bool
	// replay, in a --from-raw run: the recorded landing the source's HTTP
	// requests are answered from.
	replay *httpx.Replay
}

// Emit keeps a source's records for loading; it takes its own reference.
func (s *sourceRun) Emit(table string, rec arrow.RecordBatch) error {
	t, err := transform.Lookup(table)
	if err != nil {
		return fmt.Errorf("%s: %w", s.spec.Name, err)
	}
	if !rec.Schema().Equal(t.Schema) {
		return fmt.Errorf("%s: %s record does not have the canonical schema", s.spec.Name, table)
	}
	rec.Retain()
	s.records[table] = append(s.records[table], rec)
	s.rows[table] += rec.NumRows()
	s.progress.Rows(rec.NumRows())
	return nil
}

// EmitParquet keeps a Parquet file for the warehouse to scan in place.
func (s *sourceRun) EmitParquet(table string, f extract.ParquetFile) error {
	if _, err := transform.Lookup(table); err != nil {
		return fmt.Errorf("%s: %w", s.spec.Name, err)
	}
	s.parquet[table] = append(s.parquet[table], models.ParquetScan{Path: f.Path, Columns: f.Columns})
	s.rows[table] += f.Rows
	s.progress.Rows(f.Rows)
	return nil
}

func (s *sourceRun) release() {
	for _, recs := range s.records {
		for _, r := range recs {
			r.Release()
		}
	}
	s.records = nil
}

// selectSources builds the sources of the run: the enabled ones, or exactly
// the named ones. A name that is not configured is a config error.
func selectSources(cfg *config.Config, names []string) ([]config.SourceSpec, error) {
	for _, n := range names {
		if _, ok := cfg.Source(n); !ok {
			return nil, &config.Error{Key: "--sources", Msg: fmt.Sprintf("no source named %q in the config", n)}
		}
	}
	var out []config.SourceSpec
	for _, s := range cfg.Sources {
		if len(names) > 0 {
			if slices.Contains(names, s.Name) {
				out = append(out, s)
			}
			continue
		}
		if s.Enabled {
			out = append(out, s)
		}
	}
	return out, nil
}

// buildSources validates every selected source's settings before anything
// runs, so a typo fails the run at once with exit code 2.
func buildSources(specs []config.SourceSpec) (map[string]extract.Source, error) {
	out := map[string]extract.Source{}
	for _, spec := range specs {
		kind, err := extract.Lookup(spec.Type)
		if err != nil {
			return nil, &config.Error{Key: "sources." + spec.Name + ".type", Msg: err.Error()}
		}
		src, err := kind.New(spec.Name, spec)
		if err != nil {
			if _, ok := err.(*config.Error); ok {
				return nil, err
			}
			return nil, &config.Error{Key: "sources." + spec.Name, Msg: err.Error()}
		}
		out[spec.Name] = src
	}
	return out, nil
}

// extractWindow is the days a source extracts this run: the restatement
// window before the report week, reaching back further after a gap since its
// last run, or by the backfill on its first run.
func extractWindow(ctx context.Context, wh *models.Warehouse, cfg *config.Config, spec config.SourceSpec, week weekRange) (since, until time.Time, err error) {
	restatement, backfillDays := cfg.RestatementDays, cfg.BackfillDays
	if spec.RestatementDays != nil {
		restatement = *spec.RestatementDays
	}
	if spec.BackfillDays != nil {
		backfillDays = *spec.BackfillDays
	}
	since = week.start.AddDate(0, 0, -restatement)
	cursor, ok, err := wh.SourceCursor(ctx, spec.Name)
	if err != nil {
		return since, week.end, err
	}
	switch {
	case !ok:
		backfill := week.start.AddDate(0, 0, -backfillDays)
		if spec.BackfillFrom != nil {
			backfill = *spec.BackfillFrom
		}
		if backfill.Before(since) {
			since = backfill
		}
	case cursor.AddDate(0, 0, 1).Before(since):
		since = cursor.AddDate(0, 0, 1)
	}
	return since, week.end, nil
}

// WindowFile is written into every source's raw landing folder
// (raw_dir/<source>/<run_id>/) before the source runs: the window it was
// asked to extract, which `run --from-raw` reuses.
const WindowFile = "window.json"

// landingWindow is the content of WindowFile.
type landingWindow struct {
	RunID  string `json:"run_id"`
	Source string `json:"source"`
	Type   string `json:"type"`
	Week   string `json:"week"`  // ISO week, e.g. 2026-W47
	Since  string `json:"since"` // YYYY-MM-DD, inclusive
	Until  string `json:"until"` // YYYY-MM-DD, inclusive
	// FromRaw is set in a run rebuilt with --from-raw: the recorded run its
	// HTTP responses came from (this folder then holds no bodies of its own).
	FromRaw string `json:"from_raw,omitempty"`
}

func writeWindow(dir string, w landingWindow) error {
	b, err := json.MarshalIndent(w, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, WindowFile), append(b, '\n'), 0o644)
}

// replaySource is one source's part of a --from-raw run.
type replaySource struct {
	since, until time.Time
	week         string
	replay       *httpx.Replay
}

// planReplay checks, before anything runs, that run runID landed every
// selected source, and reads the window each extracted. A source the
// recorded run did not extract, a landing made before windows were kept, or
// a run that was itself a replay are errors that name the path (exit 2).
// Non-HTTP sources need the folder too (for the window) but read their
// inputs as usual.
func planReplay(cfg *config.Config, runID string, specs []config.SourceSpec) (map[string]*replaySource, error) {
	if runID == "" || runID == "." || runID == ".." || strings.ContainsAny(runID, `/\`) {
		return nil, fmt.Errorf("--from-raw %q: not a run id (e.g. 20261123T060000Z-a1b2c3, as printed by `run` and named in out/runs/)", runID)
	}
	plan := map[string]*replaySource{}
	for _, spec := range specs {
		dir := filepath.Join(cfg.RawDir, spec.Name, runID)
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			return nil, fmt.Errorf("--from-raw %s: source %s has no raw landing at %s (was it enabled in that run? limit this one with --sources)", runID, spec.Name, dir)
		}
		path := filepath.Join(dir, WindowFile)
		b, err := os.ReadFile(path)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("--from-raw %s: source %s: no %s: the run was recorded before --from-raw existed and cannot be replayed", runID, spec.Name, path)
		}
		if err != nil {
			return nil, fmt.Errorf("--from-raw %s: source %s: %w", runID, spec.Name, err)
		}
		var w landingWindow
		if err := json.Unmarshal(b, &w); err != nil {
			return nil, fmt.Errorf("--from-raw %s: %s: %w", runID, path, err)
		}
		if w.FromRaw != "" {
			return nil, fmt.Errorf("--from-raw %s: run %s was itself rebuilt from run %s and landed nothing new (%s): use --from-raw %s", runID, runID, w.FromRaw, path, w.FromRaw)
		}
		since, err1 := time.Parse(time.DateOnly, w.Since)
		until, err2 := time.Parse(time.DateOnly, w.Until)
		if err := errors.Join(err1, err2); err != nil {
			return nil, fmt.Errorf("--from-raw %s: %s: bad window: %w", runID, path, err)
		}
		rp, err := httpx.OpenReplay(dir, runID)
		if err != nil {
			return nil, fmt.Errorf("--from-raw %s: source %s: %w", runID, spec.Name, err)
		}
		plan[spec.Name] = &replaySource{since: since, until: until, week: w.Week, replay: rp}
	}
	return plan, nil
}

// extractAll runs the sources concurrently. A source that fails is recorded
// on its sourceRun; the others go on. With a replay plan (--from-raw), each
// source extracts its recorded window and its HTTP requests are answered
// from the recorded landing; without one, the window follows the cursor.
func extractAll(ctx context.Context, wh *models.Warehouse, runID string, cfg *config.Config, week weekRange, specs []config.SourceSpec,
	sources map[string]extract.Source, plan map[string]*replaySource, mem memory.Allocator, log *slog.Logger, progress Progress) ([]*sourceRun, error) {
	runs := make([]*sourceRun, len(specs))
	var wg sync.WaitGroup
	slots := make(chan struct{}, max(cfg.MaxConcurrentSources, 1))
	for i, spec := range specs {
		var (
			since, until time.Time
			replay       *httpx.Replay
			err          error
		)
		if p, ok := plan[spec.Name]; ok {
			since, until, replay = p.since, p.until, p.replay
		} else if since, until, err = extractWindow(ctx, wh, cfg, spec, week); err != nil {
			return nil, err
		}
		r := &sourceRun{
			spec:     spec,
			since:    since,
			until:    until,
			rawDir:   filepath.Join(cfg.RawDir, spec.Name, runID),
			records:  map[string][]arrow.RecordBatch{},
			parquet:  map[string][]models.ParquetScan{},
			rows:     map[string]int64{},
			progress: progress.Source(spec.Name),
			replay:   replay,
		}
		if s, ok := sources[spec.Name].(extract.Snapshotter); ok {
			r.snapshot = s.Snapshot()
		}
		runs[i] = r
		wg.Add(1)
		go func() {
			defer wg.Done()
			slots <- struct{}{}
			defer func() { <-slots }()
			defer func() { r.progress.Done(r.err) }() // on every path, or the bar never ends
			start := time.Now()
			l := log.With("source", spec.Name)
			if err := os.MkdirAll(r.rawDir, 0o755); err != nil {
				r.err = fmt.Errorf("%s: raw landing: %w", spec.Name, err)
				return
			}
			win := landingWindow{RunID: runID, Source: spec.Name, Type: spec.Type,
				Week: weekLabel(week), Since: r.since.Format(time.DateOnly), Until: r.until.Format(time.DateOnly)}
			sctx := ctx
			if spec.Timeout > 0 {
				sctx = httpx.WithAttemptTimeout(sctx, spec.Timeout)
			}
			if r.replay != nil {
				win.FromRaw = r.replay.RunID()
				// Every httpx.Client under this context answers from the
				// recorded landing and never dials; sources that read
				// files are unaffected.
				sctx = httpx.WithReplay(sctx, r.replay)
			}
			if err := writeWindow(r.rawDir, win); err != nil {
				r.err = fmt.Errorf("%s: raw landing: %w", spec.Name, err)
				return
			}
			// In a replay the HTTP client lands nothing: the bodies are
			// already in the recorded run's folder. RawDir stays this run's
			// for sources that land what they read (the registry file).
			req := extract.Request{Since: r.since, Until: r.until, RunID: runID, RawDir: r.rawDir, Logger: l, Mem: mem}
			r.err = sources[spec.Name].Extract(sctx, req, r)
			r.duration = time.Since(start)
			if r.replay != nil && r.err == nil {
				if n := r.replay.Unused(); n > 0 {
					l.Warn("replay: recorded responses were not asked for; the connector took another path than the recorded run",
						"from_raw", r.replay.RunID(), "unused", n)
				}
			}
			if r.err != nil {
				l.Error("source failed", "err", r.err, "seconds", r.duration.Seconds())
				r.release()
				return
			}
			tables := make([]string, 0, len(r.rows))
			for t := range r.rows {
				tables = append(tables, t)
			}
			sort.Strings(tables)
			for _, t := range tables {
				l.Info("extracted", "table", t, "rows", r.rows[t], "seconds", r.duration.Seconds())
			}
		}()
	}
	wg.Wait()
	return runs, nil
}

// weekLabel is the ISO label of the report week.
func weekLabel(w weekRange) string { return models.Week{Start: w.start}.Label() }

// ValidateSources builds every configured source without running it: their
// settings are checked, and nothing touches the network.
func ValidateSources(cfg *config.Config) error {
	_, err := buildSources(cfg.Sources)
	return err
}

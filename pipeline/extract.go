package pipeline

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/socialroi/socialroi/config"
	"github.com/socialroi/socialroi/extract"
	"github.com/socialroi/socialroi/models"
	"github.com/socialroi/socialroi/transform"
)

// sourceRun is one source's extraction in this run.
type sourceRun struct {
	spec     config.SourceSpec
	since    time.Time
	until    time.Time
	rawDir   string
	records  map[string][]arrow.RecordBatch
	rows     map[string]int64
	progress SourceProgress
	err      error
	duration time.Duration
	// snapshot: the source's tables are whole each time (extract.Snapshotter)
	snapshot bool
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

// extractAll runs the sources concurrently. A source that fails is recorded
// on its sourceRun; the others go on.
func extractAll(ctx context.Context, wh *models.Warehouse, runID string, cfg *config.Config, week weekRange, specs []config.SourceSpec,
	sources map[string]extract.Source, mem memory.Allocator, log *slog.Logger, progress Progress) ([]*sourceRun, error) {
	runs := make([]*sourceRun, len(specs))
	var wg sync.WaitGroup
	slots := make(chan struct{}, max(cfg.MaxConcurrentSources, 1))
	for i, spec := range specs {
		since, until, err := extractWindow(ctx, wh, cfg, spec, week)
		if err != nil {
			return nil, err
		}
		r := &sourceRun{
			spec:     spec,
			since:    since,
			until:    until,
			rawDir:   filepath.Join(cfg.RawDir, spec.Name, runID),
			records:  map[string][]arrow.RecordBatch{},
			rows:     map[string]int64{},
			progress: progress.Source(spec.Name),
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
			req := extract.Request{Since: r.since, Until: r.until, RunID: runID, RawDir: r.rawDir, Logger: l, Mem: mem}
			r.err = sources[spec.Name].Extract(ctx, req, r)
			r.duration = time.Since(start)
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

// ValidateSources builds every configured source without running it: their
// settings are checked, and nothing touches the network.
func ValidateSources(cfg *config.Config) error {
	_, err := buildSources(cfg.Sources)
	return err
}

package models

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// sourceStateDDL keeps each source's cursor: the last day it extracted
// through. It is written in the run's transaction, so a run that fails
// leaves the cursor where the last good run put it.
const sourceStateDDL = `CREATE TABLE IF NOT EXISTS source_state (
  source VARCHAR PRIMARY KEY,
  extracted_until DATE NOT NULL,
  run_id VARCHAR NOT NULL,
  updated_at TIMESTAMPTZ NOT NULL
)`

// SourceCursor returns the last day the source extracted through; ok is
// false for a source that never completed a run.
func (w *Warehouse) SourceCursor(ctx context.Context, source string) (until time.Time, ok bool, err error) {
	err = w.conn.QueryRowContext(ctx, "SELECT extracted_until FROM source_state WHERE source = ?", source).Scan(&until)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, fmt.Errorf("warehouse: cursor of %s: %w", source, err)
	}
	return until, true, nil
}

// AdvanceSourceCursor records that the source extracted through until. The
// cursor never moves back (re-running an old week does not rewind it).
func (tx *Tx) AdvanceSourceCursor(ctx context.Context, source string, until time.Time, runID string) error {
	_, err := tx.w.conn.ExecContext(ctx, `
		INSERT INTO source_state VALUES (?, ?::DATE, ?, now())
		ON CONFLICT (source) DO UPDATE SET
			extracted_until = greatest(source_state.extracted_until, excluded.extracted_until),
			run_id = excluded.run_id,
			updated_at = excluded.updated_at`, source, until.Format(time.DateOnly), runID)
	if err != nil {
		return fmt.Errorf("warehouse: cursor of %s: %w", source, err)
	}
	return nil
}

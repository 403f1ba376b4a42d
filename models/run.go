package models

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// ModelResult is what building one model produced.
type ModelResult struct {
	Name string
	Path string
	Rows int64 // 0 for an ephemeral or view model
	// Ephemeral: a temporary view for the run, not kept in the warehouse.
	Ephemeral bool
	// View: kept in the warehouse as a view, computed when read.
	View bool
	// Reused: not built by this run; the last build's table is current
	// (its inputs have not changed since; Tx.Fingerprint). BuiltBy is the
	// run that built it.
	Reused  bool
	BuiltBy string
	// Increment is how an incremental model was built (nil for others):
	// the keys recomputed, or a full rebuild and why.
	Increment *Increment
	Duration  time.Duration
}

// ModelError is a model that failed to build; it names the file.
type ModelError struct {
	Path string
	Err  error
}

func (e *ModelError) Error() string { return fmt.Sprintf("sql model %s: %v", e.Path, e.Err) }
func (e *ModelError) Unwrap() error { return e.Err }

// RunModels builds every model of the catalog, in order, as a table named
// after it, inside the transaction. Parameters must be set first (Set).
func (tx *Tx) RunModels(ctx context.Context, cat *Catalog, log *slog.Logger) ([]ModelResult, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	// Models are rebuilt every run, so writing them fast matters more than
	// storing them small: without FSST string compression the touchpoint
	// and ledger tables write a third faster and take half as much disk
	// again (dictionary compression still covers repeated strings). The
	// canonical tables, kept for years, keep it.
	if _, err := tx.w.conn.ExecContext(ctx, "SET disabled_compression_methods = 'fsst'"); err != nil {
		return nil, err
	}
	defer tx.w.conn.ExecContext(context.Background(), "RESET disabled_compression_methods")
	// A table has no order (the models say so, and every output sorts what
	// it shows), so DuckDB need not keep a query's order when it writes
	// one: the threads append their rows as they finish. At L the ledger's
	// INSERT took 16.9 s against 19.5 s, the paths' 11.1 s against 12.7 s.
	if _, err := tx.w.conn.ExecContext(ctx, "SET preserve_insertion_order = false"); err != nil {
		return nil, err
	}
	defer tx.w.conn.ExecContext(context.Background(), "RESET preserve_insertion_order")
	// Incremental models recompute from what the models before them
	// recomputed in this run (Incremental): the keys, in temporary tables
	// until the build ends.
	tx.catalog, tx.increments, tx.digests, tx.recomputed = cat, map[string]Increment{}, map[string]string{}, map[string]int64{}
	defer func() {
		for name := range tx.increments {
			tx.w.conn.ExecContext(context.Background(), "DROP TABLE IF EXISTS temp."+Ident(changedKeysTable(name)))
		}
		for _, table := range tx.digests {
			tx.w.conn.ExecContext(context.Background(), "DROP TABLE IF EXISTS temp."+Ident(table))
		}
	}()
	var out []ModelResult
	for _, m := range cat.Models {
		start := time.Now()
		var inc *Increment
		if m.Go != nil {
			if err := m.Go.Build(ctx, tx); err != nil {
				return out, &ModelError{Path: m.Path, Err: err}
			}
		} else {
			var err error
			if inc, err = tx.buildSQL(ctx, m); err != nil {
				return out, &ModelError{Path: m.Path, Err: err}
			}
		}
		// An ephemeral or view model's rows are not counted: that would run
		// its query once more, for nothing.
		var n int64
		if !m.Ephemeral && !m.View {
			if err := tx.w.conn.QueryRowContext(ctx, "SELECT count(*) FROM "+Ident(m.Name)).Scan(&n); err != nil {
				return out, &ModelError{Path: m.Path, Err: err}
			}
		}
		r := ModelResult{Name: m.Name, Path: m.Path, Rows: n, Ephemeral: m.Ephemeral, View: m.View, Increment: inc, Duration: time.Since(start)}
		switch {
		case inc != nil && inc.Full:
			log.Info("incremental model rebuilt whole", "model", m.Name, "reason", inc.Reason, "rows", n, "ms", r.Duration.Milliseconds())
		case inc != nil:
			recomputed := []any{"keys_recomputed", inc.Changed}
			if inc.Partition != "" {
				recomputed = []any{"partitions_recomputed", inc.Changed, "partition", inc.Partition}
			}
			if inc.FromLoads {
				recomputed = append(recomputed, "keys_from", "loads")
			}
			log.Info("incremental model updated", append(append([]any{"model", m.Name}, recomputed...), "rows", n, "ms", r.Duration.Milliseconds())...)
		default:
			log.Debug("model built", "model", m.Name, "rows", n, "ms", r.Duration.Milliseconds())
		}
		if err := tx.CommitSoFar(ctx); err != nil {
			return out, &ModelError{Path: m.Path, Err: err}
		}
		out = append(out, r)
		if tx.OnModel != nil {
			tx.OnModel(r)
		}
	}
	return out, nil
}

// buildSQL materializes one SQL model. For an incremental model it says
// how.
func (tx *Tx) buildSQL(ctx context.Context, m Model) (*Increment, error) {
	body := m.body()
	// A warehouse from a version that materialized the model another way
	// drops that object: a stale copy must not outlive the run that
	// stopped refreshing it, and DuckDB will not replace a table with a
	// view or a view with a table.
	keep := "table"
	switch {
	case m.Ephemeral:
		keep = ""
	case m.View:
		keep = "view"
	}
	if err := tx.dropUnlessKind(ctx, m.Name, keep); err != nil {
		return nil, err
	}
	// A scratch build keeps nothing for a next run to update.
	incremental := m.Incremental != nil && !tx.Scratch
	if !incremental {
		if err := tx.forgetIncrement(ctx, m); err != nil {
			return nil, err
		}
	}
	switch {
	case m.Ephemeral:
		_, err := tx.w.conn.ExecContext(ctx, ephemeralSQL(m))
		return nil, err
	case m.View:
		_, err := tx.w.conn.ExecContext(ctx, fmt.Sprintf("CREATE OR REPLACE VIEW main.%s AS\n%s", Ident(m.Name), body))
		return nil, err
	case incremental:
		inc, err := tx.buildIncremental(ctx, m)
		tx.increments[m.Name] = inc
		return &inc, err
	}
	return nil, tx.buildTable(ctx, m.Name, body)
}

// ephemeralSQL defines an ephemeral model: a temporary view, on the
// session only.
func ephemeralSQL(m Model) string {
	return fmt.Sprintf("CREATE OR REPLACE TEMP VIEW %s AS\n%s", Ident(m.Name), m.body())
}

// defineEphemerals defines every ephemeral model of the catalog on conn's
// session, for readers outside a build: data tests, a reused build.
func defineEphemerals(ctx context.Context, conn *sql.Conn, cat *Catalog) error {
	for _, m := range cat.Models {
		if !m.Ephemeral {
			continue
		}
		if _, err := conn.ExecContext(ctx, ephemeralSQL(m)); err != nil {
			return &ModelError{Path: m.Path, Err: err}
		}
	}
	return nil
}

// body is the model's query without its final semicolon, to wrap in DDL.
func (m Model) body() string { return strings.TrimRight(m.SQL, "; \n\t") }

// dropUnlessKind drops main.<name> when it exists as a table or view other
// than keep ("table", "view", or "" to drop either).
func (tx *Tx) dropUnlessKind(ctx context.Context, name, keep string) error {
	var kind string
	err := tx.w.conn.QueryRowContext(ctx, `
		SELECT 'table' FROM duckdb_tables()
		WHERE database_name = current_database() AND schema_name = 'main' AND table_name = $1
		UNION ALL
		SELECT 'view' FROM duckdb_views()
		WHERE database_name = current_database() AND schema_name = 'main' AND view_name = $1 AND NOT temporary`, name).Scan(&kind)
	if errors.Is(err, sql.ErrNoRows) || kind == keep {
		return nil
	}
	if err != nil {
		return err
	}
	_, err = tx.w.conn.ExecContext(ctx, fmt.Sprintf("DROP %s main.%s", strings.ToUpper(kind), Ident(name)))
	return err
}

// buildTable materializes a table model. When the warehouse already holds
// the table with exactly the query's columns, as on every weekly run after
// the first, its rows are replaced in place (DELETE, then INSERT) instead
// of the table being created anew.
//
// That is for the planner: DuckDB 1.5 estimates a table created in the
// running transaction at zero rows (it counts committed rows only; fixed
// upstream in duckdb#21573, not in 1.5), so every model reading an upstream
// model was planned blind — at M, int_conversion_paths built its hash
// table on 2M touchpoints instead of 50k conversions. A table that existed
// before the transaction is estimated at its committed rows, last run's,
// which are close. At M a re-run's models took 20 s instead of 29 s.
func (tx *Tx) buildTable(ctx context.Context, name, body string) error {
	same, err := tx.sameColumns(ctx, name, body)
	if err != nil {
		return err
	}
	if !same {
		_, err := tx.writeRows(ctx, name, fmt.Sprintf("CREATE OR REPLACE TABLE %s AS\n%s", Ident(name), body))
		return err
	}
	if _, err := tx.w.conn.ExecContext(ctx, "DELETE FROM main."+Ident(name)); err != nil {
		return err
	}
	_, err = tx.writeRows(ctx, name, fmt.Sprintf("INSERT INTO main.%s\n%s", Ident(name), body))
	return err
}

// writeRows runs a statement that writes a model's rows (the whole table,
// or an incremental model's recomputed ones), under DuckDB's profiler when
// the transaction has a ProfileDir: its profile goes to <profile>.json
// (the model's name; <model>.refresh for the rows an incremental model
// refreshes every run). Only those statements: profiling a whole build
// left in the file the last of an incremental model's statements, its
// bookkeeping.
func (tx *Tx) writeRows(ctx context.Context, profile, query string) (sql.Result, error) {
	if tx.ProfileDir == "" {
		return tx.w.conn.ExecContext(ctx, query)
	}
	out := filepath.Join(tx.ProfileDir, profile+".json")
	for _, q := range []string{"PRAGMA enable_profiling = 'json'", "SET profiling_output = " + Literal(out)} {
		if _, err := tx.w.conn.ExecContext(ctx, q); err != nil {
			return nil, err
		}
	}
	defer tx.w.conn.ExecContext(context.Background(), "PRAGMA disable_profiling")
	return tx.w.conn.ExecContext(ctx, query)
}

// sameColumns reports whether main.<name> is a table whose column names and
// types, in order, are those of the query.
func (tx *Tx) sameColumns(ctx context.Context, name, query string) (bool, error) {
	have, err := columnsOf(ctx, tx.w.conn, `
		SELECT column_name, data_type FROM duckdb_columns()
		WHERE table_oid = (SELECT table_oid FROM duckdb_tables()
			WHERE database_name = current_database() AND schema_name = 'main' AND table_name = ?)
		ORDER BY column_index`, name)
	if err != nil || len(have) == 0 {
		return false, err
	}
	// the newline ends a trailing line comment of the query
	want, err := columnsOf(ctx, tx.w.conn, "SELECT column_name, column_type FROM (DESCRIBE "+query+"\n)")
	if err != nil {
		return false, err
	}
	return slices.Equal(have, want), nil
}

func columnsOf(ctx context.Context, conn *sql.Conn, query string, args ...any) ([]string, error) {
	rows, err := conn.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var name, typ string
		if err := rows.Scan(&name, &typ); err != nil {
			return nil, err
		}
		out = append(out, name+" "+typ)
	}
	return out, rows.Err()
}

// TestResult is the outcome of one data test.
type TestResult struct {
	Name        string
	Path        string
	Severity    string
	Description string
	Failures    int64    // offending rows
	Sample      []string // up to five offending rows, rendered
}

// Passed reports whether the test found no offending rows.
func (r TestResult) Passed() bool { return r.Failures == 0 }

// RunTests runs every data test. A test that cannot run (bad SQL) is an
// error naming its file; a test that finds offending rows is a result, and
// the caller decides what a failure means for the run.
func (tx *Tx) RunTests(ctx context.Context, cat *Catalog) ([]TestResult, error) {
	return runTests(ctx, tx.w.conn, cat)
}

func runTests(ctx context.Context, conn *sql.Conn, cat *Catalog) ([]TestResult, error) {
	var out []TestResult
	for _, t := range cat.Tests {
		body := strings.TrimRight(stripLineComments(t.SQL), "; \n\t")
		r := TestResult{Name: t.Name, Path: t.Path, Severity: t.Severity, Description: t.Description}
		if err := conn.QueryRowContext(ctx, "SELECT count(*) FROM (\n"+body+"\n)").Scan(&r.Failures); err != nil {
			return out, fmt.Errorf("data test %s: %w", t.Path, err)
		}
		if r.Failures > 0 {
			sample, err := sampleRows(ctx, conn, "SELECT * FROM (\n"+body+"\n) LIMIT 5")
			if err != nil {
				return out, fmt.Errorf("data test %s: %w", t.Path, err)
			}
			r.Sample = sample
		}
		out = append(out, r)
	}
	return out, nil
}

func stripLineComments(s string) string {
	return lineComment.ReplaceAllString(s, "")
}

func sampleRows(ctx context.Context, conn *sql.Conn, q string) ([]string, error) {
	rows, err := conn.QueryContext(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		parts := make([]string, len(cols))
		for i, c := range cols {
			parts[i] = fmt.Sprintf("%s=%v", c, vals[i])
		}
		out = append(out, strings.Join(parts, " "))
	}
	return out, rows.Err()
}

// RunTests runs the data tests outside a transaction, on what the warehouse
// holds (read-only use: `socialroi check`). Parameters must be set first.
// The ephemeral models are defined first, as temporary views on this
// session, since tests may read them as they do in a run.
func (w *Warehouse) RunTests(ctx context.Context, cat *Catalog) ([]TestResult, error) {
	if err := defineEphemerals(ctx, w.conn, cat); err != nil {
		return nil, err
	}
	return runTests(ctx, w.conn, cat)
}

// Set binds the parameters as DuckDB variables on the warehouse's session.
func (w *Warehouse) Set(ctx context.Context, p Params) error {
	return setParams(ctx, w, p)
}

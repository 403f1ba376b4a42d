package models

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/socialroi/socialroi/transform"
)

// Tx is a warehouse transaction: everything a run writes goes through one,
// and either all of it lands (Commit) or none (Rollback).
type Tx struct {
	w    *Warehouse
	done bool
	// OnModel, when set, is called after each model is built (progress).
	OnModel func(ModelResult)
	// ProfileDir, when set, receives DuckDB's JSON profile of each SQL
	// model as <model>.json: operator timings and cardinalities, for
	// finding where a slow model spends its time.
	ProfileDir string
}

// Begin starts the run's transaction.
func (w *Warehouse) Begin(ctx context.Context) (*Tx, error) {
	if _, err := w.conn.ExecContext(ctx, "BEGIN TRANSACTION"); err != nil {
		return nil, fmt.Errorf("warehouse: begin: %w", err)
	}
	return &Tx{w: w}, nil
}

// Commit makes the transaction's writes durable.
func (tx *Tx) Commit(ctx context.Context) error {
	if tx.done {
		return errors.New("warehouse: transaction already finished")
	}
	tx.done = true
	if _, err := tx.w.conn.ExecContext(ctx, "COMMIT"); err != nil {
		return fmt.Errorf("warehouse: commit: %w", err)
	}
	return nil
}

// Rollback discards the transaction's writes. It is safe to call after
// Commit (it then does nothing), so callers can defer it.
func (tx *Tx) Rollback() error {
	if tx.done {
		return nil
	}
	tx.done = true
	// A cancelled run context must not prevent the rollback.
	_, err := tx.w.conn.ExecContext(context.Background(), "ROLLBACK")
	return err
}

// Scope narrows what a load replaces beyond the natural key: every existing
// row whose Column equals Value and whose DateColumn falls in [Since, Until]
// is deleted before the new rows go in. That is how a source's re-extracted
// window (a restatement) replaces the old one, including rows that no longer
// exist at the source.
//
// A Scope with All set replaces the whole table: the source's records are
// a complete snapshot of it.
type Scope struct {
	All        bool
	Column     string
	Value      string
	DateColumn string
	Since      time.Time
	Until      time.Time
}

// Load upserts records into a canonical table: rows whose natural key matches
// an incoming row are replaced, and so are the rows in scope (if given).
// It returns the number of rows loaded.
func (tx *Tx) Load(ctx context.Context, table string, recs []arrow.RecordBatch, scope *Scope) (int64, error) {
	return tx.LoadInput(ctx, table, Input{Records: recs}, scope)
}

// Input is what one load brings to a canonical table: records built in Go,
// Parquet files already in the canonical shape, or both.
type Input struct {
	Records []arrow.RecordBatch
	Parquet []ParquetScan
}

// ParquetScan is a Parquet file the warehouse reads in place. Its columns
// must have the canonical types (the source checked); Columns maps each
// canonical column to its name in the file, and an optional column it does
// not map is NULL.
type ParquetScan struct {
	Path    string
	Columns map[string]string
}

// LoadInput upserts an Input into a canonical table, like Load.
//
// Records are registered as an Arrow view and copied once into a temporary
// staging table (a registered stream can be scanned only once, and
// aggregating over the view directly has returned wrong results in
// duckdb-go). Parquet files are not staged at all: the natural-key delete
// reads only the key columns from them, and the insert reads them again,
// so a large file never passes through Go or through a second table.
func (tx *Tx) LoadInput(ctx context.Context, table string, in Input, scope *Scope) (int64, error) {
	t, err := transform.Lookup(table)
	if err != nil {
		return 0, err
	}
	for _, r := range in.Records {
		if !r.Schema().Equal(t.Schema) {
			return 0, fmt.Errorf("load %s: record schema does not match the canonical schema:\n got %s\nwant %s", table, r.Schema(), t.Schema)
		}
	}
	var parts []string
	if len(in.Records) > 0 {
		staged := "__stage_" + table
		if err := tx.stage(ctx, staged, t.Schema, in.Records, true); err != nil {
			return 0, fmt.Errorf("load %s: %w", table, err)
		}
		defer tx.w.conn.ExecContext(context.Background(), "DROP TABLE IF EXISTS "+Ident(staged))
		parts = append(parts, "SELECT * FROM "+Ident(staged))
	}
	for _, f := range in.Parquet {
		q, err := parquetSelect(t.Schema, f)
		if err != nil {
			return 0, fmt.Errorf("load %s: %w", table, err)
		}
		parts = append(parts, q)
	}
	if len(parts) == 0 {
		parts = append(parts, "SELECT * FROM "+Ident(table)+" WHERE false")
	}
	incoming := "__incoming_" + table
	if _, err := tx.w.conn.ExecContext(ctx, fmt.Sprintf("CREATE OR REPLACE TEMP VIEW %s AS\n%s",
		Ident(incoming), strings.Join(parts, "\nUNION ALL\n"))); err != nil {
		return 0, fmt.Errorf("load %s: %w", table, err)
	}
	defer tx.w.conn.ExecContext(context.Background(), "DROP VIEW IF EXISTS "+Ident(incoming))

	keys := make([]string, len(t.Key))
	conds := make([]string, len(t.Key))
	for i, k := range t.Key {
		keys[i] = Ident(k)
		conds[i] = fmt.Sprintf("%s.%s = s.%s", Ident(table), Ident(k), Ident(k))
	}
	del := fmt.Sprintf("DELETE FROM %s USING (SELECT DISTINCT %s FROM %s) AS s WHERE %s",
		Ident(table), strings.Join(keys, ", "), Ident(incoming), strings.Join(conds, " AND "))
	if _, err := tx.w.conn.ExecContext(ctx, del); err != nil {
		return 0, fmt.Errorf("load %s: replace by natural key: %w", table, err)
	}
	if scope != nil && scope.All {
		if _, err := tx.w.conn.ExecContext(ctx, "DELETE FROM "+Ident(table)); err != nil {
			return 0, fmt.Errorf("load %s: replace all: %w", table, err)
		}
	} else if scope != nil {
		q := fmt.Sprintf("DELETE FROM %s WHERE %s = ? AND %s BETWEEN ? AND ?",
			Ident(table), Ident(scope.Column), Ident(scope.DateColumn))
		if _, err := tx.w.conn.ExecContext(ctx, q, scope.Value, scope.Since, scope.Until); err != nil {
			return 0, fmt.Errorf("load %s: replace window: %w", table, err)
		}
	}
	res, err := tx.w.conn.ExecContext(ctx, fmt.Sprintf("INSERT INTO %s BY NAME SELECT * FROM %s", Ident(table), Ident(incoming)))
	if err != nil {
		return 0, fmt.Errorf("load %s: insert: %w", table, err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}

// parquetSelect renders the SELECT that reads one Parquet file as the
// canonical table: the canonical columns, by their names in the file, cast
// to the canonical types (a no-op for the types the source checked).
func parquetSelect(schema *arrow.Schema, f ParquetScan) (string, error) {
	cols := make([]string, 0, schema.NumFields())
	for _, fld := range schema.Fields() {
		typ, err := DuckDBType(fld.Type)
		if err != nil {
			return "", err
		}
		name, ok := f.Columns[fld.Name]
		switch {
		case ok:
			cols = append(cols, fmt.Sprintf("CAST(%s AS %s) AS %s", Ident(name), typ, Ident(fld.Name)))
		case fld.Nullable:
			cols = append(cols, fmt.Sprintf("CAST(NULL AS %s) AS %s", typ, Ident(fld.Name)))
		default:
			return "", fmt.Errorf("%s: no column for %s", f.Path, fld.Name)
		}
	}
	return fmt.Sprintf("SELECT %s FROM read_parquet(%s)", strings.Join(cols, ", "), Literal(f.Path)), nil
}

// Replace swaps the whole content of a run-scoped table (configuration
// tables such as channel_rules), creating it from the schema if needed.
func (tx *Tx) Replace(ctx context.Context, table string, schema *arrow.Schema, recs []arrow.RecordBatch) error {
	if err := tx.stage(ctx, table, schema, recs, false); err != nil {
		return fmt.Errorf("replace %s: %w", table, err)
	}
	return nil
}

// stage materializes records into a fresh table of the given name; a
// temporary one (in memory, never written to the warehouse file) when temp.
func (tx *Tx) stage(ctx context.Context, name string, schema *arrow.Schema, recs []arrow.RecordBatch, temp bool) error {
	ddl, err := CreateTableSQL(name, schema, false)
	if err != nil {
		return err
	}
	if temp {
		ddl = "CREATE TEMP" + strings.TrimPrefix(ddl, "CREATE")
	}
	if _, err := tx.w.conn.ExecContext(ctx, "DROP TABLE IF EXISTS "+Ident(name)); err != nil {
		return err
	}
	if _, err := tx.w.conn.ExecContext(ctx, ddl); err != nil {
		return err
	}
	if len(recs) == 0 {
		return nil
	}
	rdr, err := array.NewRecordReader(schema, recs)
	if err != nil {
		return err
	}
	defer rdr.Release()
	view := "__arrow_" + name
	release, err := tx.w.ar.RegisterView(rdr, view)
	if err != nil {
		return fmt.Errorf("register arrow view: %w", err)
	}
	defer release()
	if _, err := tx.w.conn.ExecContext(ctx, fmt.Sprintf("INSERT INTO %s BY NAME SELECT * FROM %s", Ident(name), Ident(view))); err != nil {
		return err
	}
	return nil
}

// QueryContext runs a read query inside the transaction (for Go models).
func (tx *Tx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return tx.w.conn.QueryContext(ctx, query, args...)
}

var paramName = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// Params are the run's parameters. SQL reads them with getvariable('name');
// values are bound, never spliced into SQL.
type Params map[string]any

// Set binds the parameters as DuckDB variables for the rest of the session.
func (tx *Tx) Set(ctx context.Context, p Params) error {
	return setParams(ctx, tx.w, p)
}

func setParams(ctx context.Context, w *Warehouse, p Params) error {
	names := make([]string, 0, len(p))
	for n := range p {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if !paramName.MatchString(n) {
			return fmt.Errorf("parameter name %q: use lower-case letters, digits and _", n)
		}
		if _, err := w.conn.ExecContext(ctx, "SET VARIABLE "+n+" = ?", p[n]); err != nil {
			return fmt.Errorf("parameter %s = %v: %w", n, p[n], err)
		}
	}
	return nil
}

package models

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"slices"
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
	// model as <model>.json: operator timings and cardinalities of the
	// statement that writes its rows (an incremental model's recomputed
	// ones), for finding where a slow model spends its time.
	ProfileDir string
	// FullRefresh rebuilds incremental models whole instead of updating
	// them (`--rebuild`).
	FullRefresh bool
	// Scratch says the warehouse is thrown away after this build, as
	// attribute's temporary file is: nothing needs undoing, and no later
	// run reads what this one keeps. RunModels then commits after each
	// model (CommitSoFar; at 5M touchpoints, attribute's models took
	// 37.5 s in one transaction, 19.4 s committed one by one), and builds
	// incremental models as plain tables, without the fingerprints and
	// input hashes a later update would compare against.
	Scratch bool

	// The catalog RunModels builds, and how each incremental model was
	// built in it so far.
	catalog    *Catalog
	increments map[string]Increment
	digests    map[string]string // a partitioned model's input or lookup (its label) → its digests' temporary table, this run
	// recomputed: for a model others follow, the first row id of the
	// rows it inserted in this run (see firstNewRow)
	recomputed map[string]int64

	// What this run's loads changed, by canonical table, and the content
	// of canonical tables as hashed since their last load (see loaded.go).
	loaded   map[string]*loadedKeys
	contents map[string]content
}

// Begin starts the run's transaction.
func (w *Warehouse) Begin(ctx context.Context) (*Tx, error) {
	if _, err := w.conn.ExecContext(ctx, "BEGIN TRANSACTION"); err != nil {
		return nil, fmt.Errorf("warehouse: begin: %w", err)
	}
	return &Tx{w: w}, nil
}

// Commit makes the transaction's writes durable. A warehouse Create is
// building is then moved into place (and reopened there).
func (tx *Tx) Commit(ctx context.Context) error {
	if tx.done {
		return errors.New("warehouse: transaction already finished")
	}
	tx.done = true
	if _, err := tx.w.conn.ExecContext(ctx, "COMMIT"); err != nil {
		return fmt.Errorf("warehouse: commit: %w", err)
	}
	tx.dropLoadedKeys()
	if tx.w.Creating() {
		return tx.w.publish(ctx)
	}
	return nil
}

// CommitSoFar commits what the transaction wrote so far and goes on in a
// new one on the same connection, keeping the run's temporary tables,
// when nothing of it needs undoing: in a warehouse Create is building
// (removed if the run fails) or a Scratch one. Anywhere else it does
// nothing, and the transaction stays whole. Committed, the tables are
// scanned on every thread by what reads them next (see Create).
func (tx *Tx) CommitSoFar(ctx context.Context) error {
	if !tx.Scratch && !tx.w.Creating() {
		return nil
	}
	if tx.done {
		return errors.New("warehouse: transaction already finished")
	}
	if _, err := tx.w.conn.ExecContext(ctx, "COMMIT"); err != nil {
		tx.done = true
		return fmt.Errorf("warehouse: commit: %w", err)
	}
	if _, err := tx.w.conn.ExecContext(ctx, "BEGIN TRANSACTION"); err != nil {
		tx.done = true
		return fmt.Errorf("warehouse: begin: %w", err)
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
	tx.dropLoadedKeys()
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
func (tx *Tx) Load(ctx context.Context, table string, recs []arrow.RecordBatch, scope *Scope) (LoadResult, error) {
	return tx.LoadInput(ctx, table, Input{Records: recs}, scope)
}

// Input is what one load brings to a canonical table: records built in Go,
// records streamed from a reader, Parquet files already in the canonical
// shape, or any of them together.
type Input struct {
	Records []arrow.RecordBatch
	// Stream, when set, hands records to emit one at a time; emit keeps
	// its own reference to those it has not yet copied into the
	// warehouse, so the producer can release each when emit returns (see
	// files.StreamTable).
	Stream  func(emit func(arrow.RecordBatch) error) error
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

// LoadResult is what one load did to a canonical table.
type LoadResult struct {
	Rows int64 // rows the input brought
	// Changed counts the natural keys whose rows were replaced, added or
	// removed: the rest already held exactly the incoming rows and were
	// left alone.
	Changed int64
}

// LoadInput upserts an Input into a canonical table, like Load.
//
// Records are registered as an Arrow view and copied once into a temporary
// staging table (a registered stream can be scanned only once, and
// aggregating over the view directly has returned wrong results in
// duckdb-go). Parquet files are not staged at all: they are read in place,
// so a large file never passes through Go or through a second table.
//
// Only keys whose rows changed are written. Sources re-send what the
// warehouse already holds (a restatement window, an export downloaded
// again), and writing a row costs far more than comparing it: at L,
// replacing 20M unchanged touchpoints took 56 s, finding that none had
// changed 8 s. Rows are compared by a hash of their columns (all but the
// extraction stamps; see changedKeysSQL): a key is changed when one of its
// incoming rows is not stored as it is (it is new, or different), or when
// it is in scope and no longer sent.
//
// A key names one row. Copies of one row in the input are kept once, and
// different rows for one key fail the load (DuplicateKeyError): counting
// both would double a conversion's revenue or an ad's spend. Finding out
// costs a count of keys against rows written (2.2 s for a first load of
// 20M touchpoints, next to nothing for a week's changed keys).
func (tx *Tx) LoadInput(ctx context.Context, table string, in Input, scope *Scope) (LoadResult, error) {
	t, err := transform.Lookup(table)
	if err != nil {
		return LoadResult{}, err
	}
	delete(tx.contents, table)
	for _, r := range in.Records {
		if err := canonicalSchema(r, t.Schema); err != nil {
			return LoadResult{}, fmt.Errorf("load %s: %w", table, err)
		}
	}
	// A canonical table has no order, and keeping the input's leaves a
	// part-filled row group per batch the scan hands out (a Parquet row
	// group, less the rows already held). DuckDB merges those at later
	// checkpoints, about 25 merges a checkpoint: at L, most of every
	// run's commit (11–20 s) went to rewriting touchpoints loaded weeks
	// before.
	// Unordered, the threads fill whole row groups; it is faster too (a
	// week of touchpoints: 4.7 s against 8.1 s).
	if _, err := tx.w.conn.ExecContext(ctx, "SET preserve_insertion_order = false"); err != nil {
		return LoadResult{}, err
	}
	defer tx.w.conn.ExecContext(context.Background(), "RESET preserve_insertion_order")
	var parts []inputPart
	if len(in.Records) > 0 || in.Stream != nil {
		staged := "__stage_" + table
		if err := tx.stage(ctx, staged, t.Schema, in.Records, true); err != nil {
			return LoadResult{}, fmt.Errorf("load %s: %w", table, err)
		}
		defer tx.w.conn.ExecContext(context.Background(), "DROP TABLE IF EXISTS "+Ident(staged))
		if in.Stream != nil {
			if err := tx.stageStream(ctx, staged, t.Schema, in.Stream); err != nil {
				return LoadResult{}, fmt.Errorf("load %s: %w", table, err)
			}
		}
		parts = append(parts, inputPart{"the extracted records", "SELECT * FROM " + Ident(staged)})
	}
	for _, f := range in.Parquet {
		q, err := parquetSelect(t.Schema, f)
		if err != nil {
			return LoadResult{}, fmt.Errorf("load %s: %w", table, err)
		}
		parts = append(parts, inputPart{f.Path, q})
	}
	if len(parts) == 0 {
		parts = append(parts, inputPart{"nothing", "SELECT * FROM " + Ident(table) + " WHERE false"})
	}
	incoming := "__incoming_" + table
	queries := make([]string, len(parts))
	for i, p := range parts {
		queries[i] = p.query
	}
	if _, err := tx.w.conn.ExecContext(ctx, fmt.Sprintf("CREATE OR REPLACE TEMP VIEW %s AS\n%s",
		Ident(incoming), strings.Join(queries, "\nUNION ALL\n"))); err != nil {
		return LoadResult{}, fmt.Errorf("load %s: %w", table, err)
	}
	defer tx.w.conn.ExecContext(context.Background(), "DROP VIEW IF EXISTS "+Ident(incoming))

	var res LoadResult
	if err := tx.w.conn.QueryRowContext(ctx, "SELECT count(*) FROM "+Ident(incoming)).Scan(&res.Rows); err != nil {
		return LoadResult{}, fmt.Errorf("load %s: %w", table, err)
	}
	empty, err := tx.isEmpty(ctx, table)
	if err != nil {
		return LoadResult{}, fmt.Errorf("load %s: %w", table, err)
	}
	if empty {
		// nothing to compare with: every incoming key is new
		tx.loadedIntoEmpty(table)
		if _, err := tx.w.conn.ExecContext(ctx, fmt.Sprintf("INSERT INTO %s BY NAME SELECT * FROM %s", Ident(table), Ident(incoming))); err != nil {
			return LoadResult{}, fmt.Errorf("load %s: insert: %w", table, err)
		}
		// The keys are counted in the input, which the table now holds
		// exactly: DuckDB scans a table written in the open transaction on
		// one thread, and the first run's 18.3M touchpoints at L took
		// 7.0–7.4 s counted in the table, 3.1–3.4 s in their file.
		keys, err := tx.keyCount(ctx, t, Ident(incoming))
		if err != nil {
			return LoadResult{}, fmt.Errorf("load %s: %w", table, err)
		}
		res.Changed = res.Rows
		if keys < res.Rows {
			if err := tx.oneRowPerKey(ctx, t, parts); err != nil {
				return res, err
			}
			if err := tx.w.conn.QueryRowContext(ctx, "SELECT count(*) FROM "+Ident(table)).Scan(&res.Changed); err != nil {
				return LoadResult{}, fmt.Errorf("load %s: %w", table, err)
			}
		}
		return res, nil
	}

	changed := "__changed_" + table
	q, args := changedKeysSQL(t, incoming, scope)
	if _, err := tx.w.conn.ExecContext(ctx, fmt.Sprintf("CREATE OR REPLACE TEMP TABLE %s AS\n%s", Ident(changed), q), args...); err != nil {
		return LoadResult{}, fmt.Errorf("load %s: compare with the warehouse: %w", table, err)
	}
	defer tx.w.conn.ExecContext(context.Background(), "DROP TABLE IF EXISTS "+Ident(changed))
	var sent int64 // changed keys the input brings rows for
	if err := tx.w.conn.QueryRowContext(ctx, fmt.Sprintf(`SELECT count(*), count(*) FILTER (sent)
		FROM (SELECT %s, bool_or(sent) AS sent FROM %s GROUP BY ALL)`, identList(t.Key), Ident(changed))).Scan(&res.Changed, &sent); err != nil {
		return LoadResult{}, fmt.Errorf("load %s: %w", table, err)
	}
	if res.Changed == 0 {
		return res, nil
	}
	stored, err := tx.beforeReplace(ctx, t, changed)
	if err != nil {
		return LoadResult{}, fmt.Errorf("load %s: keys loaded: %w", table, err)
	}
	if stored {
		if _, err := tx.w.conn.ExecContext(ctx, fmt.Sprintf("DELETE FROM %s USING %s AS c WHERE %s",
			Ident(table), Ident(changed), keysEqual(t.Key, Ident(table), "c"))); err != nil {
			return LoadResult{}, fmt.Errorf("load %s: replace changed keys: %w", table, err)
		}
	}
	ins, err := tx.w.conn.ExecContext(ctx, fmt.Sprintf("INSERT INTO %s BY NAME SELECT i.* FROM %s AS i SEMI JOIN %s AS c ON %s",
		Ident(table), Ident(incoming), Ident(changed), keysEqual(t.Key, "i", "c")))
	if err != nil {
		return LoadResult{}, fmt.Errorf("load %s: insert: %w", table, err)
	}
	inserted, err := ins.RowsAffected()
	if err != nil {
		return LoadResult{}, fmt.Errorf("load %s: %w", table, err)
	}
	if inserted > sent { // more rows than keys: the input brought a key twice
		return res, tx.oneRowPerKey(ctx, t, parts)
	}
	return res, nil
}

// ViewParquet makes a canonical table a view of Parquet files in the
// canonical shape (as Input.Parquet), read in place every time a model
// reads it, instead of copying their rows into the warehouse. It is for a
// Scratch build over files that outlive it (attribute's): the models read
// the touchpoints once, and the copy cost more than that read (at 5M,
// copying them took 5 s; reading them from the file is as fast as from the
// table). The table must be empty. Every key must name one row, as in a
// load: when the files bring some key twice, they are loaded as
// LoadInput loads them instead, which keeps copies of one row once and
// fails on different rows (DuplicateKeyError).
func (tx *Tx) ViewParquet(ctx context.Context, table string, files []ParquetScan) (LoadResult, error) {
	t, err := transform.Lookup(table)
	if err != nil {
		return LoadResult{}, err
	}
	empty, err := tx.isEmpty(ctx, table)
	if err != nil {
		return LoadResult{}, fmt.Errorf("load %s: %w", table, err)
	}
	if !empty {
		return LoadResult{}, fmt.Errorf("load %s: a view of files replaces only an empty table", table)
	}
	queries := make([]string, len(files))
	for i, f := range files {
		if queries[i], err = parquetSelect(t.Schema, f); err != nil {
			return LoadResult{}, fmt.Errorf("load %s: %w", table, err)
		}
	}
	view := strings.Join(queries, "\nUNION ALL\n")
	var res LoadResult
	// the rows from the files' footers; the keys in a pass over them
	if err := tx.w.conn.QueryRowContext(ctx, "SELECT count(*) FROM ("+view+")").Scan(&res.Rows); err != nil {
		return LoadResult{}, fmt.Errorf("load %s: %w", table, err)
	}
	keys, err := tx.keyCount(ctx, t, "("+view+")")
	if err != nil {
		return LoadResult{}, fmt.Errorf("load %s: %w", table, err)
	}
	if keys < res.Rows {
		return tx.LoadInput(ctx, table, Input{Parquet: files}, nil)
	}
	delete(tx.contents, table)
	if _, err := tx.w.conn.ExecContext(ctx, "DROP TABLE main."+Ident(table)); err != nil {
		return LoadResult{}, fmt.Errorf("load %s: %w", table, err)
	}
	if _, err := tx.w.conn.ExecContext(ctx, fmt.Sprintf("CREATE VIEW main.%s AS\n%s", Ident(table), view)); err != nil {
		return LoadResult{}, fmt.Errorf("load %s: %w", table, err)
	}
	res.Changed = res.Rows
	return res, nil
}

// isEmpty says whether a table holds no rows.
func (tx *Tx) isEmpty(ctx context.Context, table string) (bool, error) {
	var empty bool
	err := tx.w.conn.QueryRowContext(ctx, "SELECT NOT EXISTS (SELECT 1 FROM "+Ident(table)+")").Scan(&empty)
	return empty, err
}

// keyCount counts the distinct natural keys of t among the rows of from (a
// table, or a subquery in parentheses), by their hashes: 2.2 s for 20M
// touchpoints against 8.8 s for the keys themselves. Were two keys' hashes
// to collide, oneRowPerKey would look and find nothing to do.
func (tx *Tx) keyCount(ctx context.Context, t *transform.Table, from string) (int64, error) {
	var keys int64
	err := tx.w.conn.QueryRowContext(ctx, "SELECT count(*) FROM (SELECT DISTINCT hash("+identList(t.Key)+") FROM "+from+")").Scan(&keys)
	return keys, err
}

// inputPart is one input of a load, named for error messages.
type inputPart struct {
	name  string // a file's path, or "the extracted records"
	query string // reads it as the canonical table
}

// DuplicateKeyError is a load whose input brings different rows for one
// natural key. Which of them is right is the source's to say, so the run
// loads nothing; Keys names a few, and In the files holding each.
type DuplicateKeyError struct {
	Table string
	Count int64      // keys with more than one version
	Keys  []string   // a few of them, "col=value, …"
	In    [][]string // for each of Keys, the inputs holding its rows
}

func (e *DuplicateKeyError) Error() string {
	var b strings.Builder
	keys := "natural keys come"
	if e.Count == 1 {
		keys = "natural key comes"
	}
	fmt.Fprintf(&b, "load %s: %d %s with different rows in one load:", e.Table, e.Count, keys)
	for i, k := range e.Keys {
		if i > 0 {
			b.WriteString(";")
		}
		fmt.Fprintf(&b, " %s (in %s)", k, strings.Join(e.In[i], ", "))
	}
	if int64(len(e.Keys)) < e.Count {
		fmt.Fprintf(&b, "; and %d more", e.Count-int64(len(e.Keys)))
	}
	b.WriteString(". A natural key names one row; correct or remove the stale copy at the source")
	return b.String()
}

// oneRowPerKey runs after a load put more rows than keys into the table:
// the input brought some key more than once. Copies that differ only in
// their extraction stamps are one row sent twice (an export downloaded
// twice, a page fetched again), and the extra copies are removed. Different
// rows for one key are a DuplicateKeyError. It reads the input again, to
// name the files, which costs a pass over it only when this happens.
func (tx *Tx) oneRowPerKey(ctx context.Context, t *transform.Table, parts []inputPart) error {
	labelled := make([]string, len(parts))
	for i, p := range parts {
		labelled[i] = fmt.Sprintf("SELECT %s, %s, %s AS input FROM (%s)",
			identList(t.Key), rowHash(t), Literal(p.name), p.query)
	}
	dups := "__duplicate_keys_" + t.Name
	if _, err := tx.w.conn.ExecContext(ctx, fmt.Sprintf(`CREATE OR REPLACE TEMP TABLE %s AS
		SELECT %s, count(DISTINCT row_hash) AS versions, list(DISTINCT input ORDER BY input) AS inputs
		FROM (%s) GROUP BY ALL HAVING count(*) > 1`,
		Ident(dups), identList(t.Key), strings.Join(labelled, "\nUNION ALL\n"))); err != nil {
		return fmt.Errorf("load %s: duplicate keys: %w", t.Name, err)
	}
	defer tx.w.conn.ExecContext(context.Background(), "DROP TABLE IF EXISTS "+Ident(dups))

	keyText := make([]string, len(t.Key))
	for i, k := range t.Key {
		keyText[i] = fmt.Sprintf("%s || '=' || coalesce(%s::VARCHAR, 'NULL')", Literal(k), Ident(k))
	}
	rows, err := tx.w.conn.QueryContext(ctx, fmt.Sprintf(`SELECT concat_ws(', ', %s), inputs, count(*) OVER ()
		FROM %s WHERE versions > 1 ORDER BY ALL LIMIT 5`, strings.Join(keyText, ", "), Ident(dups)))
	if err != nil {
		return fmt.Errorf("load %s: duplicate keys: %w", t.Name, err)
	}
	defer rows.Close()
	dupErr := &DuplicateKeyError{Table: t.Name}
	for rows.Next() {
		var key string
		var list any // a LIST scans as []any
		if err := rows.Scan(&key, &list, &dupErr.Count); err != nil {
			return err
		}
		var in []string
		for _, v := range list.([]any) {
			in = append(in, fmt.Sprint(v))
		}
		dupErr.Keys, dupErr.In = append(dupErr.Keys, key), append(dupErr.In, in)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if dupErr.Count > 0 {
		return dupErr
	}
	_, err = tx.w.conn.ExecContext(ctx, fmt.Sprintf(`DELETE FROM %[1]s WHERE rowid IN (
		SELECT rowid FROM (
			SELECT t.rowid, row_number() OVER (PARTITION BY %[2]s) AS copy
			FROM %[1]s AS t SEMI JOIN %[3]s AS d ON %[4]s)
		WHERE copy > 1)`, Ident(t.Name), identList(t.Key), Ident(dups), keysEqual(t.Key, "t", "d")))
	if err != nil {
		return fmt.Errorf("load %s: remove copies of one row: %w", t.Name, err)
	}
	return nil
}

// changedKeysSQL renders the query that lists the natural keys a load must
// rewrite (a key may be listed more than once), and whether the input
// sends rows for it. A key is changed when one of its incoming rows is not
// stored as it is (new, or different), or when it is only in the table and
// in scope (no longer sent). Outside the scope a key the input does not
// mention is left alone.
//
// Rows are compared by a hash of all their columns but the table's stamps
// (transform.Table.Stamps), keys included, so an incoming row is stored as
// it is when its hash is any stored row's: an anti-join on one integer.
// Joining on the keys instead (a FULL JOIN that also finds the keys no
// longer sent) took 9.9 s for 20M touchpoints at L against 6.5 s. A false
// match needs a 64-bit collision with one of the table's rows, about one
// in 10¹² per changed row at L. The keys no longer sent are a second,
// smaller join, of the stored rows in scope against the incoming keys,
// and only for a load with a scope.
func changedKeysSQL(t *transform.Table, incoming string, scope *Scope) (string, []any) {
	keys, hashed := identList(t.Key), rowHash(t)
	q := fmt.Sprintf(`SELECT %s, true AS sent
FROM (SELECT %s, %s FROM %s) AS i
ANTI JOIN (SELECT %s FROM %s) AS e USING (row_hash)`,
		keys, keys, hashed, Ident(incoming), hashed, Ident(t.Name))
	if scope == nil {
		return q, nil
	}
	inScope, args := "true", []any(nil)
	if !scope.All {
		inScope = fmt.Sprintf("%s = ? AND %s BETWEEN ? AND ?", Ident(scope.Column), Ident(scope.DateColumn))
		args = []any{scope.Value, scope.Since, scope.Until}
	}
	return q + fmt.Sprintf(`
UNION ALL
SELECT %s, false AS sent
FROM (SELECT %s FROM %s WHERE %s) AS e
ANTI JOIN (SELECT %s FROM %s) AS i ON %s`,
		keys, keys, Ident(t.Name), inScope, keys, Ident(incoming), keysEqual(t.Key, "e", "i")), args
}

// rowHash renders the hash a load compares rows by, as row_hash: every
// column but the table's extraction stamps, so a row fetched again is the
// same row.
func rowHash(t *transform.Table) string {
	var cols []string
	for _, f := range t.Schema.Fields() {
		if !slices.Contains(t.Stamps, f.Name) {
			cols = append(cols, Ident(f.Name))
		}
	}
	return "hash(" + strings.Join(cols, ", ") + ") AS row_hash"
}

// keysEqual renders the condition that two relations' key columns are
// equal ("=": key columns are required).
func keysEqual(key []string, left, right string) string {
	conds := make([]string, len(key))
	for i, k := range key {
		conds[i] = fmt.Sprintf("%s.%s = %s.%s", left, Ident(k), right, Ident(k))
	}
	return strings.Join(conds, " AND ")
}

// identList renders columns (a key, a partition) as a comma-separated
// list of quoted identifiers.
func identList(cols []string) string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = Ident(c)
	}
	return strings.Join(out, ", ")
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
	return tx.insertRecords(ctx, name, schema, recs)
}

// streamBatchRows is how many streamed rows are held before they are
// appended to the staging table: an insert per record of 64k rows cost
// more than the memory a few of them hold.
var streamBatchRows int64 = 1 << 20 // a variable so that tests can stream in smaller steps

// stageStream appends a stream's records to a staging table, holding at
// most about streamBatchRows rows at a time.
func (tx *Tx) stageStream(ctx context.Context, name string, schema *arrow.Schema, stream func(emit func(arrow.RecordBatch) error) error) error {
	var pending []arrow.RecordBatch
	var rows int64
	flush := func() error {
		err := tx.insertRecords(ctx, name, schema, pending)
		for _, r := range pending {
			r.Release()
		}
		pending, rows = pending[:0], 0
		return err
	}
	err := stream(func(rec arrow.RecordBatch) error {
		if err := canonicalSchema(rec, schema); err != nil {
			return err
		}
		rec.Retain()
		pending, rows = append(pending, rec), rows+rec.NumRows()
		if rows >= streamBatchRows {
			return flush()
		}
		return nil
	})
	if err != nil {
		for _, r := range pending {
			r.Release()
		}
		return err
	}
	return flush()
}

// canonicalSchema checks that a record to load has the table's schema.
func canonicalSchema(rec arrow.RecordBatch, want *arrow.Schema) error {
	if !rec.Schema().Equal(want) {
		return fmt.Errorf("record schema does not match the canonical schema:\n got %s\nwant %s", rec.Schema(), want)
	}
	return nil
}

// insertRecords appends records to a table through a registered Arrow view.
func (tx *Tx) insertRecords(ctx context.Context, name string, schema *arrow.Schema, recs []arrow.RecordBatch) error {
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

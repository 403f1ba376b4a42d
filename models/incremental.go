package models

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// incrementStateDDL records, per incremental model, the fingerprint of
// what it reads whole (see incrementalFingerprint) as of its last build.
const incrementStateDDL = `CREATE TABLE IF NOT EXISTS model_increment (
  model VARCHAR NOT NULL,
  fingerprint VARCHAR NOT NULL
)`

// Temporary relations of an incremental build, dropped when it ends.
const (
	changedRowsTable = "__incremental_rows"  // the input's new and changed rows, with their hashes
	changedKeysTable = "__incremental_keys"  // key hashes to recompute: those rows', and gone keys'
	changedInputView = "__incremental_input" // the changed rows as the input's columns
)

// Increment is how an incremental model was built.
type Increment struct {
	// Full: the whole table was rebuilt, and Reason says why.
	Full   bool
	Reason string
	// Changed is the number of keys recomputed (new, changed or gone);
	// every key on a full build.
	Changed int64
}

var getvariableCall = regexp.MustCompile(`(?i)getvariable\s*\(\s*'([^']+)'\s*\)`)

// buildIncremental brings an incremental model up to date: it recomputes
// the keys whose input row changed since the last build, or rebuilds the
// whole table (see Incremental).
//
// The input hashes table keeps hash(key) and hash(row) per input row: two
// integers join faster and store smaller than the key itself. Two keys
// whose hashes collide are both recomputed whenever either is, which costs
// a row, never a wrong one.
func (tx *Tx) buildIncremental(ctx context.Context, m Model) (Increment, error) {
	inc := m.Incremental
	fingerprint, err := tx.incrementalFingerprint(ctx, m)
	if err != nil {
		return Increment{}, err
	}
	reason, err := tx.fullBuildReason(ctx, m, fingerprint)
	if err != nil {
		return Increment{}, err
	}
	if reason != "" {
		return tx.fullIncrementalBuild(ctx, m, fingerprint, reason)
	}
	defer func() {
		for _, q := range []string{"DROP VIEW IF EXISTS temp." + changedInputView,
			"DROP TABLE IF EXISTS temp." + changedRowsTable, "DROP TABLE IF EXISTS temp." + changedKeysTable} {
			tx.w.conn.ExecContext(context.Background(), q)
		}
	}()
	key, input, hashes := Ident(inc.Key), Ident(inc.Input), "main."+Ident(m.InputHashes())
	// The input's rows not in the table as they are: new or changed. One
	// pass over the input, which for an ephemeral staging model is most of
	// the cost; the anti-join keeps only what it must recompute.
	if _, err := tx.w.conn.ExecContext(ctx, fmt.Sprintf(`CREATE OR REPLACE TEMP TABLE %[1]s AS
		SELECT cur.* FROM (SELECT i.*, hash(i) AS __input_hash FROM %[2]s AS i) AS cur
		ANTI JOIN %[3]s AS old ON old.key_hash = hash(cur.%[4]s) AND old.input_hash = cur.__input_hash`,
		changedRowsTable, input, hashes, key)); err != nil {
		return Increment{}, fmt.Errorf("changed rows of %s: %w", inc.Input, err)
	}
	// Keys gone from the input, counted without a pass over them when
	// the changed rows are all new keys (a week arriving): with keys
	// unique on both sides, kept = same + gone and now = same + new, so
	// kept - now + new = gone. Otherwise, or when some are gone, a pass
	// over the input's keys finds them (3.5 s at L). Counting modified
	// rows by key hash instead could let a collision hide a gone key.
	var kept, now, changedRows, modified int64
	if err := tx.w.conn.QueryRowContext(ctx, fmt.Sprintf(`SELECT
		(SELECT count(*) FROM %[1]s), (SELECT count(*) FROM %[2]s), (SELECT count(*) FROM temp.%[3]s),
		(SELECT count(*) FROM %[1]s WHERE key_hash IN (SELECT hash(%[4]s) FROM temp.%[3]s))`,
		hashes, input, changedRowsTable, key)).Scan(&kept, &now, &changedRows, &modified); err != nil {
		return Increment{}, err
	}
	changedKeys := fmt.Sprintf("CREATE OR REPLACE TEMP TABLE %s AS SELECT hash(%s) AS key_hash FROM temp.%s",
		changedKeysTable, key, changedRowsTable)
	if modified > 0 || kept-now+changedRows != 0 {
		changedKeys += fmt.Sprintf(" UNION SELECT key_hash FROM %s ANTI JOIN (SELECT hash(%s) AS key_hash FROM %s) USING (key_hash)",
			hashes, key, input)
	}
	if _, err := tx.w.conn.ExecContext(ctx, changedKeys); err != nil {
		return Increment{}, fmt.Errorf("changed keys of %s: %w", inc.Input, err)
	}
	var changed int64
	if err := tx.w.conn.QueryRowContext(ctx, "SELECT count(*) FROM temp."+changedKeysTable).Scan(&changed); err != nil {
		return Increment{}, err
	}
	// Deleting and inserting most of a table costs more than writing it
	// anew, and the rewrite leaves it compact.
	if changed*2 > kept {
		return tx.fullIncrementalBuild(ctx, m, fingerprint,
			fmt.Sprintf("%d of %d input rows changed", changed, kept))
	}
	if changed == 0 {
		return Increment{}, nil
	}
	inChanged := func(col string) string {
		return fmt.Sprintf("%s IN (SELECT key_hash FROM temp.%s)", col, changedKeysTable)
	}
	steps := []string{
		fmt.Sprintf("CREATE OR REPLACE TEMP VIEW %s AS SELECT * EXCLUDE (__input_hash) FROM temp.%s", changedInputView, changedRowsTable),
		fmt.Sprintf("DELETE FROM main.%s WHERE %s", Ident(m.Name), inChanged("hash("+key+")")),
		fmt.Sprintf("INSERT INTO main.%s\n%s", Ident(m.Name), narrowedBody(m)),
		fmt.Sprintf("DELETE FROM %s WHERE %s", hashes, inChanged("key_hash")),
		fmt.Sprintf("INSERT INTO %s SELECT hash(%s), __input_hash FROM temp.%s", hashes, key, changedRowsTable),
	}
	for _, q := range steps {
		if _, err := tx.w.conn.ExecContext(ctx, q); err != nil {
			return Increment{}, err
		}
	}
	return Increment{Changed: changed}, nil
}

// forgetIncrement drops the input hashes of a model that was incremental
// and no longer is: were it made incremental again, hashes older than its
// table would say rows are current that are not.
func (tx *Tx) forgetIncrement(ctx context.Context, m Model) error {
	ok, err := tx.w.TableExists(ctx, m.InputHashes())
	if err != nil || !ok {
		return err
	}
	if _, err := tx.w.conn.ExecContext(ctx, "DROP TABLE main."+Ident(m.InputHashes())); err != nil {
		return err
	}
	_, err = tx.w.conn.ExecContext(ctx, "DELETE FROM model_increment WHERE model = ?", m.Name)
	return err
}

// narrowedBody is the model's query reading only the changed rows of its
// input: every mention of the input's name reads them instead.
func narrowedBody(m Model) string {
	re := regexp.MustCompile(`(?i)\b` + regexp.QuoteMeta(m.Incremental.Input) + `\b`)
	return re.ReplaceAllString(m.body(), "temp."+changedInputView)
}

// fullBuildReason says why an incremental model must be rebuilt whole, or
// "" when it can be updated.
func (tx *Tx) fullBuildReason(ctx context.Context, m Model, fingerprint string) (string, error) {
	if tx.FullRefresh {
		return "a full rebuild was asked for", nil
	}
	var last string
	err := tx.w.conn.QueryRowContext(ctx, "SELECT fingerprint FROM model_increment WHERE model = ?", m.Name).Scan(&last)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return "no earlier build", nil
	case err != nil:
		return "", err
	case last != fingerprint:
		return "its SQL, parameters, DuckDB or a table it reads whole changed", nil
	}
	if ok, err := tx.w.TableExists(ctx, m.Name); err != nil || !ok {
		return "no earlier build", err
	}
	same, err := tx.sameColumns(ctx, m.Name, m.body())
	if err != nil || !same {
		return "its columns changed", err
	}
	hashes, err := columnsOf(ctx, tx.w.conn, `SELECT column_name, data_type FROM duckdb_columns()
		WHERE database_name = current_database() AND schema_name = 'main' AND table_name = ? ORDER BY column_index`, m.InputHashes())
	if err != nil {
		return "", err
	}
	if !slices.Equal(hashes, []string{"key_hash UBIGINT", "input_hash UBIGINT"}) {
		return "no input hashes from an earlier build", nil
	}
	return "", nil
}

// fullIncrementalBuild builds an incremental model's table whole, with the
// input hashes and fingerprint the next run compares against.
func (tx *Tx) fullIncrementalBuild(ctx context.Context, m Model, fingerprint, reason string) (Increment, error) {
	if err := tx.buildTable(ctx, m.Name, m.body()); err != nil {
		return Increment{}, err
	}
	if _, err := tx.w.conn.ExecContext(ctx, fmt.Sprintf(
		"CREATE OR REPLACE TABLE main.%[1]s AS SELECT hash(i.%[2]s) AS key_hash, hash(i) AS input_hash FROM %[3]s AS i",
		Ident(m.InputHashes()), Ident(m.Incremental.Key), Ident(m.Incremental.Input))); err != nil {
		return Increment{}, fmt.Errorf("input hashes: %w", err)
	}
	if _, err := tx.w.conn.ExecContext(ctx, "DELETE FROM model_increment WHERE model = ?", m.Name); err != nil {
		return Increment{}, err
	}
	if _, err := tx.w.conn.ExecContext(ctx, "INSERT INTO model_increment VALUES (?, ?)", m.Name, fingerprint); err != nil {
		return Increment{}, err
	}
	var n int64
	if err := tx.w.conn.QueryRowContext(ctx, "SELECT count(*) FROM main."+Ident(m.InputHashes())).Scan(&n); err != nil {
		return Increment{}, err
	}
	return Increment{Full: true, Reason: reason, Changed: n}, nil
}

// incrementalFingerprint identifies what an incremental model reads whole:
// its SQL and DuckDB's version; the content of every other table, view or
// model its SQL names (by row count and the sum of a hash of every row);
// and the value of every parameter it reads. Its input's rows are not in
// it: they are compared row by row.
func (tx *Tx) incrementalFingerprint(ctx context.Context, m Model) (string, error) {
	h := sha256.New()
	fmt.Fprintf(h, "model %q %q %q\n", m.SQL, m.Incremental.Key, m.Incremental.Input)
	var version string
	if err := tx.w.conn.QueryRowContext(ctx, "SELECT library_version || ' ' || source_id FROM pragma_version()").Scan(&version); err != nil {
		return "", err
	}
	fmt.Fprintf(h, "duckdb %s\n", version)
	rows, err := tx.w.conn.QueryContext(ctx, `
		SELECT table_name FROM duckdb_tables() WHERE database_name IN (current_database(), 'temp')
		UNION
		SELECT view_name FROM duckdb_views() WHERE database_name IN (current_database(), 'temp') AND NOT internal`)
	if err != nil {
		return "", err
	}
	relations := map[string]bool{}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return "", err
		}
		relations[strings.ToLower(name)] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return "", err
	}
	code := stripComments(m.SQL)
	var read []string
	for _, tok := range identToken.FindAllString(code, -1) {
		tok = strings.ToLower(tok)
		if relations[tok] && tok != m.Name && tok != m.Incremental.Input && !slices.Contains(read, tok) {
			read = append(read, tok)
		}
	}
	slices.Sort(read)
	for _, name := range read {
		if err := tx.hashContent(ctx, h, name); err != nil {
			return "", fmt.Errorf("fingerprint of %s: %w", m.Name, err)
		}
	}
	var params []string
	for _, c := range getvariableCall.FindAllStringSubmatch(code, -1) {
		if !slices.Contains(params, c[1]) {
			params = append(params, c[1])
		}
	}
	slices.Sort(params)
	for _, p := range params {
		var v sql.NullString
		if err := tx.w.conn.QueryRowContext(ctx, fmt.Sprintf("SELECT getvariable(%s)::VARCHAR", Literal(p))).Scan(&v); err != nil {
			return "", fmt.Errorf("parameter %s: %w", p, err)
		}
		fmt.Fprintf(h, "param %s %v %q\n", p, v.Valid, v.String)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

package models

import (
	"context"
	"fmt"
	"math/big"
	"slices"
	"strings"

	"github.com/socialroi/socialroi/transform"
)

// What a run's loads changed, for the incremental models narrowed at a
// canonical table (incremental_narrow: touchpoints).
//
// Such a model finds its input's changed rows by comparing every input
// row's hash with the one it kept: at L, 9 of the 16 s classification took
// in a weekly run, to find 1.7M new touchpoints among 20M. The run's loads
// already know which keys they rewrote. Those are all the changes only when
// nothing else wrote the table since the model was built, so the model
// keeps the table's content as of its build (its row count and the sum of a
// hash of every row, as Fingerprint hashes it), and a run takes the loads'
// keys only when the table before its loads had that content: the content
// now, less the rows of the keys loaded, plus the rows the loads deleted.
// A row changed by hand, a load in a run that did not build the model, any
// write the loads do not account for, makes the two differ, and the model
// compares every row as before. So does a change to a table its input
// looks rows up in (the identities, for the person a touchpoint is
// staged with).

// inputContentDDL keeps, per incremental model narrowed at a table, the
// content of that table and of the tables its input looks up, as of the
// model's last build.
const inputContentDDL = `CREATE TABLE IF NOT EXISTS model_input_content (
  model VARCHAR NOT NULL,
  table_name VARCHAR NOT NULL,
  row_count BIGINT NOT NULL,
  hash_sum VARCHAR NOT NULL -- a 128-bit integer, in decimal
)`

// content is a table's row count and the sum of hash(row) over its rows:
// it does not depend on the order rows are stored in.
type content struct {
	rows int64
	sum  big.Int
}

func (c *content) add(o content) {
	c.rows += o.rows
	c.sum.Add(&c.sum, &o.sum)
}

func (c *content) sub(o content) {
	c.rows -= o.rows
	c.sum.Sub(&c.sum, &o.sum)
}

// clone copies c: a copied big.Int shares its digits with the original.
func (c *content) clone() content {
	out := content{rows: c.rows}
	out.sum.Set(&c.sum)
	return out
}

func (c *content) equal(o content) bool { return c.rows == o.rows && c.sum.Cmp(&o.sum) == 0 }

func (c *content) String() string { return fmt.Sprintf("%d %s", c.rows, c.sum.String()) }

// contentSQL renders the query of a relation's content, as row count and
// hash sum (text: HUGEINT does not scan into Go).
func contentSQL(from string) string {
	return "SELECT count(*), coalesce(sum(hash(t)::HUGEINT), 0)::VARCHAR FROM " + from + " AS t"
}

func (tx *Tx) queryContent(ctx context.Context, q string, args ...any) (content, error) {
	var c content
	var sum string
	if err := tx.w.conn.QueryRowContext(ctx, q, args...).Scan(&c.rows, &sum); err != nil {
		return c, err
	}
	if _, ok := c.sum.SetString(sum, 10); !ok {
		return c, fmt.Errorf("hash sum %q is not an integer", sum)
	}
	return c, nil
}

// content returns a relation's content. A canonical table's is kept until
// a load writes it: the run hashes every canonical table once
// (Fingerprint), and the narrowed models read it again.
func (tx *Tx) content(ctx context.Context, name string) (content, error) {
	if c, ok := tx.contents[name]; ok {
		return c.clone(), nil
	}
	c, err := tx.queryContent(ctx, contentSQL(Ident(name)))
	if err != nil {
		return c, fmt.Errorf("table %s: %w", name, err)
	}
	if _, err := transform.Lookup(name); err == nil {
		if tx.contents == nil {
			tx.contents = map[string]content{}
		}
		tx.contents[name] = c.clone()
	}
	return c, nil
}

// loadedKeys is what this run's loads changed in one canonical table.
type loadedKeys struct {
	// table is the temporary table of the changed keys' hashes (key_hash):
	// new, changed and gone. Kept for tables with a one-column key.
	table string
	// deleted is the content of the rows the loads deleted that were in
	// the table before the run.
	deleted content
	// complete: every load kept its keys (a first load into an empty
	// table, or a table keyed on more than one column, does not).
	complete bool
	// firstNew is the table's first row id past its rows before the
	// loads (firstNewRow): the loads' rows are those from it on.
	firstNew int64
}

// firstNewRow returns the row id past every row a table holds: the rows a
// transaction writes after that get row ids from it on (DuckDB numbers a
// transaction's own rows past every committed row id), so those rows are
// "rowid >= it", a filter DuckDB applies to row groups. At L, a week's
// 1.67M touchpoints among 20M were read back in 0.15 s that way, against
// 2.9 s by their keys' hashes. Callers check what they read (its count,
// or its content): row ids are DuckDB's, and not a documented contract.
func (tx *Tx) firstNewRow(ctx context.Context, table string) (int64, error) {
	var n int64
	err := tx.w.conn.QueryRowContext(ctx, "SELECT coalesce(max(rowid), -1) + 1 FROM main."+Ident(table)).Scan(&n)
	return n, err
}

// rowsFrom is the query of a table's rows from row id first on: those the
// transaction wrote since firstNewRow returned first.
func rowsFrom(table string, first int64) string {
	return fmt.Sprintf("SELECT * FROM main.%s WHERE rowid >= %d", Ident(table), first)
}

func loadedKeysTable(table string) string { return "__loaded_keys__" + table }

// beforeReplace is called by a load with the keys it is about to rewrite
// (changed: a table of their key columns), before it deletes their rows.
// It keeps their hashes and the content of the stored rows among them
// that no earlier load of this run rewrote, and reports whether any rows
// of them are stored (when not, the delete is skipped).
func (tx *Tx) beforeReplace(ctx context.Context, t *transform.Table, changed string) (stored bool, err error) {
	if tx.loaded == nil {
		tx.loaded = map[string]*loadedKeys{}
	}
	lk, first := tx.loaded[t.Name], tx.loaded[t.Name] == nil
	if first {
		lk = &loadedKeys{complete: len(t.Key) == 1}
		tx.loaded[t.Name] = lk
		if lk.complete {
			if lk.firstNew, err = tx.firstNewRow(ctx, t.Name); err != nil {
				return false, err
			}
			lk.table = loadedKeysTable(t.Name)
			if _, err := tx.w.conn.ExecContext(ctx, "CREATE OR REPLACE TEMP TABLE "+Ident(lk.table)+" (key_hash UBIGINT)"); err != nil {
				return false, err
			}
		}
	}
	if !lk.complete {
		return true, nil
	}
	key := Ident(t.Key[0])
	rows := fmt.Sprintf("(SELECT s.* FROM %s AS s SEMI JOIN %s AS c ON s.%s = c.%s", Ident(t.Name), Ident(changed), key, key)
	if !first {
		// rows an earlier load wrote are not the table's before the run
		rows += fmt.Sprintf(" WHERE hash(s.%s) NOT IN (SELECT key_hash FROM temp.%s)", key, Ident(lk.table))
	}
	rows += ")"
	// Counted first: a week arriving deletes nothing, and counting reads
	// the key column only (0.65 s for 20M touchpoints, against 1.8 s for
	// the rows' content).
	var n int64
	if err := tx.w.conn.QueryRowContext(ctx, "SELECT count(*) FROM "+rows+" AS t").Scan(&n); err != nil {
		return false, err
	}
	if n > 0 {
		deleted, err := tx.queryContent(ctx, contentSQL(rows))
		if err != nil {
			return false, err
		}
		lk.deleted.add(deleted)
	}
	if _, err := tx.w.conn.ExecContext(ctx, fmt.Sprintf("INSERT INTO temp.%s SELECT hash(%s) FROM %s",
		Ident(lk.table), key, Ident(changed))); err != nil {
		return false, err
	}
	return n > 0 || !first, nil
}

// loadedIntoEmpty records a load into an empty table, whose keys are not
// kept: every one is new, and a model built before it was built from
// nothing.
func (tx *Tx) loadedIntoEmpty(table string) {
	if tx.loaded == nil {
		tx.loaded = map[string]*loadedKeys{}
	}
	tx.loaded[table] = &loadedKeys{}
}

// narrowedTables returns the table a narrowed model's input is narrowed
// at, followed by the other relations the input reads: canonical tables,
// and models built as tables (the identity map), through the ephemeral
// models it reads. It returns none when the input reads any other
// relation (one that loads do not write, nor models build), or when the
// narrowed table is not keyed on the model's key alone: the loads cannot
// account for its changes.
func (tx *Tx) narrowedTables(ctx context.Context, m Model) ([]string, error) {
	inc := m.Incremental
	t, err := transform.Lookup(inc.Narrow)
	if err != nil || !slices.Equal(t.Key, []string{inc.Key}) {
		return nil, nil
	}
	relations, err := tx.relationNames(ctx)
	if err != nil {
		return nil, err
	}
	in := tx.catalog.model(inc.Input)
	tables := []string{inc.Narrow}
	code := stripComments(in.SQL)
	for _, e := range tx.catalog.Models {
		switch {
		case !slices.Contains(in.Reads, e.Name):
		case e.Ephemeral:
			code += "\n" + stripComments(e.SQL)
		default:
			tables = append(tables, e.Name)
		}
	}
	for _, name := range transform.TableNames() {
		if name != inc.Narrow && mentions(code, name) {
			tables = append(tables, name)
		}
	}
	for _, tok := range identToken.FindAllString(code, -1) {
		tok = strings.ToLower(tok)
		if relations[tok] && !slices.Contains(tables, tok) && !slices.Contains(in.Reads, tok) && tok != in.Name {
			return nil, nil
		}
	}
	return tables, nil
}

// keysFromLoads writes the model's changed keys from this run's loads, and
// the narrowed input's rows of them (changedInputTable) and their hashes
// (changedRowsTable), when the loads' keys are all the changes since the
// model's last build (see the top of this file). tables are the model's
// narrowedTables. ok is false when the keys may not be all; nothing is
// then left behind.
func (tx *Tx) keysFromLoads(ctx context.Context, m Model, tables []string) (kept int64, onlyNew, ok bool, err error) {
	inc := m.Incremental
	if len(tables) == 0 {
		return 0, false, false, nil
	}
	lk := tx.loaded[inc.Narrow]
	if lk != nil && !lk.complete {
		return 0, false, false, nil
	}
	built, err := tx.inputContent(ctx, m.Name)
	if err != nil {
		return 0, false, false, err
	}
	for _, name := range tables[1:] {
		was, ok := built[name]
		now, err := tx.content(ctx, name)
		if err != nil || !ok || !now.equal(was) {
			return 0, false, false, err
		}
	}
	was, ok := built[inc.Narrow]
	if !ok {
		return 0, false, false, nil
	}
	keys := "temp." + Ident(changedKeysTable(m.Name))
	loaded := "SELECT NULL::UBIGINT AS key_hash WHERE false"
	if lk != nil {
		loaded = "SELECT DISTINCT key_hash FROM temp." + Ident(lk.table)
	}
	// The table's rows of those keys. Each was deleted by a load and
	// written again, so they are the rows the loads wrote: those from the
	// first row id past the table's before them; none when no load wrote
	// it. (Were they not all the keys' rows, the content below would say
	// so: the table before the loads would differ.)
	//
	// A view, where other narrowed inputs are tables: reading a row id
	// range costs little more than reading a table, and the planner sizes
	// it from the table it reads. A table created in the run's transaction
	// counts no rows until it commits, so the planner took a week of
	// touchpoints for one row: it built classification's hash joins on
	// them and probed with the creators' twenty link keys. At L that
	// statement took 8.4 s, against 4.1 s from the view.
	rows := fmt.Sprintf("SELECT * FROM main.%s WHERE false", Ident(inc.Narrow))
	if lk != nil {
		rows = rowsFrom(inc.Narrow, lk.firstNew)
	}
	steps := []string{
		fmt.Sprintf("CREATE OR REPLACE TEMP TABLE %s AS %s", keys, loaded),
		fmt.Sprintf("CREATE OR REPLACE TEMP VIEW %s AS %s", changedInputTable, rows),
	}
	for _, q := range steps {
		if _, err := tx.w.conn.ExecContext(ctx, q); err != nil {
			return 0, false, false, fmt.Errorf("keys loaded into %s: %w", inc.Narrow, err)
		}
	}
	// the table before the run: now, less the loaded keys' rows, plus the
	// rows the loads deleted
	before, err := tx.content(ctx, inc.Narrow)
	if err != nil {
		return 0, false, false, err
	}
	current, err := tx.queryContent(ctx, contentSQL("temp."+changedInputTable))
	if err != nil {
		return 0, false, false, err
	}
	before.sub(current)
	if lk != nil {
		before.add(lk.deleted)
	}
	if !before.equal(was) {
		_, err := tx.w.conn.ExecContext(ctx, "DROP VIEW temp."+changedInputTable)
		return 0, false, false, err
	}
	in := tx.catalog.model(inc.Input)
	if err := tx.w.conn.QueryRowContext(ctx, "SELECT count(*) FROM main."+Ident(m.InputHashes())).Scan(&kept); err != nil {
		return 0, false, false, err
	}
	// The input hashes are of the table the model was built from, which
	// was the table before the loads: when the loads deleted none of its
	// rows, every key they brought is new to the input too.
	onlyNew = lk == nil || lk.deleted.rows == 0
	// the input's rows of those keys as they are now, for the input hashes
	if _, err := tx.w.conn.ExecContext(ctx, fmt.Sprintf(`CREATE OR REPLACE TEMP TABLE %s AS
		SELECT hash(i.%s) AS __key_hash, %s AS __input_hash FROM (%s) AS i`,
		changedRowsTable, Ident(inc.Key), inc.CheckHash("i"), tx.narrowedBody(in, [2]string{inc.Narrow, "temp." + changedInputTable}))); err != nil {
		return 0, false, false, fmt.Errorf("changed rows of %s: %w", inc.Input, err)
	}
	return kept, onlyNew, true, nil
}

// inputContent returns the contents a narrowed model kept at its last
// build, by table.
func (tx *Tx) inputContent(ctx context.Context, model string) (map[string]content, error) {
	rows, err := tx.w.conn.QueryContext(ctx, "SELECT table_name, row_count, hash_sum FROM model_input_content WHERE model = ?", model)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]content{}
	for rows.Next() {
		var name, sum string
		var c content
		if err := rows.Scan(&name, &c.rows, &sum); err != nil {
			return nil, err
		}
		if _, ok := c.sum.SetString(sum, 10); !ok {
			return nil, fmt.Errorf("model_input_content: hash sum %q is not an integer", sum)
		}
		out[name] = c
	}
	return out, rows.Err()
}

// recordInputContent keeps, after a narrowed model's build, the content
// of the tables its input reads (its narrowedTables), which the next run's
// keysFromLoads compares with.
func (tx *Tx) recordInputContent(ctx context.Context, m Model, tables []string) error {
	if _, err := tx.w.conn.ExecContext(ctx, "DELETE FROM model_input_content WHERE model = ?", m.Name); err != nil {
		return err
	}
	for _, name := range tables {
		c, err := tx.content(ctx, name)
		if err != nil {
			return err
		}
		if _, err := tx.w.conn.ExecContext(ctx, "INSERT INTO model_input_content VALUES (?, ?, ?, ?)",
			m.Name, name, c.rows, c.sum.String()); err != nil {
			return err
		}
	}
	return nil
}

// dropLoadedKeys drops the loads' key tables when the transaction ends:
// temporary tables outlive it.
func (tx *Tx) dropLoadedKeys() {
	for _, lk := range tx.loaded {
		if lk.table != "" {
			tx.w.conn.ExecContext(context.Background(), "DROP TABLE IF EXISTS temp."+Ident(lk.table))
		}
	}
	tx.loaded, tx.contents = nil, nil
}

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
	changedRowsTable  = "__incremental_rows"  // the input's new and changed rows, with their hashes
	changedInputTable = "__incremental_input" // the input's rows of the keys recomputed (a table, or a view)
	followedView      = "__incremental_followed"
)

// changedKeysTable names the temporary table of the key hashes an
// incremental model recomputed in this run. It lasts until RunModels ends:
// a model that follows this one, or reads it as its input on the same key,
// recomputes from it.
func changedKeysTable(model string) string { return "__changed_keys__" + model }

// followedBy says whether a model of the catalog follows the model
// (incremental_follows).
func (c *Catalog) followedBy(model string) bool {
	return slices.ContainsFunc(c.Models, func(f Model) bool { return f.Incremental != nil && f.Incremental.Follows == model })
}

// Increment is how an incremental model was built.
type Increment struct {
	// Full: the whole table was rebuilt, and Reason says why.
	Full   bool
	Reason string
	// Changed is the number of keys recomputed (new, changed or gone);
	// every key on a full build. For a partitioned model (Partition, its
	// columns), the number of partitions.
	Changed   int64
	Partition string
	// FromLoads: the changed keys are those this run's loads rewrote in
	// the table the input is narrowed at, not found by comparing every
	// input row (see loaded.go).
	FromLoads bool
}

var getvariableCall = regexp.MustCompile(`(?i)getvariable\s*\(\s*'([^']+)'\s*\)`)

// buildIncremental brings an incremental model up to date: it recomputes
// the keys whose input row changed since the last build (and those its
// followed model's changes reach), or rebuilds the whole table (see
// Incremental).
//
// The input hashes table keeps hash(key) and hash(row) per input row: two
// integers join faster and store smaller than the key itself. Two keys
// whose hashes collide are both recomputed whenever either is, which costs
// a row, never a wrong one.
func (tx *Tx) buildIncremental(ctx context.Context, m Model) (Increment, error) {
	if m.Incremental.Narrow == "" {
		return tx.updateIncremental(ctx, m, nil)
	}
	narrowed, err := tx.narrowedTables(ctx, m)
	if err != nil {
		return Increment{}, err
	}
	built, err := tx.updateIncremental(ctx, m, narrowed)
	if err == nil {
		err = tx.recordInputContent(ctx, m, narrowed)
	}
	return built, err
}

// updateIncremental is buildIncremental less the narrowed model's record of
// its input's content; narrowed are its narrowedTables.
func (tx *Tx) updateIncremental(ctx context.Context, m Model, narrowed []string) (Increment, error) {
	inc := m.Incremental
	fingerprint, err := tx.incrementalFingerprint(ctx, m)
	if err != nil {
		return Increment{}, err
	}
	reason, err := tx.fullBuildReason(ctx, m, fingerprint)
	if err != nil {
		return Increment{}, err
	}
	if inc.Partition != nil {
		return tx.buildPartitioned(ctx, m, fingerprint, reason)
	}
	if reason != "" {
		return tx.fullIncrementalBuild(ctx, m, fingerprint, reason)
	}
	defer func() {
		// the input is a table, or a view when its keys came from the
		// loads (keysFromLoads); dropping the other kind fails harmlessly
		for _, q := range []string{"DROP TABLE IF EXISTS temp." + changedInputTable, "DROP VIEW IF EXISTS temp." + changedInputTable,
			"DROP VIEW IF EXISTS temp." + followedView, "DROP TABLE IF EXISTS temp." + changedRowsTable} {
			tx.w.conn.ExecContext(context.Background(), q)
		}
	}()
	key, input, keys := Ident(inc.Key), Ident(inc.Input), "temp."+Ident(changedKeysTable(m.Name))
	var changed, kept int64 // keys recomputed; input rows the last build kept
	var onlyNew bool        // every changed input key is new, and none is gone
	var fromLoads bool      // the keys are the loads' (changedInputTable is made)
	if kept, onlyNew, fromLoads, err = tx.keysFromLoads(ctx, m, narrowed); err != nil {
		return Increment{}, err
	}
	switch {
	case fromLoads:
	case inc.FromInput:
		// the input's recomputed keys are this model's
		if _, err := tx.w.conn.ExecContext(ctx, fmt.Sprintf("CREATE OR REPLACE TEMP TABLE %s AS SELECT key_hash FROM temp.%s",
			Ident(changedKeysTable(m.Name)), Ident(changedKeysTable(inc.Input)))); err != nil {
			return Increment{}, err
		}
	default:
		if kept, onlyNew, err = tx.changedInputKeys(ctx, m); err != nil {
			return Increment{}, err
		}
	}
	if inc.Follows != "" {
		if err := tx.addFollowedKeys(ctx, m); err != nil {
			return Increment{}, fmt.Errorf("keys %s follows: %w", inc.Follows, err)
		}
	}
	if err := tx.w.conn.QueryRowContext(ctx, "SELECT count(*) FROM "+keys).Scan(&changed); err != nil {
		return Increment{}, err
	}
	// Deleting and inserting most of a table costs more than writing it
	// anew, and the rewrite leaves it compact. (An input incremental on
	// the same key recomputed at most half of its own.)
	if !inc.FromInput && changed*2 > kept {
		return tx.fullIncrementalBuild(ctx, m, fingerprint,
			fmt.Sprintf("%d of %d input rows changed", changed, kept))
	}
	// The models that follow this one read the rows it recomputed: the
	// INSERT's, when it is the only one (refreshed rows are inserted
	// apart), from the first row id past the table's. None recomputed:
	// none from there, where finding none by key was a pass over the
	// table (a week of new conversions and no new touchpoint).
	firstNew := int64(-1)
	if inc.Refresh == "" && tx.catalog.followedBy(m.Name) {
		if firstNew, err = tx.firstNewRow(ctx, m.Name); err != nil {
			return Increment{}, err
		}
	}
	if changed == 0 && inc.Refresh == "" {
		if firstNew >= 0 {
			tx.recomputed[m.Name] = firstNew
		}
		return Increment{FromLoads: fromLoads}, nil
	}
	inChanged := func(col string) string {
		return fmt.Sprintf("%s IN (SELECT key_hash FROM %s)", col, keys)
	}
	// The input's rows to recompute: those that changed, kept from the
	// pass that found them, or read anew when other keys join them or
	// only check columns were kept. A table, not a view: the model may
	// read its input more than once (classification reads the touchpoints
	// twice), and each read of a view over an ephemeral input is another
	// pass over all of it (at L, 6 s more for a week of touchpoints).
	// With a narrowing table, its rows of those keys, from which the
	// input's are staged. (The rows the loads wrote are a view of a row id
	// range instead: see keysFromLoads.)
	narrowedAt, narrowedInput := inc.Input, fmt.Sprintf("SELECT * EXCLUDE (__key_hash, __input_hash) FROM temp.%s", changedRowsTable)
	changedKey := inChanged("hash(" + key + ")")
	switch {
	case inc.Narrow != "":
		narrowedAt, narrowedInput = inc.Narrow, fmt.Sprintf("SELECT * FROM main.%s WHERE %s", Ident(inc.Narrow), changedKey)
	case inc.FromInput || inc.Follows != "" || len(inc.Check) > 0:
		narrowedInput = fmt.Sprintf("SELECT * FROM %s WHERE %s", input, changedKey)
	}
	deleted, insert := changedKey, fmt.Sprintf("INSERT INTO main.%s\n%s", Ident(m.Name), tx.narrowedBody(m, [2]string{narrowedAt, "temp." + changedInputTable}))
	// the statements of the update; those writing the model's rows name
	// their profile (writeRows)
	type step struct{ sql, profile string }
	var steps []step
	if !fromLoads {
		steps = append(steps, step{sql: fmt.Sprintf("CREATE OR REPLACE TEMP TABLE %s AS %s", changedInputTable, narrowedInput)})
	}
	if inc.Refresh != "" {
		deleted += " OR (" + inc.Refresh + ")"
		insert = fmt.Sprintf("%s\nWHERE (%s) IS NOT TRUE", wrapSelect(insert), inc.Refresh)
	}
	// Keys new to the input have no rows in the table, nor input hashes,
	// unless the followed model's changes add stored keys: a week arriving
	// brings only new touchpoints, and the deletes then scanned both tables
	// for nothing (about 1 s at L). Refreshed rows are deleted all the same.
	nothingStored := onlyNew && inc.Follows == ""
	if !nothingStored || inc.Refresh != "" {
		steps = append(steps, step{sql: fmt.Sprintf("DELETE FROM main.%s WHERE %s", Ident(m.Name), deleted)})
	}
	steps = append(steps, step{insert, m.Name})
	if inc.Refresh != "" {
		steps = append(steps, step{fmt.Sprintf("INSERT INTO main.%s\n%s", Ident(m.Name), refreshedRows(m)), m.Name + ".refresh"})
	}
	if !inc.FromInput {
		// every recomputed key's input row as it is now: the changed rows,
		// or all the rows read when followed keys joined them
		hashes, current := "main."+Ident(m.InputHashes()), fmt.Sprintf("SELECT __key_hash, __input_hash FROM temp.%s", changedRowsTable)
		if inc.Follows != "" {
			current = fmt.Sprintf("SELECT hash(i.%s), %s FROM temp.%s AS i", key, inc.CheckHash("i"), changedInputTable)
		}
		if !nothingStored {
			steps = append(steps, step{sql: fmt.Sprintf("DELETE FROM %s WHERE %s", hashes, inChanged("key_hash"))})
		}
		steps = append(steps, step{sql: fmt.Sprintf("INSERT INTO %s %s", hashes, current)})
	}
	var inserted int64 // rows of the recomputed keys
	for _, st := range steps {
		var res sql.Result
		var err error
		if st.profile == "" {
			res, err = tx.w.conn.ExecContext(ctx, st.sql)
		} else {
			res, err = tx.writeRows(ctx, st.profile, st.sql)
		}
		if err == nil && st.profile == m.Name {
			inserted, err = res.RowsAffected()
		}
		if err != nil {
			return Increment{}, err
		}
	}
	if firstNew >= 0 {
		var n int64
		if err := tx.w.conn.QueryRowContext(ctx, fmt.Sprintf("SELECT count(*) FROM (%s)", rowsFrom(m.Name, firstNew))).Scan(&n); err != nil {
			return Increment{}, err
		}
		if n == inserted { // else the followers find the rows by key
			tx.recomputed[m.Name] = firstNew
		}
	}
	return Increment{Changed: changed, FromLoads: fromLoads}, nil
}

// changedInputKeys finds the input's new and changed rows (kept in
// changedRowsTable) and writes the hashes of their keys and of the keys
// gone from the input to the model's changed keys table. It returns the
// number of input rows the last build kept, and whether every changed key
// is new to the input (none changed, none gone).
func (tx *Tx) changedInputKeys(ctx context.Context, m Model) (kept int64, onlyNew bool, err error) {
	inc := m.Incremental
	key, input, hashes := Ident(inc.Key), Ident(inc.Input), "main."+Ident(m.InputHashes())
	// The input's rows not in the table as they are: new or changed. One
	// pass over the input, which for an ephemeral staging model is most of
	// the cost; the anti-join keeps only what it must recompute.
	// With check columns only the hashes of the key and of the columns
	// are kept: the rows are read again by key, and only the changed ones
	// computed whole. Without the key itself the join's hash table holds
	// two integers a row: at L, comparing 20M touchpoints took 4.8 s where
	// carrying their ids took 9.7 s.
	row := "i.*, "
	if len(inc.Check) > 0 {
		row = ""
	}
	if _, err := tx.w.conn.ExecContext(ctx, fmt.Sprintf(`CREATE OR REPLACE TEMP TABLE %[1]s AS
		SELECT cur.* FROM (SELECT %[5]shash(i.%[4]s) AS __key_hash, %[6]s AS __input_hash FROM %[2]s AS i) AS cur
		ANTI JOIN %[3]s AS old ON old.key_hash = cur.__key_hash AND old.input_hash = cur.__input_hash`,
		changedRowsTable, input, hashes, key, row, inc.CheckHash("i"))); err != nil {
		return 0, false, fmt.Errorf("changed rows of %s: %w", inc.Input, err)
	}
	// Keys gone from the input, counted without a pass over them when
	// the changed rows are all new keys (a week arriving): with keys
	// unique on both sides, kept = same + gone and now = same + new, so
	// kept - now + new = gone. Otherwise, or when some are gone, a pass
	// over the input's keys finds them (3.5 s at L). Counting modified
	// rows by key hash instead could let a collision hide a gone key.
	var now, changedRows, modified int64
	if err := tx.w.conn.QueryRowContext(ctx, fmt.Sprintf(`SELECT
		(SELECT count(*) FROM %[1]s), (SELECT count(*) FROM %[2]s), (SELECT count(*) FROM temp.%[3]s),
		(SELECT count(*) FROM %[1]s WHERE key_hash IN (SELECT __key_hash FROM temp.%[3]s))`,
		hashes, input, changedRowsTable)).Scan(&kept, &now, &changedRows, &modified); err != nil {
		return 0, false, err
	}
	onlyNew = modified == 0 && kept-now+changedRows == 0
	changedKeys := fmt.Sprintf("CREATE OR REPLACE TEMP TABLE %s AS SELECT __key_hash AS key_hash FROM temp.%s",
		Ident(changedKeysTable(m.Name)), changedRowsTable)
	if !onlyNew {
		changedKeys += fmt.Sprintf(" UNION SELECT key_hash FROM %s ANTI JOIN (SELECT hash(%s) AS key_hash FROM %s) USING (key_hash)",
			hashes, key, input)
	}
	if _, err := tx.w.conn.ExecContext(ctx, changedKeys); err != nil {
		return 0, false, fmt.Errorf("changed keys of %s: %w", inc.Input, err)
	}
	return kept, onlyNew, nil
}

// addFollowedKeys adds to the model's changed keys those whose rows name
// a row its followed model recomputed in this run: by the model's table as
// it was (a touchpoint restated or gone leaves the paths it was on), and by
// the model's query over only those rows as they are now (a touchpoint
// new or moved joins the paths it is on now).
func (tx *Tx) addFollowedKeys(ctx context.Context, m Model) error {
	inc := m.Incremental
	f := tx.catalog.model(inc.Follows).Incremental
	fkey, key := Ident(f.Key), Ident(inc.Key)
	followedKeys := "temp." + Ident(changedKeysTable(inc.Follows))
	// the followed model's rows of its changed keys: those it inserted,
	// by row id when it counted them (at L, a week of classified
	// touchpoints in 0.15 s, against 3.6 s to find them by key among 20M)
	rows := fmt.Sprintf("SELECT * FROM main.%s WHERE hash(%s) IN (SELECT key_hash FROM %s)", Ident(inc.Follows), fkey, followedKeys)
	if first, ok := tx.recomputed[inc.Follows]; ok {
		rows = rowsFrom(inc.Follows, first)
	}
	if _, err := tx.w.conn.ExecContext(ctx, fmt.Sprintf("CREATE OR REPLACE TEMP VIEW %s AS %s", followedView, rows)); err != nil {
		return err
	}
	_, err := tx.w.conn.ExecContext(ctx, fmt.Sprintf(`INSERT INTO temp.%[1]s
		SELECT hash(%[2]s) FROM main.%[3]s WHERE hash(%[4]s) IN (SELECT key_hash FROM %[5]s)
		UNION
		SELECT hash(%[2]s) FROM (
		%[6]s
		) WHERE %[4]s IS NOT NULL
		EXCEPT
		SELECT key_hash FROM temp.%[1]s`,
		Ident(changedKeysTable(m.Name)), key, Ident(m.Name), fkey, followedKeys,
		tx.narrowedBody(m, [2]string{inc.Follows, "temp." + followedView})))
	return err
}

// refreshedRows is the query of a model's rows computed whole every run
// (incremental_refresh). A row whose condition is NULL is not one of them:
// it is recomputed with its key, like any other.
func refreshedRows(m Model) string {
	return fmt.Sprintf("SELECT * FROM (\n%s\n)\nWHERE %s", m.body(), m.Incremental.Refresh)
}

// wrapSelect turns "INSERT INTO t\n<query>" into "INSERT INTO t\nSELECT *
// FROM (<query>)", so a WHERE can follow.
func wrapSelect(insert string) string {
	head, query, _ := strings.Cut(insert, "\n")
	return head + "\nSELECT * FROM (\n" + query + "\n)"
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
	if _, err = tx.w.conn.ExecContext(ctx, "DELETE FROM model_increment WHERE model = ?", m.Name); err != nil {
		return err
	}
	_, err = tx.w.conn.ExecContext(ctx, "DELETE FROM model_input_content WHERE model = ?", m.Name)
	return err
}

// narrowedBody is the model's query with every mention of one relation it
// reads (its input, the model it follows, or the table its input is
// narrowed at) reading relation instead, in its own SQL and in the
// ephemeral models it reads that reach that relation, which are inlined
// for it: a CTE of a model's name takes the place of the table or view of
// that name.
//
// Several relations can be narrowed at once, each a {name, relation} pair.
func (tx *Tx) narrowedBody(m Model, narrowed ...[2]string) string {
	var ctes, inlined []string
	for _, n := range narrowed {
		ctes, inlined = append(ctes, fmt.Sprintf("%s AS (SELECT * FROM %s)", Ident(n[0]), n[1])), append(inlined, n[0])
	}
	for _, e := range tx.catalog.Models { // in build order, so each CTE follows those it reads
		// by name, not by Reads: a table is in no model's Reads, and an
		// ephemeral model reading the relation through another is found
		// through that one, inlined before it
		if e.Ephemeral && slices.Contains(m.Reads, e.Name) && !slices.Contains(inlined, e.Name) &&
			slices.ContainsFunc(inlined, func(r string) bool { return mentions(e.SQL, r) }) {
			ctes, inlined = append(ctes, fmt.Sprintf("%s AS (\n%s\n)", Ident(e.Name), e.body())), append(inlined, e.Name)
		}
	}
	return fmt.Sprintf("WITH %s\nSELECT * FROM (\n%s\n)", strings.Join(ctes, ",\n"), m.body())
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
	// Keys recomputed from another model's recomputed keys need all of
	// them: that model rebuilt whole recomputed them all.
	inc := m.Incremental
	var upstream []string
	if inc.Partition == nil {
		upstream = []string{inc.Follows}
	}
	if inc.FromInput {
		upstream = append(upstream, inc.Input)
	}
	for _, up := range upstream {
		if up == "" {
			continue
		}
		switch upInc, ok := tx.increments[up]; {
		case !ok:
			return fmt.Sprintf("%s was not built in this run", up), nil
		case upInc.Full:
			return fmt.Sprintf("%s was rebuilt whole", up), nil
		}
	}
	if inc.FromInput {
		return "", nil
	}
	// the input hashes (or a partitioned model's digests) to compare with,
	// in this version's layout
	want, missing := keyHashColumns, "no input hashes from an earlier build"
	if inc.Partition != nil {
		want, missing = digestColumns, "no input digests from an earlier build"
	}
	have, err := columnsOf(ctx, tx.w.conn, `SELECT column_name, data_type FROM duckdb_columns()
		WHERE database_name = current_database() AND schema_name = 'main' AND table_name = ? ORDER BY column_index`, m.InputHashes())
	if err != nil || slices.Equal(have, want) {
		return "", err
	}
	return missing, nil
}

// keyHashColumns are the columns of a keyed model's input hashes table.
var keyHashColumns = []string{"key_hash UBIGINT", "input_hash UBIGINT"}

// recordFingerprint keeps the fingerprint of a model's full build, which
// the next run compares against (fullBuildReason).
func (tx *Tx) recordFingerprint(ctx context.Context, m Model, fingerprint string) error {
	if _, err := tx.w.conn.ExecContext(ctx, "DELETE FROM model_increment WHERE model = ?", m.Name); err != nil {
		return err
	}
	_, err := tx.w.conn.ExecContext(ctx, "INSERT INTO model_increment VALUES (?, ?)", m.Name, fingerprint)
	return err
}

// fullIncrementalBuild builds an incremental model's table whole, with the
// input hashes and fingerprint the next run compares against.
func (tx *Tx) fullIncrementalBuild(ctx context.Context, m Model, fingerprint, reason string) (Increment, error) {
	if err := tx.buildTable(ctx, m.Name, m.body()); err != nil {
		return Increment{}, err
	}
	// The keys an input incremental on the same key has, or the input
	// hashes the next run compares against.
	counted := fmt.Sprintf("SELECT count(DISTINCT %s) FROM main.%s", Ident(m.Incremental.Key), Ident(m.Incremental.Input))
	if m.Incremental.FromInput {
		if _, err := tx.w.conn.ExecContext(ctx, "DROP TABLE IF EXISTS main."+Ident(m.InputHashes())); err != nil {
			return Increment{}, err
		}
	} else {
		if _, err := tx.w.conn.ExecContext(ctx, fmt.Sprintf(
			"CREATE OR REPLACE TABLE main.%[1]s AS SELECT hash(i.%[2]s) AS key_hash, %[4]s AS input_hash FROM %[3]s AS i",
			Ident(m.InputHashes()), Ident(m.Incremental.Key), Ident(m.Incremental.Input), m.Incremental.CheckHash("i"))); err != nil {
			return Increment{}, fmt.Errorf("input hashes: %w", err)
		}
		counted = "SELECT count(*) FROM main." + Ident(m.InputHashes())
	}
	if err := tx.recordFingerprint(ctx, m, fingerprint); err != nil {
		return Increment{}, err
	}
	var n int64
	if err := tx.w.conn.QueryRowContext(ctx, counted).Scan(&n); err != nil {
		return Increment{}, err
	}
	return Increment{Full: true, Reason: reason, Changed: n}, nil
}

// relationNames returns the names of the tables and views a model's SQL
// can read, lower-cased.
func (tx *Tx) relationNames(ctx context.Context) (map[string]bool, error) {
	rows, err := tx.w.conn.QueryContext(ctx, `
		SELECT table_name FROM duckdb_tables() WHERE database_name IN (current_database(), 'temp')
		UNION
		SELECT view_name FROM duckdb_views() WHERE database_name IN (current_database(), 'temp') AND NOT internal`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	relations := map[string]bool{}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, err
		}
		relations[strings.ToLower(name)] = true
	}
	return relations, rows.Err()
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
	relations, err := tx.relationNames(ctx)
	if err != nil {
		return "", err
	}
	// The model's SQL and that of the ephemeral models it reads (inlined
	// into it, so what they read is read by it); their input is compared
	// row by row, and what follows from their followed model's changes or
	// is read only by the refreshed rows is not read whole.
	inc := m.Incremental
	notWhole := append(append([]string{m.Name, inc.Follows}, inc.RefreshReads...), inc.byRow()...)
	fmt.Fprintf(h, "incremental %q %q %q %q\n", inc.Follows, inc.Refresh, inc.RefreshReads, inc.Check)
	if inc.Partition != nil {
		fmt.Fprintf(h, "partitioned %q %v %v\n", inc.Partition, inc.Parts, inc.Lookups)
	}
	code := stripComments(m.SQL)
	for _, e := range tx.catalog.Models {
		if e.Ephemeral && slices.Contains(m.Reads, e.Name) && !slices.Contains(notWhole, e.Name) {
			fmt.Fprintf(h, "ephemeral %s %q\n", e.Name, e.SQL)
			code += "\n" + stripComments(e.SQL)
			notWhole = append(notWhole, e.Name)
		}
	}
	// Compared by check columns, the input's other columns follow from
	// its SQL and parameters: they are fingerprinted, not what it reads.
	paramCode := code
	if len(inc.Check) > 0 {
		in := tx.catalog.model(inc.Input)
		for _, e := range tx.catalog.Models {
			if e.Name == in.Name || (e.Ephemeral && slices.Contains(in.Reads, e.Name)) {
				fmt.Fprintf(h, "input %s %q\n", e.Name, e.SQL)
				paramCode += "\n" + stripComments(e.SQL)
			}
		}
	}
	var read []string
	for _, tok := range identToken.FindAllString(code, -1) {
		tok = strings.ToLower(tok)
		if relations[tok] && !slices.Contains(notWhole, tok) && !slices.Contains(read, tok) {
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
	for _, c := range getvariableCall.FindAllStringSubmatch(paramCode, -1) {
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

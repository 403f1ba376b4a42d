package models

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// digestColumns are the columns of a partitioned model's input hashes
// table: per input (its label) and partition or lookup key (by hash), the
// digest of its rows as they were at the last build.
var digestColumns = []string{"input VARCHAR", "part_hash UBIGINT", "row_count BIGINT", "digest UBIGINT"}

// Temporary tables of a partitioned build, dropped when it ends.
const (
	partitionDiffTable = "__partition_diff" // inputs and lookups: the hashes whose digest changed
	recomputedTable    = "__partitions_recomputed"
)

// changedPartsTable names the temporary table of an input's partitions to
// recompute (its partition columns, and their hash).
func changedPartsTable(i int) string { return fmt.Sprintf("__changed_parts_%d", i) }

// buildPartitioned brings a partitioned incremental model up to date (see
// PartitionedIncrement): it recomputes the partitions whose inputs changed
// since the last build, or rebuilds the whole table, for reason when not
// "" (see fullBuildReason).
//
// Partitions are compared by the hash of their values, as keyed models
// compare keys: two partitions whose hashes collide are recomputed
// together, which costs rows, never a wrong one, and a NULL partition is
// one like any other.
func (tx *Tx) buildPartitioned(ctx context.Context, m Model, fingerprint, reason string) (Increment, error) {
	inc := m.Incremental
	now, err := tx.inputDigests(ctx, m)
	if err != nil {
		return Increment{}, err
	}
	if reason != "" {
		return tx.fullPartitionedBuild(ctx, m, fingerprint, reason, now)
	}
	if err := tx.samePartitionTypes(ctx, m); err != nil {
		return Increment{}, err
	}
	temps := []string{partitionDiffTable, recomputedTable}
	for i := range inc.Parts {
		temps = append(temps, changedPartsTable(i))
	}
	defer func() {
		for _, t := range temps {
			tx.w.conn.ExecContext(context.Background(), "DROP TABLE IF EXISTS temp."+t)
		}
	}()
	model, hashes := "main."+Ident(m.Name), "main."+Ident(m.InputHashes())
	steps := []string{fmt.Sprintf(`CREATE OR REPLACE TEMP TABLE %s AS
		SELECT input, part_hash FROM (%s) AS now FULL JOIN %s AS old USING (input, part_hash)
		WHERE now.row_count IS DISTINCT FROM old.row_count OR now.digest IS DISTINCT FROM old.digest`, partitionDiffTable, now, hashes)}
	// Each input's partitions to recompute, in the partition columns it
	// has: those whose digest changed, as they are now and as the model
	// holds them (a partition gone from the input), and those holding a
	// row whose lookup key changed.
	diffOf := func(input string) string {
		return fmt.Sprintf("SELECT part_hash FROM temp.%s WHERE input = %s", partitionDiffTable, Literal(input))
	}
	for i, p := range inc.Parts {
		cols := partColumns(p, "")
		selects := []string{
			fmt.Sprintf("SELECT %s FROM temp.%s WHERE part_hash IN (%s)", cols, Ident(tx.digests[p.String()]), diffOf(p.String())),
			fmt.Sprintf("SELECT %s FROM %s WHERE %s IN (%s)", cols, model, partHash(p, ""), diffOf(p.String())),
		}
		for _, l := range inc.Lookups {
			selects = append(selects, fmt.Sprintf("SELECT %s FROM %s AS i WHERE hash(i.%s) IN (%s)",
				inputColumns(p, "i"), tx.qualified(p.Relation), Ident(l.Key), diffOf(l.String())))
		}
		steps = append(steps, fmt.Sprintf("CREATE OR REPLACE TEMP TABLE %s AS SELECT *, %s AS part_hash FROM (\n%s\n)",
			changedPartsTable(i), partHash(p, ""), strings.Join(selects, "\nUNION\n")))
	}
	// The model's partitions to recompute, as it holds them, with their rows.
	steps = append(steps, fmt.Sprintf("CREATE OR REPLACE TEMP TABLE %s AS SELECT %s, count(*) AS n FROM %s WHERE %s GROUP BY ALL",
		recomputedTable, identList(inc.Partition), model, inChangedParts(m, "")))
	for _, q := range steps {
		if _, err := tx.w.conn.ExecContext(ctx, q); err != nil {
			return Increment{}, fmt.Errorf("changed partitions: %w", err)
		}
	}
	var rows, total int64
	if err := tx.w.conn.QueryRowContext(ctx, fmt.Sprintf("SELECT (SELECT coalesce(sum(n), 0) FROM temp.%s), (SELECT count(*) FROM %s)",
		recomputedTable, model)).Scan(&rows, &total); err != nil {
		return Increment{}, err
	}
	// Deleting and inserting most of a table costs more than writing it
	// anew, and the rewrite leaves it compact.
	if rows*2 > total {
		return tx.fullPartitionedBuild(ctx, m, fingerprint,
			fmt.Sprintf("the partitions changed hold %d of its %d rows", rows, total), now)
	}
	var narrowed [][2]string
	for _, p := range inc.Parts {
		narrowed = append(narrowed, [2]string{p.Relation, fmt.Sprintf("%s AS i WHERE %s", tx.qualified(p.Relation), narrowing(m, p))})
	}
	if _, err := tx.w.conn.ExecContext(ctx, fmt.Sprintf("DELETE FROM %s WHERE %s", model, inChangedParts(m, ""))); err != nil {
		return Increment{}, err
	}
	if _, err := tx.writeRows(ctx, m.Name, fmt.Sprintf("INSERT INTO %s\nSELECT * FROM (\n%s\n) AS r\nWHERE %s",
		model, tx.narrowedBody(m, narrowed...), inChangedParts(m, "r"))); err != nil {
		return Increment{}, err
	}
	steps = []string{
		fmt.Sprintf("INSERT INTO temp.%[1]s SELECT %[2]s, count(*) FROM %[3]s WHERE %[4]s GROUP BY ALL", recomputedTable, identList(inc.Partition), model, inChangedParts(m, "")),
		// the digests as they are now, every one: a row per partition of
		// an input, per key of a lookup
		"DELETE FROM " + hashes,
		fmt.Sprintf("INSERT INTO %s %s", hashes, now),
	}
	for _, q := range steps {
		if _, err := tx.w.conn.ExecContext(ctx, q); err != nil {
			return Increment{}, err
		}
	}
	var changed int64
	if err := tx.w.conn.QueryRowContext(ctx, fmt.Sprintf("SELECT count(*) FROM (SELECT DISTINCT %s FROM temp.%s)",
		identList(inc.Partition), recomputedTable)).Scan(&changed); err != nil {
		return Increment{}, err
	}
	return Increment{Changed: changed, Partition: inc.partitionLabel()}, nil
}

// inChangedParts is the condition that a row of the model (alias, or
// unqualified) is in a partition to recompute: that of one input's
// changed partitions, in the partition columns that input has.
func inChangedParts(m Model, alias string) string {
	var conds []string
	for i, p := range m.Incremental.Parts {
		conds = append(conds, fmt.Sprintf("%s IN (SELECT part_hash FROM temp.%s)", partHash(p, alias), changedPartsTable(i)))
	}
	return "(" + strings.Join(conds, " OR ") + ")"
}

// narrowing is the condition on input p's rows (alias i) that they belong
// to a partition to recompute: they match one input's changed partitions
// in the partition columns both have. An input with none in common with
// one whose partitions changed is read whole.
func narrowing(m Model, p PartInput) string {
	var conds []string
	for j, q := range m.Incremental.Parts {
		var mine, theirs []string
		for k, part := range m.Incremental.Partition {
			if p.Columns[k] != "" && q.Columns[k] != "" {
				mine, theirs = append(mine, "i."+Ident(p.Columns[k])), append(theirs, Ident(part))
			}
		}
		if len(mine) == 0 {
			conds = append(conds, fmt.Sprintf("EXISTS (SELECT 1 FROM temp.%s)", changedPartsTable(j)))
			continue
		}
		conds = append(conds, fmt.Sprintf("hash(%s) IN (SELECT hash(%s) FROM temp.%s)",
			strings.Join(mine, ", "), strings.Join(theirs, ", "), changedPartsTable(j)))
	}
	return "(" + strings.Join(conds, " OR ") + ")"
}

// partHash renders the hash of the partition columns input p has, on a
// relation holding them under the partition columns' names (the model, a
// changed-partitions table; alias qualifies them when not "").
func partHash(p PartInput, alias string) string { return "hash(" + partColumns(p, alias) + ")" }

// partColumns lists the partition columns input p has, by their names in
// the model.
func partColumns(p PartInput, alias string) string {
	var cols []string
	for i, c := range p.Columns {
		if c != "" {
			col := Ident(p.partition[i])
			if alias != "" {
				col = alias + "." + col
			}
			cols = append(cols, col)
		}
	}
	return strings.Join(cols, ", ")
}

// inputColumns selects input p's partition columns (alias.column) under
// the model's names for them.
func inputColumns(p PartInput, alias string) string {
	var cols []string
	for i, c := range p.Columns {
		if c != "" {
			cols = append(cols, fmt.Sprintf("%s.%s AS %s", alias, Ident(c), Ident(p.partition[i])))
		}
	}
	return strings.Join(cols, ", ")
}

// samePartitionTypes checks that every input's partition columns have the
// model's types, and its lookup keys the lookups' types: partitions and
// keys are matched by hash, and a DATE and a TIMESTAMP of the same day
// hash apart.
func (tx *Tx) samePartitionTypes(ctx context.Context, m Model) error {
	types := func(query string) ([]string, error) {
		return columnsOf(ctx, tx.w.conn, "SELECT column_name, column_type FROM (DESCRIBE "+query+")")
	}
	inc := m.Incremental
	want, err := types(fmt.Sprintf("SELECT %s FROM main.%s", identList(inc.Partition), Ident(m.Name)))
	if err != nil {
		return err
	}
	for _, p := range inc.Parts {
		have, err := types(fmt.Sprintf("SELECT %s FROM %s AS i", inputColumns(p, "i"), tx.qualified(p.Relation)))
		if err != nil {
			return fmt.Errorf("incremental input %s: %w", p, err)
		}
		for _, h := range have {
			if !slices.Contains(want, h) {
				return fmt.Errorf("incremental input %s: partition column %s, the model's is %v", p, h, want)
			}
		}
		for _, l := range inc.Lookups {
			key := fmt.Sprintf("SELECT %s FROM %%s LIMIT 0", Ident(l.Key))
			mine, err := types(fmt.Sprintf(key, tx.qualified(p.Relation)))
			if err != nil {
				return fmt.Errorf("incremental input %s: lookup %s: %w", p, l, err)
			}
			if theirs, err := types(fmt.Sprintf(key, tx.qualified(l.Relation))); err != nil || !slices.Equal(mine, theirs) {
				return fmt.Errorf("incremental input %s: lookup %s: key %v, the lookup's %v (%v)", p, l, mine, theirs, err)
			}
		}
	}
	return nil
}

// fullPartitionedBuild builds a partitioned model's table whole, with the
// digests and fingerprint the next run compares against.
func (tx *Tx) fullPartitionedBuild(ctx context.Context, m Model, fingerprint, reason, now string) (Increment, error) {
	if err := tx.buildTable(ctx, m.Name, m.body()); err != nil {
		return Increment{}, err
	}
	hashes := "main." + Ident(m.InputHashes())
	steps := []string{
		fmt.Sprintf("CREATE OR REPLACE TABLE %s (%s)", hashes, strings.Join(digestColumns, ", ")),
		fmt.Sprintf("INSERT INTO %s %s", hashes, now),
	}
	for _, q := range steps {
		if _, err := tx.w.conn.ExecContext(ctx, q); err != nil {
			return Increment{}, err
		}
	}
	if err := tx.recordFingerprint(ctx, m, fingerprint); err != nil {
		return Increment{}, err
	}
	var n int64
	if err := tx.w.conn.QueryRowContext(ctx, fmt.Sprintf("SELECT count(*) FROM (SELECT DISTINCT %s FROM main.%s)",
		identList(m.Incremental.Partition), Ident(m.Name))).Scan(&n); err != nil {
		return Increment{}, err
	}
	return Increment{Full: true, Reason: reason, Changed: n, Partition: m.Incremental.partitionLabel()}, nil
}

// inputDigests returns a query of the digests of a partitioned model's
// inputs as they are now: per partition of each input (whose values its
// digests table keeps too), per key of each lookup. Each digest is
// computed once per run, whichever models read it: a relation does not
// change after the model that builds it.
func (tx *Tx) inputDigests(ctx context.Context, m Model) (string, error) {
	inc := m.Incremental
	type digest struct{ label, relation, columns, hashed string }
	var all []digest
	for _, p := range inc.Parts {
		all = append(all, digest{p.String(), p.Relation, inputColumns(p, "i"), partHash(p, "")})
	}
	for _, l := range inc.Lookups {
		all = append(all, digest{l.String(), l.Relation, "i." + Ident(l.Key) + " AS key", "hash(key)"})
	}
	var selects []string
	for _, d := range all {
		table, ok := tx.digests[d.label]
		if !ok {
			table = fmt.Sprintf("__digest_%d", len(tx.digests))
			if _, err := tx.w.conn.ExecContext(ctx, fmt.Sprintf(`CREATE OR REPLACE TEMP TABLE %s AS
				SELECT *, %s AS part_hash FROM (
					SELECT %s, count(*) AS row_count,
						(sum(hash(i)::HUGEINT) %% 18446744073709551616)::UBIGINT AS digest -- the sum modulo 2^64
					FROM %s AS i GROUP BY ALL
				)`, Ident(table), d.hashed, d.columns, tx.qualified(d.relation))); err != nil {
				return "", fmt.Errorf("digest of %s: %w", d.label, err)
			}
			tx.digests[d.label] = table
		}
		selects = append(selects, fmt.Sprintf("SELECT %s AS input, part_hash, row_count, digest FROM temp.%s", Literal(d.label), Ident(table)))
	}
	return strings.Join(selects, " UNION ALL "), nil
}

// qualified names a model's relation in the schema it lives in: an
// ephemeral model is a temporary view. A qualified name is not shadowed by
// a CTE of the same name, which narrowing defines.
func (tx *Tx) qualified(name string) string {
	if tx.catalog.model(name).Ephemeral {
		return "temp." + Ident(name)
	}
	return "main." + Ident(name)
}

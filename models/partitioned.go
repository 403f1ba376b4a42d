package models

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// digestColumns are the columns of a partitioned model's input hashes
// table: per input (relation.column) and partition or lookup key, the
// digest of its rows as they were at the last build.
var digestColumns = []string{"input VARCHAR", "part_hash UBIGINT", "row_count BIGINT", "digest UBIGINT"}

// changedPartsTable holds the hashes of the partitions a partitioned
// model recomputes, while it builds.
const changedPartsTable = "__changed_parts"

// buildPartitioned brings a partitioned incremental model up to date (see
// PartitionedIncrement): it recomputes the partitions whose inputs changed
// since the last build, or rebuilds the whole table.
//
// Partitions are matched by hash(partition), as keyed models match keys:
// two partitions whose hashes collide are recomputed together, which costs
// rows, never a wrong one, and a NULL partition is one like any other.
func (tx *Tx) buildPartitioned(ctx context.Context, m Model) (Increment, error) {
	inc := m.Incremental
	fingerprint, err := tx.incrementalFingerprint(ctx, m)
	if err != nil {
		return Increment{}, err
	}
	reason, err := tx.fullBuildReason(ctx, m, fingerprint)
	if err != nil {
		return Increment{}, err
	}
	now, err := tx.inputDigests(ctx, m)
	if err != nil {
		return Increment{}, err
	}
	if reason != "" {
		return tx.fullPartitionedBuild(ctx, m, fingerprint, reason, now)
	}
	defer tx.w.conn.ExecContext(context.Background(), "DROP TABLE IF EXISTS temp."+changedPartsTable)
	hashes := "main." + Ident(m.InputHashes())
	// The partitions whose digest changed in an input, and those holding
	// a row that names a lookup key whose digest changed, in any input.
	// The inputs' rows as they are now: a row that moved changed the
	// digests of both its partitions.
	selects := []string{"SELECT part_hash FROM diff WHERE input IN (" + inputLabels(inc.Parts) + ")"}
	for _, l := range inc.Lookups {
		for _, p := range inc.Parts {
			selects = append(selects, fmt.Sprintf("SELECT hash(i.%s) FROM %s AS i WHERE hash(i.%s) IN (SELECT part_hash FROM diff WHERE input = %s)",
				Ident(p.Column), tx.qualified(p.Relation), Ident(l.Column), Literal(l.String())))
		}
	}
	if _, err := tx.w.conn.ExecContext(ctx, fmt.Sprintf(`CREATE OR REPLACE TEMP TABLE %s AS
		WITH diff AS MATERIALIZED (
			SELECT input, part_hash FROM (%s) AS now FULL JOIN %s AS old USING (input, part_hash)
			WHERE now.row_count IS DISTINCT FROM old.row_count OR now.digest IS DISTINCT FROM old.digest
		)
		%s`, changedPartsTable, now, hashes, strings.Join(selects, "\nUNION\n"))); err != nil {
		return Increment{}, fmt.Errorf("changed partitions: %w", err)
	}
	var changed, kept int64
	if err := tx.w.conn.QueryRowContext(ctx, fmt.Sprintf(`SELECT (SELECT count(*) FROM temp.%s),
		(SELECT count(DISTINCT part_hash) FROM %s WHERE input IN (%s))`, changedPartsTable, hashes, inputLabels(inc.Parts))).Scan(&changed, &kept); err != nil {
		return Increment{}, err
	}
	if changed*2 > kept {
		return tx.fullPartitionedBuild(ctx, m, fingerprint, fmt.Sprintf("%d of %d partitions changed", changed, kept), now)
	}
	inChanged := func(col string) string {
		return fmt.Sprintf("hash(%s) IN (SELECT part_hash FROM temp.%s)", col, changedPartsTable)
	}
	var narrowed [][2]string
	for _, p := range inc.Parts {
		narrowed = append(narrowed, [2]string{p.Relation, fmt.Sprintf("%s WHERE %s", tx.qualified(p.Relation), inChanged(Ident(p.Column)))})
	}
	steps := []string{
		fmt.Sprintf("DELETE FROM main.%s WHERE %s", Ident(m.Name), inChanged(Ident(inc.Partition))),
		fmt.Sprintf("INSERT INTO main.%s\n%s", Ident(m.Name), tx.narrowedBody(m, narrowed...)),
	}
	if changed == 0 {
		steps = nil // a lookup key no row names changed: only the digests
	}
	// The digests as they are now, every one: a few rows per input.
	steps = append(steps, "DELETE FROM "+hashes, fmt.Sprintf("INSERT INTO %s %s", hashes, now))
	for _, q := range steps {
		if _, err := tx.w.conn.ExecContext(ctx, q); err != nil {
			return Increment{}, err
		}
	}
	return Increment{Changed: changed, Partition: inc.Partition}, nil
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
		fmt.Sprintf("DELETE FROM model_increment WHERE model = %s", Literal(m.Name)),
		fmt.Sprintf("INSERT INTO model_increment VALUES (%s, %s)", Literal(m.Name), Literal(fingerprint)),
	}
	for _, q := range steps {
		if _, err := tx.w.conn.ExecContext(ctx, q); err != nil {
			return Increment{}, err
		}
	}
	var n int64
	if err := tx.w.conn.QueryRowContext(ctx, fmt.Sprintf("SELECT count(DISTINCT %s) FROM main.%s",
		Ident(m.Incremental.Partition), Ident(m.Name))).Scan(&n); err != nil {
		return Increment{}, err
	}
	return Increment{Full: true, Reason: reason, Changed: n, Partition: m.Incremental.Partition}, nil
}

// digestsMissing says why a partitioned model whose fingerprint matches
// must still be rebuilt whole: its input digests are not there to compare.
func (tx *Tx) digestsMissing(ctx context.Context, m Model) (string, error) {
	have, err := columnsOf(ctx, tx.w.conn, `SELECT column_name, data_type FROM duckdb_columns()
		WHERE database_name = current_database() AND schema_name = 'main' AND table_name = ? ORDER BY column_index`, m.InputHashes())
	if err != nil || slices.Equal(have, digestColumns) {
		return "", err
	}
	return "no input digests from an earlier build", nil
}

// inputDigests returns a query of the digests of a partitioned model's
// inputs as they are now: per partition of each input, per key of each
// lookup. Each digest is computed once per run, whichever models read it:
// a relation does not change after the model that builds it.
func (tx *Tx) inputDigests(ctx context.Context, m Model) (string, error) {
	inc := m.Incremental
	var selects []string
	for _, k := range append(slices.Clone(inc.Parts), inc.Lookups...) {
		table, ok := tx.digests[k.String()]
		if !ok {
			table = "__digest__" + k.Relation + "__" + k.Column
			if _, err := tx.w.conn.ExecContext(ctx, fmt.Sprintf(`CREATE OR REPLACE TEMP TABLE %s AS
				SELECT hash(i.%s) AS part_hash, count(*) AS row_count,
					(sum(hash(i)::HUGEINT) %% 18446744073709551616)::UBIGINT AS digest -- the sum modulo 2^64
				FROM %s AS i GROUP BY ALL`, Ident(table), Ident(k.Column), tx.qualified(k.Relation))); err != nil {
				return "", fmt.Errorf("digest of %s: %w", k, err)
			}
			tx.digests[k.String()] = table
		}
		selects = append(selects, fmt.Sprintf("SELECT %s AS input, part_hash, row_count, digest FROM temp.%s", Literal(k.String()), Ident(table)))
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

// inputLabels lists the inputs' labels (relation.column) as SQL strings.
func inputLabels(inputs []KeyedInput) string {
	labels := make([]string, len(inputs))
	for i, k := range inputs {
		labels[i] = Literal(k.String())
	}
	return strings.Join(labels, ", ")
}

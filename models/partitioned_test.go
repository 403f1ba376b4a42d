package models_test

import (
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/socialroi/socialroi/models"
)

// weeklyBody is a model partitioned by week, as the weekly marts are: a
// week's rows sum that week's events (an ephemeral input) and spend (a
// table whose week column is wk), labelled through a lookup of ads, scaled
// by a table read whole, tagged with a parameter.
const weeklyBody = `WITH credited AS (
    SELECT e.week, coalesce(a.label, '?') AS label, sum(e.v) * (SELECT max(x) FROM rules) AS score
    FROM stg_ev AS e LEFT JOIN int_ads AS a ON a.ad = e.ad
    GROUP BY ALL
),
spent AS (
    SELECT s.wk AS week, coalesce(a.label, '?') AS label, sum(s.amount) AS amount
    FROM int_spend AS s LEFT JOIN int_ads AS a ON a.ad = s.ad
    GROUP BY ALL
)
SELECT coalesce(c.week, s.week) AS week, coalesce(c.label, s.label) AS label, c.score, s.amount, getvariable('tag') AS tag
FROM credited AS c FULL JOIN spent AS s ON s.week = c.week AND s.label = c.label`

// A partitioned incremental model recomputes the partitions whose input
// rows changed, or that hold a row naming a lookup key that changed, and
// its table is then what a full build computes; what it reads whole, a
// full refresh, most partitions changing or digests of another layout
// rebuild it whole.
func TestPartitionedIncrementalModel(t *testing.T) {
	ctx := t.Context()
	w, exec := eventsWarehouse(t) // its ev replaced
	// weeks 1…6: events e0…e17 (three a week, ads a0…a2), x of ad a3 in
	// week 5 alone, 10·week of spend on a0 each week; a1 and a2 share a
	// label
	exec(`DROP TABLE ev;
		CREATE TABLE ev AS SELECT 'e' || i AS id, (i % 6 + 1)::INTEGER AS week, 'a' || (i % 3) AS ad, i::INTEGER AS v FROM range(18) AS r(i);
		INSERT INTO ev VALUES ('x', 5, 'a3', 50);
		CREATE TABLE spend AS SELECT w::INTEGER AS week, 'a0' AS ad, (w * 10)::DECIMAL(18, 2) AS amount FROM range(1, 7) AS r(w);
		CREATE TABLE ads (ad VARCHAR, label VARCHAR);
		INSERT INTO ads VALUES ('a0', 'A'), ('a1', 'B'), ('a2', 'B'), ('a3', 'C');
		CREATE TABLE rules AS SELECT 2 AS x;
		SET VARIABLE tag = 'a'`)
	project := fstest.MapFS{
		"staging/stg_ev.sql":         {Data: []byte("-- materialized: ephemeral\nSELECT id, week, ad, v FROM ev")},
		"intermediate/int_spend.sql": {Data: []byte("SELECT week AS wk, ad, amount FROM spend")},
		"intermediate/int_ads.sql":   {Data: []byte("SELECT ad, label FROM ads")},
		"marts/weekly.sql": {Data: []byte(`-- materialized: incremental
-- incremental_partition: week
-- incremental_input: stg_ev, int_spend.wk
-- incremental_lookup: int_ads.ad
` + weeklyBody)},
	}
	cat, err := models.LoadCatalog(project)
	if err != nil {
		t.Fatal(err)
	}
	// the table a full build computes, from the tables under the models
	want := `WITH stg_ev AS (SELECT * FROM ev), int_spend AS (SELECT week AS wk, ad, amount FROM spend), int_ads AS (SELECT * FROM ads)
		SELECT * FROM (` + weeklyBody + `) ORDER BY ALL`
	run := func(fullRefresh bool) models.Increment {
		t.Helper()
		tx, err := w.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		tx.FullRefresh = fullRefresh
		res, err := tx.RunModels(ctx, cat, nil)
		if err != nil {
			tx.Rollback()
			t.Fatal(err)
		}
		if err := tx.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		got, exp := rowsOf(t, w, "SELECT * FROM weekly ORDER BY ALL"), rowsOf(t, w, want)
		if !slices.Equal(got, exp) {
			t.Fatalf("weekly:\n%s\nwant (a full build):\n%s", strings.Join(got, "\n"), strings.Join(exp, "\n"))
		}
		i := slices.IndexFunc(res, func(r models.ModelResult) bool { return r.Name == "weekly" })
		if res[i].Increment == nil {
			t.Fatalf("no increment in %+v", res[i])
		}
		return *res[i].Increment
	}
	full := func(reason string, weeks int64) models.Increment {
		return models.Increment{Full: true, Reason: reason, Changed: weeks, Partition: "week"}
	}
	updated := func(weeks int64) models.Increment { return models.Increment{Changed: weeks, Partition: "week"} }
	const whole = "its SQL, parameters, DuckDB or a table it reads whole changed"

	for _, step := range []struct {
		name    string
		change  string // SQL run before the build
		refresh bool
		want    models.Increment
	}{
		{"first build", "", false, full("no earlier build", 6)},
		{"nothing changed", "", false, updated(0)},
		{"an event restated", "UPDATE ev SET v = 100 WHERE id = 'e1'", false, updated(1)},
		// through the input's own partition column, wk: weeks 3 and 4
		{"spend moved a week", "UPDATE spend SET week = 4 WHERE week = 3", false, updated(2)},
		// a3 is named in week 5 alone
		{"a lookup row changed", "UPDATE ads SET label = 'D' WHERE ad = 'a3'", false, updated(1)},
		{"a lookup row no row names", "INSERT INTO ads VALUES ('a9', 'Z')", false, updated(0)},
		{"a row names it", "INSERT INTO ev VALUES ('y', 6, 'a9', 1)", false, updated(1)},
		{"a week gone", "DELETE FROM ev WHERE week = 1; DELETE FROM spend WHERE week = 1", false, updated(1)},
		{"a new week", "INSERT INTO ev VALUES ('z', 7, 'a0', 3)", false, updated(1)},
		{"a table read whole changed", "UPDATE rules SET x = 3", false, full(whole, 6)},
		{"a parameter changed", "SET VARIABLE tag = 'b'", false, full(whole, 6)},
		{"full refresh", "", true, full("a full rebuild was asked for", 6)},
		// weeks 2…5 of the six stored (2…7)
		{"most partitions changed", "UPDATE ev SET v = v + 1 WHERE week <= 5", false, full("4 of 6 partitions changed", 6)},
		{"digests of another layout", "ALTER TABLE weekly__input_hashes RENAME COLUMN digest TO d", false,
			full("no input digests from an earlier build", 6)},
		{"and updated again", "UPDATE ev SET v = 0 WHERE id = 'e1'", false, updated(1)},
	} {
		if step.change != "" {
			exec(step.change)
		}
		if got := run(step.refresh); got != step.want {
			t.Errorf("%s: %+v, want %+v", step.name, got, step.want)
		}
	}
}

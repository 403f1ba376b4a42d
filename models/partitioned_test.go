package models_test

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/socialroi/socialroi/models"
)

// weeklyBody is a model partitioned by week and model, as the weekly marts
// are: a partition's rows sum its events (an ephemeral input with both
// columns) and the week's spend (a table whose week column is wk, with no
// model: its rows go to every model of the week), labelled through a lookup
// of ads, scaled by a table read whole, tagged with a parameter.
const weeklyBody = `WITH credited AS (
    SELECT e.week, e.model, coalesce(a.label, '?') AS label, sum(e.v) * (SELECT max(x) FROM rules) AS score
    FROM stg_ev AS e LEFT JOIN int_ads AS a ON a.ad = e.ad
    GROUP BY ALL
),
spent AS (
    SELECT s.wk AS week, m.model, coalesce(a.label, '?') AS label, sum(s.amount) AS amount
    FROM int_spend AS s LEFT JOIN int_ads AS a ON a.ad = s.ad
    CROSS JOIN (SELECT unnest(['m1', 'm2', 'm3']) AS model) AS m
    GROUP BY ALL
)
SELECT coalesce(c.week, s.week) AS week, coalesce(c.model, s.model) AS model, coalesce(c.label, s.label) AS label,
    c.score, s.amount, getvariable('tag') AS tag
FROM credited AS c FULL JOIN spent AS s ON s.week = c.week AND s.model = c.model AND s.label = c.label`

// A partitioned incremental model recomputes the partitions whose input
// rows changed, gone or new, or that hold a row naming a lookup key that
// changed, and its table is then what a full build computes; what it
// reads whole, a full refresh, partitions holding most of its rows
// changing, or digests of another layout rebuild it whole.
func TestPartitionedIncrementalModel(t *testing.T) {
	w, exec := eventsWarehouse(t) // its ev replaced
	// weeks 1…6: events e0…e23 of models m1 (e0…e7), m2 and m3 (ads
	// a0…a2), x of ad a3 in week 5 of m1 alone, 10·week of spend on a0 each
	// week; a1 and a2 share a label. 18 partitions: 6 weeks × 3 models.
	exec(`DROP TABLE ev;
		CREATE TABLE ev AS SELECT 'e' || i AS id, (i % 6 + 1)::INTEGER AS week, 'm' || (i // 8 + 1) AS model, 'a' || (i % 3) AS ad, i::INTEGER AS v
		FROM range(24) AS r(i);
		INSERT INTO ev VALUES ('x', 5, 'm1', 'a3', 50);
		CREATE TABLE spend AS SELECT w::INTEGER AS week, 'a0' AS ad, (w * 10)::DECIMAL(18, 2) AS amount FROM range(1, 7) AS r(w);
		CREATE TABLE ads (ad VARCHAR, label VARCHAR);
		INSERT INTO ads VALUES ('a0', 'A'), ('a1', 'B'), ('a2', 'B'), ('a3', 'C');
		CREATE TABLE rules AS SELECT 2 AS x;
		SET VARIABLE tag = 'a'`)
	project := fstest.MapFS{
		"staging/stg_ev.sql":         {Data: []byte("-- materialized: ephemeral\nSELECT id, week, model, ad, v FROM ev")},
		"intermediate/int_spend.sql": {Data: []byte("SELECT week AS wk, ad, amount FROM spend")},
		"intermediate/int_ads.sql":   {Data: []byte("SELECT ad, label FROM ads")},
		"marts/weekly.sql": {Data: []byte(`-- materialized: incremental
-- incremental_partition: week, model
-- incremental_input: stg_ev, int_spend(wk AS week)
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
		return buildIncrementally(t, w, cat, "weekly", want, fullRefresh)
	}
	const parts = "week, model"
	full := func(reason string, n int64) models.Increment {
		return models.Increment{Full: true, Reason: reason, Changed: n, Partition: parts}
	}
	updated := func(n int64) models.Increment { return models.Increment{Changed: n, Partition: parts} }
	const whole = "its SQL, parameters, DuckDB or a table it reads whole changed"

	for _, step := range []struct {
		name    string
		change  string // SQL run before the build
		refresh bool
		want    models.Increment
	}{
		{"first build", "", false, full("no earlier build", 18)},
		{"nothing changed", "", false, updated(0)},
		// e1: week 2 of m1
		{"an event restated", "UPDATE ev SET v = 100 WHERE id = 'e1'", false, updated(1)},
		// through the input's own week column, wk; spend is every
		// model's: weeks 3 and 4 of m1, m2 and m3
		{"spend moved a week", "UPDATE spend SET week = 4 WHERE week = 3", false, updated(6)},
		// a3 is named in week 5 of m1 alone
		{"a lookup row changed", "UPDATE ads SET label = 'D' WHERE ad = 'a3'", false, updated(1)},
		{"a lookup row no row names", "INSERT INTO ads VALUES ('a9', 'Z')", false, updated(0)},
		{"a row names it", "INSERT INTO ev VALUES ('y', 6, 'm2', 'a9', 1)", false, updated(1)},
		// as Markov's credit changes every week: m3 in weeks 1…6
		{"one model restated in every week", "UPDATE ev SET v = v * 2 WHERE model = 'm3'", false, updated(6)},
		// week 1 of every model, found in the table: the inputs have none
		{"a week gone", "DELETE FROM ev WHERE week = 1; DELETE FROM spend WHERE week = 1", false, updated(3)},
		{"a new week's event", "INSERT INTO ev VALUES ('z', 7, 'm1', 'a0', 3)", false, updated(1)},
		{"and its spend", "INSERT INTO spend VALUES (7, 'a0', 5)", false, updated(3)},
		// weeks 2…7 of three models
		{"a table read whole changed", "UPDATE rules SET x = 3", false, full(whole, 18)},
		{"a parameter changed", "SET VARIABLE tag = 'b'", false, full(whole, 18)},
		{"full refresh", "", true, full("a full rebuild was asked for", 18)},
		// weeks 2…5 of every model (see below for the rows)
		{"most partitions changed", "UPDATE ev SET v = v + 1 WHERE week <= 5", false, full("", 18)},
		{"digests of another layout", "ALTER TABLE weekly__input_hashes RENAME COLUMN digest TO d", false,
			full("no input digests from an earlier build", 18)},
		{"and updated again", "UPDATE ev SET v = 0 WHERE id = 'e1'", false, updated(1)},
	} {
		if step.want.Full && step.want.Reason == "" {
			// the rows of weeks 2…5 against all rows, as the table held them
			r := rowsOf(t, w, "SELECT count(*) FILTER (WHERE week BETWEEN 2 AND 5) || ' of its ' || count(*) FROM weekly")
			step.want.Reason = "the partitions changed hold " + r[0] + " rows"
		}
		if step.change != "" {
			exec(step.change)
		}
		if got := run(step.refresh); got != step.want {
			t.Errorf("%s: %+v, want %+v", step.name, got, step.want)
		}
	}
}

// An input whose partition column has another type than the model's is an
// error naming it: partitions are matched by hash, and a DATE and a
// TIMESTAMP of the same day hash apart.
func TestPartitionTypesMustMatch(t *testing.T) {
	w, exec := eventsWarehouse(t)
	exec("CREATE TABLE spend AS SELECT DATE '2026-11-16' AS day, 10 AS amount")
	project := fstest.MapFS{
		"staging/stg_spend.sql": {Data: []byte("-- materialized: ephemeral\nSELECT day, amount FROM spend")},
		"marts/weekly.sql": {Data: []byte(`-- materialized: incremental
-- incremental_partition: week
-- incremental_input: stg_spend(day AS week)
SELECT day::TIMESTAMP AS week, sum(amount) AS amount FROM stg_spend GROUP BY ALL`)},
	}
	if _, err := runProject(t, w, project); err != nil {
		t.Fatal(err) // built whole: nothing compared yet
	}
	exec("INSERT INTO spend VALUES (DATE '2026-11-23', 5)")
	_, err := runProject(t, w, project)
	if err == nil || !strings.Contains(err.Error(), "incremental input stg_spend(day AS week): partition column week DATE, the model's is [week TIMESTAMP]") {
		t.Errorf("got %v", err)
	}
}

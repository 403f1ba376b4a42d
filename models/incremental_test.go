package models_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/google/go-cmp/cmp"

	"github.com/socialroi/socialroi/models"
	"github.com/socialroi/socialroi/models/attribution"
	sqlfiles "github.com/socialroi/socialroi/sql"
	"github.com/socialroi/socialroi/transform"
)

// An incremental model recomputes only the keys whose input row changed,
// and its table is then what a full build computes; anything it reads whole
// changing, a full refresh, or most rows changing rebuild it whole.
func TestIncrementalModel(t *testing.T) {
	// rules is read whole
	w, exec := eventsWarehouse(t)
	exec("CREATE TABLE rules AS SELECT 2 AS x")
	exec("SET VARIABLE tag = 'a'")
	project := fstest.MapFS{
		"staging/stg_ev.sql": {Data: []byte(`-- materialized: ephemeral
SELECT e.id, coalesce(p.canon, e.person) AS person, e.v FROM ev AS e LEFT JOIN people AS p ON p.id = e.person`)},
		"intermediate/scored.sql": {Data: []byte(`-- materialized: incremental
-- unique_key: id
-- incremental_input: stg_ev
SELECT id, person, v * (SELECT max(x) FROM rules) AS score, getvariable('tag') AS tag FROM stg_ev`)},
	}
	cat, err := models.LoadCatalog(project)
	if err != nil {
		t.Fatal(err)
	}
	// the table a full build computes, to compare every run against
	const want = `SELECT e.id, coalesce(p.canon, e.person), e.v * (SELECT max(x) FROM rules), getvariable('tag')
		FROM ev AS e LEFT JOIN people AS p ON p.id = e.person ORDER BY ALL`
	run := func(fullRefresh bool) models.Increment {
		return buildIncrementally(t, w, cat, "scored", want, fullRefresh)
	}

	for _, step := range []struct {
		name    string
		change  string // SQL run before the build
		refresh bool
		want    models.Increment
	}{
		{"first build", "", false, models.Increment{Full: true, Reason: "no earlier build", Changed: 20}},
		{"nothing changed", "", false, models.Increment{}},
		// 7 keys of 20, recomputed in place
		{"a few rows changed", changeFewEvents, false, models.Increment{Changed: 7}},
		{"a rule changed", "UPDATE rules SET x = 3", false,
			models.Increment{Full: true, Reason: "its SQL, parameters, DuckDB or a table it reads whole changed", Changed: 20}},
		{"a parameter changed", "SET VARIABLE tag = 'b'", false,
			models.Increment{Full: true, Reason: "its SQL, parameters, DuckDB or a table it reads whole changed", Changed: 20}},
		{"full refresh", "", true, models.Increment{Full: true, Reason: "a full rebuild was asked for", Changed: 20}},
		// e0 and e3…e13 (e1 is at 100, e2 gone): 12 of 20 is most of
		// them, rebuilt whole
		{"most rows changed", "UPDATE ev SET v = v + 1 WHERE v < 14", false,
			models.Increment{Full: true, Reason: "12 of 20 input rows changed", Changed: 20}},
		{"one row again", "UPDATE ev SET v = 7 WHERE id = 'e0'", false, models.Increment{Changed: 1}},
		// hashes another version kept, in another layout
		{"hashes of another layout", "ALTER TABLE scored__input_hashes RENAME COLUMN key_hash TO k", false,
			models.Increment{Full: true, Reason: "no input hashes from an earlier build", Changed: 20}},
		{"and updated again", "DELETE FROM ev WHERE id = 'e5'", false, models.Increment{Changed: 1}},
		// only new keys: the count says none is gone, and no pass looks
		{"a new key", "INSERT INTO ev VALUES ('e21', 'p1', 21)", false, models.Increment{Changed: 1}},
		// as many gone as new: the counts balance, the pass finds e6
		{"one new, one gone", "INSERT INTO ev VALUES ('e22', 'p2', 22); DELETE FROM ev WHERE id = 'e6'", false,
			models.Increment{Changed: 2}},
	} {
		if step.change != "" {
			exec(step.change)
		}
		if got := run(step.refresh); got != step.want {
			t.Errorf("%s: %+v, want %+v", step.name, got, step.want)
		}
	}

	// Made a plain table for a while, its hashes go: made incremental
	// again, it is built whole, not updated against hashes older than its
	// table. (e0 is at 7 in the hashes; the plain table computes it at 9;
	// back at 7, stale hashes would call it unchanged and keep 9's score.)
	exec("UPDATE ev SET v = 9 WHERE id = 'e0'")
	plain := fstest.MapFS{"staging/stg_ev.sql": project["staging/stg_ev.sql"], "intermediate/scored.sql": {Data: []byte(
		"SELECT id, person, v * (SELECT max(x) FROM rules) AS score, getvariable('tag') AS tag FROM stg_ev")}}
	if _, err := runProject(t, w, plain); err != nil {
		t.Fatal(err)
	}
	if got := rowsOf(t, w, "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'scored__input_hashes'"); got[0] != "0" {
		t.Errorf("the plain table's input hashes were kept")
	}
	exec("UPDATE ev SET v = 7 WHERE id = 'e0'")
	if got, want := run(false), (models.Increment{Full: true, Reason: "no earlier build", Changed: 20}); got != want {
		t.Errorf("incremental again: %+v, want %+v", got, want)
	}
}

// buildIncrementally runs every model of cat in one committed transaction
// (whole when fullRefresh), checks that the incremental model's table
// equals want (the query of what a full build computes), and says how
// the model was built.
func buildIncrementally(t *testing.T, w *models.Warehouse, cat *models.Catalog, model, want string, fullRefresh bool) models.Increment {
	t.Helper()
	tx, err := w.Begin(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	tx.FullRefresh = fullRefresh
	res, err := tx.RunModels(t.Context(), cat, nil)
	if err != nil {
		tx.Rollback()
		t.Fatal(err)
	}
	if err := tx.Commit(t.Context()); err != nil {
		t.Fatal(err)
	}
	got, exp := rowsOf(t, w, "SELECT * FROM "+model+" ORDER BY ALL"), rowsOf(t, w, want)
	if !slices.Equal(got, exp) {
		t.Fatalf("%s:\n%s\nwant (a full build):\n%s", model, strings.Join(got, "\n"), strings.Join(exp, "\n"))
	}
	i := slices.IndexFunc(res, func(r models.ModelResult) bool { return r.Name == model })
	if i < 0 || res[i].Increment == nil {
		t.Fatalf("no increment for %s in %+v", model, res)
	}
	return *res[i].Increment
}

// With a ProfileDir, a model's profile is that of the statement writing
// its rows, whole or incrementally, not of the bookkeeping after it; the
// rows an incremental model refreshes every run have a profile of their
// own.
func TestProfileOfTheWritingStatement(t *testing.T) {
	w, exec := eventsWarehouse(t)
	project := fstest.MapFS{
		"staging/stg_ev.sql": {Data: []byte("-- materialized: ephemeral\nSELECT id, v FROM ev")},
		"intermediate/scored.sql": {Data: []byte(`-- materialized: incremental
-- unique_key: id
-- incremental_input: stg_ev
-- incremental_refresh: score > 30
SELECT id, v * 2 AS score FROM stg_ev`)},
	}
	cat, err := models.LoadCatalog(project)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	// how the profiled statement begins, by profile; "": no profile
	profiled := func(name string) string {
		b, err := os.ReadFile(filepath.Join(dir, name+".json"))
		if errors.Is(err, fs.ErrNotExist) {
			return ""
		}
		var profile struct {
			Query string `json:"query_name"`
		}
		if err == nil {
			err = json.Unmarshal(b, &profile)
		}
		if err != nil {
			t.Fatal(err)
		}
		return profile.Query
	}
	for _, step := range []struct {
		name, change     string
		model, refreshed string // how the two profiles begin
	}{
		{"first build", "", `CREATE OR REPLACE TABLE "scored"`, ""},
		{"a row changed", "UPDATE ev SET v = 100 WHERE id = 'e1'", `INSERT INTO main."scored"`, `INSERT INTO main."scored"`},
	} {
		if step.change != "" {
			exec(step.change)
		}
		tx, err := w.Begin(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		tx.ProfileDir = dir
		if _, err := tx.RunModels(t.Context(), cat, nil); err != nil {
			tx.Rollback()
			t.Fatal(err)
		}
		if err := tx.Commit(t.Context()); err != nil {
			t.Fatal(err)
		}
		for name, want := range map[string]string{"scored": step.model, "scored.refresh": step.refreshed} {
			if got := profiled(name); !strings.HasPrefix(got, want) || (want == "") != (got == "") {
				t.Errorf("%s: %s.json profiles %.60q…, want the statement beginning %q", step.name, name, got, want)
			}
		}
	}
}

// changeFewEvents changes 7 of eventsWarehouse's keys: e1 restated, e2
// gone, e20 new, and p3 stitched to P3, which changes the staged rows of
// e3, e8, e13 and e18 (1+1+1+4).
const changeFewEvents = `UPDATE ev SET v = 100 WHERE id = 'e1';
	DELETE FROM ev WHERE id = 'e2';
	INSERT INTO ev VALUES ('e20', 'p0', 20);
	INSERT INTO people VALUES ('p3', 'P3')`

// eventsWarehouse is a warehouse with a canonical table ev of 20 rows
// (e0…e19 of persons p0…p4) and a table people that re-stitches persons,
// as the identity map does: a change there changes staged rows of ev whose
// own rows did not change. exec runs statements on it.
func eventsWarehouse(t *testing.T) (*models.Warehouse, func(string)) {
	t.Helper()
	w := newWarehouse(t, filepath.Join(t.TempDir(), "w.duckdb"))
	exec := func(q string) {
		t.Helper()
		if _, err := w.Conn().ExecContext(t.Context(), q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	exec("CREATE TABLE ev AS SELECT 'e' || i AS id, 'p' || (i % 5) AS person, i AS v FROM range(20) AS r(i)")
	exec("CREATE TABLE people (id VARCHAR, canon VARCHAR)")
	return w, exec
}

// An input compared by check columns: the staged row's other columns are
// not hashed, so its SQL and parameters are fingerprinted instead, and a
// change to either rebuilds the table whole. Narrowed at ev
// (incremental_narrow), the changed keys' rows are staged from just those
// rows of ev, with the same results.
func TestIncrementalCheckColumns(t *testing.T) {
	for name, narrow := range map[string]string{"whole input": "", "narrowed at ev": "-- incremental_narrow: ev\n"} {
		t.Run(name, func(t *testing.T) { testCheckColumns(t, narrow) })
	}
}

func testCheckColumns(t *testing.T, narrow string) {
	w, exec := eventsWarehouse(t)
	exec("SET VARIABLE suffix = 'a'")
	staging := func(label string) fstest.MapFS {
		return fstest.MapFS{
			"staging/stg_ev.sql": {Data: []byte(`-- materialized: ephemeral
SELECT e.id, coalesce(p.canon, e.person) AS person, ` + label + ` AS label, hash(e) AS src
FROM ev AS e LEFT JOIN people AS p ON p.id = e.person`)},
			"intermediate/labelled.sql": {Data: []byte(`-- materialized: incremental
-- unique_key: id
-- incremental_input: stg_ev
-- incremental_check: src, person
` + narrow + `SELECT id, person, label FROM stg_ev`)},
		}
	}
	run := func(project fstest.MapFS, label string) models.Increment {
		t.Helper()
		res, err := runProject(t, w, project)
		if err != nil {
			t.Fatal(err)
		}
		want := rowsOf(t, w, `SELECT e.id, coalesce(p.canon, e.person), `+label+` FROM ev AS e LEFT JOIN people AS p ON p.id = e.person ORDER BY ALL`)
		if got := rowsOf(t, w, "SELECT * FROM labelled ORDER BY ALL"); !slices.Equal(got, want) {
			t.Fatalf("labelled:\n%s\nwant (a full build):\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		return *res[1].Increment
	}
	const label, upper = "e.v || getvariable('suffix')", "upper(e.v || getvariable('suffix'))"
	whole := "its SQL, parameters, DuckDB or a table it reads whole changed"
	for _, step := range []struct {
		name, change, label string
		want                models.Increment
	}{
		{"first build", "", label, models.Increment{Full: true, Reason: "no earlier build", Changed: 20}},
		{"nothing changed", "", label, models.Increment{}},
		{"a few rows changed", changeFewEvents, label, models.Increment{Changed: 7}},
		// read by the input only, not by the model: hashing the check
		// columns would not see it
		{"the input's parameter changed", "SET VARIABLE suffix = 'b'", label, models.Increment{Full: true, Reason: whole, Changed: 20}},
		{"the input's SQL changed", "", upper, models.Increment{Full: true, Reason: whole, Changed: 20}},
		{"one row again", "UPDATE ev SET v = 7 WHERE id = 'e0'", upper, models.Increment{Changed: 1}},
	} {
		if step.change != "" {
			exec(step.change)
		}
		if got := run(staging(step.label), step.label); got != step.want {
			t.Errorf("%s: %+v, want %+v", step.name, got, step.want)
		}
	}
}

// Rows matching incremental_refresh are computed whole every run, so a
// relation only they read (boost) changes them without a full build; the
// rest are recomputed by key. A row whose condition is NULL is one of the
// rest: recomputed with its key, never dropped.
func TestIncrementalRefresh(t *testing.T) {
	w, exec := eventsWarehouse(t)
	exec("CREATE TABLE boost AS SELECT 2 AS x")
	project := fstest.MapFS{
		"staging/stg_ev.sql": {Data: []byte("SELECT id, v FROM ev")},
		"intermediate/scored.sql": {Data: []byte(`-- materialized: incremental
-- unique_key: id
-- incremental_input: stg_ev
-- incremental_refresh: boosted
-- incremental_refresh_reads: boost
SELECT id, CASE v % 3 WHEN 0 THEN true WHEN 1 THEN NULL END AS boosted,
	CASE WHEN v % 3 = 0 THEN v * (SELECT max(x) FROM boost) ELSE v END AS score
FROM stg_ev`)},
	}
	for _, step := range []struct {
		name, change string
		want         models.Increment
	}{
		{"first build", "", models.Increment{Full: true, Reason: "no earlier build", Changed: 20}},
		// e3, e6, … boosted by 3 instead of 2, without a full build
		{"the boost changed", "UPDATE boost SET x = 3", models.Increment{}},
		// e1 (v 1: boosted NULL) and e2 (v 2: false) restated to v 4 and
		// 5, neither boosted; e3 restated to v 30, boosted
		{"rows restated", "UPDATE ev SET v = v + 3 WHERE id IN ('e1', 'e2'); UPDATE ev SET v = 30 WHERE id = 'e3'",
			models.Increment{Changed: 3}},
	} {
		if step.change != "" {
			exec(step.change)
		}
		res, err := runProject(t, w, project)
		if err != nil {
			t.Fatal(err)
		}
		if got := *res[1].Increment; got != step.want {
			t.Errorf("%s: %+v, want %+v", step.name, got, step.want)
		}
		want := rowsOf(t, w, `SELECT id, CASE v % 3 WHEN 0 THEN true WHEN 1 THEN NULL END,
			CASE WHEN v % 3 = 0 THEN v * (SELECT max(x) FROM boost) ELSE v END FROM ev ORDER BY ALL`)
		if got := rowsOf(t, w, "SELECT * FROM scored ORDER BY ALL"); !slices.Equal(got, want) {
			t.Errorf("%s: scored:\n%s\nwant (a full build):\n%s", step.name, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
}

// The data test tests/classification_covers_touchpoints catches a row the
// incremental classification lost or doubled: here a row copied by hand.
func TestClassificationCoverageDataTest(t *testing.T) {
	ctx := t.Context()
	w := runTiny(t, tinyConfig()) // every data test passes
	if _, err := w.Conn().ExecContext(ctx,
		"INSERT INTO int_touchpoints_classified SELECT * FROM int_touchpoints_classified LIMIT 1"); err != nil {
		t.Fatal(err)
	}
	cat, err := models.LoadCatalog(sqlfiles.FS, attribution.GoModels()...)
	if err != nil {
		t.Fatal(err)
	}
	results, err := w.RunTests(ctx, cat)
	if err != nil {
		t.Fatal(err)
	}
	staged := rowsOf(t, w, "SELECT count(*) FROM touchpoints")[0]
	for _, r := range results {
		if r.Name != "classification_covers_touchpoints" {
			continue
		}
		// the tiny brand's touchpoints, and one more classified
		if want := fmt.Sprintf("staged=%s classified=%d", staged, atoi(t, staged)+1); r.Failures != 1 || len(r.Sample) != 1 || r.Sample[0] != want {
			t.Errorf("failures %d, sample %v; want 1, %q", r.Failures, r.Sample, want)
		}
		return
	}
	t.Fatal("no data test classification_covers_touchpoints")
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// The attribution chain is incremental: classification by touchpoint, the
// paths by conversion following the touchpoints recomputed, the ledger by
// conversion from the paths (its Markov rows whole every run). After every
// kind of change a weekly load brings, each table must be exactly what a
// full build computes, and each step recompute the conversions worked out
// below by hand.
//
// Classification takes the keys the run's loads rewrote when nothing else
// changed the touchpoints or the identities since its last build, and
// compares every touchpoint otherwise: the steps say which (fromLoads).
func TestIncrementalAttributionMatchesFullBuild(t *testing.T) {
	ctx := t.Context()
	cfg := allModelsConfig()
	w, _ := runDatasetWith(t, cfg, tinyBrand(), day("2026-11-16"), nil)
	cat, err := models.LoadCatalog(sqlfiles.FS, attribution.GoModels()...)
	if err != nil {
		t.Fatal(err)
	}
	params, err := models.ParamsFor(cfg, models.Week{Start: day("2026-11-16")})
	if err != nil {
		t.Fatal(err)
	}
	tables := []string{"int_touchpoints_classified", "int_conversion_paths", "int_attribution_ledger", "attribution_ledger"}
	// every column as text, so timestamps and doubles compare exactly
	snapshot := func() map[string][]string {
		out := map[string][]string{}
		for _, table := range tables {
			out[table] = rowsOf(t, w, "SELECT COLUMNS(*)::VARCHAR FROM "+table+" ORDER BY ALL")
		}
		return out
	}
	// run builds the models incrementally (committed) or whole (rolled
	// back: what a full build computes), and returns how the incremental
	// models were built and the tables as built
	type load struct {
		table string
		rows  any
		scope *models.Scope
	}
	run := func(full bool, loads []load) (map[string]models.Increment, map[string][]string) {
		t.Helper()
		tx, err := w.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		for _, l := range loads {
			rec := buildRecord(t, memory.DefaultAllocator, l.table, l.rows)
			_, err := tx.Load(ctx, l.table, []arrow.RecordBatch{rec}, l.scope)
			rec.Release()
			if err != nil {
				t.Fatal(err)
			}
		}
		tx.FullRefresh = full
		if err := tx.Set(ctx, params); err != nil {
			t.Fatal(err)
		}
		res, err := tx.RunModels(ctx, cat, nil)
		if err != nil {
			t.Fatal(err)
		}
		results, err := tx.RunTests(ctx, cat)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range results {
			if !r.Passed() && r.Severity == "error" {
				t.Errorf("data test %s: %d rows, e.g. %v", r.Name, r.Failures, r.Sample)
			}
		}
		incs := map[string]models.Increment{}
		for _, r := range res {
			if r.Increment != nil {
				incs[r.Name] = *r.Increment
			}
		}
		built := snapshot()
		if !full {
			if err := tx.Commit(ctx); err != nil {
				t.Fatal(err)
			}
		}
		return incs, built
	}

	tp := func(id, person, anon, when, src, med string) transform.TouchpointRow {
		return transform.TouchpointRow{TouchpointID: id, PersonID: person, AnonymousID: anon, TS: ts(when),
			Interaction: "click", UTMSource: src, UTMMedium: med, Source: "web"}
	}
	touchpoints := func(rows ...transform.TouchpointRow) load { return load{transform.Touchpoints, rows, nil} }
	for _, step := range []struct {
		name   string
		change string // SQL run before the run, outside it
		loads  []load // loaded in the run
		// keys recomputed by classification, paths and ledger; -1: rebuilt whole
		classified, paths, ledger int64
		fromLoads                 bool // classification's keys were the loads'
	}{
		// P1's t10 after k1 and a new conversion k8 (p1, 23 Nov): a path
		// of t1, t2, t10; P2's t11 after k2 is on no path. Touchpoints t10
		// and t11, conversion k8.
		{"a week arrives", `
			INSERT INTO touchpoints (touchpoint_id, person_id, anonymous_id, ts, interaction, utm_source, utm_medium, source)
			VALUES ('t10', 'p1', '', TIMESTAMPTZ '2026-11-20 09:00:00+00', 'click', 'newsletter', 'email', 'web'),
			       ('t11', 'p2', '', TIMESTAMPTZ '2026-11-20 09:00:00+00', 'click', 'google', 'cpc', 'web');
			INSERT INTO conversions (conversion_id, person_id, ts, type, revenue, currency, is_new_customer, crm_source)
			VALUES ('k8', 'p1', TIMESTAMPTZ '2026-11-23 10:00:00+00', 'purchase', 30.00, 'USD', false, 'shop')`,
			nil, 2, 1, 1, false},
		// t4 restated to after k2: it leaves k2's path (k2 by the table)
		{"a touchpoint restated", "UPDATE touchpoints SET ts = TIMESTAMPTZ '2026-11-19 11:00:00+00' WHERE touchpoint_id = 't4'",
			nil, 1, 1, 1, false},
		// t5 gone from k2's path
		{"a touchpoint gone", "DELETE FROM touchpoints WHERE touchpoint_id = 't5'", nil, 1, 1, 1, false},
		// t8 arrives late for k6 (p6, 12 Nov) a week after it was reported:
		// t12 on 5 Nov joins k6's path (by the query over the new rows)
		{"a late touchpoint", `INSERT INTO touchpoints (touchpoint_id, person_id, anonymous_id, ts, interaction, utm_source, utm_medium, source)
			VALUES ('t12', 'p6', '', TIMESTAMPTZ '2026-11-05 09:00:00+00', 'click', 'tiktok', 'retargeting', 'web')`, nil, 1, 1, 1, false},
		// anon9's touchpoint t13 (18 Nov) is its own person's until anon9
		// is stitched to p2: then it is on k2's path. Stitching changes
		// t13's staged row only; k2 is recomputed.
		{"an anonymous touchpoint", `INSERT INTO touchpoints (touchpoint_id, person_id, anonymous_id, ts, interaction, utm_source, utm_medium, source)
			VALUES ('t13', NULL, 'anon9', TIMESTAMPTZ '2026-11-18 09:00:00+00', 'click', 'instagram', 'social', 'web')`, nil, 1, 0, 0, false},
		{"a person stitched", "INSERT INTO identities (anonymous_id, person_id) VALUES ('anon9', 'p2')", nil, 1, 1, 1, false},
		// t3 (16 Nov) moves from p2 to p7: it leaves k2's path and joins
		// k7's (22 Nov)
		{"a touchpoint moves to another person", "UPDATE touchpoints SET person_id = 'p7' WHERE touchpoint_id = 't3'", nil, 1, 2, 2, false},
		// k1 restated (revenue) and k6 gone: two conversions, no touchpoint
		{"conversions restated and gone", `UPDATE conversions SET revenue = 120.00 WHERE conversion_id = 'k1';
			DELETE FROM conversions WHERE conversion_id = 'k6'`, nil, 0, 2, 2, true},
		// Through loads. t20 (p1, 21 Nov) joins k8's path; t4 restated
		// back to 18 Nov 08:30 joins k2's (19 Nov 10:00) again.
		{"a week arrives through a load", "", []load{touchpoints(
			tp("t20", "p1", "", "2026-11-21 09:00", "facebook", "paid_social"),
			tp("t4", "p2", "", "2026-11-18 08:30", "instagram", "paid_social"))},
			2, 2, 2, true},
		// t21 (p3, 20 Nov 09:00) joins k3's path (20 Nov 15:00); the run's
		// second load restates it, from tiktok to google: one key, loaded
		// twice
		{"two loads of one touchpoint", "", []load{
			touchpoints(tp("t21", "p3", "", "2026-11-20 09:00", "tiktok", "retargeting")),
			touchpoints(tp("t21", "p3", "", "2026-11-20 09:00", "google", "cpc"))},
			1, 1, 1, true},
		// t7 edited by hand, outside any load, beside t22 (p4, 21 Nov
		// 10:30) loaded: both on k4's path (21 Nov 12:00). The loads do not
		// account for t7, so every touchpoint is compared.
		{"a touchpoint edited by hand beside a load", "UPDATE touchpoints SET utm_source = 'bing' WHERE touchpoint_id = 't7'",
			[]load{touchpoints(tp("t22", "p4", "", "2026-11-21 10:30", "newsletter", "email"))},
			2, 1, 1, false},
		// anon11's t23 (19 Nov) is a person of its own, on no path; then
		// anon11 is stitched to p3 by a load of the identities, which the
		// touchpoints' loads do not cover: t23 is compared, and joins k3's
		// path (20 Nov)
		{"an anonymous touchpoint through a load", "", []load{touchpoints(tp("t23", "", "anon11", "2026-11-19 09:00", "tiktok", "retargeting"))},
			1, 0, 0, true},
		{"a person stitched through a load", "", []load{{transform.Identities, []transform.IdentityRow{{AnonymousID: "anon11", PersonID: "p3"}}, nil}},
			1, 1, 1, false},
		// a load of web touchpoints re-extracting 21 Nov 11:00 sends none:
		// t7, there, is gone, and leaves k4's path (21 Nov 12:00)
		{"a touchpoint gone through a load's window", "", []load{{transform.Touchpoints, []transform.TouchpointRow{},
			&models.Scope{Column: "source", Value: "web", DateColumn: "ts", Since: ts("2026-11-21 11:00"), Until: ts("2026-11-21 11:00")}}},
			1, 1, 1, true},
		// nothing changed: nothing recomputed, the Markov rows again
		{"nothing changed", "", nil, 0, 0, 0, true},
		// a parameter of the paths: both rebuilt whole
		{"the lookback changed", "", nil, 0, -1, -1, true},
	} {
		if step.change != "" {
			if _, err := w.Conn().ExecContext(ctx, step.change); err != nil {
				t.Fatalf("%s: %v", step.name, err)
			}
		}
		if step.name == "the lookback changed" {
			params["lookback_days"] = 5
		}
		incs, got := run(false, step.loads)
		for model, want := range map[string]int64{"int_touchpoints_classified": step.classified,
			"int_conversion_paths": step.paths, "int_attribution_ledger": step.ledger} {
			got := incs[model]
			if (want < 0) != got.Full || (want >= 0 && got.Changed != want) {
				t.Errorf("%s: %s %+v, want %d keys recomputed (-1: whole)", step.name, model, got, want)
			}
		}
		if got := incs["int_touchpoints_classified"].FromLoads; got != step.fromLoads {
			t.Errorf("%s: classification's keys from the loads: %v, want %v", step.name, got, step.fromLoads)
		}
		_, want := run(true, nil)
		for _, table := range tables {
			if !slices.Equal(got[table], want[table]) {
				t.Errorf("%s: %s updated:\n%s\nwant (a full build):\n%s", step.name, table,
					strings.Join(got[table], "\n"), strings.Join(want[table], "\n"))
			}
		}
	}
}

// A scratch build (as attribute's) comes out as one transaction builds
// the models: every model's table, row for row. It commits model by model
// and builds incremental models as plain tables, so it leaves nothing a
// later run would compare against: no fingerprint, no input hashes.
func TestScratchBuildsTheSame(t *testing.T) {
	cfg := allModelsConfig()
	cat, err := models.LoadCatalog(sqlfiles.FS, attribution.GoModels()...)
	if err != nil {
		t.Fatal(err)
	}
	snapshot := func(w *models.Warehouse) map[string][]string {
		out := map[string][]string{}
		for _, m := range cat.Models {
			if !m.Ephemeral {
				out[m.Name] = rowsOf(t, w, "SELECT COLUMNS(*)::VARCHAR FROM "+models.Ident(m.Name)+" ORDER BY ALL")
			}
		}
		return out
	}
	oneTx, _ := runDatasetWith(t, cfg, tinyBrand(), day("2026-11-16"), nil)
	scratch, _ := runDatasetWith(t, cfg, tinyBrand(), day("2026-11-16"), func(tx *models.Tx) error {
		tx.Scratch = true
		return nil
	})
	want := snapshot(oneTx)
	if diff := cmp.Diff(want, snapshot(scratch)); diff != "" {
		t.Errorf("scratch build (-one transaction +scratch):\n%s", diff)
	}
	if len(want["int_attribution_ledger"]) == 0 {
		t.Fatal("the ledger is empty: nothing was compared")
	}
	for w, want := range map[*models.Warehouse]string{oneTx: "true", scratch: "false"} {
		got := rowsOf(t, w, `SELECT (SELECT count(*) FROM model_increment) > 0
			OR EXISTS (SELECT 1 FROM duckdb_tables() WHERE table_name LIKE '%__input_hashes')`)
		if got[0] != want {
			t.Errorf("incremental bookkeeping kept: %s, want %s", got[0], want)
		}
	}
}

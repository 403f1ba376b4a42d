package main

import (
	"bytes"
	"cmp"
	"compress/gzip"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/socialroi/socialroi/extract/emulator/gen"
	hsemu "github.com/socialroi/socialroi/extract/emulator/hubspot"
	igemu "github.com/socialroi/socialroi/extract/emulator/instagram"
	shopemu "github.com/socialroi/socialroi/extract/emulator/shopify"
	"github.com/socialroi/socialroi/models"
	"github.com/socialroi/socialroi/pipeline"
	"github.com/socialroi/socialroi/reports/manifest"
	"github.com/socialroi/socialroi/transform"
)

// runCLI runs the CLI in process and returns its exit code and output.
func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func queryStrings(t *testing.T, conn *sql.Conn, q string) []string {
	t.Helper()
	rows, err := conn.QueryContext(context.Background(), q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprint(vals...))
	}
	return out
}

func queryOne[T any](t *testing.T, conn *sql.Conn, q string) T {
	t.Helper()
	var v T
	if err := conn.QueryRowContext(context.Background(), q).Scan(&v); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return v
}

// TestDemoEndToEnd runs `socialroi demo` twice and checks the invariants a
// finance user relies on against the generator's own data.
func TestDemoEndToEnd(t *testing.T) {
	out := t.TempDir()
	code, stdout, stderr := runCLI(t, "demo", "--out", out, "--log-format", "json")
	if code != 0 {
		t.Fatalf("demo exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	workbook := filepath.Join(out, "socialroi_2026-W47.xlsx")
	for _, p := range []string{workbook, filepath.Join(out, "2026-W47", "manifest.json"),
		filepath.Join(out, "2026-W47", "attribution_ledger.parquet"), filepath.Join(out, "2026-W47", "mart_kpi_summary.parquet")} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("missing output: %v", err)
		}
	}
	if !strings.Contains(stdout, workbook) {
		t.Errorf("stdout does not say where the workbook is:\n%s", stdout)
	}

	var m manifest.Manifest
	data, err := os.ReadFile(filepath.Join(out, "2026-W47", "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	if m.Status != manifest.StatusSuccess || m.Week != "2026-W47" || len(m.Sources) != 11 || len(m.Outputs) == 0 {
		t.Errorf("manifest: status %s week %s sources %d outputs %d", m.Status, m.Week, len(m.Sources), len(m.Outputs))
	}

	brand, err := gen.Generate(gen.Config{})
	if err != nil {
		t.Fatal(err)
	}
	weekStart := time.Date(2026, 11, 16, 0, 0, 0, 0, time.UTC)
	weekEnd := weekStart.AddDate(0, 0, 7)

	served := servedCounts(t, brand)

	snapshot := func() []string {
		wh, err := models.Open(t.Context(), pipeline.DemoWarehouse(out), models.Options{ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		defer wh.Close()
		conn := wh.Conn()

		// Spend per platform in the mart equals what the emulators and files
		// served, converted with the day's rate (row by row to 4 decimals).
		rates := map[string]decimal.Decimal{}
		for _, r := range brand.FXRates {
			rates[r.Date.Format(time.DateOnly)+r.Currency] = r.RateToReporting
		}
		want := map[string]decimal.Decimal{}
		for _, r := range brand.AdPerformance {
			if r.Date.Before(weekStart) || !r.Date.Before(weekEnd) {
				continue
			}
			rate := decimal.NewFromInt(1)
			if r.Currency != "USD" {
				rate = rates[r.Date.Format(time.DateOnly)+r.Currency]
			}
			want[r.Platform] = want[r.Platform].Add(r.Spend.Mul(rate).Round(4))
		}
		if len(want) < 5 {
			t.Errorf("the generated brand has spend on %d platforms in the report week, want 5", len(want))
		}
		for platform, spend := range want {
			got := queryOne[string](t, conn, `SELECT coalesce(sum(spend), 0)::VARCHAR FROM mart_channel_weekly
				WHERE week_start = DATE '2026-11-16' AND model = 'linear' AND platform = '`+platform+`'`)
			if !decimal.RequireFromString(got).Equal(spend.Round(2)) {
				t.Errorf("%s spend in the mart %s, served %s", platform, got, spend.Round(2))
			}
		}

		// Every row the emulators and files served is in the warehouse.
		for table, n := range served {
			if got := queryOne[int64](t, conn, "SELECT count(*) FROM "+table); got != int64(n) || n == 0 {
				t.Errorf("%s: %d rows in the warehouse, %d served", table, got, n)
			}
		}
		// Identity stitching makes the warehouse's persons the brand's: the
		// touchpoints of each brand person (by person id or a cookie) are
		// one warehouse person, and every purchase (served by Shopify under
		// a customer id) belongs to its buyer's warehouse person.
		personOf := map[string]string{}
		for _, i := range brand.Identities {
			personOf[i.AnonymousID] = i.PersonID
		}
		brandPerson := map[string]string{}
		for _, tp := range brand.Touchpoints {
			brandPerson[tp.TouchpointID] = cmp.Or(tp.PersonID, personOf[tp.AnonymousID])
		}
		whPerson := map[string]string{} // brand person → warehouse person
		split := 0
		for _, r := range queryStrings(t, conn, `SELECT touchpoint_id || '|' || person_id FROM int_touchpoints_classified`) {
			id, person, _ := strings.Cut(r, "|")
			bp := brandPerson[id]
			if prev, ok := whPerson[bp]; ok && prev != person {
				split++
			}
			whPerson[bp] = person
		}
		if split > 0 {
			t.Errorf("%d touchpoints stitched to another person than the rest of their brand person's", split)
		}
		warehousePersons := map[string]bool{}
		for _, p := range whPerson {
			warehousePersons[p] = true
		}
		if len(warehousePersons) != len(whPerson) {
			t.Errorf("%d brand persons with touchpoints became %d warehouse persons", len(whPerson), len(warehousePersons))
		}
		convPerson := map[string]string{}
		for _, r := range queryStrings(t, conn, `SELECT order_id || '|' || person_id FROM stg_conversions WHERE type = 'purchase'`) {
			order, person, _ := strings.Cut(r, "|")
			convPerson[order] = person
		}
		stitched, checkedPurchases := 0, 0
		for _, c := range brand.Conversions {
			if c.Type != "purchase" {
				continue
			}
			checkedPurchases++
			wp, ok := whPerson[c.PersonID]
			if !ok {
				continue // a buyer without touchpoints
			}
			if got := convPerson["#"+strings.TrimPrefix(c.OrderID, "ord_")]; got != wp {
				t.Errorf("purchase %s of %s: warehouse person %q, their touchpoints' %q", c.OrderID, c.PersonID, got, wp)
				continue
			}
			stitched++
		}
		if stitched == 0 || checkedPurchases != len(convPerson) {
			t.Errorf("%d purchases stitched to their touchpoints; %d purchases in the warehouse, %d generated", stitched, len(convPerson), checkedPurchases)
		}

		// Per conversion and model, credits sum to 1 and revenue credits to
		// the conversion's revenue, to the cent — every model.
		for _, model := range []string{"first_touch", "last_touch", "last_non_direct", "linear", "time_decay", "position_based", "markov", "shapley"} {
			bad := queryOne[int64](t, conn, fmt.Sprintf(`SELECT count(*) FROM (
				SELECT conversion_id FROM attribution_ledger WHERE model = '%s'
				GROUP BY conversion_id
				HAVING abs(sum(credit) - 1) > 1e-9 OR sum(revenue_credit) <> any_value(conversion_revenue))`, model))
			if bad != 0 {
				t.Errorf("%s: %d conversions whose credits do not add up", model, bad)
			}
		}
		// Channel totals equal the ledger's sums for every model but Markov,
		// whose totals follow the convention conversions × RE / Σ RE.
		if n := queryOne[int64](t, conn, `SELECT count(*) FROM attribution_channels c
			FULL JOIN (SELECT week_start, model, channel, sum(credit) AS conv, sum(revenue_credit) AS rev
			           FROM attribution_ledger GROUP BY ALL) l USING (week_start, model, channel)
			WHERE coalesce(c.model, l.model) <> 'markov'
			  AND (abs(coalesce(c.conversions, 0) - coalesce(l.conv, 0)) > 1e-9 OR coalesce(c.revenue, 0) <> coalesce(l.rev, 0))`); n != 0 {
			t.Errorf("%d channel totals differ from the ledger's sums", n)
		}
		if n := queryOne[int64](t, conn, `SELECT count(*) FROM attribution_channels c
			JOIN (SELECT channel, removal_effect / sum(removal_effect) OVER () AS share FROM int_markov_removal_effects) r USING (channel)
			JOIN (SELECT week_start, count(*) AS n FROM stg_conversions GROUP BY ALL) w USING (week_start)
			WHERE c.model = 'markov' AND abs(c.conversions - w.n * r.share) > 1e-9`); n != 0 {
			t.Errorf("%d Markov channel totals break the removal-effect convention", n)
		}
		// Every purchase of the week is in the ledger with its revenue.
		var revenue decimal.Decimal
		purchases := 0
		for _, c := range brand.Conversions {
			if c.Type == "purchase" && !c.TS.Before(weekStart) && c.TS.Before(weekEnd) {
				revenue = revenue.Add(c.Revenue)
				purchases++
			}
		}
		gotRev := queryOne[string](t, conn, `SELECT sum(revenue_credit)::VARCHAR FROM attribution_ledger
			WHERE model = 'linear' AND week_start = DATE '2026-11-16'`)
		if !decimal.RequireFromString(gotRev).Equal(revenue) {
			t.Errorf("linear ledger revenue %s, generated purchases %s", gotRev, revenue)
		}
		if n := queryOne[int64](t, conn, `SELECT conversions FROM mart_kpi_summary WHERE week_start = DATE '2026-11-16' AND model = 'linear'`); n != int64(purchases) {
			t.Errorf("kpi conversions %d, generated purchases %d", n, purchases)
		}

		var snap []string
		snap = append(snap, queryStrings(t, conn, `SELECT count(*), sum(spend) FROM ad_performance`)...)
		snap = append(snap, queryStrings(t, conn, `SELECT * FROM mart_kpi_summary ORDER BY week_start, model`)...)
		snap = append(snap, queryStrings(t, conn, `SELECT * FROM mart_channel_weekly ORDER BY ALL`)...)
		snap = append(snap, queryStrings(t, conn, `SELECT count(*), sum(revenue_credit) FROM attribution_ledger`)...)
		return snap
	}
	first := snapshot()
	{
		wh, err := models.Open(t.Context(), pipeline.DemoWarehouse(out), models.Options{ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		checkBusinessMarts(t, wh.Conn(), brand, weekStart)
		checkWorkbook(t, workbook, wh.Conn())
		checkParquet(t, filepath.Join(out, "2026-W47"), wh.Conn())
		wh.Close()
	}

	// A second run of the same week replaces, never duplicates.
	if code, _, stderr := runCLI(t, "demo", "--out", out, "--log-format", "json"); code != 0 {
		t.Fatalf("second demo exit %d: %s", code, stderr)
	}
	if d := gocmp.Diff(first, snapshot()); d != "" {
		t.Errorf("second run changed the numbers (-first +second):\n%s", d)
	}

	// An analyst checks a number by hand, in each format.
	wh := pipeline.DemoWarehouse(out)
	for format, want := range map[string]string{
		"table": "(2 rows)",
		"csv":   "model,conversions\n",
		"json":  `"model": "linear"`,
	} {
		code, stdout, stderr := runCLI(t, "query", "--warehouse", wh, "--format", format,
			"SELECT model, conversions FROM mart_kpi_summary WHERE week_start = DATE '2026-11-16' AND model IN ('linear', 'last_touch') ORDER BY model")
		if code != 0 || !strings.Contains(stdout, want) {
			t.Errorf("query --format %s: exit %d, stdout %q, stderr %q", format, code, stdout, stderr)
		}
	}
	// The warehouse is opened read-only: writes fail and change nothing.
	if code, _, stderr := runCLI(t, "query", "--warehouse", wh, "DELETE FROM ad_performance"); code == 0 {
		t.Errorf("query ran a DELETE (stderr %q)", stderr)
	}

	// explain traces a conversion: its path and every model's credit,
	// adding up to the conversion's revenue.
	var convID, revenue string
	{
		w, err := models.Open(t.Context(), wh, models.Options{ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		convID = queryOne[string](t, w.Conn(), `SELECT conversion_id FROM int_conversion_paths WHERE path_length >= 3 ORDER BY conversion_id LIMIT 1`)
		revenue = queryOne[string](t, w.Conn(), `SELECT revenue_reporting::VARCHAR FROM stg_conversions WHERE conversion_id = '`+convID+`'`)
		w.Close()
	}
	code, stdout, stderr = runCLI(t, "explain", "--warehouse", wh, "--conversion", convID)
	if code != 0 || !strings.Contains(stdout, "Conversion "+convID) || !strings.Contains(stdout, "100% "+revenue) || !strings.Contains(stdout, "shapley") {
		t.Errorf("explain: exit %d\n%s%s", code, stdout, stderr)
	}

	// `attribute` on the demo's touchpoints and conversions (persons
	// resolved, revenue in reporting currency) gives the pipeline's own
	// channel totals, model by model.
	exportDir := t.TempDir()
	var want []string
	{
		w, err := models.Open(t.Context(), wh, models.Options{ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{
			`COPY (SELECT c.touchpoint_id, c.person_id, c.ts, c.interaction, c.utm_source, c.utm_medium, c.utm_campaign,
				c.utm_content, t.click_id_type, t.referrer, c.channel
				FROM int_touchpoints_classified c JOIN touchpoints t USING (touchpoint_id))
			 TO '` + filepath.Join(exportDir, "touchpoints.parquet") + `' (FORMAT parquet)`,
			`COPY (SELECT conversion_id, person_id, ts, type, revenue_reporting AS revenue, is_new_customer FROM stg_conversions)
			 TO '` + filepath.Join(exportDir, "conversions.csv") + `' (HEADER)`,
		} {
			if _, err := w.Conn().ExecContext(t.Context(), q); err != nil {
				t.Fatal(err)
			}
		}
		want = queryStrings(t, w.Conn(), `SELECT model, channel, round(sum(conversions), 6), sum(revenue)
			FROM attribution_channels GROUP BY ALL ORDER BY model, channel`)
		w.Close()
	}
	attrOut := filepath.Join(exportDir, "out")
	if code, _, stderr := runCLI(t, "attribute", "--touchpoints", filepath.Join(exportDir, "touchpoints.parquet"),
		"--conversions", filepath.Join(exportDir, "conversions.csv"), "--out", attrOut); code != 0 {
		t.Fatalf("attribute on the demo export: exit %d: %s", code, stderr)
	}
	{
		w, err := models.Open(t.Context(), ":memory:", models.Options{})
		if err != nil {
			t.Fatal(err)
		}
		got := queryStrings(t, w.Conn(), `SELECT model, channel, round(sum(conversions), 6), sum(revenue::DECIMAL(18,2))
			FROM read_csv('`+filepath.Join(attrOut, "channels.csv")+`') GROUP BY ALL ORDER BY model, channel`)
		w.Close()
		if d := gocmp.Diff(want, got); d != "" {
			t.Errorf("attribute's channels.csv differs from the pipeline's attribution_channels (-pipeline +attribute):\n%s", d)
		}
	}

	// The emulator's token is treated as a secret: it reaches no file.
	err = filepath.WalkDir(out, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if strings.HasSuffix(path, ".gz") { // raw landing
			zr, err := gzip.NewReader(bytes.NewReader(b))
			if err != nil {
				return fmt.Errorf("%s: %w", path, err)
			}
			if b, err = io.ReadAll(zr); err != nil {
				return fmt.Errorf("%s: %w", path, err)
			}
		}
		if bytes.Contains(b, []byte("demo-token-")) {
			t.Errorf("%s contains the access token", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(stderr, "demo-token-") {
		t.Error("logs contain the access token")
	}
}

// servedCounts is the rows the demo serves per canonical table, counted from
// what each emulator and file holds: Shopify's orders (one purchase each)
// and customers' email links, HubSpot's won deals and contacts' visitor ids
// and email hashes, Instagram's posts, and the web, social and finance files.
// Identities are counted by distinct anonymous id, the table's key (a
// hubspotutk cookie HubSpot and the web export both link is one row).
func servedCounts(t *testing.T, brand *gen.Brand) map[string]int {
	t.Helper()
	web := pipeline.DemoWebFiles(brand)
	shop := shopemu.FromBrand(brand)
	hs := hsemu.FromBrand(brand)
	ig := igemu.FromBrand(brand)

	convs := len(web.Conversions) + len(shop.Orders)
	for _, d := range hs.Deals {
		if d.Properties["dealstage"] == "closedwon" {
			convs++
		}
	}
	ids := map[string]bool{}
	for _, i := range web.Identities {
		ids[i.AnonymousID] = true
	}
	for _, o := range shop.Orders {
		if o.CustomerID != 0 && o.Email != "" {
			ids[fmt.Sprintf("shopify:customer:%d", o.CustomerID)] = true
		}
	}
	for _, c := range hs.Contacts {
		if v := c.Properties["hubspotutk"]; v != "" {
			ids[v] = true
		}
		if e := transform.EmailKey(c.Properties["email"]); e != "" {
			ids[e] = true
		}
	}
	posts := len(ig.Posts)
	for _, p := range brand.OrganicPosts {
		if p.Platform != "instagram" {
			posts++
		}
	}
	if len(ig.Posts) == 0 || len(hs.Deals) == 0 || len(shop.Orders) == 0 || len(web.Conversions) == 0 {
		t.Fatalf("the demo serves %d Instagram posts, %d HubSpot deals, %d Shopify orders, %d web conversions",
			len(ig.Posts), len(hs.Deals), len(shop.Orders), len(web.Conversions))
	}
	return map[string]int{
		"conversions":        convs,
		"touchpoints":        len(brand.Touchpoints), // the web export; Shopify and HubSpot emit none in the demo
		"identities":         len(ids),
		"organic_posts":      posts,
		"community_messages": len(brand.CommunityMessages),
	}
}

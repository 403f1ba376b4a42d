package pipeline

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/socialroi/socialroi/config"
	"github.com/socialroi/socialroi/models"
	"github.com/socialroi/socialroi/models/attribution"
	"github.com/socialroi/socialroi/reports"
	"github.com/socialroi/socialroi/reports/bigquery"
	"github.com/socialroi/socialroi/reports/excel"
	"github.com/socialroi/socialroi/reports/files"
	"github.com/socialroi/socialroi/reports/manifest"
	sqlfiles "github.com/socialroi/socialroi/sql"
)

// WorkbookPath is where the week's workbook goes.
func WorkbookPath(outDir string, week models.Week) string {
	return filepath.Join(outDir, "socialroi_"+week.Label()+".xlsx")
}

// martNames lists the marts the SQL project builds for reports (all of the
// marts layer but its internal building blocks).
func martNames() ([]string, error) {
	cat, err := models.LoadCatalog(sqlfiles.FS, attribution.GoModels()...)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, m := range cat.Models {
		if m.Layer == "marts" && !m.Internal {
			out = append(out, m.Name)
		}
	}
	sort.Strings(out)
	return out, nil
}

// martColumns returns each mart's column names, from the warehouse.
func martColumns(ctx context.Context, wh *models.Warehouse) (map[string][]string, error) {
	rows, err := wh.Conn().QueryContext(ctx, `SELECT table_name, column_name FROM information_schema.columns ORDER BY table_name, ordinal_position`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string][]string{}
	for rows.Next() {
		var table, column string
		if err := rows.Scan(&table, &column); err != nil {
			return nil, err
		}
		out[table] = append(out[table], column)
	}
	return out, rows.Err()
}

// martDescription is a mart's header comment, the text that says what the
// mart is: BigQuery shows it as the table's description.
func martDescription(mart string) string {
	data, err := fs.ReadFile(sqlfiles.FS, "marts/"+mart+".sql")
	if err != nil {
		return ""
	}
	var lines []string
	for _, line := range strings.Split(string(data), "\n") {
		text, ok := strings.CutPrefix(strings.TrimSpace(line), "--")
		if !ok {
			break
		}
		lines = append(lines, strings.TrimSpace(text))
	}
	desc := strings.Join(lines, " ")
	if len(desc) > 1024 { // BigQuery's limit is 16 KB; a paragraph is enough
		desc = desc[:1021] + "..."
	}
	return desc
}

// bigqueryTable describes a mart's Parquet file for the bigquery output:
// weekly marts replace their week's partition, the others are replaced
// whole; tables cluster by model and then platform or channel, the filters
// BI queries use most.
func bigqueryTable(mart, parquet string, columns []string) bigquery.Table {
	t := bigquery.Table{Name: mart, Parquet: parquet, Description: martDescription(mart)}
	if slices.Contains(columns, "week_start") {
		t.PartitionColumn = "week_start"
	}
	for _, c := range []string{"model", "platform", "channel"} {
		if slices.Contains(columns, c) && len(t.Clustering) < 2 {
			t.Clustering = append(t.Clustering, c)
		}
	}
	return t
}

// weekSelect selects a mart's rows for the report week when it has a
// week_start column, else all of it, ordered by every column: marts are
// tables without an order, and the same data must give the same rows in
// the same order. (The bytes can still differ: page boundaries follow the
// sizes of the chunks DuckDB hands out.) The week is a literal, since
// DuckDB's COPY takes no parameters.
func weekSelect(mart string, columns []string, week models.Week) string {
	if !slices.Contains(columns, "week_start") {
		return "SELECT * FROM " + models.Ident(mart) + " ORDER BY ALL"
	}
	return "SELECT * FROM " + models.Ident(mart) + " WHERE week_start = " +
		models.Literal(week.Start.Format(time.DateOnly)) + "::DATE ORDER BY ALL"
}

// fileWriters is how many files are written at once: as many as DuckDB has
// threads. Each writer scans its mart on its own connection while the
// others encode, so neither DuckDB nor the encoders wait on each other.
func fileWriters(cfg *config.Config) int {
	if cfg.DuckDB.Threads > 0 {
		return cfg.DuckDB.Threads
	}
	return runtime.NumCPU()
}

// writeFiles writes every mart's week as a file of each kind (parquet,
// csv) into dir, with up to n writers at once, each on its own warehouse
// connection, calling step (which must be safe for concurrent use) after
// each file. Outputs come back in kind, then mart order, whatever order the
// writers finish in; the first error stops the others.
func writeFiles(ctx context.Context, wh *models.Warehouse, n int, kinds, marts []string, columns map[string][]string,
	week models.Week, dir string, step func()) ([]reports.Output, error) {
	type job struct{ kind, mart string }
	var jobs []job
	for _, kind := range kinds {
		for _, mart := range marts {
			jobs = append(jobs, job{kind, mart})
		}
	}
	outs := make([]reports.Output, len(jobs))
	next := make(chan int, len(jobs))
	for i := range jobs {
		next <- i
	}
	close(next)
	g, gctx := errgroup.WithContext(ctx)
	for range min(max(n, 1), len(jobs)) {
		g.Go(func() error {
			rd, err := wh.NewReader(gctx)
			if err != nil {
				return err
			}
			defer rd.Close()
			for i := range next {
				j := jobs[i]
				query := weekSelect(j.mart, columns[j.mart], week)
				path := filepath.Join(dir, j.mart+"."+j.kind)
				if j.kind == "parquet" {
					outs[i], err = files.CopyParquet(gctx, rd, path, query)
				} else {
					outs[i], err = writeCSV(gctx, rd, path, query)
				}
				if err != nil {
					return err
				}
				step()
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return outs, nil
}

// writeCSV writes the rows of query as a CSV file at path.
func writeCSV(ctx context.Context, rd *models.Reader, path, query string) (reports.Output, error) {
	rdr, err := rd.QueryArrow(ctx, query)
	if err != nil {
		return reports.Output{}, fmt.Errorf("files: csv %s: %w", path, err)
	}
	defer rdr.Release()
	return files.WriteCSV(ctx, path, rdr)
}

// readTable reads a query's rows for a sheet: at most limit of them when
// limit >= 0, with TotalRows saying how many the query has. DuckDB stops
// at the limit and counts the rest itself: at L the ledger sheet sorted
// and handed over all 878,661 rows of the week to keep 100,000 (0.9 s in
// DuckDB alone, before Arrow), against 0.3 s this way.
func readTable(ctx context.Context, wh *models.Warehouse, name, query string, limit int, args ...any) (*reports.Table, error) {
	limited := query
	if limit >= 0 {
		limited = query + "\nLIMIT " + strconv.Itoa(limit) // after the query's ORDER BY
	}
	rdr, err := wh.QueryArrow(ctx, limited, args...)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	defer rdr.Release()
	t, err := reports.FromArrow(name, rdr)
	if err != nil || limit < 0 || len(t.Rows) < limit {
		return t, err
	}
	var total int
	if err := wh.Conn().QueryRowContext(ctx, "SELECT count(*) FROM ("+query+")", args...).Scan(&total); err != nil {
		return nil, fmt.Errorf("read %s: count: %w", name, err)
	}
	if total > len(t.Rows) {
		t.TotalRows = total
	}
	return t, nil
}

// writeReports writes the week's Parquet (and CSV) files and the workbook.
// Everything goes to a staging folder first and replaces the week's folder
// in one rename at the end, so a failure leaves the earlier outputs whole.
func writeReports(ctx context.Context, wh *models.Warehouse, cfg *config.Config, opts Options, res *Result, log *slog.Logger) error {
	outputs := opts.Outputs
	if len(outputs) == 0 {
		outputs = cfg.Outputs
	}
	weekDir := filepath.Join(cfg.OutDir, res.Week.Label())
	recoverOutputs(cfg.OutDir, res.Week, log)
	staging := filepath.Join(cfg.OutDir, "."+res.Week.Label()+"."+res.RunID+".tmp")
	if err := os.MkdirAll(staging, 0o755); err != nil {
		return fmt.Errorf("reports: %w", err)
	}
	defer os.RemoveAll(staging)

	// The bigquery output loads the week's Parquet files, so it writes them.
	if slices.Contains(outputs, "bigquery") && !slices.Contains(outputs, "parquet") {
		outputs = append(slices.Clone(outputs), "parquet")
	}
	marts, err := martNames()
	if err != nil {
		return err
	}
	columns, err := martColumns(ctx, wh)
	if err != nil {
		return fmt.Errorf("reports: %w", err)
	}
	// One step per file and one for the workbook's sheets and its writing.
	steps := 0
	for _, kind := range []string{"parquet", "csv", "bigquery"} {
		if slices.Contains(outputs, kind) {
			steps += len(marts)
		}
	}
	if slices.Contains(outputs, "excel") {
		steps += 2
	}
	var progress Progress = noProgress{}
	if opts.Progress != nil {
		progress = opts.Progress
	}
	stage := progress.Stage("reports", steps)
	defer stage.Done()
	var kinds []string
	for _, kind := range []string{"parquet", "csv"} {
		if slices.Contains(outputs, kind) {
			kinds = append(kinds, kind)
		}
	}
	// The workbook is built while DuckDB writes the files: the files are
	// DuckDB's work (COPY) on its threads, the workbook is Go's. (When Go
	// encoded the Parquet files too, overlapping them saved a second or two
	// at L and took the stage's peak memory from 2.5 to 3.6–4.1 GiB.)
	var mu sync.Mutex // stage.Step need not be safe for concurrent use
	step := func() {
		mu.Lock()
		defer mu.Unlock()
		stage.Step()
	}
	g, gctx := errgroup.WithContext(ctx)
	var written []reports.Output
	g.Go(func() error {
		start := time.Now()
		var err error
		if written, err = writeFiles(gctx, wh, fileWriters(cfg), kinds, marts, columns, res.Week, staging, step); err != nil {
			return fmt.Errorf("reports: %w", err)
		}
		for _, kind := range kinds {
			log.Info("wrote files", "kind", kind, "files", len(marts), "dir", weekDir, "seconds", time.Since(start).Seconds())
		}
		return nil
	})
	var workbookTmp string
	if slices.Contains(outputs, "excel") {
		// Next to its final place, so the publishing rename stays on one file system.
		workbookTmp = filepath.Join(cfg.OutDir, ".socialroi_"+res.Week.Label()+"."+res.RunID+".xlsx.tmp")
		defer os.Remove(workbookTmp)
		g.Go(func() error {
			start := time.Now()
			wb, err := buildWorkbook(gctx, wh, cfg, opts, res, weekDir)
			if err != nil {
				return fmt.Errorf("reports: workbook: %w", err)
			}
			step()
			read := time.Since(start)
			if err := excel.Write(gctx, workbookTmp, *wb); err != nil {
				return err
			}
			step()
			log.Info("wrote workbook", "read_seconds", read.Seconds(), "write_seconds", (time.Since(start) - read).Seconds())
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	for _, out := range written {
		out.Path = filepath.Join(weekDir, filepath.Base(out.Path))
		res.Outputs = append(res.Outputs, Output(out))
	}

	// BigQuery before the local outputs are published: a failed load fails
	// the run, and a failed run leaves the earlier outputs as they were.
	// Each table's load replaces exactly the week's partition, so the
	// re-run that follows redoes the loaded tables harmlessly.
	if slices.Contains(outputs, "bigquery") {
		var tables []bigquery.Table
		for _, mart := range marts {
			tables = append(tables, bigqueryTable(mart, filepath.Join(staging, mart+".parquet"), columns[mart]))
		}
		outs, err := bigquery.Publisher{Log: log, Labels: cfg.BigQuery.Labels, Step: stage.Step}.Publish(ctx, cfg.BigQuery, res.Week.Start, tables)
		for _, o := range outs {
			res.Outputs = append(res.Outputs, Output(o))
		}
		if err != nil {
			return fmt.Errorf("reports: %w", err)
		}
	}

	// Publish: the manifest describes the outputs, then the folder swap and
	// the workbook rename make them visible.
	res.OutDir = weekDir
	res.Manifest = filepath.Join(weekDir, "manifest.json")
	if workbookTmp != "" {
		res.Workbook = WorkbookPath(cfg.OutDir, res.Week)
		out, err := reports.Describe("excel", workbookTmp, 0)
		if err != nil {
			return err
		}
		out.Path = res.Workbook
		res.Outputs = append(res.Outputs, Output(out))
	}
	if err := manifest.Write(filepath.Join(staging, "manifest.json"), buildManifest(cfg, opts, res, time.Now())); err != nil {
		return fmt.Errorf("reports: manifest: %w", err)
	}
	old := weekDir + ".old-" + res.RunID
	if err := os.Rename(weekDir, old); err != nil && !os.IsNotExist(err) {
		return fmt.Errorf("reports: publish: %w", err)
	}
	if err := os.Rename(staging, weekDir); err != nil {
		os.Rename(old, weekDir) // put the earlier outputs back
		return fmt.Errorf("reports: publish: %w", err)
	}
	os.RemoveAll(old)
	if workbookTmp != "" {
		if err := os.Rename(workbookTmp, res.Workbook); err != nil {
			return fmt.Errorf("reports: publish workbook: %w", err)
		}
	}
	return nil
}

// recoverOutputs tidies what a killed run left of the week's outputs. It
// runs under the warehouse lock, so no live run owns these files: staging
// folders and temporary workbooks are removed, and a week folder moved
// aside by a run killed between its two publishing renames is put back.
func recoverOutputs(outDir string, week models.Week, log *slog.Logger) {
	weekDir := filepath.Join(outDir, week.Label())
	olds, _ := filepath.Glob(weekDir + ".old-*")
	if _, err := os.Stat(weekDir); os.IsNotExist(err) && len(olds) > 0 {
		sort.Strings(olds)
		if err := os.Rename(olds[len(olds)-1], weekDir); err == nil {
			log.Warn("restored the week's outputs moved aside by a killed run", "dir", weekDir)
			olds = olds[:len(olds)-1]
		}
	}
	leftovers, _ := filepath.Glob(filepath.Join(outDir, "."+week.Label()+".*.tmp"))
	tmpBooks, _ := filepath.Glob(filepath.Join(outDir, ".socialroi_"+week.Label()+".*.xlsx.tmp"))
	// a run killed while writing its temporary workbook leaves
	// reports.WriteAtomic's own temporary file of it
	tmpWrites, _ := filepath.Glob(filepath.Join(outDir, "..socialroi_"+week.Label()+".*.xlsx.tmp.*.tmp"))
	for _, p := range slices.Concat(leftovers, tmpBooks, tmpWrites, olds) {
		if err := os.RemoveAll(p); err == nil {
			log.Info("removed a killed run's leftover", "path", p)
		}
	}
}

// sheetSpec is one table sheet of the workbook: the query that fills it
// (its ? arguments are the report week, then the primary model, as the
// query needs them) and how it is presented.
type sheetSpec struct {
	name, title string
	query       string
	args        []any
	notes       []string
	chart       *excel.Chart
	// capped sheets show the first excel_row_cap rows and name fullTable's
	// Parquet file, where the rest is
	capped    bool
	fullTable string
}

// buildWorkbook reads what the workbook shows from the warehouse.
func buildWorkbook(ctx context.Context, wh *models.Warehouse, cfg *config.Config, opts Options, res *Result, weekDir string) (*excel.Workbook, error) {
	model := cfg.Reporting.PrimaryModel
	week := res.Week.Start.Format(time.DateOnly)
	cur := cfg.Reporting.Currency
	kpi, err := readTable(ctx, wh, "mart_kpi_summary", "SELECT * FROM mart_kpi_summary ORDER BY week_start, model", -1)
	if err != nil {
		return nil, err
	}
	// Models side by side per channel: revenue credited under each model
	// (conversions per model are in attribution_channels.parquet).
	var cols []string
	for _, m := range cfg.Attribution.Models {
		cols = append(cols, fmt.Sprintf("coalesce(sum(revenue) FILTER (WHERE model = %s), 0)::DECIMAL(18,2) AS %s",
			models.Literal(m), models.Ident(m)))
	}
	byModel := fmt.Sprintf("Week %s, attribution model %s; amounts in %s.", res.Week.Label(), model, cur)
	specs := []sheetSpec{
		{name: "Channels", title: "Channels — spend and attributed results", args: []any{week, model}, query: `
			SELECT channel, platform, spend, attributed_conversions, attributed_revenue,
			       attributed_new_customers, roas, cpa, cac
			FROM mart_channel_weekly
			WHERE week_start = ?::DATE AND model = ?
			ORDER BY spend DESC, attributed_revenue DESC, channel, platform`,
			notes: []string{byModel + " Spend is the platforms' reported spend."}},
		{name: "Campaigns", title: "Campaigns — return on spend and what the platforms claim", args: []any{week, model}, query: `
			SELECT platform, coalesce(campaign_name, campaign_id, '(no campaign on the touchpoint)') AS campaign,
			       audience_segment, spend, impressions, clicks, ctr, attributed_conversions, attributed_revenue,
			       roas, platform_roas, cpa, cac, platform_conversions, reconciliation_gap
			FROM mart_campaign_weekly
			WHERE week_start = ?::DATE AND model = ?
			ORDER BY spend DESC, attributed_revenue DESC, platform, campaign`,
			notes: []string{byModel, "Platform ROAS is the platform's own reported conversion value / spend; the reconciliation gap is platform-reported / attributed conversions − 1."}},
		{name: "Audiences", title: "Audience segments — which to cut or expand", args: []any{week, model}, query: `
			SELECT audience_segment, platform, spend, attributed_conversions, attributed_revenue,
			       attributed_new_customers, roas, cpa, cac
			FROM mart_audience_weekly
			WHERE week_start = ?::DATE AND model = ?
			ORDER BY audience_segment, spend DESC, platform`,
			notes: []string{byModel, "Segments come from the {segment} field of campaign names; 'unknown' is spend whose names do not follow the convention (see Tracking QA)."}},
		{name: "Creatives", title: "Creatives — return per asset across ads and platforms", args: []any{week, model}, query: `
			SELECT creative_key AS creative, platforms, format, hook, ads, spend, impressions, ctr, cpc, cpm,
			       thumb_stop_rate, attributed_conversions, attributed_revenue, roas, cpa, weeks_active,
			       CASE WHEN fatigued THEN 'FATIGUED: ' || fatigued_in ELSE '' END AS fatigue
			FROM mart_creative_weekly
			WHERE week_start = ?::DATE AND model = ?
			ORDER BY spend DESC, creative_key`,
			notes: []string{byModel, fmt.Sprintf("Fatigue: CTR down more than %.0f%% on the audience's first week while frequency is above %g.", cfg.Creative.FatigueCTRDrop*100, cfg.Creative.FatigueFrequency)}},
		{name: "Creative patterns", title: "Creative patterns — which hooks, formats, offers and calls to action to repeat", args: []any{week, model}, query: `
			SELECT format, hook, offer, cta, creatives, ads, spend, impressions, ctr,
			       attributed_conversions, attributed_revenue, roas, cpa
			FROM mart_creative_pattern_weekly
			WHERE week_start = ?::DATE AND model = ?
			ORDER BY spend DESC, format, hook, offer, cta`,
			notes: []string{byModel}},
		{name: "Attribution", title: "Attribution — the models side by side", args: []any{week},
			query: "SELECT channel,\n  " + strings.Join(cols, ",\n  ") + "\nFROM attribution_channels WHERE week_start = ?::DATE GROUP BY channel ORDER BY channel",
			chart: &excel.Chart{Title: "Revenue credited per channel, by model (" + cur + ")"},
			notes: []string{"Revenue credited to each channel under each model, for conversions in the week. Markov follows its convention (the week's revenue × removal-effect share)."}},
		{name: "Assisted", title: "Assisted conversions — who closes and who helps", args: []any{week}, query: `
			SELECT level, label AS name, key, last_interaction_conversions, last_interaction_value,
			       assisted_conversions, assisted_value, assist_ratio, assist_value_ratio
			FROM mart_assisted_weekly WHERE week_start = ?::DATE
			ORDER BY CASE level WHEN 'channel' THEN 1 WHEN 'platform' THEN 2 WHEN 'campaign' THEN 3 ELSE 4 END,
			         last_interaction_conversions + assisted_conversions DESC, key`,
			notes: []string{"Last interaction: the entity holds the conversion's last non-direct touchpoint. Assisted: it is on the path but not last. Value is the conversion's revenue."}},
		{name: "Influencers", title: "Influencers — cost, attributed revenue and rights", args: []any{week}, query: `
			SELECT handle, platform, total_cost, fees, product, bonus, whitelisting_spend,
			       promo_code_conversions, tracked_link_conversions, attributed_conversions, attributed_revenue,
			       assisted_conversions, roi, cac, usage_rights_until, usage_rights_status
			FROM mart_influencer_weekly WHERE week_start = ?::DATE
			ORDER BY attributed_revenue DESC, total_cost DESC, handle`,
			notes: []string{fmt.Sprintf("Week %s; amounts in %s. A promo code on an order credits its creator 100%%; otherwise creator links take their %s credit. ROI = (attributed revenue − cost) / cost.", res.Week.Label(), cur, model)}},
		{name: "Influencer ledger", title: "Influencer ledger — every credited conversion and its evidence", args: []any{week}, capped: true, fullTable: "influencer_ledger",
			query: `
			SELECT conversion_id, conversion_ts, order_id, handle, rule, evidence, credit, amount, conversion_revenue
			FROM influencer_ledger WHERE week_start = ?::DATE
			ORDER BY conversion_ts, conversion_id, handle`,
			notes: []string{"One row per credited conversion and creator; amounts add up to each creator's attributed revenue on the Influencers sheet to the cent."}},
		{name: "Organic", title: "Organic — engagement by platform, format and pillar", args: []any{week}, query: `
			SELECT platform, format, pillar, CASE WHEN is_trend THEN 'trend' ELSE 'planned' END AS kind, posts,
			       impressions, reach, engagements, engagement_rate, engagement_rate_by_reach AS reach_engagement_rate, link_clicks, sessions,
			       conversions, revenue
			FROM mart_organic_weekly WHERE week_start = ?::DATE
			ORDER BY is_trend, engagements DESC, platform, format, pillar`,
			notes: []string{fmt.Sprintf("Posts published in week %s, counted at their latest snapshot. Engagement rate = (likes + comments + shares + saves) / impressions. Sessions are clicks whose utm_content is the post id; conversions and revenue are their %s credit. Trend posts (tags %s) are apart.", res.Week.Label(), model, strings.Join(cfg.Organic.TrendTags, ", "))}},
		{name: "Top posts", title: "Top posts of the week", args: []any{week}, query: `
			SELECT rank, platform, format, pillar, caption, impressions, engagements, engagement_rate,
			       sessions, conversions, revenue, permalink
			FROM mart_organic_top_posts WHERE week_start = ?::DATE
			ORDER BY rank`},
		{name: "Community", title: "Community — response times, service level and leads", args: []any{week}, query: `
			SELECT platform, issue_type, messages, responded, median_first_response_minutes, p90_first_response_minutes,
			       within_sla_share, resolution_rate, buying_intent, leads, pipeline
			FROM mart_community_weekly WHERE week_start = ?::DATE
			ORDER BY platform, messages DESC, issue_type`,
			notes: []string{fmt.Sprintf("Messages received in week %s. Within SLA: first response within %d minutes (unanswered messages are outside it). Pipeline: revenue of the CRM records of leads created from messages.", res.Week.Label(), cfg.Community.SLAMinutes)}},
		{name: "Landing pages", title: "Landing pages — where sessions leak", args: []any{week}, query: `
			SELECT landing_page, channel, sessions, converting_sessions, conversion_rate, channel_conversion_rate,
			       attributed_conversions, attributed_revenue
			FROM mart_landing_page_weekly WHERE week_start = ?::DATE
			ORDER BY sessions DESC, landing_page, channel`,
			notes: []string{"A converting session is the last session on a conversion's path. Compare a page's conversion rate with its channel's: a page far below leaks."}},
		{name: "Budget", title: "Budget — stage gate, marginal ROAS and the next dollar", args: []any{week}, query: `
			SELECT level, next_dollar_rank, platform, coalesce(campaign_name, campaign_id) AS campaign, stage, days_live,
			       spend, trailing_roas, trailing_cac, marginal_roas, action, reason
			FROM mart_budget WHERE week_start = ?::DATE
			ORDER BY level DESC, marginal_roas DESC NULLS LAST, platform, campaign`,
			notes: []string{fmt.Sprintf("Marginal ROAS is the slope of a diminishing-returns curve fitted to the trailing %d weeks of spend and %s-attributed revenue; scale above %.2fx × (1 + %.0f%%), cut below %.2fx × (1 − %.0f%%) or when CAC is above target.",
				cfg.Budget.TrailingWeeks, model, cfg.Reporting.TargetROAS, cfg.Budget.HoldBand*100, cfg.Reporting.TargetROAS, cfg.Budget.HoldBand*100)}},
		{name: "Tracking QA", title: "Tracking QA — can these numbers be trusted?", args: []any{week}, query: `
			SELECT status, severity, check_name AS check, subject, value, threshold, detail
			FROM mart_tracking_qa WHERE week_start = ?::DATE
			ORDER BY status, severity, check_name, subject`,
			notes: []string{"Failed checks of severity error withhold a run's outputs unless --allow-qa-failures; warnings are shown here and in the manifest."}},
		{name: "Attribution ledger", title: "Credit ledger — every credited touchpoint", args: []any{week}, capped: true, fullTable: "attribution_ledger",
			query: `
			SELECT conversion_id, conversion_ts, model, position, touchpoint_id, touchpoint_ts, channel, platform,
			       campaign_id, ad_id, credit, revenue_credit, conversion_revenue
			FROM attribution_ledger WHERE week_start = ?::DATE
			ORDER BY conversion_ts, conversion_id, model, position`,
			notes: []string{"One row per conversion, credited touchpoint and model; revenue credits add up to each conversion's revenue to the cent."}},
	}
	var sheets []excel.Sheet
	for _, sp := range specs {
		limit := -1
		if sp.capped {
			limit = cfg.ExcelRowCap
		}
		table, err := readTable(ctx, wh, sp.name, sp.query, limit, sp.args...)
		if err != nil {
			return nil, err
		}
		sheet := excel.Sheet{Name: sp.name, Title: sp.title, Table: table, Notes: sp.notes, Chart: sp.chart}
		if sp.fullTable != "" {
			sheet.FullTableAt = filepath.Join(weekDir, sp.fullTable+".parquet")
		}
		sheets = append(sheets, sheet)
	}
	platforms, err := readTable(ctx, wh, "Platforms", `
		SELECT platform, sum(spend)::DECIMAL(18, 2) AS spend, sum(attributed_revenue)::DECIMAL(18, 2) AS attributed_revenue,
		       (sum(attributed_revenue) / nullif(sum(spend), 0))::DOUBLE AS roas
		FROM mart_channel_weekly
		WHERE week_start = ?::DATE AND model = ? AND platform IS NOT NULL
		GROUP BY platform HAVING sum(spend) > 0
		ORDER BY spend DESC, platform`, -1, week, model)
	if err != nil {
		return nil, err
	}
	creatives, err := readTable(ctx, wh, "Top creatives", `
		SELECT creative_key AS creative, roas, spend, attributed_revenue, platforms,
		       CASE WHEN fatigued THEN 'fatigued' ELSE '' END AS fatigue
		FROM mart_creative_weekly
		WHERE week_start = ?::DATE AND model = ? AND spend > 0
		ORDER BY roas DESC NULLS LAST, spend DESC, creative_key
		LIMIT 8`, -1, week, model)
	if err != nil {
		return nil, err
	}
	xw, err := excel.ParseWeek(res.Week.Label())
	if err != nil {
		return nil, err
	}
	return &excel.Workbook{
		Week:         xw,
		Currency:     cur,
		PrimaryModel: model,
		Targets:      excel.Targets{ROAS: cfg.Reporting.TargetROAS, CAC: cfg.TargetCAC()},
		KPI:          kpi,
		Highlights: []excel.Highlight{
			{Title: "This week by platform — " + model, Table: platforms, ChartColumns: []string{"spend", "attributed_revenue"},
				ChartTitle: "Spend and attributed revenue by platform (" + cur + ")"},
			{Title: "Top creatives by ROAS — " + model, Table: creatives, ChartColumns: []string{"roas"},
				ChartTitle: "Top creatives by ROAS"},
		},
		Sheets:      sheets,
		Definitions: Definitions(cfg, res.Week),
		Run:         runSheet(cfg, opts, res),
		RowCap:      cfg.ExcelRowCap,
		Location:    cfg.Location(),
	}, nil
}

// runSheet is the workbook's Run sheet: what produced these numbers.
func runSheet(cfg *config.Config, opts Options, res *Result) [][2]string {
	rows := [][2]string{
		{"Run id", res.RunID},
		{"Started", res.started.Format(time.RFC3339)},
		{"socialroi version", opts.Version},
		{"Week", res.Week.Label()},
		{"Config hash", cfg.Hash()},
		{"Primary model", cfg.Reporting.PrimaryModel},
	}
	for _, s := range res.Sources {
		status := "ok"
		if s.Err != nil {
			status = "FAILED: " + s.Err.Error()
		}
		var parts []string
		for t, n := range s.Rows {
			parts = append(parts, fmt.Sprintf("%s %d rows", t, n))
		}
		sort.Strings(parts)
		rows = append(rows, [2]string{"Source " + s.Name, fmt.Sprintf("%s (%s), %s to %s; %s", status, s.Type,
			s.Since.Format(time.DateOnly), s.Until.Format(time.DateOnly), strings.Join(parts, ", "))})
	}
	passed, failed := 0, 0
	for _, t := range res.Tests {
		if t.Passed() {
			passed++
		} else {
			failed++
			rows = append(rows, [2]string{"Data test " + t.Name, fmt.Sprintf("%s: %d offending rows", strings.ToUpper(t.Severity), t.Failures)})
		}
	}
	rows = append(rows, [2]string{"Data tests", fmt.Sprintf("%d passed, %d failed", passed, failed)})
	qaFailed := map[string]int{}
	for _, c := range res.QA {
		if c.Status == "fail" {
			qaFailed[c.Severity]++
		}
	}
	rows = append(rows, [2]string{"Tracking QA", fmt.Sprintf("%d checks: %d errors and %d warnings failed (see the Tracking QA sheet)",
		len(res.QA), qaFailed["error"], qaFailed["warn"])})
	if from := res.ModelsReusedFrom(); from != "" {
		rows = append(rows, [2]string{"Models", "reused from run " + from + ": nothing they are computed from changed since"})
	}
	for _, m := range res.Models {
		if strings.HasPrefix(m.Path, "marts/") {
			rows = append(rows, [2]string{"Rows in " + m.Name, fmt.Sprint(m.Rows)})
		}
	}
	redact := cfg.Redactor()
	for i := range rows {
		rows[i][1] = redact(rows[i][1])
	}
	return rows
}

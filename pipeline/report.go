package pipeline

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/socialroi/socialroi/config"
	"github.com/socialroi/socialroi/models"
	"github.com/socialroi/socialroi/models/attribution"
	"github.com/socialroi/socialroi/reports"
	"github.com/socialroi/socialroi/reports/excel"
	"github.com/socialroi/socialroi/reports/files"
	"github.com/socialroi/socialroi/reports/manifest"
	sqlfiles "github.com/socialroi/socialroi/sql"
)

// WorkbookPath is where the week's workbook goes.
func WorkbookPath(outDir string, week models.Week) string {
	return filepath.Join(outDir, "socialroi_"+week.Label()+".xlsx")
}

// martNames lists the mart tables the SQL project builds.
func martNames() ([]string, error) {
	cat, err := models.LoadCatalog(sqlfiles.FS, attribution.GoModels()...)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, m := range cat.Models {
		if m.Layer == "marts" {
			out = append(out, m.Name)
		}
	}
	sort.Strings(out)
	return out, nil
}

// weekQuery selects a mart's rows for the report week when it has a
// week_start column, else all of it.
func weekQuery(ctx context.Context, wh *models.Warehouse, mart string, week models.Week) (array.RecordReader, error) {
	var n int
	err := wh.Conn().QueryRowContext(ctx,
		`SELECT count(*) FROM information_schema.columns WHERE table_name = ? AND column_name = 'week_start'`, mart).Scan(&n)
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return wh.QueryArrow(ctx, "SELECT * FROM "+models.Ident(mart))
	}
	return wh.QueryArrow(ctx, "SELECT * FROM "+models.Ident(mart)+" WHERE week_start = ?::DATE", week.Start.Format(time.DateOnly))
}

func readTable(ctx context.Context, wh *models.Warehouse, name, query string, limit int, args ...any) (*reports.Table, error) {
	rdr, err := wh.QueryArrow(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	defer rdr.Release()
	return reports.FromArrowLimit(name, rdr, limit)
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

	marts, err := martNames()
	if err != nil {
		return err
	}
	for _, kind := range []string{"parquet", "csv"} {
		if !slices.Contains(outputs, kind) {
			continue
		}
		for _, mart := range marts {
			rdr, err := weekQuery(ctx, wh, mart, res.Week)
			if err != nil {
				return fmt.Errorf("reports: %s: %w", mart, err)
			}
			path := filepath.Join(staging, mart+"."+kind)
			var out reports.Output
			if kind == "parquet" {
				out, err = files.WriteParquet(ctx, path, rdr)
			} else {
				out, err = files.WriteCSV(ctx, path, rdr)
			}
			rdr.Release()
			if err != nil {
				return fmt.Errorf("reports: %w", err)
			}
			out.Path = filepath.Join(weekDir, filepath.Base(path))
			res.Outputs = append(res.Outputs, Output(out))
		}
		log.Info("wrote files", "kind", kind, "files", len(marts), "dir", weekDir)
	}

	var workbookTmp string
	if slices.Contains(outputs, "excel") {
		// Next to its final place, so the publishing rename stays on one file system.
		workbookTmp = filepath.Join(cfg.OutDir, ".socialroi_"+res.Week.Label()+"."+res.RunID+".xlsx.tmp")
		defer os.Remove(workbookTmp)
		wb, err := buildWorkbook(ctx, wh, cfg, opts, res, weekDir)
		if err != nil {
			return fmt.Errorf("reports: workbook: %w", err)
		}
		if err := excel.Write(ctx, workbookTmp, *wb); err != nil {
			return err
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
	for _, p := range append(append(leftovers, tmpBooks...), olds...) {
		if err := os.RemoveAll(p); err == nil {
			log.Info("removed a killed run's leftover", "path", p)
		}
	}
}

// buildWorkbook reads what the workbook shows from the warehouse.
func buildWorkbook(ctx context.Context, wh *models.Warehouse, cfg *config.Config, opts Options, res *Result, weekDir string) (*excel.Workbook, error) {
	model := cfg.Reporting.PrimaryModel
	week := res.Week.Start.Format(time.DateOnly)
	kpi, err := readTable(ctx, wh, "mart_kpi_summary", "SELECT * FROM mart_kpi_summary ORDER BY week_start, model", -1)
	if err != nil {
		return nil, err
	}
	channels, err := readTable(ctx, wh, "Channels", `
		SELECT channel, platform, spend, attributed_conversions, attributed_revenue,
		       attributed_new_customers, roas, cpa, cac
		FROM mart_channel_weekly
		WHERE week_start = ?::DATE AND model = ?
		ORDER BY spend DESC, attributed_revenue DESC, channel, platform`, -1, week, model)
	if err != nil {
		return nil, err
	}
	// Models side by side per channel: revenue credited under each model
	// (conversions per model are in attribution_channels.parquet).
	var cols []string
	for _, m := range cfg.Attribution.Models {
		cols = append(cols, fmt.Sprintf("coalesce(sum(revenue) FILTER (WHERE model = %s), 0)::DECIMAL(18,2) AS %s",
			quoteLiteral(m), models.Ident(m)))
	}
	attribution, err := readTable(ctx, wh, "Attribution",
		"SELECT channel,\n  "+strings.Join(cols, ",\n  ")+"\nFROM attribution_channels WHERE week_start = ?::DATE GROUP BY channel ORDER BY channel", -1, week)
	if err != nil {
		return nil, err
	}
	assisted, err := readTable(ctx, wh, "Assisted", `
		SELECT level, label AS name, key, last_interaction_conversions, last_interaction_value,
		       assisted_conversions, assisted_value, assist_ratio, assist_value_ratio
		FROM mart_assisted_weekly WHERE week_start = ?::DATE
		ORDER BY CASE level WHEN 'channel' THEN 1 WHEN 'platform' THEN 2 WHEN 'campaign' THEN 3 ELSE 4 END,
		         last_interaction_conversions + assisted_conversions DESC, key`, -1, week)
	if err != nil {
		return nil, err
	}
	qa, err := readTable(ctx, wh, "Tracking QA", `
		SELECT status, severity, check_name AS check, subject, value, threshold, detail
		FROM mart_tracking_qa WHERE week_start = ?::DATE
		ORDER BY status, severity, check_name, subject`, -1, week)
	if err != nil {
		return nil, err
	}
	ledger, err := readTable(ctx, wh, "Attribution ledger", `
		SELECT conversion_id, conversion_ts, model, position, touchpoint_id, touchpoint_ts, channel, platform,
		       campaign_id, ad_id, credit, revenue_credit, conversion_revenue
		FROM attribution_ledger WHERE week_start = ?::DATE
		ORDER BY conversion_ts, conversion_id, model, position`, cfg.ExcelRowCap, week)
	if err != nil {
		return nil, err
	}
	xw, err := excel.ParseWeek(res.Week.Label())
	if err != nil {
		return nil, err
	}
	return &excel.Workbook{
		Week:         xw,
		Currency:     cfg.Reporting.Currency,
		PrimaryModel: model,
		Targets:      excel.Targets{ROAS: cfg.Reporting.TargetROAS, CAC: cfg.TargetCAC()},
		KPI:          kpi,
		Sheets: []excel.Sheet{
			{Name: "Channels", Title: "Channels — spend and attributed results", Table: channels,
				Notes: []string{fmt.Sprintf("Week %s, attribution model %s. Spend is the platforms' reported spend in %s.", res.Week.Label(), model, cfg.Reporting.Currency)}},
			{Name: "Attribution", Title: "Attribution — the models side by side", Table: attribution,
				Chart: &excel.Chart{Title: "Revenue credited per channel, by model (" + cfg.Reporting.Currency + ")"},
				Notes: []string{"Revenue credited to each channel under each model, for conversions in the week. Markov follows its convention (the week's revenue × removal-effect share)."}},
			{Name: "Assisted", Title: "Assisted conversions — who closes and who helps", Table: assisted,
				Notes: []string{"Last interaction: the entity holds the conversion's last non-direct touchpoint. Assisted: it is on the path but not last. Value is the conversion's revenue."}},
			{Name: "Tracking QA", Title: "Tracking QA — can these numbers be trusted?", Table: qa,
				Notes: []string{"Failed checks of severity error withhold a run's outputs unless --allow-qa-failures; warnings are shown here and in the manifest."}},
			{Name: "Attribution ledger", Title: "Credit ledger — every credited touchpoint", Table: ledger,
				FullTableAt: filepath.Join(weekDir, "attribution_ledger.parquet"),
				Notes:       []string{"One row per conversion, credited touchpoint and model; revenue credits add up to each conversion's revenue to the cent."}},
		},
		Definitions: Definitions(cfg, res.Week),
		Run:         runSheet(cfg, opts, res),
		RowCap:      cfg.ExcelRowCap,
		Location:    cfg.Location(),
	}, nil
}

func quoteLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

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

package pipeline

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/socialroi/socialroi/config"
	"github.com/socialroi/socialroi/models"
	"github.com/socialroi/socialroi/models/attribution"
	sqlfiles "github.com/socialroi/socialroi/sql"
)

// CheckResult is one pre-flight or post-run check of `socialroi check`.
type CheckResult struct {
	Check    string
	Severity string // error or warn
	Passed   bool
	Detail   string
}

// Check runs the pre-flight checks (config and source settings, the
// warehouse free of other runs) and the post-run QA (data tests and source
// freshness for the week) without extracting or writing anything. It is an
// Airflow sensor step: ExitQA when an error-severity check fails.
func Check(ctx context.Context, cfg *config.Config, week models.Week) ([]CheckResult, int, error) {
	var out []CheckResult
	add := func(check, severity string, passed bool, detail string) {
		out = append(out, CheckResult{check, severity, passed, detail})
	}
	if err := ValidateSources(cfg); err != nil {
		return nil, ExitUsage, err
	}
	add("config", "error", true, fmt.Sprintf("%d source(s) valid", len(cfg.Sources)))

	if _, err := os.Stat(cfg.Warehouse); errors.Is(err, os.ErrNotExist) {
		add("warehouse", "warn", false, cfg.Warehouse+" does not exist yet: the first run creates it")
		return out, ExitOK, nil
	}
	lock, err := AcquireLock(cfg.Warehouse, "check")
	if err != nil {
		add("lock", "error", false, err.Error())
		return out, ExitFailure, nil
	}
	defer lock.Release()
	add("lock", "error", true, "no run in progress")

	wh, err := models.Open(ctx, cfg.Warehouse, models.Options{ReadOnly: true})
	if err != nil {
		return out, ExitFailure, err
	}
	defer wh.Close()
	if ok, err := wh.TableExists(ctx, "attribution_ledger"); err != nil || !ok {
		add("models", "error", false, "the warehouse has no marts yet: run `socialroi run` first")
		return out, ExitQA, err
	}

	// Freshness: every configured source has extracted through the week's end.
	for _, s := range cfg.Sources {
		until, ok, err := wh.SourceCursor(ctx, s.Name)
		switch {
		case err != nil:
			add("fresh "+s.Name, "warn", false, err.Error())
		case !ok:
			add("fresh "+s.Name, "warn", false, "never extracted")
		case until.Before(week.End()):
			add("fresh "+s.Name, "warn", false, fmt.Sprintf("extracted through %s, before the week's end %s",
				until.Format(time.DateOnly), week.End().Format(time.DateOnly)))
		default:
			add("fresh "+s.Name, "warn", true, "extracted through "+until.Format(time.DateOnly))
		}
	}

	params, err := models.ParamsFor(cfg, week)
	if err != nil {
		return out, ExitFailure, err
	}
	if err := wh.Set(ctx, params); err != nil {
		return out, ExitFailure, err
	}
	cat, err := models.LoadCatalog(sqlfiles.FS, attribution.GoModels()...)
	if err != nil {
		return out, ExitFailure, err
	}
	tests, err := wh.RunTests(ctx, cat)
	if err != nil {
		return out, ExitFailure, err
	}
	code := ExitOK
	for _, t := range tests {
		detail := t.Description
		if !t.Passed() {
			detail = fmt.Sprintf("%d offending rows; %s", t.Failures, t.Description)
			if len(t.Sample) > 0 {
				detail += "; e.g. " + cfg.Redactor()(t.Sample[0])
			}
			if t.Severity == "error" {
				code = ExitQA
			}
		}
		add("test "+t.Name, t.Severity, t.Passed(), detail)
	}
	return out, code, nil
}

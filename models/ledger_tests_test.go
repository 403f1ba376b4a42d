package models_test

import (
	"slices"
	"testing"

	"github.com/socialroi/socialroi/models"
	"github.com/socialroi/socialroi/models/attribution"
	sqlfiles "github.com/socialroi/socialroi/sql"
)

// The ledger's data tests read int_attribution_ledger, where the rows of
// the published attribution_ledger view are kept: a conversion whose credit
// or revenue credit no longer adds up must fail them, and only it, and so
// must a conversion a model no longer credits.
func TestLedgerDataTestsCatchABrokenConversion(t *testing.T) {
	ctx := t.Context()
	w, results := runDatasetWith(t, allModelsConfig(), tinyBrand(), day("2026-11-16"), nil)
	for _, r := range results {
		if !r.Passed() && r.Severity == "error" {
			t.Fatalf("before the change, %s failed: %v", r.Name, r.Sample)
		}
	}
	cat, err := models.LoadCatalog(sqlfiles.FS, attribution.GoModels()...)
	if err != nil {
		t.Fatal(err)
	}
	// the first conversion's first linear row: 0.10 more revenue and 0.1
	// more credit
	var conversion string
	if err := w.Conn().QueryRowContext(ctx, `SELECT min(conversion_id) FROM int_attribution_ledger WHERE model = 'linear'`).Scan(&conversion); err != nil {
		t.Fatal(err)
	}
	tx, err := w.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := w.Conn().ExecContext(ctx, `UPDATE int_attribution_ledger SET credit = credit + 0.1, revenue_credit = revenue_credit + 0.10
		WHERE conversion_id = ? AND model = 'linear' AND position = 1`, conversion); err != nil {
		t.Fatal(err)
	}
	// and no first-touch credit at all
	if _, err := w.Conn().ExecContext(ctx, `DELETE FROM int_attribution_ledger WHERE conversion_id = ? AND model = 'first_touch'`, conversion); err != nil {
		t.Fatal(err)
	}
	results, err = tx.RunTests(ctx, cat)
	if err != nil {
		t.Fatal(err)
	}
	// ad_weekly_conserved fails too: the marts built from the ledger no
	// longer match it
	for _, name := range []string{"ledger_credit_sums_to_one", "ledger_revenue_conserved", "ledger_covers_every_conversion"} {
		i := slices.IndexFunc(results, func(r models.TestResult) bool { return r.Name == name })
		if i < 0 || results[i].Failures != 1 {
			t.Errorf("%s: %+v, want 1 offending row (%s)", name, results, conversion)
		}
	}
}

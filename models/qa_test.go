package models_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/socialroi/socialroi/models"
	"github.com/socialroi/socialroi/transform"
)

// cleanPaidBrand is paidBrand with every tracking habit right: destination
// URLs carry UTMs, every name follows the conventions, and the source
// extracted through the report week. Each case of
// TestTrackingQACatchesBrokenData breaks one thing.
func cleanPaidBrand() map[string]any {
	data := paidBrand()
	ads := data[transform.AdPerformance].([]transform.AdPerformanceRow)
	for i := range ads {
		a := &ads[i]
		if a.AdID == "d" {
			a.CampaignName, a.AdName = "conv_pr_de_holiday", "video_unboxing_shop-now_cr9"
		}
		a.DestinationURL = "https://shop.example.com/p?utm_source=" + a.Platform + "&utm_medium=paid_social&utm_campaign=" + a.CampaignID + "&utm_content=" + a.AdID
	}
	return data
}

func TestTrackingQACatchesBrokenData(t *testing.T) {
	ads := func(data map[string]any) []transform.AdPerformanceRow {
		return data[transform.AdPerformance].([]transform.AdPerformanceRow)
	}
	adRow := func(data map[string]any, id, date string) *transform.AdPerformanceRow {
		for i, a := range ads(data) {
			if a.AdID == id && a.Date.Equal(day(date)) {
				return &ads(data)[i]
			}
		}
		panic("no ad " + id + " on " + date)
	}
	fresh := func(tx *models.Tx) error { return tx.AdvanceSourceCursor(t.Context(), "test", day("2026-11-22"), "r1") }
	tests := []struct {
		name   string
		break_ func(map[string]any)
		before func(*models.Tx) error
		// the check that must fail, its subject, severity and value
		check, subject, severity string
		value                    float64
	}{{
		// B's 40.00 of W47's 155.00 spend (60 + 40 + 30 + 25) loses its
		// UTMs: 115 / 155 = 0.741935 tagged, under the 0.9 minimum.
		name:   "an ad without UTMs",
		break_: func(d map[string]any) { adRow(d, "b", "2026-11-17").DestinationURL = "https://shop.example.com/p" },
		check:  "utm_coverage", severity: "warn", value: 115.0 / 155,
	}, {
		// D's ad name goes back to one made by hand: one ad does not parse.
		name:   "a name that does not parse",
		break_: func(d map[string]any) { adRow(d, "d", "2026-11-17").AdName = "Copy of video" },
		check:  "naming_convention", severity: "warn", value: 1,
	}, {
		// D spends in EUR and fx_rates has no EUR rate for 17 Nov.
		name:   "a missing FX rate",
		break_: func(d map[string]any) { adRow(d, "d", "2026-11-17").Currency = "EUR" },
		check:  "fx_rate_missing", severity: "error", value: 1,
	}, {
		// A second source last extracted through Thursday: 2 days short of Sunday.
		name: "a stale source",
		before: func(tx *models.Tx) error {
			return tx.AdvanceSourceCursor(t.Context(), "tiktok_ads", day("2026-11-20"), "r1")
		},
		check: "stale_source", subject: "tiktok_ads", severity: "warn", value: 2,
	}, {
		// A's W47 row copied by hand in the warehouse (a load keeps one
		// row per natural key: TestLoadKeepsOneRowPerKey).
		name: "a duplicated row",
		before: func(tx *models.Tx) error {
			rows, err := tx.QueryContext(t.Context(), "INSERT INTO ad_performance SELECT * FROM ad_performance WHERE ad_id = 'a' AND date = DATE '2026-11-17'")
			if err != nil {
				return err
			}
			return rows.Close()
		},
		check: "duplicate_natural_keys", subject: "ad_performance", severity: "error", value: 1,
	}, {
		name:   "clicks above impressions",
		break_: func(d map[string]any) { adRow(d, "c", "2026-11-17").Clicks = 2000 },
		check:  "impossible_values", subject: "ad_performance", severity: "warn", value: 1,
	}, {
		name:   "negative spend",
		break_: func(d map[string]any) { adRow(d, "b", "2026-11-17").Spend = dec("-40.00") },
		check:  "negative_values", subject: "ad_performance", severity: "error", value: 1,
	}, {
		// One of five W47 touchpoints matches no rule: 0.2 > 0.05.
		name: "touchpoints no rule classifies",
		break_: func(d map[string]any) {
			d[transform.Touchpoints] = append(d[transform.Touchpoints].([]transform.TouchpointRow),
				paidClick("t9", "p9", "2026-11-19 10:00", "zzz", "qqq", "", "", ""))
		},
		check: "touchpoints_classified_other", severity: "warn", value: 0.2,
	}}

	status := func(w *models.Warehouse, check, subject string) string {
		got := rowsOf(t, w, fmt.Sprintf(`SELECT status, severity, value FROM mart_tracking_qa
			WHERE check_name = '%s' AND coalesce(subject, '') = '%s'`, check, subject))
		return strings.Join(got, ";")
	}
	errorsTestFailed := func(results []models.TestResult) bool {
		for _, r := range results {
			if strings.HasSuffix(r.Path, "tracking_qa_errors.sql") {
				return !r.Passed()
			}
		}
		t.Fatal("no tracking_qa_errors data test")
		return false
	}

	// The clean brand passes every check that a case breaks.
	clean, results := runDatasetWith(t, tinyConfig(), cleanPaidBrand(), day("2026-11-16"), fresh)
	for _, tt := range tests {
		if got := status(clean, tt.check, tt.subject); !strings.HasPrefix(got, "pass|") && got != "" {
			t.Errorf("clean data: %s %s = %s, want pass", tt.check, tt.subject, got)
		}
	}
	if errorsTestFailed(results) {
		t.Error("clean data: the tracking_qa_errors data test fails")
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := cleanPaidBrand()
			if tt.break_ != nil {
				tt.break_(data)
			}
			before := fresh
			if tt.before != nil {
				before = func(tx *models.Tx) error {
					if err := fresh(tx); err != nil {
						return err
					}
					return tt.before(tx)
				}
			}
			w, results := runDatasetWith(t, tinyConfig(), data, day("2026-11-16"), before)
			want := fmt.Sprintf("fail|%s|%.6f", tt.severity, tt.value)
			if got := status(w, tt.check, tt.subject); got != want {
				t.Errorf("%s %s = %q, want %q", tt.check, tt.subject, got, want)
			}
			// Only errors stop the run's outputs.
			if got := errorsTestFailed(results); got != (tt.severity == "error") {
				t.Errorf("tracking_qa_errors data test failed = %v, want %v", got, tt.severity == "error")
			}
		})
	}
}

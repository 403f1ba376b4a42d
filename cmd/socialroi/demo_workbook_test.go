package main

import (
	"archive/zip"
	"database/sql"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"
)

// checkWorkbook reads the demo workbook back as a user's spreadsheet would:
// every sheet of DESIGN §6 in order, each table's headers, sample values
// against the marts, money and percentage formats, and the charts.
func checkWorkbook(t *testing.T, path string, conn *sql.Conn) {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	wantSheets := []string{"Summary", "Channels", "Campaigns", "Audiences", "Creatives", "Creative patterns",
		"Attribution", "Assisted", "Influencers", "Influencer ledger", "Organic", "Top posts", "Community",
		"Landing pages", "Budget", "Tracking QA", "Attribution ledger", "Definitions", "Run"}
	if d := cmp.Diff(wantSheets, f.GetSheetList()); d != "" {
		t.Errorf("sheets (-want +got):\n%s", d)
	}

	// headerRow finds a table's header: the first row starting with first.
	headerRow := func(sheet, first string) (int, []string) {
		rows, err := f.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range rows {
			if len(r) > 0 && r[0] == first {
				return i + 1, r
			}
		}
		t.Errorf("%s: no header row starting with %q", sheet, first)
		return 0, nil
	}
	for sheet, headers := range map[string][]string{
		"Channels":          {"Channel", "Platform", "Spend", "Attributed conversions", "Attributed revenue"},
		"Campaigns":         {"Platform", "Campaign", "Audience segment", "Spend", "Impressions", "Clicks", "CTR"},
		"Audiences":         {"Audience segment", "Platform", "Spend"},
		"Creatives":         {"Creative", "Platforms", "Format", "Hook", "Ads", "Spend"},
		"Creative patterns": {"Format", "Hook", "Offer", "Cta"},
		"Influencers":       {"Handle", "Platform", "Total cost"},
		"Influencer ledger": {"Conversion ID", "Conversion ts", "Order ID", "Handle", "Rule", "Evidence"},
		"Organic":           {"Platform", "Format", "Pillar", "Kind", "Posts"},
		"Community":         {"Platform", "Issue type", "Messages", "Responded"},
		"Landing pages":     {"Landing page", "Channel", "Sessions"},
		"Budget":            {"Level", "Next dollar rank", "Platform", "Campaign", "Stage"},
		"Tracking QA":       {"Status", "Severity", "Check"},
	} {
		_, got := headerRow(sheet, headers[0])
		if len(got) < len(headers) || !slices.Equal(got[:len(headers)], headers) {
			t.Errorf("%s headers %q, want them to start with %q", sheet, got, headers)
		}
	}

	// Campaigns: the first row is the campaign with the most spend, its
	// spend a number in the currency format, its CTR a percentage.
	row, _ := headerRow("Campaigns", "Platform")
	want := queryOne[string](t, conn, `SELECT spend::VARCHAR FROM mart_campaign_weekly
		WHERE week_start = DATE '2026-11-16' AND model = 'position_based' ORDER BY spend DESC, attributed_revenue DESC LIMIT 1`)
	spendCell, ctrCell := "D"+itoa(row+1), "G"+itoa(row+1)
	raw, err := f.GetCellValue("Campaigns", spendCell, excelize.Options{RawCellValue: true})
	if err != nil || !decimal.RequireFromString(raw).Equal(decimal.RequireFromString(want)) {
		t.Errorf("Campaigns %s = %q (%v), want the mart's top spend %s", spendCell, raw, err, want)
	}
	for ref, fragment := range map[string]string{spendCell: "$", ctrCell: "%"} {
		style, err := f.GetCellStyle("Campaigns", ref)
		if err != nil {
			t.Fatal(err)
		}
		st, err := f.GetStyle(style)
		if err != nil || st.CustomNumFmt == nil || !strings.Contains(*st.CustomNumFmt, fragment) {
			t.Errorf("Campaigns %s number format %v, want one with %q", ref, st.CustomNumFmt, fragment)
		}
	}
	// Budget: the platform ranked first is the mart's.
	row, _ = headerRow("Budget", "Level")
	if got, _ := f.GetCellValue("Budget", "C"+itoa(row+1)); got != queryOne[string](t, conn,
		`SELECT platform FROM mart_budget WHERE level = 'platform' AND next_dollar_rank = 1`) {
		t.Errorf("Budget's first row is %q, not the next-dollar platform", got)
	}

	// Charts: Summary's ROAS, spend and CAC trends, platforms and top
	// creatives, and the Attribution sheet's models side by side.
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	charts := 0
	for _, zf := range zr.File {
		if strings.HasPrefix(zf.Name, "xl/charts/chart") {
			charts++
		}
	}
	if charts != 6 {
		t.Errorf("%d charts in the workbook, want 6", charts)
	}
}

func itoa(n int) string { return decimal.NewFromInt(int64(n)).String() }

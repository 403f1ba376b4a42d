package excel

import (
	"archive/zip"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/socialroi/socialroi/reports"
	"github.com/xuri/excelize/v2"
)

// update rewrites the golden files:
//
//	go test ./reports/excel -run TestGolden -update
var update = flag.Bool("update", false, "rewrite testdata/reports golden files")

func writeSample(t *testing.T, wb Workbook) (*excelize.File, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "socialroi_2026-W47.xlsx")
	if err := Write(t.Context(), path, wb); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f, path
}

// raw returns a cell's stored value, not its formatted text.
func raw(t *testing.T, f *excelize.File, sheet, ref string) string {
	t.Helper()
	v, err := f.GetCellValue(sheet, ref, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// number asserts that a cell holds a number (not text) and returns it.
func number(t *testing.T, f *excelize.File, sheet, ref string) float64 {
	t.Helper()
	typ, err := f.GetCellType(sheet, ref)
	if err != nil {
		t.Fatal(err)
	}
	// excelize writes numbers without a t attribute (unset) or as t="n".
	if typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber {
		t.Fatalf("%s!%s has cell type %v, want a number", sheet, ref, typ)
	}
	v, err := strconv.ParseFloat(raw(t, f, sheet, ref), 64)
	if err != nil {
		t.Fatalf("%s!%s: %v", sheet, ref, err)
	}
	return v
}

func style(t *testing.T, f *excelize.File, sheet, ref string) *excelize.Style {
	t.Helper()
	id, err := f.GetCellStyle(sheet, ref)
	if err != nil {
		t.Fatal(err)
	}
	st, err := f.GetStyle(id)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func numFmtOf(t *testing.T, f *excelize.File, sheet, ref string) string {
	t.Helper()
	st := style(t, f, sheet, ref)
	if st.CustomNumFmt == nil {
		return ""
	}
	return *st.CustomNumFmt
}

func TestWriteWorkbook(t *testing.T) {
	f, _ := writeSample(t, sampleWorkbook())

	if diff := cmp.Diff([]string{"Summary", "Channels", "Attribution", "Ledger", "Definitions", "Run"}, f.GetSheetList()); diff != "" {
		t.Errorf("sheets (-want +got):\n%s", diff)
	}
	if f.GetActiveSheetIndex() != 0 {
		t.Errorf("active sheet %d, want Summary", f.GetActiveSheetIndex())
	}

	t.Run("Summary", func(t *testing.T) {
		if got, _ := f.GetCellValue("Summary", "A1"); got != "Weekly paid-social report — 2026-W47 (16–22 Nov 2026)" {
			t.Errorf("title %q", got)
		}
		// Tiles are four to a band: label, value, previous week, change.
		// Expected values are worked out in sampleKPI's comment.
		tiles := []struct {
			label             string
			value, prev, chg  string // refs
			wantValue, wantPr float64
			wantChange        float64
			colour            string
			shown             string
		}{
			{"SPEND", "A6", "A7", "A8", 1200, 1000, 0.2, colorBadFont, "▲ 20.0%"},
			{"PAID REVENUE (ATTRIBUTED)", "B6", "B7", "B8", 4200, 3500, 0.2, colorGoodFont, "▲ 20.0%"},
			// excelize renders a zero with the first section ("▲ 0.0%"); Excel
			// and LibreOffice use the third, "■ 0.0%". Only the value is checked.
			{"ROAS", "C6", "C7", "C8", 3.5, 3.5, 0, colorMuted, ""},
			{"PAID-SOCIAL CAC", "D6", "D7", "D8", 18, 20, -0.1, colorGoodFont, "▼ 10.0%"},
			{"BLENDED CAC", "A11", "A12", "A13", 37.5, 26, 11.5 / 26, colorBadFont, "▲ 44.2%"},
			{"NEW CUSTOMERS", "B11", "B12", "B13", 40, 50, -0.2, colorBadFont, "▼ 20.0%"},
			{"CONVERSIONS", "C11", "C12", "C13", 120, 100, 0.2, colorGoodFont, "▲ 20.0%"},
		}
		for _, tc := range tiles {
			labelRef := tc.value[:1] + strconv.Itoa(mustAtoi(tc.value[1:])-1)
			if got, _ := f.GetCellValue("Summary", labelRef); got != tc.label {
				t.Errorf("%s: label %q, want %q", labelRef, got, tc.label)
			}
			if got := number(t, f, "Summary", tc.value); got != tc.wantValue {
				t.Errorf("%s value %v, want %v", tc.label, got, tc.wantValue)
			}
			if got := number(t, f, "Summary", tc.prev); got != tc.wantPr {
				t.Errorf("%s previous %v, want %v", tc.label, got, tc.wantPr)
			}
			if got := number(t, f, "Summary", tc.chg); fmt.Sprintf("%.9f", got) != fmt.Sprintf("%.9f", tc.wantChange) {
				t.Errorf("%s change %v, want %v", tc.label, got, tc.wantChange)
			}
			st := style(t, f, "Summary", tc.chg)
			if st.Font == nil || !strings.EqualFold(st.Font.Color, "FF"+tc.colour) && !strings.EqualFold(st.Font.Color, tc.colour) {
				t.Errorf("%s change colour %+v, want %s", tc.label, st.Font, tc.colour)
			}
			if got := numFmtOf(t, f, "Summary", tc.chg); got != changeFormat {
				t.Errorf("%s change format %q", tc.label, got)
			}
			if got, _ := f.GetCellValue("Summary", tc.chg); tc.shown != "" && got != tc.shown {
				t.Errorf("%s change shows %q, want %q", tc.label, got, tc.shown)
			}
		}
		if got := numFmtOf(t, f, "Summary", "A6"); got != `[$$-409]#,##0.00` {
			t.Errorf("spend tile format %q", got)
		}
		if got := numFmtOf(t, f, "Summary", "C6"); got != `0.00"x"` {
			t.Errorf("ROAS tile format %q", got)
		}
	})

	t.Run("Channels", func(t *testing.T) {
		// Title, two notes (caller's and the red-fill legend), a blank row:
		// the header is row 5 and data starts on row 6.
		if got, _ := f.GetCellValue("Channels", "E5"); got != "Spend" {
			t.Fatalf("E5 = %q, want the spend header", got)
		}
		if got := number(t, f, "Channels", "E6"); got != 600 {
			t.Errorf("spend %v", got)
		}
		if got := numFmtOf(t, f, "Channels", "E6"); got != `[$$-409]#,##0.00` {
			t.Errorf("money format %q", got)
		}
		if got, _ := f.GetCellValue("Channels", "G7"); got != "$2,760.00" {
			t.Errorf("attributed_revenue shows %q", got)
		}
		if got := number(t, f, "Channels", "L6"); got != 0.45 {
			t.Errorf("click_share %v", got)
		}
		if got := numFmtOf(t, f, "Channels", "L6"); got != "0.0%" {
			t.Errorf("percent format %q", got)
		}
		if got := numFmtOf(t, f, "Channels", "I6"); got != `0.00"x"` {
			t.Errorf("ratio format %q", got)
		}
		if got := numFmtOf(t, f, "Channels", "A6"); got != "yyyy-mm-dd" {
			t.Errorf("date format %q", got)
		}
		if got, _ := f.GetCellValue("Channels", "A6"); got != "2026-11-16" {
			t.Errorf("date shows %q", got)
		}
		if got := raw(t, f, "Channels", "I8"); got != "" {
			t.Errorf("NULL roas written as %q, want an empty cell", got)
		}
		if st := style(t, f, "Channels", "E5"); st.Font == nil || !st.Font.Bold {
			t.Error("header is not bold")
		}
		panes, err := f.GetPanes("Channels")
		if err != nil {
			t.Fatal(err)
		}
		if !panes.Freeze || panes.YSplit != 5 || panes.TopLeftCell != "A6" {
			t.Errorf("panes %+v, want frozen above row 6", panes)
		}
		if !hasAutoFilter(f, "Channels", "$A$5:$L$8") {
			t.Errorf("no autofilter on Channels!A5:L8; defined names %+v", f.GetDefinedName())
		}
		cf, err := f.GetConditionalFormats("Channels")
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]string{"I6:I8": "AND(ISNUMBER(I6),I6<3)", "K6:K8": "AND(ISNUMBER(K6),K6>30)"}
		for ref, crit := range want {
			if len(cf[ref]) != 1 || cf[ref][0].Type != "formula" || cf[ref][0].Criteria != crit {
				t.Errorf("conditional format %s = %+v, want formula %s", ref, cf[ref], crit)
			}
		}
		if len(cf) != len(want) {
			t.Errorf("conditional formats on %v, want only roas and cac", keys(cf))
		}
	})

	t.Run("streamed Ledger", func(t *testing.T) {
		// RowCap 20 < 30 rows: streamed, capped, with a final line.
		rows, err := f.GetRows("Ledger")
		if err != nil {
			t.Fatal(err)
		}
		// title, cap note, time-zone note, blank, header, 20 rows, blank, footer
		if len(rows) != 1+2+1+1+20+1+1 {
			t.Fatalf("Ledger has %d rows", len(rows))
		}
		wantFooter := "Showing the first 20 of 30 rows. The full table is at out/2026-W47/attribution_ledger.parquet."
		if got := rows[len(rows)-1][0]; got != wantFooter {
			t.Errorf("final line %q", got)
		}
		if got := rows[len(rows)-3][0]; got != "ct0" {
			t.Errorf("last data row starts %q, want the 20th conversion ct0", got)
		}
		panes, _ := f.GetPanes("Ledger")
		if !panes.Freeze || panes.YSplit != 5 {
			t.Errorf("Ledger panes %+v", panes)
		}
		tables, err := f.GetTables("Ledger")
		if err != nil || len(tables) != 1 || tables[0].Range != "A5:G25" {
			t.Errorf("Ledger tables %+v (%v), want one on A5:G25 for the autofilter", tables, err)
		}
		if cf, _ := f.GetConditionalFormats("Ledger"); len(cf) != 0 {
			t.Errorf("streamed sheet has conditional formats %v", keys(cf))
		}
		if got := number(t, f, "Ledger", "G6"); got != 12.34 {
			t.Errorf("revenue_credit %v", got)
		}
		if got, _ := f.GetCellValue("Ledger", "B6"); got != "2026-11-17 09:30:00" {
			t.Errorf("timestamp shows %q", got)
		}
	})

	t.Run("chart", func(t *testing.T) {
		parts := zipParts(t, f)
		for _, p := range []string{"xl/charts/chart1.xml", "xl/charts/chart2.xml", "xl/drawings/drawing1.xml"} {
			if _, ok := parts[p]; !ok {
				t.Errorf("workbook has no %s", p)
			}
		}
		if !strings.Contains(parts["xl/charts/chart1.xml"], "<lineChart>") || !strings.Contains(parts["xl/charts/chart1.xml"], "Summary&#39;!$E$18:$E$20") {
			t.Error("chart1 is not a line chart of the ROAS column E18:E20")
		}
		if !strings.Contains(parts["xl/charts/chart2.xml"], "<barChart>") {
			t.Error("chart2 is not a column chart")
		}
		if !strings.Contains(parts["xl/worksheets/_rels/sheet1.xml.rels"], "drawing1.xml") {
			t.Error("the charts are not on Summary")
		}
	})

	t.Run("Definitions and Run", func(t *testing.T) {
		if got, _ := f.GetCellValue("Definitions", "A4"); got != DefaultDefinitions()[0][0] {
			t.Errorf("Definitions A4 %q", got)
		}
		if got, _ := f.GetCellValue("Run", "B4"); got != "20261123T060000Z-ab12" {
			t.Errorf("Run B4 %q", got)
		}
	})
}

func TestCurrencyFormat(t *testing.T) {
	wb := sampleWorkbook()
	wb.Currency = "EUR"
	f, _ := writeSample(t, wb)
	if got := numFmtOf(t, f, "Channels", "E6"); got != `#,##0.00 "EUR"` {
		t.Errorf("EUR money format %q", got)
	}
	if got, _ := f.GetCellValue("Channels", "G7"); got != "2,760.00 EUR" {
		t.Errorf("EUR amount shows %q", got)
	}
}

func TestStreamWithoutCap(t *testing.T) {
	wb := sampleWorkbook()
	wb.RowCap, wb.StreamRows = 100, 10
	f, _ := writeSample(t, wb)
	rows, err := f.GetRows("Ledger")
	if err != nil {
		t.Fatal(err)
	}
	// title, time-zone note, blank, header, 30 rows: no cap, no footer.
	if len(rows) != 1+1+1+1+30 {
		t.Errorf("Ledger has %d rows, want 34", len(rows))
	}
	if tables, _ := f.GetTables("Ledger"); len(tables) != 1 {
		t.Errorf("streamed Ledger has %d tables, want 1", len(tables))
	}
}

// TestFailedWriteKeepsOldFile: whatever goes wrong, an existing workbook is
// left byte for byte, and no temporary file is left beside it.
func TestFailedWriteKeepsOldFile(t *testing.T) {
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	noWeek := sampleWorkbook()
	noWeek.Week, _ = ParseWeek("2026-W50")
	badName := sampleWorkbook()
	badName.Sheets[0].Name = "Channels/Platforms"
	dup := sampleWorkbook()
	dup.Sheets[1].Name = "channels"

	cases := []struct {
		name    string
		ctx     context.Context
		wb      Workbook
		wantErr error
	}{
		{"cancelled", cancelled, sampleWorkbook(), context.Canceled},
		{"no KPI row", context.Background(), noWeek, ErrNoKPI},
		{"bad sheet name", context.Background(), badName, ErrSheetName},
		{"duplicate sheet name", context.Background(), dup, ErrSheetName},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "socialroi_2026-W47.xlsx")
			old := []byte("last week's workbook")
			if err := os.WriteFile(path, old, 0o644); err != nil {
				t.Fatal(err)
			}
			err := Write(tc.ctx, path, tc.wb)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("Write = %v, want %v", err, tc.wantErr)
			}
			got, _ := os.ReadFile(path)
			if string(got) != string(old) {
				t.Error("the existing workbook changed")
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 1 {
				t.Errorf("directory holds %d entries, want just the workbook", len(entries))
			}
		})
	}

	t.Run("unwritable directory", func(t *testing.T) {
		dir := t.TempDir()
		blocker := filepath.Join(dir, "out")
		os.WriteFile(blocker, []byte("a file, not a directory"), 0o644)
		if err := Write(t.Context(), filepath.Join(blocker, "x.xlsx"), sampleWorkbook()); err == nil {
			t.Fatal("Write into a file's path succeeded")
		}
	})
}

func TestCancelMidSheet(t *testing.T) {
	// A context that is cancelled after a few checks stops a long sheet.
	wb := sampleWorkbook()
	wb.Sheets[2].Table = sampleLedger(3 * ctxEvery)
	wb.RowCap, wb.StreamRows = 10*ctxEvery, 10*ctxEvery
	ctx := &countdownCtx{Context: context.Background(), left: 4}
	err := Write(ctx, filepath.Join(t.TempDir(), "x.xlsx"), wb)
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "sheet Ledger") {
		t.Fatalf("Write = %v, want cancellation in sheet Ledger", err)
	}
}

// countdownCtx reports cancellation after left calls to Err.
type countdownCtx struct {
	context.Context
	left int
}

func (c *countdownCtx) Err() error {
	if c.left--; c.left < 0 {
		return context.Canceled
	}
	return nil
}

func TestParseWeek(t *testing.T) {
	cases := []struct {
		label, start, span string
	}{
		{"2026-W47", "2026-11-16", "16–22 Nov 2026"},
		{"2026-W49", "2026-11-30", "30 Nov – 6 Dec 2026"},
		{"2026-W01", "2025-12-29", "29 Dec 2025 – 4 Jan 2026"},
		{"2026-W53", "2026-12-28", "28 Dec 2026 – 3 Jan 2027"},
	}
	for _, tc := range cases {
		w, err := ParseWeek(tc.label)
		if err != nil {
			t.Fatalf("%s: %v", tc.label, err)
		}
		if got := w.Start.Format(time.DateOnly); got != tc.start {
			t.Errorf("%s starts %s, want %s", tc.label, got, tc.start)
		}
		if got := w.Span(); got != tc.span {
			t.Errorf("%s span %q, want %q", tc.label, got, tc.span)
		}
	}
	for _, bad := range []string{"2025-W53", "2026-W00", "2026W47", "2026-47"} {
		if _, err := ParseWeek(bad); err == nil {
			t.Errorf("ParseWeek(%q) succeeded", bad)
		}
	}
}

// TestGolden compares every shown cell of the sample workbook, as Excel
// would format it, with testdata/reports/excel/sample/cells.golden.
//
//	go test ./reports/excel -run TestGolden -update
func TestGolden(t *testing.T) {
	f, _ := writeSample(t, sampleWorkbook())
	var b strings.Builder
	for _, sheet := range f.GetSheetList() {
		rows, err := f.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "== %s\n", sheet)
		for r, row := range rows {
			for c, v := range row {
				if v != "" {
					fmt.Fprintf(&b, "%s\t%s\n", cell(c+1, r+1), v)
				}
			}
		}
	}
	golden := filepath.Join("..", "..", "testdata", "reports", "excel", "sample", "cells.golden")
	if *update {
		if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), b.String()); diff != "" {
		t.Errorf("cells (-want +got):\n%s", diff)
	}
}

func TestHeading(t *testing.T) {
	for name, want := range map[string]string{
		"attributed_new_customers": "Attributed new customers",
		"roas":                     "ROAS",
		"prev_paid_social_cac":     "Prev paid social CAC",
		"campaign_id":              "Campaign ID",
		"within_sla_pct":           "Within SLA %",
		"week_start":               "Week start",
	} {
		if got := Heading(name); got != want {
			t.Errorf("Heading(%q) = %q, want %q", name, got, want)
		}
	}
}

func hasAutoFilter(f *excelize.File, sheet, ref string) bool {
	for _, dn := range f.GetDefinedName() {
		if dn.Name == "_xlnm._FilterDatabase" && dn.Scope == sheet && strings.HasSuffix(dn.RefersTo, ref) {
			return true
		}
	}
	return false
}

func zipParts(t *testing.T, f *excelize.File) map[string]string {
	t.Helper()
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(strings.NewReader(buf.String()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	parts := map[string]string{}
	for _, zf := range zr.File {
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		parts[zf.Name] = string(b)
	}
	return parts
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func mustAtoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		panic(err)
	}
	return n
}

// BenchmarkWriteLedger writes a long sheet both ways: streamed and capped
// at DefaultRowCap, and in normal mode just under DefaultStreamRows.
//
//	go test ./reports/excel -run '^$' -bench WriteLedger -benchmem
func BenchmarkWriteLedger(b *testing.B) {
	for _, bc := range []struct {
		name string
		rows int
	}{{"streamed", DefaultRowCap + 10}, {"normal", DefaultStreamRows}} {
		b.Run(bc.name, func(b *testing.B) {
			wb := sampleWorkbook()
			wb.RowCap = 0 // the defaults
			wb.Sheets = []Sheet{{Name: "Ledger", Table: sampleLedger(bc.rows), FullTableAt: "ledger.parquet"}}
			path := filepath.Join(b.TempDir(), "bench.xlsx")
			for b.Loop() {
				if err := Write(context.Background(), path, wb); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// A sheet with a Chart gets a clustered bar chart of its numeric columns
// by its first column, under the table.
func TestSheetBarChart(t *testing.T) {
	wb := sampleWorkbook()
	wb.Sheets = wb.Sheets[:1]
	wb.Sheets[0].Chart = &Chart{Title: "Spend and revenue by channel"}
	f, _ := writeSample(t, wb)
	parts := zipParts(t, f)
	chart := parts["xl/charts/chart4.xml"] // Summary has ROAS, spend and CAC
	if !strings.Contains(chart, "<barChart>") || !strings.Contains(chart, `barDir val="bar"`) {
		t.Fatalf("no horizontal bar chart: %.300s", chart)
	}
	if !strings.Contains(chart, "Spend and revenue by channel") || !strings.Contains(chart, "Channels&#39;!$A$") {
		t.Errorf("chart title or categories missing: %.500s", chart)
	}
	if !strings.Contains(parts["xl/worksheets/_rels/sheet2.xml.rels"], "drawing") {
		t.Error("the chart is not on the Channels sheet")
	}
}

// Summary highlights: a small table under the trend and a bar chart of the
// chosen columns, one colour per series, no legend for a single series.
func TestSummaryHighlights(t *testing.T) {
	wb := sampleWorkbook()
	wb.Sheets = nil
	wb.Highlights = []Highlight{{
		Title:        "Top creatives by ROAS",
		ChartTitle:   "Top creatives by ROAS",
		ChartColumns: []string{"roas"},
		Table: &reports.Table{Name: "top", Columns: []reports.Column{
			{Name: "creative", Kind: reports.Text}, {Name: "roas", Kind: reports.Ratio}, {Name: "spend", Kind: reports.Money},
		}, Rows: [][]any{{"cr009", 8.65, d("74.68")}, {"rsa003", 5.67, d("68.05")}}},
	}}
	f, _ := writeSample(t, wb)
	rows, err := f.GetRows("Summary")
	if err != nil {
		t.Fatal(err)
	}
	var found bool
	for i, r := range rows {
		if len(r) > 0 && r[0] == "Top creatives by ROAS" {
			found = true
			if got := strings.Join(rows[i+1], "|"); got != "Creative|ROAS|Spend" {
				t.Errorf("header %q", got)
			}
			if got := strings.Join(rows[i+2], "|"); got != "cr009|8.65x|$74.68" {
				t.Errorf("first row %q", got)
			}
		}
	}
	if !found {
		t.Fatal("no highlight table on Summary")
	}
	chart := zipParts(t, f)["xl/charts/chart4.xml"]
	for _, want := range []string{"<barChart>", `<varyColors val="0">`, "Top creatives by ROAS", "Summary&#39;!$B$"} {
		if !strings.Contains(chart, want) {
			t.Errorf("highlight chart lacks %s: %.600s", want, chart)
		}
	}
	if strings.Contains(chart, "Summary&#39;!$C$") {
		t.Error("the chart draws spend, which ChartColumns leaves out")
	}
	if strings.Contains(chart, "<legend>") {
		t.Error("a one-series chart has a legend")
	}
}

// A QA table's failed checks are coloured by severity: errors red,
// warnings amber, with formulas on the status and severity columns.
func TestQAConditionalFormats(t *testing.T) {
	wb := sampleWorkbook()
	wb.Sheets = []Sheet{{Name: "Tracking QA", Table: &reports.Table{Name: "qa", Columns: []reports.Column{
		{Name: "status", Kind: reports.Text}, {Name: "severity", Kind: reports.Text},
		{Name: "check", Kind: reports.Text}, {Name: "value", Kind: reports.Number},
	}, Rows: [][]any{{"fail", "error", "fx_rate_missing", 2.0}, {"fail", "warn", "utm_coverage", 0.7}, {"pass", "warn", "naming", 0.0}}}}}
	f, _ := writeSample(t, wb)
	formats, err := f.GetConditionalFormats("Tracking QA")
	if err != nil {
		t.Fatal(err)
	}
	var criteria []string
	for rng, opts := range formats {
		for _, o := range opts {
			criteria = append(criteria, rng+" "+o.Criteria)
		}
	}
	sort.Strings(criteria)
	want := []string{
		`A4:D6 AND($A4="fail",$B4="error")`,
		`A4:D6 AND($A4="fail",$B4="warn")`,
	}
	if d := cmp.Diff(want, criteria); d != "" {
		t.Errorf("conditional formats (-want +got):\n%s", d)
	}
}

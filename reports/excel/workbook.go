package excel

import (
	"context"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"

	"github.com/socialroi/socialroi/reports"
)

// Defaults for the row limits of generic sheets.
const (
	// DefaultRowCap is the most data rows a sheet shows. Past it the sheet
	// says where the full table is (Parquet); Excel's hard limit is
	// 1,048,576 rows, and nobody scrolls a million rows anyway.
	DefaultRowCap = 100_000
	// DefaultStreamRows is the size above which a sheet is streamed. In
	// normal mode excelize keeps every cell as a Go value (gigabytes for a
	// few million cells), so long tables are streamed well before the cap.
	DefaultStreamRows = 20_000
)

// Week is the report week: an ISO week, Monday to Sunday.
type Week struct {
	Label string    // "2026-W47"
	Start time.Time // Monday, 2026-11-16
	End   time.Time // Sunday, 2026-11-22 (inclusive)
}

var weekLabel = regexp.MustCompile(`^(\d{4})-W(\d{2})$`)

// ParseWeek returns the ISO week with that label ("2026-W47").
func ParseWeek(label string) (Week, error) {
	m := weekLabel.FindStringSubmatch(label)
	if m == nil {
		return Week{}, fmt.Errorf("excel: week %q is not an ISO week like 2026-W47", label)
	}
	year, _ := strconv.Atoi(m[1])
	week, _ := strconv.Atoi(m[2])
	// ISO week 1 is the week holding 4 January.
	jan4 := time.Date(year, 1, 4, 0, 0, 0, 0, time.UTC)
	monday1 := jan4.AddDate(0, 0, -((int(jan4.Weekday()) + 6) % 7))
	start := monday1.AddDate(0, 0, 7*(week-1))
	if y, w := start.ISOWeek(); week < 1 || y != year || w != week {
		return Week{}, fmt.Errorf("excel: week %q does not exist", label)
	}
	return Week{Label: label, Start: start, End: start.AddDate(0, 0, 6)}, nil
}

// Span formats the week's days for a title: "16–22 Nov 2026",
// "30 Nov – 6 Dec 2026", "29 Dec 2025 – 4 Jan 2026".
func (w Week) Span() string {
	s, e := w.Start, w.End
	switch {
	case s.Year() != e.Year():
		return s.Format("2 Jan 2006") + " – " + e.Format("2 Jan 2006")
	case s.Month() != e.Month():
		return s.Format("2 Jan") + " – " + e.Format("2 Jan 2006")
	}
	return s.Format("2") + "–" + e.Format("2 Jan 2006")
}

// Targets are the thresholds the workbook highlights against. A zero value
// turns its highlighting off.
type Targets struct {
	ROAS float64         // cells of roas columns below it get a red fill
	CAC  decimal.Decimal // cells of cac columns above it get a red fill
}

// Sheet is one generic table sheet.
type Sheet struct {
	Name  string         // the tab, at most 31 characters, e.g. "Channels"
	Title string         // first line of the sheet; Name when empty
	Table *reports.Table // what the sheet shows
	Notes []string       // lines under the title: filters applied, caveats
	// FullTableAt is where the whole table can be found (a Parquet path),
	// named on sheets that show only the first RowCap rows.
	FullTableAt string
	// Chart, when set, draws a clustered bar chart under the table: one bar
	// group per row (labelled by the first column) and one series per
	// numeric column. Only on sheets written in normal mode.
	Chart *Chart
}

// Highlight is one small table of the Summary and its chart.
type Highlight struct {
	Title      string
	Table      *reports.Table
	ChartTitle string
	// ChartColumns names the columns drawn; empty draws every numeric one.
	ChartColumns []string
}

// Chart describes a sheet's clustered bar chart.
type Chart struct {
	Title string
}

// Workbook is everything the weekly workbook shows.
type Workbook struct {
	Week         Week
	Currency     string // reporting currency, ISO 4217: "USD", "EUR"
	PrimaryModel string // the attribution model the Summary uses
	Targets      Targets

	// KPI is mart_kpi_summary: all weeks and models. The Summary tiles use
	// the primary model's row for Week; the trend uses up to 12 weeks of
	// that model ending with Week.
	KPI *reports.Table

	// Highlights are small tables shown on the Summary under the trend,
	// each with a bar chart of its numeric columns (rows labelled by the
	// first column): spend and revenue by platform, top creatives.
	Highlights  []Highlight
	Sheets      []Sheet     // generic sheets, in order, after Summary
	Definitions [][2]string // term, meaning; DefaultDefinitions() when nil
	Run         [][2]string // key, value: run id, version, sources, …

	RowCap     int            // most rows a sheet shows; DefaultRowCap when 0
	StreamRows int            // tables longer than this are streamed; DefaultStreamRows when 0
	Location   *time.Location // time zone timestamps are shown in; UTC when nil
}

var reservedSheets = []string{"Summary", "Definitions", "Run"}

// Write builds the workbook and writes it to path atomically. ctx is
// checked between sheets and every few thousand rows; on cancellation or
// any error nothing is written and an existing file at path is untouched.
func Write(ctx context.Context, path string, wb Workbook) error {
	if err := wb.validate(); err != nil {
		return fmt.Errorf("excel: %s: %w", path, err)
	}
	f := excelize.NewFile()
	defer f.Close() // removes the StreamWriter's spill files
	w := &writer{ctx: ctx, f: f, wb: wb}
	if err := w.build(); err != nil {
		return err
	}
	if _, _, err := reports.WriteAtomic(path, func(out io.Writer) error {
		return f.Write(out)
	}); err != nil {
		return fmt.Errorf("excel: write %s: %w", path, err)
	}
	return nil
}

func (wb *Workbook) validate() error {
	if wb.KPI == nil {
		return fmt.Errorf("%w: Workbook.KPI is nil", ErrNoKPI)
	}
	if !regexp.MustCompile(`^[A-Z]{3}$`).MatchString(wb.Currency) {
		// It ends up inside a number format: keep it to what ISO 4217 allows.
		return fmt.Errorf("currency %q is not an ISO 4217 code like USD", wb.Currency)
	}
	if wb.Week.Label == "" || wb.Week.Start.IsZero() {
		return fmt.Errorf("report week is not set")
	}
	if wb.Week.End.IsZero() {
		wb.Week.End = wb.Week.Start.AddDate(0, 0, 6)
	}
	if wb.RowCap <= 0 {
		wb.RowCap = DefaultRowCap
	}
	if wb.StreamRows <= 0 {
		wb.StreamRows = DefaultStreamRows
	}
	wb.RowCap = min(wb.RowCap, excelize.TotalRows-64) // leave room for title, notes, final line
	if wb.Location == nil {
		wb.Location = time.UTC
	}
	if wb.Definitions == nil {
		wb.Definitions = DefaultDefinitions()
	}
	seen := map[string]bool{}
	for _, n := range reservedSheets {
		seen[strings.ToLower(n)] = true
	}
	for i, s := range wb.Sheets {
		if err := checkSheetName(s.Name); err != nil {
			return fmt.Errorf("sheet %d: %w", i+1, err)
		}
		if seen[strings.ToLower(s.Name)] {
			return fmt.Errorf("sheet %q: %w: name used twice", s.Name, ErrSheetName)
		}
		seen[strings.ToLower(s.Name)] = true
		if s.Table == nil {
			return fmt.Errorf("sheet %s: table is nil", s.Name)
		}
	}
	return nil
}

func checkSheetName(name string) error {
	switch {
	case strings.TrimSpace(name) == "":
		return fmt.Errorf("%w: empty", ErrSheetName)
	case len([]rune(name)) > excelize.MaxSheetNameLength:
		return fmt.Errorf("%w: %q is longer than %d characters", ErrSheetName, name, excelize.MaxSheetNameLength)
	case strings.ContainsAny(name, `:\/?*[]`):
		return fmt.Errorf("%w: %q holds one of : \\ / ? * [ ]", ErrSheetName, name)
	case strings.HasPrefix(name, "'") || strings.HasSuffix(name, "'"):
		return fmt.Errorf("%w: %q starts or ends with an apostrophe", ErrSheetName, name)
	}
	return nil
}

// writer holds one Write call's state.
type writer struct {
	ctx context.Context
	f   *excelize.File
	wb  Workbook
	st  *styles
}

func (w *writer) build() error {
	var err error
	if w.st, err = newStyles(w.f, w.wb.Currency); err != nil {
		return fmt.Errorf("excel: styles: %w", err)
	}
	if err := w.f.SetSheetName("Sheet1", "Summary"); err != nil {
		return fmt.Errorf("excel: sheet Summary: %w", err)
	}
	// The workbook opens on the Summary. Set while it is the only sheet:
	// excelize reads back every sheet to unselect it, and at the end that
	// parsed the streamed ledger sheets again (1.3 s of CPU at L). Sheets
	// added later are not selected.
	w.f.SetActiveSheet(0)
	if err := w.printSetup("Summary"); err != nil {
		return fmt.Errorf("excel: sheet Summary: %w", err)
	}
	if err := w.summary(); err != nil {
		return fmt.Errorf("excel: sheet Summary: %w", err)
	}
	for _, s := range w.wb.Sheets {
		if err := w.ctx.Err(); err != nil {
			return fmt.Errorf("excel: sheet %s: %w", s.Name, err)
		}
		if err := w.tableSheet(s); err != nil {
			return fmt.Errorf("excel: sheet %s: %w", s.Name, err)
		}
	}
	if err := w.ctx.Err(); err != nil {
		return fmt.Errorf("excel: sheet Definitions: %w", err)
	}
	if err := w.pairSheet("Definitions", "Definitions", [2]string{"Term", "Meaning"}, w.wb.Definitions, 30, 100); err != nil {
		return fmt.Errorf("excel: sheet Definitions: %w", err)
	}
	if err := w.pairSheet("Run", "Run", [2]string{"Key", "Value"}, w.wb.Run, 24, 90); err != nil {
		return fmt.Errorf("excel: sheet Run: %w", err)
	}
	if err := w.f.SetDocProps(&excelize.DocProperties{
		Title:   "Weekly paid-social report " + w.wb.Week.Label,
		Creator: "socialroi",
	}); err != nil {
		return fmt.Errorf("excel: properties: %w", err)
	}
	return nil
}

// printSetup makes a sheet print landscape, one page wide: a report that
// is printed or saved as PDF should not scatter a table's columns over
// several pages. It must run before a sheet is streamed: afterwards the
// worksheet would be parsed back from its XML.
func (w *writer) printSetup(sheet string) error {
	if err := w.f.SetSheetProps(sheet, &excelize.SheetPropsOptions{FitToPage: ptr(true)}); err != nil {
		return err
	}
	return w.f.SetPageLayout(sheet, &excelize.PageLayoutOptions{
		Orientation: ptr("landscape"),
		FitToWidth:  ptr(1),
		FitToHeight: ptr(0),
	})
}

// cell returns the A1 name of (col, row), both 1-based.
func cell(col, row int) string {
	name, _ := excelize.CoordinatesToCellName(col, row) // only fails out of Excel's bounds, checked by the caps
	return name
}

func colName(col int) string {
	name, _ := excelize.ColumnNumberToName(col)
	return name
}

// absCell returns 'Sheet'!$A$1 for a chart series name.
func absCell(sheet string, col, row int) string {
	return fmt.Sprintf("'%s'!$%s$%d", strings.ReplaceAll(sheet, "'", "''"), colName(col), row)
}

// absRef returns 'Sheet'!$A$1:$A$9 for chart series.
func absRef(sheet string, col, row1, row2 int) string {
	c := colName(col)
	return fmt.Sprintf("'%s'!$%s$%d:$%s$%d", strings.ReplaceAll(sheet, "'", "''"), c, row1, c, row2)
}

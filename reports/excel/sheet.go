package excel

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"

	"github.com/socialroi/socialroi/reports"
)

// ctxEvery is how many rows are written between two looks at ctx.
const ctxEvery = 2048

// layout is where a table sheet's parts go, worked out before writing so
// that the normal and streamed paths agree.
type layout struct {
	title     string
	notes     []string // under the title
	headerRow int      // 1-based
	firstRow  int      // first data row
	shown     int      // data rows written
	total     int      // rows in the source table
	capped    bool     // shown < total
	footer    string   // final line of a capped or empty sheet
	widths    []float64
	headerH   float64 // header row height, for headers wrapped onto lines
	streamed  bool
}

func (w *writer) layoutFor(s Sheet) layout {
	t := s.Table
	l := layout{title: s.Title, total: t.Len()}
	if l.title == "" {
		l.title = s.Name
	}
	l.notes = append(l.notes, s.Notes...)
	l.shown = min(len(t.Rows), w.wb.RowCap)
	l.capped = l.shown < l.total
	l.streamed = l.capped || l.shown > w.wb.StreamRows
	if l.capped {
		where := "in the " + t.Name + " table"
		if s.FullTableAt != "" {
			where = "at " + s.FullTableAt
		}
		l.footer = fmt.Sprintf("Showing the first %s of %s rows. The full table is %s.",
			thousands(int64(l.shown)), thousands(int64(l.total)), where)
		l.notes = append(l.notes, l.footer)
	} else if l.total == 0 {
		l.footer = "No rows for this selection."
	}
	if !l.streamed {
		if legend := w.targetLegend(t); legend != "" {
			l.notes = append(l.notes, legend)
		}
	}
	for _, c := range t.Columns {
		if c.Kind == reports.Timestamp {
			l.notes = append(l.notes, "Times are in "+w.wb.Location.String()+".")
			break
		}
	}
	l.headerRow = 1 + len(l.notes) + 2 // title, notes, a blank row
	l.firstRow = l.headerRow + 1
	l.widths = w.columnWidths(t, l.shown)
	l.headerH = headerHeight(t, l.widths)
	return l
}

// tableSheet writes one generic sheet.
func (w *writer) tableSheet(s Sheet) error {
	if _, err := w.f.NewSheet(s.Name); err != nil {
		return err
	}
	if err := w.printSetup(s.Name); err != nil {
		return err
	}
	l := w.layoutFor(s)
	if l.streamed {
		return w.streamSheet(s, l)
	}
	return w.normalSheet(s, l)
}

func (w *writer) normalSheet(s Sheet, l layout) error {
	f, name, t := w.f, s.Name, s.Table
	if err := w.heading(name, l); err != nil {
		return err
	}
	for i, width := range l.widths {
		if err := f.SetColWidth(name, colName(i+1), colName(i+1), width); err != nil {
			return err
		}
	}
	for i, c := range t.Columns {
		if err := w.styled(name, cell(i+1, l.headerRow), Heading(c.Name), w.st.headerFor(c.Kind)); err != nil {
			return err
		}
	}
	last := colName(max(1, len(t.Columns)))
	if err := f.SetRowHeight(name, l.headerRow, l.headerH); err != nil {
		return err
	}
	for r := range l.shown {
		if r%ctxEvery == 0 {
			if err := w.ctx.Err(); err != nil {
				return err
			}
		}
		for c, v := range t.Rows[r] {
			if v == nil {
				continue
			}
			if err := f.SetCellValue(name, cell(c+1, l.firstRow+r), w.cellValue(v)); err != nil {
				return fmt.Errorf("row %d column %s: %w", r+1, t.Columns[c].Name, err)
			}
		}
	}
	lastRow := l.firstRow + l.shown - 1
	if l.shown > 0 {
		for c, col := range t.Columns {
			if err := f.SetCellStyle(name, cell(c+1, l.firstRow), cell(c+1, lastRow), w.st.cells[col.Kind]); err != nil {
				return err
			}
		}
	}
	if l.footer != "" {
		r := max(lastRow, l.headerRow) + 2
		if err := w.styled(name, cell(1, r), l.footer, w.st.footer); err != nil {
			return err
		}
	}
	if err := f.SetPanes(name, &excelize.Panes{
		Freeze: true, YSplit: l.headerRow, TopLeftCell: cell(1, l.firstRow), ActivePane: "bottomLeft",
	}); err != nil {
		return err
	}
	if len(t.Columns) > 0 {
		ref := fmt.Sprintf("A%d:%s%d", l.headerRow, last, max(lastRow, l.headerRow))
		if err := f.AutoFilter(name, ref, nil); err != nil {
			return fmt.Errorf("autofilter: %w", err)
		}
	}
	if l.shown > 0 {
		if err := w.targetFormats(name, t, l.firstRow, lastRow); err != nil {
			return fmt.Errorf("conditional format: %w", err)
		}
		if err := w.qaFormats(name, t, l.firstRow, lastRow); err != nil {
			return fmt.Errorf("QA format: %w", err)
		}
	}
	if s.Chart != nil && l.shown > 0 {
		if err := w.barChart(s, l.firstRow, lastRow); err != nil {
			return fmt.Errorf("chart: %w", err)
		}
	}
	// AutoFilter replaces the sheet properties, fit-to-page included.
	return w.printSetup(name)
}

// streamSheet writes a long table with the StreamWriter: rows go straight
// to (spilled) XML, so memory stays flat however long the table is. The
// autofilter comes from an Excel table, the one structure the stream writer
// can add; there are no conditional formats (see package doc).
func (w *writer) streamSheet(s Sheet, l layout) error {
	t := s.Table
	sw, err := w.f.NewStreamWriter(s.Name)
	if err != nil {
		return err
	}
	if err := sw.SetPanes(&excelize.Panes{
		Freeze: true, YSplit: l.headerRow, TopLeftCell: cell(1, l.firstRow), ActivePane: "bottomLeft",
	}); err != nil {
		return err
	}
	for i, width := range l.widths {
		if err := sw.SetColWidth(i+1, i+1, width); err != nil {
			return err
		}
	}
	if err := sw.SetRow("A1", []any{excelize.Cell{StyleID: w.st.title, Value: l.title}}, excelize.RowOpts{Height: 24}); err != nil {
		return err
	}
	for i, n := range l.notes {
		if err := sw.SetRow(cell(1, 2+i), []any{excelize.Cell{StyleID: w.st.note, Value: n}}); err != nil {
			return err
		}
	}
	header := make([]any, len(t.Columns))
	for i, c := range t.Columns {
		header[i] = excelize.Cell{StyleID: w.st.headerFor(c.Kind), Value: Heading(c.Name)}
	}
	if err := sw.SetRow(cell(1, l.headerRow), header, excelize.RowOpts{Height: l.headerH}); err != nil {
		return err
	}
	row := make([]any, len(t.Columns))
	for r := range l.shown {
		if r%ctxEvery == 0 {
			if err := w.ctx.Err(); err != nil {
				return err
			}
		}
		for c, v := range t.Rows[r] {
			if v == nil {
				row[c] = nil
				continue
			}
			row[c] = excelize.Cell{StyleID: w.st.cells[t.Columns[c].Kind], Value: w.cellValue(v)}
		}
		if err := sw.SetRow(cell(1, l.firstRow+r), row); err != nil {
			return fmt.Errorf("row %d: %w", r+1, err)
		}
	}
	lastRow := l.firstRow + l.shown - 1
	if l.footer != "" {
		if err := sw.SetRow(cell(1, max(lastRow, l.headerRow)+2), []any{excelize.Cell{StyleID: w.st.footer, Value: l.footer}}); err != nil {
			return err
		}
	}
	if l.shown > 0 && len(t.Columns) > 0 {
		if err := sw.AddTable(&excelize.Table{
			Range:     fmt.Sprintf("A%d:%s%d", l.headerRow, colName(len(t.Columns)), lastRow),
			Name:      tableName(w.f.GetSheetIndex, s.Name),
			StyleName: "TableStyleLight1",
		}); err != nil {
			return fmt.Errorf("table: %w", err)
		}
	}
	return sw.Flush()
}

// heading writes the title and note lines of a normal-mode sheet.
func (w *writer) heading(sheet string, l layout) error {
	if err := w.styled(sheet, "A1", l.title, w.st.title); err != nil {
		return err
	}
	if err := w.f.SetRowHeight(sheet, 1, 24); err != nil {
		return err
	}
	for i, n := range l.notes {
		if err := w.styled(sheet, cell(1, 2+i), n, w.st.note); err != nil {
			return err
		}
	}
	return nil
}

func (w *writer) styled(sheet, ref string, v any, style int) error {
	if err := w.f.SetCellValue(sheet, ref, v); err != nil {
		return err
	}
	return w.f.SetCellStyle(sheet, ref, ref, style)
}

// cellValue turns a Table cell into what excelize writes as a typed cell.
// Money becomes a float64: Excel holds every number as a double, and the
// exact decimals stay in the Parquet files. Times are shifted to the
// report's time zone and handed over as wall-clock UTC, because an Excel
// date has no zone.
func (w *writer) cellValue(v any) any {
	switch x := v.(type) {
	case decimal.Decimal:
		return x.InexactFloat64()
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil // Excel has no NaN; an empty cell reads better than #NUM!
		}
		return x
	case time.Time:
		l := x.In(w.wb.Location)
		return time.Date(l.Year(), l.Month(), l.Day(), l.Hour(), l.Minute(), l.Second(), l.Nanosecond(), time.UTC)
	}
	return v
}

// isROAS and isCAC pick the columns that get target highlighting.
func isROAS(c reports.Column) bool {
	return c.Kind == reports.Ratio && strings.Contains(strings.ToLower(c.Name), "roas")
}

func isCAC(c reports.Column) bool {
	n := strings.ToLower(c.Name)
	return c.Kind == reports.Money && (n == "cac" || strings.HasSuffix(n, "_cac") || strings.HasPrefix(n, "cac_"))
}

func (w *writer) targetLegend(t *reports.Table) string {
	var parts []string
	for _, c := range t.Columns {
		if isROAS(c) && w.wb.Targets.ROAS > 0 {
			parts = append(parts, fmt.Sprintf("ROAS below the %.2fx target", w.wb.Targets.ROAS))
			break
		}
	}
	for _, c := range t.Columns {
		if isCAC(c) && w.wb.Targets.CAC.IsPositive() {
			parts = append(parts, fmt.Sprintf("CAC above the %s %s target", w.wb.Targets.CAC.StringFixed(2), w.wb.Currency))
			break
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return "Red fill: " + strings.Join(parts, "; ") + "."
}

// qaFormats colours the rows of a QA table (columns status and severity):
// a failed error red, a failed warning amber.
func (w *writer) qaFormats(sheet string, t *reports.Table, first, last int) error {
	st, sv := t.Col("status"), t.Col("severity")
	if st < 0 || sv < 0 || len(t.Columns) == 0 {
		return nil
	}
	status, severity := colName(st+1), colName(sv+1)
	rng := fmt.Sprintf("%s:%s", cell(1, first), cell(len(t.Columns), last))
	for _, f := range []struct {
		severity string
		style    int
	}{{"error", w.st.badFill}, {"warn", w.st.warnFill}} {
		style := f.style
		if err := w.f.SetConditionalFormat(sheet, rng, []excelize.ConditionalFormatOptions{{
			Type:     "formula",
			Criteria: fmt.Sprintf(`AND($%s%d="fail",$%s%d="%s")`, status, first, severity, first, f.severity),
			Format:   &style,
		}}); err != nil {
			return err
		}
	}
	return nil
}

// targetFormats adds the red fills. The rule is a formula with ISNUMBER so
// that empty cells (NULL: no spend, no customers) are not flagged, which a
// plain "cell value < target" rule would do.
func (w *writer) targetFormats(sheet string, t *reports.Table, first, last int) error {
	for i, c := range t.Columns {
		var op, target string
		switch {
		case isROAS(c) && w.wb.Targets.ROAS > 0:
			op, target = "<", strconv.FormatFloat(w.wb.Targets.ROAS, 'f', -1, 64)
		case isCAC(c) && w.wb.Targets.CAC.IsPositive():
			op, target = ">", w.wb.Targets.CAC.String()
		default:
			continue
		}
		ref := cell(i+1, first)
		style := w.st.badFill
		if err := w.f.SetConditionalFormat(sheet, fmt.Sprintf("%s:%s", ref, cell(i+1, last)), []excelize.ConditionalFormatOptions{{
			Type:     "formula",
			Criteria: fmt.Sprintf("AND(ISNUMBER(%s),%s%s%s)", ref, ref, op, target),
			Format:   &style,
		}}); err != nil {
			return fmt.Errorf("column %s: %w", c.Name, err)
		}
	}
	return nil
}

// columnWidths sizes each column to its header and the widest of the
// first rows, in Excel's width unit (about one digit of the default font).
func (w *writer) columnWidths(t *reports.Table, shown int) []float64 {
	const sample = 2000 // enough to find the wide values without scanning a ledger
	widths := make([]float64, len(t.Columns))
	for c, col := range t.Columns {
		// A long header wraps rather than widen a column of short numbers
		// ("Attributed new customers" over "13.40").
		n := min(utf8.RuneCountInString(Heading(col.Name))+3, maxHeaderWidth) // bold, plus the filter button
		for r := range min(shown, sample) {
			n = max(n, w.displayLen(t.Rows[r][c], col.Kind))
		}
		widths[c] = math.Min(60, math.Max(8, float64(n)*1.1+1))
	}
	return widths
}

// maxHeaderWidth is the most characters a header alone widens its column to.
const maxHeaderWidth = 16

// headerHeight is the header row's height in points: one line per ~width
// characters of the longest header. Excel would grow the row itself when
// it opens the file, LibreOffice and most viewers do not.
func headerHeight(t *reports.Table, widths []float64) float64 {
	lines := 1
	for c, col := range t.Columns {
		n := float64(utf8.RuneCountInString(Heading(col.Name)) + 3)
		lines = max(lines, int(math.Ceil(n/(widths[c]/1.1))))
	}
	return 15*float64(lines) + 3
}

// displayLen estimates how many characters a cell shows.
func (w *writer) displayLen(v any, kind reports.Kind) int {
	if v == nil {
		return 0
	}
	intDigits := func(f float64) int { return len(thousands(int64(math.Abs(f)))) }
	switch x := v.(type) {
	case string:
		return utf8.RuneCountInString(x)
	case int64:
		return len(thousands(x))
	case decimal.Decimal:
		sym := 1
		if w.wb.Currency != "USD" {
			sym = 4
		}
		return intDigits(x.InexactFloat64()) + 3 + sym + 1
	case float64:
		switch kind {
		case reports.Percent:
			return intDigits(x*100) + 4
		case reports.Ratio:
			return intDigits(x) + 4
		}
		return intDigits(x) + 4
	case time.Time:
		if kind == reports.Date {
			return 10
		}
		return 19
	case bool:
		return 5
	}
	return len(fmt.Sprint(v))
}

// acronyms are written in capitals in headings.
var acronyms = map[string]string{
	"roas": "ROAS", "cac": "CAC", "cpa": "CPA", "cpc": "CPC", "cpm": "CPM", "ctr": "CTR",
	"id": "ID", "utm": "UTM", "url": "URL", "sla": "SLA", "ltv": "LTV", "qa": "QA", "fx": "FX",
	"pct": "%", "roi": "ROI", "p90": "P90",
}

// Heading turns a column name into a sheet header: "attributed_new_customers"
// becomes "Attributed new customers", "paid_social_cac" "Paid social CAC".
// The words stay those of the column, so the header still points at the
// Parquet and BigQuery column of the same name.
func Heading(name string) string {
	words := strings.Split(name, "_")
	for i, w := range words {
		if a, ok := acronyms[strings.ToLower(w)]; ok {
			words[i] = a
		} else if i == 0 && w != "" {
			words[i] = strings.ToUpper(w[:1]) + w[1:]
		}
	}
	return strings.Join(words, " ")
}

// thousands formats n with comma separators: 1234567 → "1,234,567".
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// tableName makes a workbook-unique Excel table name from a sheet name:
// letters, digits and underscores, starting with a letter.
func tableName(index func(string) (int, error), sheet string) string {
	var b strings.Builder
	// The sheet's index keeps "A B" and "A_B" from colliding.
	i, _ := index(sheet)
	fmt.Fprintf(&b, "tbl%d_", i)
	for _, r := range sheet {
		if r < 128 && (r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	return b.String()
}

// pairSheet writes a two-column sheet of (term, meaning) or (key, value).
func (w *writer) pairSheet(name, title string, header [2]string, rows [][2]string, w1, w2 float64) error {
	f := w.f
	if _, err := f.NewSheet(name); err != nil {
		return err
	}
	if err := w.printSetup(name); err != nil {
		return err
	}
	if err := w.styled(name, "A1", title, w.st.title); err != nil {
		return err
	}
	if err := f.SetRowHeight(name, 1, 24); err != nil {
		return err
	}
	for _, p := range rows { // keys such as "Rows in attribution_ledger" must not be cut
		w1 = max(w1, float64(utf8.RuneCountInString(p[0]))*1.1+2)
	}
	if err := f.SetColWidth(name, "A", "A", w1); err != nil {
		return err
	}
	if err := f.SetColWidth(name, "B", "B", w2); err != nil {
		return err
	}
	if err := f.SetSheetRow(name, "A3", &[]any{header[0], header[1]}); err != nil {
		return err
	}
	if err := f.SetCellStyle(name, "A3", "B3", w.st.header); err != nil {
		return err
	}
	for i, p := range rows {
		r := 4 + i
		if err := f.SetSheetRow(name, cell(1, r), &[]any{p[0], p[1]}); err != nil {
			return err
		}
		if err := f.SetCellStyle(name, cell(1, r), cell(1, r), w.st.term); err != nil {
			return err
		}
		if err := f.SetCellStyle(name, cell(2, r), cell(2, r), w.st.meaning); err != nil {
			return err
		}
		// Excel grows wrapped rows when it opens a file, other readers
		// (LibreOffice, viewers) do not: set the height from the length.
		lines := max(1, int(math.Ceil(float64(utf8.RuneCountInString(p[1]))/(w2*1.2))))
		if lines > 1 {
			if err := f.SetRowHeight(name, r, 15*float64(lines)+2); err != nil {
				return err
			}
		}
	}
	return f.SetPanes(name, &excelize.Panes{Freeze: true, YSplit: 3, TopLeftCell: "A4", ActivePane: "bottomLeft"})
}

// barChart draws s.Chart under the table: categories from the first
// column, one series per numeric column, bars side by side.
func (w *writer) barChart(s Sheet, first, last int) error {
	t := s.Table
	var series []excelize.ChartSeries
	for c := 1; c < len(t.Columns); c++ {
		switch t.Columns[c].Kind {
		case reports.Money, reports.Number, reports.Integer, reports.Ratio:
		default:
			continue
		}
		series = append(series, excelize.ChartSeries{
			Name:       absCell(s.Name, c+1, first-1),
			Categories: absRef(s.Name, 1, first, last),
			Values:     absRef(s.Name, c+1, first, last),
		})
	}
	if len(series) == 0 {
		return nil
	}
	return w.f.AddChart(s.Name, cell(1, last+3), &excelize.Chart{
		Type:      excelize.Bar,
		Series:    series,
		Title:     excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: s.Chart.Title, Font: &excelize.Font{Bold: true, Size: 11, Color: colorInk}}}},
		Legend:    excelize.ChartLegend{Position: "bottom"},
		XAxis:     excelize.ChartAxis{Font: axisFont},
		YAxis:     excelize.ChartAxis{MajorGridLines: true, Font: axisFont, NumFmt: excelize.ChartNumFmt{CustomNumFmt: `#,##0`}},
		Dimension: excelize.ChartDimension{Width: 900, Height: uint(140 + 32*(last-first+1))},
		Format:    excelize.GraphicOptions{OffsetX: 2, OffsetY: 4, AltText: s.Chart.Title},
	})
}

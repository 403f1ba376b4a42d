package excel

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"

	"github.com/socialroi/socialroi/reports"
)

// polarity says whether a rise is good news.
type polarity int

const (
	upIsGood polarity = iota
	upIsBad           // cost and CAC: paying more is worse
)

// tile is one KPI of the Summary, read from a mart_kpi_summary column.
type tile struct {
	label  string
	column string
	pol    polarity
}

var tiles = []tile{
	{"Spend", "spend", upIsBad},
	{"Paid revenue (attributed)", "paid_revenue", upIsGood},
	{"ROAS", "roas", upIsGood},
	{"Paid-social CAC", "paid_social_cac", upIsBad},
	{"Blended CAC", "blended_cac", upIsBad},
	{"New customers", "new_customers", upIsGood},
	{"Conversions", "conversions", upIsGood},
}

// Summary layout: tiles four to a band, each band four rows (label, value,
// previous week, change) and a blank row.
const (
	tilesPerBand = 4
	tileTopRow   = 5
	tileRows     = 4
	trendWeeks   = 12
	tileColWidth = 30
)

// trendCol is a column of the weekly trend table under the tiles; the
// charts read their series from it.
type trendCol struct {
	header string
	column string // mart_kpi_summary column; "" for derived columns
	kind   reports.Kind
}

// kpiView is the primary model's rows of mart_kpi_summary, by week.
type kpiView struct {
	t      *reports.Table
	byWeek map[time.Time][]any
	weeks  []time.Time // ascending
}

func newKPIView(t *reports.Table, model string) (*kpiView, error) {
	wk, md := t.Col("week_start"), t.Col("model")
	if wk < 0 {
		return nil, fmt.Errorf("%s has no week_start column", t.Name)
	}
	v := &kpiView{t: t, byWeek: map[time.Time][]any{}}
	for _, row := range t.Rows {
		if md >= 0 && row[md] != model {
			continue
		}
		d, ok := row[wk].(time.Time)
		if !ok {
			continue
		}
		d = day(d)
		if _, dup := v.byWeek[d]; dup {
			return nil, fmt.Errorf("%s has two rows for model %s, week %s", t.Name, model, d.Format(time.DateOnly))
		}
		v.byWeek[d] = row
		v.weeks = append(v.weeks, d)
	}
	sort.Slice(v.weeks, func(i, j int) bool { return v.weeks[i].Before(v.weeks[j]) })
	return v, nil
}

// value returns column name of the week's row; ok is false for NULL or a
// missing row or column.
func (v *kpiView) value(week time.Time, name string) (any, reports.Kind, bool) {
	c := v.t.Col(name)
	row := v.byWeek[day(week)]
	if c < 0 || row == nil || row[c] == nil {
		kind := reports.Number
		if c >= 0 {
			kind = v.t.Columns[c].Kind
		}
		return nil, kind, false
	}
	return row[c], v.t.Columns[c].Kind, true
}

// previous returns last week's value of name: the mart's prev_<name>
// column when it has one (it knows about weeks with no row), else the row
// of the week before.
func (v *kpiView) previous(week time.Time, name string) (any, bool) {
	if v.t.Col("prev_"+name) >= 0 {
		x, _, ok := v.value(week, "prev_"+name)
		return x, ok
	}
	x, _, ok := v.value(week.AddDate(0, 0, -7), name)
	return x, ok
}

func (w *writer) summary() error {
	f, sh, wb := w.f, "Summary", w.wb
	kpi, err := newKPIView(wb.KPI, wb.PrimaryModel)
	if err != nil {
		return err
	}
	week := day(wb.Week.Start)
	if _, ok := kpi.byWeek[week]; !ok {
		return fmt.Errorf("%w: %s has no row for model %q, week starting %s", ErrNoKPI,
			wb.KPI.Name, wb.PrimaryModel, week.Format(time.DateOnly))
	}

	if err := f.SetColWidth(sh, "A", colName(tilesPerBand), tileColWidth); err != nil {
		return err
	}
	// through J, the weekly trend's last column (Target CAC); E, the top
	// creatives' platforms ("facebook, instagram, tiktok"), wider
	if err := f.SetColWidth(sh, colName(tilesPerBand+1), "J", 15); err != nil {
		return err
	}
	if err := f.SetColWidth(sh, colName(tilesPerBand+1), colName(tilesPerBand+1), 28); err != nil {
		return err
	}
	if err := f.SetSheetView(sh, 0, &excelize.ViewOptions{ShowGridLines: ptr(false)}); err != nil {
		return err
	}
	title := fmt.Sprintf("Weekly paid-social report — %s (%s)", wb.Week.Label, wb.Week.Span())
	if err := w.styled(sh, "A1", title, w.st.title); err != nil {
		return err
	}
	if err := f.SetRowHeight(sh, 1, 26); err != nil {
		return err
	}
	sub := []string{"Attribution model: " + wb.PrimaryModel, "Currency: " + wb.Currency}
	if t := w.targetText(); t != "" {
		sub = append(sub, t)
	}
	if err := w.styled(sh, "A2", strings.Join(sub, "   ·   "), w.st.subtitle); err != nil {
		return err
	}
	if err := w.styled(sh, "A3", "Change is week over week. Green is better, red is worse; for spend and CAC a rise is worse.", w.st.note); err != nil {
		return err
	}

	for i, t := range tiles {
		col := 1 + i%tilesPerBand
		row := tileTopRow + (i/tilesPerBand)*(tileRows+1)
		if err := w.tile(kpi, week, t, col, row); err != nil {
			return fmt.Errorf("tile %s: %w", t.label, err)
		}
	}
	bands := (len(tiles) + tilesPerBand - 1) / tilesPerBand
	trendTop := tileTopRow + bands*(tileRows+1) + 1
	next, err := w.trend(kpi, week, trendTop)
	if err != nil {
		return err
	}
	for _, h := range wb.Highlights {
		if next, err = w.highlight(h, next); err != nil {
			return fmt.Errorf("summary %s: %w", h.Title, err)
		}
	}
	return nil
}

// chartRows is how many rows a Summary chart covers (chartSize's height at
// the default 20-pixel row), plus a gap.
const chartRows = 17

// highlight writes a small table under the trend with a bar chart of its
// numeric columns below it, and returns the first free row after both.
func (w *writer) highlight(h Highlight, top int) (int, error) {
	f, sh, t := w.f, "Summary", h.Table
	if t == nil || len(t.Rows) == 0 {
		return top, nil
	}
	if err := w.styled(sh, cell(1, top), h.Title, w.st.subtitle); err != nil {
		return 0, err
	}
	hdr := top + 1
	for c, col := range t.Columns {
		if err := w.styled(sh, cell(c+1, hdr), Heading(col.Name), w.st.headerFor(col.Kind)); err != nil {
			return 0, err
		}
	}
	for r, row := range t.Rows {
		for c, v := range row {
			ref := cell(c+1, hdr+1+r)
			if v != nil {
				if err := f.SetCellValue(sh, ref, w.cellValue(v)); err != nil {
					return 0, err
				}
			}
			if err := f.SetCellStyle(sh, ref, ref, w.st.cells[t.Columns[c].Kind]); err != nil {
				return 0, err
			}
		}
	}
	first, last := hdr+1, hdr+len(t.Rows)
	var series []excelize.ChartSeries
	ratiosOnly := true
	for c := 1; c < len(t.Columns); c++ {
		switch t.Columns[c].Kind {
		case reports.Money, reports.Number, reports.Integer, reports.Ratio:
		default:
			continue
		}
		if len(h.ChartColumns) > 0 && !slices.Contains(h.ChartColumns, t.Columns[c].Name) {
			continue
		}
		ratiosOnly = ratiosOnly && t.Columns[c].Kind == reports.Ratio
		series = append(series, excelize.ChartSeries{
			Name:       absCell(sh, c+1, hdr),
			Categories: absRef(sh, 1, first, last),
			Values:     absRef(sh, c+1, first, last),
		})
	}
	if len(series) == 0 {
		return last + 2, nil
	}
	numFmt := `#,##0`
	if ratiosOnly {
		numFmt = `0.0"x"`
	}
	height := 120 + 26*len(t.Rows)
	legend := "bottom"
	if len(series) == 1 {
		legend = "none" // the title says what the bars are
	}
	if err := f.AddChart(sh, cell(1, last+2), &excelize.Chart{
		Type:       excelize.Bar,
		Series:     series,
		VaryColors: ptr(false), // one colour per series, not per bar
		Title:      excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: h.ChartTitle, Font: &excelize.Font{Bold: true, Size: 11, Color: colorInk}}}},
		Legend:     excelize.ChartLegend{Position: legend},
		XAxis:      excelize.ChartAxis{Font: axisFont, ReverseOrder: true},
		YAxis:      excelize.ChartAxis{MajorGridLines: true, Font: axisFont, NumFmt: excelize.ChartNumFmt{CustomNumFmt: numFmt}},
		Dimension:  excelize.ChartDimension{Width: 870, Height: uint(height)},
		Format:     excelize.GraphicOptions{OffsetX: 2, OffsetY: 4, AltText: h.ChartTitle},
	}); err != nil {
		return 0, err
	}
	return last + 2 + height/20 + 3, nil
}

// tile writes one KPI: label, value, previous week and change.
func (w *writer) tile(kpi *kpiView, week time.Time, t tile, col, row int) error {
	f, sh := w.f, "Summary"
	cur, kind, curOK := kpi.value(week, t.column)
	prev, prevOK := kpi.previous(week, t.column)
	if err := w.styled(sh, cell(col, row), strings.ToUpper(t.label), w.st.tileLabel); err != nil {
		return err
	}
	if err := f.SetRowHeight(sh, row+1, 28); err != nil {
		return err
	}
	valueRef, prevRef, changeRef := cell(col, row+1), cell(col, row+2), cell(col, row+3)
	if curOK {
		if err := w.styled(sh, valueRef, w.cellValue(cur), w.st.tileValue[kind]); err != nil {
			return err
		}
	} else if err := w.styled(sh, valueRef, "n/a", w.st.tileValue[reports.Text]); err != nil {
		return err
	}
	if prevOK {
		if err := w.styled(sh, prevRef, w.cellValue(prev), w.st.tilePrev[kind]); err != nil {
			return err
		}
	} else if err := w.styled(sh, prevRef, "No previous week", w.st.tilePrev[reports.Text]); err != nil {
		return err
	}
	c, p := toFloat(cur), toFloat(prev)
	if !curOK || !prevOK || p == 0 {
		// A change from zero (or from nothing) has no percentage.
		return w.styled(sh, changeRef, "No change to show", w.st.tileNA)
	}
	change := (c - p) / math.Abs(p)
	style := w.st.changeFlat
	switch {
	case math.Abs(change) < 0.0005: // shows as 0.0%
	case (change > 0) == (t.pol == upIsGood):
		style = w.st.changeGood
	default:
		style = w.st.changeBad
	}
	return w.styled(sh, changeRef, change, style)
}

func (w *writer) targetText() string {
	var parts []string
	if w.wb.Targets.ROAS > 0 {
		parts = append(parts, fmt.Sprintf("target ROAS %.2fx", w.wb.Targets.ROAS))
	}
	if w.wb.Targets.CAC.IsPositive() {
		parts = append(parts, fmt.Sprintf("target CAC %s %s", w.wb.Targets.CAC.StringFixed(2), w.wb.Currency))
	}
	if len(parts) == 0 {
		return ""
	}
	s := strings.Join(parts, ", ")
	return strings.ToUpper(s[:1]) + s[1:]
}

// trend writes the weekly trend table (up to trendWeeks weeks ending with
// the report week) and the two charts drawn from it.
func (w *writer) trend(kpi *kpiView, week time.Time, top int) (int, error) {
	f, sh := w.f, "Summary"
	var weeks []time.Time
	for _, d := range kpi.weeks {
		if !d.After(week) {
			weeks = append(weeks, d)
		}
	}
	weeks = weeks[max(0, len(weeks)-trendWeeks):]

	cols := []trendCol{{"Week", "", reports.Text}, {"Week start", "", reports.Date}}
	for _, c := range []trendCol{
		{"Spend", "spend", 0}, {"Paid revenue", "paid_revenue", 0}, {"ROAS", "roas", 0},
		{"New customers", "new_customers", 0}, {"Paid-social CAC", "paid_social_cac", 0}, {"Blended CAC", "blended_cac", 0},
	} {
		if i := kpi.t.Col(c.column); i >= 0 {
			c.kind = kpi.t.Columns[i].Kind
			cols = append(cols, c)
		}
	}
	if w.wb.Targets.ROAS > 0 {
		cols = append(cols, trendCol{"Target ROAS", "", reports.Ratio})
	}
	if w.wb.Targets.CAC.IsPositive() {
		cols = append(cols, trendCol{"Target CAC", "", reports.Money})
	}

	heading := fmt.Sprintf("Weekly trend — %s, last %d weeks", w.wb.PrimaryModel, len(weeks))
	if err := w.styled(sh, cell(1, top), heading, w.st.subtitle); err != nil {
		return 0, err
	}
	hdr := top + 1
	colOf := map[string]int{}
	for i, c := range cols {
		colOf[c.header] = i + 1
		if err := w.styled(sh, cell(i+1, hdr), c.header, w.st.headerFor(c.kind)); err != nil {
			return 0, err
		}
	}
	for r, d := range weeks {
		row := hdr + 1 + r
		for i, c := range cols {
			var v any
			switch c.header {
			case "Week":
				// Short, so the charts' category labels fit on one line;
				// the year is in the week start beside it.
				_, wk := d.ISOWeek()
				v = fmt.Sprintf("W%02d", wk)
			case "Week start":
				v = d
			case "Target ROAS":
				v = w.wb.Targets.ROAS
			case "Target CAC":
				v = w.wb.Targets.CAC
			default:
				v, _, _ = kpi.value(d, c.column)
			}
			ref := cell(i+1, row)
			if v != nil {
				if err := f.SetCellValue(sh, ref, w.cellValue(v)); err != nil {
					return 0, err
				}
			}
			if err := f.SetCellStyle(sh, ref, ref, w.st.cells[c.kind]); err != nil {
				return 0, err
			}
		}
	}
	if len(weeks) == 0 {
		return hdr + 2, nil
	}
	first, last := hdr+1, hdr+len(weeks)
	cats := absRef(sh, 1, first, last)
	chartRow := last + 2

	if c, ok := colOf["ROAS"]; ok {
		series := []excelize.ChartSeries{{
			Name:       absCell(sh, c, hdr),
			Categories: cats, Values: absRef(sh, c, first, last),
			Line:   excelize.LineOptions{Width: 2.25},
			Marker: excelize.ChartMarker{Symbol: "circle", Size: 5},
		}}
		if t, ok := colOf["Target ROAS"]; ok {
			series = append(series, excelize.ChartSeries{
				Name:       absCell(sh, t, hdr),
				Categories: cats, Values: absRef(sh, t, first, last),
				Line:   excelize.LineOptions{Width: 1.5, Dash: excelize.LineDashDash},
				Marker: excelize.ChartMarker{Symbol: "none"},
			})
		}
		if err := f.AddChart(sh, cell(1, chartRow), &excelize.Chart{
			Type:   excelize.Line,
			Series: series,
			Title:  excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: "ROAS by week", Font: &excelize.Font{Bold: true, Size: 11, Color: colorInk}}}},
			Legend: excelize.ChartLegend{Position: "bottom"},
			XAxis:  excelize.ChartAxis{Font: axisFont},
			// From zero: a ROAS line cropped to 2.7–3.6 makes a small move look dramatic.
			YAxis: excelize.ChartAxis{MajorGridLines: true, Minimum: ptr(0.0), Font: axisFont,
				NumFmt: excelize.ChartNumFmt{CustomNumFmt: `0.0"x"`}},
			Dimension: chartSize,
			Format:    excelize.GraphicOptions{OffsetX: 2, OffsetY: 4, AltText: "Line chart of weekly ROAS"},
		}); err != nil {
			return 0, fmt.Errorf("ROAS chart: %w", err)
		}
	}
	if c, ok := colOf["Spend"]; ok {
		if err := f.AddChart(sh, cell(3, chartRow), &excelize.Chart{
			Type: excelize.Col,
			Series: []excelize.ChartSeries{{
				Name:       absCell(sh, c, hdr),
				Categories: cats, Values: absRef(sh, c, first, last),
				Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"4472C4"}},
			}},
			Title:     excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: "Spend by week (" + w.wb.Currency + ")", Font: &excelize.Font{Bold: true, Size: 11, Color: colorInk}}}},
			Legend:    excelize.ChartLegend{Position: "none"},
			XAxis:     excelize.ChartAxis{Font: axisFont},
			YAxis:     excelize.ChartAxis{MajorGridLines: true, Font: axisFont, NumFmt: excelize.ChartNumFmt{CustomNumFmt: `#,##0`}},
			Dimension: chartSize,
			Format:    excelize.GraphicOptions{OffsetX: 2, OffsetY: 4, AltText: "Column chart of weekly spend"},
		}); err != nil {
			return 0, fmt.Errorf("spend chart: %w", err)
		}
	}
	// CAC under the ROAS chart: both CACs against the target, from zero.
	var cacSeries []excelize.ChartSeries
	for _, name := range []string{"Paid-social CAC", "Blended CAC", "Target CAC"} {
		c, ok := colOf[name]
		if !ok {
			continue
		}
		s := excelize.ChartSeries{
			Name: absCell(sh, c, hdr), Categories: cats, Values: absRef(sh, c, first, last),
			Line: excelize.LineOptions{Width: 2.25}, Marker: excelize.ChartMarker{Symbol: "circle", Size: 5},
		}
		if name == "Target CAC" {
			s.Line, s.Marker = excelize.LineOptions{Width: 1.5, Dash: excelize.LineDashDash}, excelize.ChartMarker{Symbol: "none"}
		}
		cacSeries = append(cacSeries, s)
	}
	next := chartRow + chartRows
	if len(cacSeries) > 0 {
		if err := f.AddChart(sh, cell(1, next), &excelize.Chart{
			Type:      excelize.Line,
			Series:    cacSeries,
			Title:     excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: "CAC by week (" + w.wb.Currency + ")", Font: &excelize.Font{Bold: true, Size: 11, Color: colorInk}}}},
			Legend:    excelize.ChartLegend{Position: "bottom"},
			XAxis:     excelize.ChartAxis{Font: axisFont},
			YAxis:     excelize.ChartAxis{MajorGridLines: true, Minimum: ptr(0.0), Font: axisFont, NumFmt: excelize.ChartNumFmt{CustomNumFmt: `#,##0`}},
			Dimension: chartSize,
			Format:    excelize.GraphicOptions{OffsetX: 2, OffsetY: 4, AltText: "Line chart of weekly paid-social and blended CAC"},
		}); err != nil {
			return 0, fmt.Errorf("CAC chart: %w", err)
		}
		next += chartRows
	}
	return next, nil
}

// Both charts sit side by side under the trend table, each two tile
// columns wide.
var (
	chartSize = excelize.ChartDimension{Width: 430, Height: 290}
	axisFont  = excelize.Font{Color: "404040", Size: 9}
)

func toFloat(v any) float64 {
	switch x := v.(type) {
	case decimal.Decimal:
		return x.InexactFloat64()
	case float64:
		return x
	case int64:
		return float64(x)
	}
	return 0
}

func day(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func ptr[T any](v T) *T { return &v }

package excel

import (
	"github.com/xuri/excelize/v2"

	"github.com/socialroi/socialroi/reports"
)

// Colours, chosen to read in print and for the common colour-vision
// deficiencies: the green and red of Excel's own "good/bad" cell styles.
const (
	colorInk      = "1F2937"
	colorMuted    = "6B7280"
	colorHeader   = "DCE6F1"
	colorTile     = "F3F4F6"
	colorRule     = "BFBFBF"
	colorGoodFont = "006100"
	colorBadFont  = "9C0006"
	colorBadFill  = "FFC7CE"
)

// moneyFormat is the number format for amounts in currency. Dollars get
// Excel's locale-tagged symbol ([$$-409]); other currencies show their
// ISO code, which is unambiguous where a symbol is not (CAD, AUD, MXN …).
func moneyFormat(currency string) string {
	if currency == "USD" {
		return `[$$-409]#,##0.00`
	}
	return `#,##0.00 "` + currency + `"`
}

// numFmt is the number format for a column kind; "" leaves General.
func numFmt(kind reports.Kind, currency string) string {
	switch kind {
	case reports.Integer:
		return `#,##0`
	case reports.Number:
		return `#,##0.00`
	case reports.Money:
		return moneyFormat(currency)
	case reports.Ratio:
		return `0.00"x"`
	case reports.Percent:
		return `0.0%`
	case reports.Date:
		return `yyyy-mm-dd`
	case reports.Timestamp:
		return `yyyy-mm-dd hh:mm:ss`
	}
	return ""
}

// changeFormat shows a week-over-week change as an arrow and a percentage;
// the cell keeps the signed fraction, so it still sorts and sums.
const changeFormat = `"▲ "0.0%;"▼ "0.0%;"■ "0.0%`

// headerFor aligns a column's header with its values: numbers and dates
// sit right, so their headers do too.
func (s *styles) headerFor(k reports.Kind) int {
	if k == reports.Text || k == reports.Bool {
		return s.header
	}
	return s.headerNum
}

// styles are created once per workbook (excelize deduplicates, but each
// NewStyle call costs a lookup).
type styles struct {
	title, subtitle, note, header, headerNum, footer int
	cells                                            map[reports.Kind]int // table cells by kind
	tileLabel, tileNA                                int
	tileValue, tilePrev                              map[reports.Kind]int
	changeGood, changeBad, changeFlat                int
	term, meaning                                    int
	badFill                                          int // conditional format: below/above target
	warnFill                                         int // conditional format: a failed warning
}

func newStyles(f *excelize.File, currency string) (*styles, error) {
	s := &styles{cells: map[reports.Kind]int{}, tileValue: map[reports.Kind]int{}, tilePrev: map[reports.Kind]int{}}
	var err error
	add := func(dst *int, st *excelize.Style) {
		if err == nil {
			*dst, err = f.NewStyle(st)
		}
	}
	fmtp := func(k reports.Kind) *string {
		if v := numFmt(k, currency); v != "" {
			return &v
		}
		return nil
	}
	solid := func(c string) excelize.Fill { return excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{c}} }
	box := func(sides ...string) []excelize.Border {
		b := make([]excelize.Border, len(sides))
		for i, side := range sides {
			b[i] = excelize.Border{Type: side, Color: colorRule, Style: 1}
		}
		return b
	}
	top := &excelize.Alignment{Vertical: "top"}

	add(&s.title, &excelize.Style{Font: &excelize.Font{Bold: true, Size: 16, Color: colorInk}})
	add(&s.subtitle, &excelize.Style{Font: &excelize.Font{Size: 10, Color: colorMuted}})
	add(&s.note, &excelize.Style{Font: &excelize.Font{Italic: true, Size: 9, Color: colorMuted}})
	add(&s.footer, &excelize.Style{Font: &excelize.Font{Bold: true, Italic: true, Size: 10, Color: colorBadFont}})
	add(&s.header, &excelize.Style{
		Font:      &excelize.Font{Bold: true, Color: colorInk},
		Fill:      solid(colorHeader),
		Border:    []excelize.Border{{Type: "bottom", Color: "8EA9C1", Style: 1}},
		Alignment: &excelize.Alignment{Vertical: "center", Horizontal: "left", Indent: 1, WrapText: true},
	})
	add(&s.headerNum, &excelize.Style{
		Font:      &excelize.Font{Bold: true, Color: colorInk},
		Fill:      solid(colorHeader),
		Border:    []excelize.Border{{Type: "bottom", Color: "8EA9C1", Style: 1}},
		Alignment: &excelize.Alignment{Vertical: "center", Horizontal: "right", WrapText: true},
	})
	for k := reports.Text; k <= reports.Bool; k++ {
		var id int
		var align *excelize.Alignment
		if k == reports.Text {
			// Keeps text off a right-aligned number in the column before.
			align = &excelize.Alignment{Horizontal: "left", Indent: 1}
		}
		add(&id, &excelize.Style{CustomNumFmt: fmtp(k), Alignment: align})
		s.cells[k] = id
		add(&id, &excelize.Style{
			CustomNumFmt: fmtp(k),
			Font:         &excelize.Font{Bold: true, Size: 18, Color: colorInk},
			Fill:         solid(colorTile),
			Border:       box("left", "right"),
			Alignment:    &excelize.Alignment{Horizontal: "left"},
		})
		s.tileValue[k] = id
		prev := `"Prev. week: "` + numFmt(k, currency)
		if numFmt(k, currency) == "" {
			prev = `"Prev. week: "General`
		}
		add(&id, &excelize.Style{
			CustomNumFmt: &prev,
			Font:         &excelize.Font{Size: 9, Color: colorMuted},
			Fill:         solid(colorTile),
			Border:       box("left", "right"),
			Alignment:    &excelize.Alignment{Horizontal: "left"},
		})
		s.tilePrev[k] = id
	}
	add(&s.tileLabel, &excelize.Style{
		Font:   &excelize.Font{Bold: true, Size: 9, Color: colorMuted},
		Fill:   solid(colorTile),
		Border: box("left", "right", "top"),
	})
	change := func(dst *int, color string) {
		cf := changeFormat
		add(dst, &excelize.Style{
			CustomNumFmt: &cf,
			Font:         &excelize.Font{Bold: true, Size: 10, Color: color},
			Fill:         solid(colorTile),
			Border:       box("left", "right", "bottom"),
			Alignment:    &excelize.Alignment{Horizontal: "left"},
		})
	}
	change(&s.changeGood, colorGoodFont)
	change(&s.changeBad, colorBadFont)
	change(&s.changeFlat, colorMuted)
	add(&s.tileNA, &excelize.Style{
		Font:      &excelize.Font{Size: 9, Color: colorMuted},
		Fill:      solid(colorTile),
		Border:    box("left", "right", "bottom"),
		Alignment: &excelize.Alignment{Horizontal: "left"},
	})
	add(&s.term, &excelize.Style{Font: &excelize.Font{Bold: true}, Alignment: top})
	add(&s.meaning, &excelize.Style{Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}})
	if err != nil {
		return nil, err
	}
	if s.badFill, err = f.NewConditionalStyle(&excelize.Style{
		Font: &excelize.Font{Color: colorBadFont},
		Fill: solid(colorBadFill),
	}); err != nil {
		return nil, err
	}
	// Excel's "neutral" style: amber, for warnings.
	s.warnFill, err = f.NewConditionalStyle(&excelize.Style{
		Font: &excelize.Font{Color: "9C5700"},
		Fill: solid("FFEB9C"),
	})
	return s, err
}

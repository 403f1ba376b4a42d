package reports

import (
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
)

// Kind says how a column's values are shown: it drives Excel number formats.
type Kind int

const (
	Text      Kind = iota // string
	Integer               // int64 counts
	Number                // float64 quantities (fractional conversions)
	Money                 // decimal.Decimal in the reporting currency
	Ratio                 // float64 shown as 0.00x (ROAS)
	Percent               // float64 fraction shown as a percentage
	Date                  // time.Time calendar day (UTC midnight)
	Timestamp             // time.Time instant
	Bool                  // bool
)

var kindNames = [...]string{"text", "integer", "number", "money", "ratio", "percent", "date", "timestamp", "bool"}

// String names the kind ("money", "percent", …) for errors and golden files.
func (k Kind) String() string {
	if k >= 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// Column is one column of a Table.
type Column struct {
	Name string
	Kind Kind
}

// Table is a mart (or a slice of one) read back from the warehouse. Cells
// hold nil for NULL, else a Go value matching the column's Kind: string,
// int64, float64, decimal.Decimal, time.Time or bool.
type Table struct {
	Name    string
	Columns []Column
	Rows    [][]any

	// TotalRows is how many rows the source had when Rows holds only the
	// first of them (a sheet's row cap). Zero means Rows is the whole table.
	TotalRows int
}

// Len is the number of rows of the source table: TotalRows when the table
// was read with a limit, else len(Rows).
func (t *Table) Len() int {
	if t.TotalRows > len(t.Rows) {
		return t.TotalRows
	}
	return len(t.Rows)
}

// Col returns the index of the named column, or -1.
func (t *Table) Col(name string) int {
	for i, c := range t.Columns {
		if c.Name == name {
			return i
		}
	}
	return -1
}

// KindFor chooses how to show a column from its name and its Arrow type.
//
// The type decides first: decimals are money (marts keep money as
// DECIMAL(18,2) in the reporting currency), dates are dates, timestamps are
// instants, integers are counts. Names then refine numbers: *_rate, *_share,
// *_pct and *_change are percentages (fractions, 0.25 = 25%), roas and
// *_ratio are ratios shown as 0.00x; a floating credit (the ledger's credit
// fraction) is a percentage too. A decimal named like a percentage or a
// ratio follows the name, since it is not an amount of money. A decimal of
// scale 0 is a count: DuckDB returns SUM(BIGINT) as HUGEINT, which reaches
// Arrow as DECIMAL(38,0). Anything else (lists, structs, binary) is shown as
// text.
func KindFor(name string, t arrow.DataType) Kind {
	if t == nil {
		return Text
	}
	if d, ok := t.(*arrow.DictionaryType); ok {
		return KindFor(name, d.ValueType)
	}
	switch t.ID() {
	case arrow.DECIMAL32, arrow.DECIMAL64, arrow.DECIMAL128, arrow.DECIMAL256:
		if k, ok := kindFromName(name); ok {
			return k
		}
		if dt, ok := t.(arrow.DecimalType); ok && dt.GetScale() == 0 {
			return Integer
		}
		return Money
	case arrow.DATE32, arrow.DATE64:
		return Date
	case arrow.TIMESTAMP:
		return Timestamp
	case arrow.BOOL:
		return Bool
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64,
		arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64:
		return Integer
	case arrow.FLOAT16, arrow.FLOAT32, arrow.FLOAT64:
		if k, ok := kindFromName(name); ok {
			return k
		}
		// A ledger's credit is a fraction of one conversion: 1/3 reads
		// better as 33.3% than as 0.33.
		if n := strings.ToLower(name); n == "credit" || strings.HasSuffix(n, "_credit") {
			return Percent
		}
		return Number
	}
	return Text
}

// kindFromName applies the naming rules for fractional columns.
func kindFromName(name string) (Kind, bool) {
	n := strings.ToLower(name)
	switch {
	case strings.HasSuffix(n, "_rate") || strings.HasSuffix(n, "_share") ||
		strings.HasSuffix(n, "_pct") || strings.HasSuffix(n, "_change") || strings.HasSuffix(n, "_gap") || n == "roi" || n == "ctr":
		return Percent, true
	case strings.Contains(n, "roas") || strings.HasSuffix(n, "_ratio"):
		return Ratio, true
	}
	return 0, false
}

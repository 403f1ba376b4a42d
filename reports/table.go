// Package reports holds what every output writer shares: a mart read back
// from the warehouse as a typed table, and how each column should be shown.
// The writers live in subpackages: reports/excel (the weekly workbook),
// reports/files (Parquet and CSV) and reports/manifest (manifest.json).
package reports

import "strings"

// Kind says how a column's values are shown: it drives Excel number formats.
type Kind int

const (
	Text    Kind = iota // string
	Integer             // int64 counts
	Number              // float64 quantities (fractional conversions)
	Money               // decimal.Decimal in the reporting currency
	Ratio               // float64 shown as 0.00x (ROAS)
	Percent             // float64 fraction shown as a percentage
	Date                // time.Time calendar day
	Timestamp           // time.Time instant
	Bool                // bool
)

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

// KindFor chooses how to show a column from its name and its DuckDB type
// name (as database/sql reports it: "DECIMAL(18,2)", "DOUBLE", "DATE", …).
// Names decide among numbers: *_rate and *_share are percentages, roas and
// *_ratio are ratios.
func KindFor(name, dbType string) Kind {
	t := strings.ToUpper(dbType)
	switch {
	case strings.HasPrefix(t, "DECIMAL"):
		return Money
	case t == "DATE":
		return Date
	case strings.HasPrefix(t, "TIMESTAMP"):
		return Timestamp
	case t == "BOOLEAN":
		return Bool
	case t == "BIGINT" || t == "INTEGER" || t == "HUGEINT" || t == "SMALLINT" || t == "TINYINT" || t == "UBIGINT":
		return Integer
	case t == "DOUBLE" || t == "FLOAT" || t == "REAL":
		switch {
		case strings.HasSuffix(name, "_rate") || strings.HasSuffix(name, "_share") || strings.HasSuffix(name, "_pct") || strings.HasSuffix(name, "_change"):
			return Percent
		case strings.Contains(name, "roas") || strings.HasSuffix(name, "_ratio"):
			return Ratio
		}
		return Number
	}
	return Text
}

package excel

import "errors"

var (
	// ErrSheetName is wrapped when a sheet name is empty, too long for
	// Excel (31 characters), holds a character Excel forbids, or is used
	// twice (Summary, Definitions and Run are taken).
	ErrSheetName = errors.New("invalid sheet name")

	// ErrNoKPI is wrapped when the KPI table has no row for the report
	// week and primary model: a Summary of zeros would mislead, so the
	// workbook is not written.
	ErrNoKPI = errors.New("no KPI row for the report week")
)

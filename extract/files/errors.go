package files

import (
	"errors"
	"fmt"
)

// Sentinel errors, wrapped with the file and what was being read. Test with
// errors.Is.
var (
	// ErrMissingColumn: a required (NOT NULL) canonical column is not in the file.
	ErrMissingColumn = errors.New("required column missing")
	// ErrBadValue: a value does not parse as, or does not fit, its column's type.
	// The error is a *ValueError with the position.
	ErrBadValue = errors.New("bad value")
	// ErrFormat: the file is not a CSV or Parquet file we can read (unknown
	// extension, malformed CSV, no header, unreadable Parquet).
	ErrFormat = errors.New("unreadable file")
	// ErrNoFiles: a configured path or glob matches no file.
	ErrNoFiles = errors.New("no files match")
)

// ValueError is a bad value at a position in a file. Line counts physical
// CSV lines with the header as line 1; for Parquet, Row counts data rows from 1.
type ValueError struct {
	File   string
	Line   int // CSV, else 0
	Row    int // Parquet, else 0
	Column string
	Err    error
}

func (e *ValueError) Error() string {
	pos := fmt.Sprintf("line %d", e.Line)
	if e.Line == 0 {
		pos = fmt.Sprintf("row %d", e.Row)
	}
	return fmt.Sprintf("%s %s: column %s: %v", e.File, pos, e.Column, e.Err)
}

func (e *ValueError) Unwrap() []error { return []error{ErrBadValue, e.Err} }

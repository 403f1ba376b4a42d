package files

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/socialroi/socialroi/reports"
)

// WriteCSV writes every record of rdr to a CSV file at path: a header row of
// column names, then one line per row. Decimals are printed exactly at their
// scale (12.30, never 12.3 or 12.299999), dates as 2006-01-02, timestamps as
// RFC 3339 in the column's time zone (UTC for TIMESTAMPTZ), floats in the
// shortest form that reads back to the same value, NULL as an empty field.
// An empty string and NULL therefore look the same; use Parquet where the
// difference matters. Lists and other nested values are written as Arrow
// prints them. The caller keeps ownership of rdr; writing is atomic as for
// WriteParquet.
func WriteCSV(ctx context.Context, path string, rdr array.RecordReader) (Output, error) {
	if rdr == nil {
		return Output{}, fmt.Errorf("files: csv %s: %w", path, ErrNilReader)
	}
	var rows int64
	size, sum, err := reports.WriteAtomic(path, func(w io.Writer) error {
		cw := csv.NewWriter(w)
		schema := rdr.Schema()
		header := make([]string, schema.NumFields())
		for i, f := range schema.Fields() {
			header[i] = f.Name
		}
		if err := cw.Write(header); err != nil {
			return err
		}
		line := make([]string, len(header))
		for rdr.Next() {
			if err := ctx.Err(); err != nil {
				return err
			}
			rec := rdr.RecordBatch()
			fmts := make([]func(int) string, rec.NumCols())
			for c := range fmts {
				f, err := csvFormatter(rec.Column(c))
				if err != nil {
					return fmt.Errorf("column %s: %w", header[c], err)
				}
				fmts[c] = f
			}
			for r := range int(rec.NumRows()) {
				for c, f := range fmts {
					if rec.Column(c).IsNull(r) {
						line[c] = ""
					} else {
						line[c] = f(r)
					}
				}
				if err := cw.Write(line); err != nil {
					return err
				}
			}
			rows += rec.NumRows()
		}
		if err := rdr.Err(); err != nil {
			return fmt.Errorf("reading records: %w", err)
		}
		cw.Flush()
		return cw.Error()
	})
	if err != nil {
		return Output{}, fmt.Errorf("files: csv %s: %w", path, err)
	}
	return Output{Kind: "csv", Path: path, Rows: rows, Bytes: size, SHA256: sum}, nil
}

// csvFormatter returns how to print a non-null cell of arr.
func csvFormatter(arr arrow.Array) (func(int) string, error) {
	switch a := arr.(type) {
	case *array.Dictionary:
		inner, err := csvFormatter(a.Dictionary())
		if err != nil {
			return nil, err
		}
		return func(i int) string { return inner(a.GetValueIndex(i)) }, nil
	case *array.String:
		return a.Value, nil
	case *array.LargeString:
		return a.Value, nil
	case *array.StringView:
		return a.Value, nil
	case *array.Float32:
		return func(i int) string { return strconv.FormatFloat(float64(a.Value(i)), 'f', -1, 32) }, nil
	case *array.Float64:
		return func(i int) string { return strconv.FormatFloat(a.Value(i), 'f', -1, 64) }, nil
	case *array.Decimal128:
		scale := a.DataType().(*arrow.Decimal128Type).Scale
		return func(i int) string { return a.Value(i).ToString(scale) }, nil
	case *array.Date32:
		return func(i int) string { return a.Value(i).ToTime().Format(time.DateOnly) }, nil
	case *array.Date64:
		return func(i int) string { return a.Value(i).ToTime().Format(time.DateOnly) }, nil
	case *array.Timestamp:
		toTime, err := a.DataType().(*arrow.TimestampType).GetToTimeFunc()
		if err != nil {
			return nil, err
		}
		return func(i int) string { return toTime(a.Value(i)).Format(time.RFC3339Nano) }, nil
	}
	// Integers, booleans, other decimals: Arrow's own text form is exact.
	return arr.ValueStr, nil
}

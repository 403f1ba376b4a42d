package files

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"strconv"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"

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
		return func(i int) string { return decimalText(a.Value(i), scale) }, nil
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

// decimalText prints a decimal exactly at its scale, as Num.ToString does,
// but through an int64 when the value fits one (every amount a ledger
// holds): ToString goes through big.Float, and was three quarters of the
// time writing attribute's ledger.csv took (3.9 of 5.2 s for 2.3M rows).
func decimalText(n decimal128.Num, scale int32) string {
	hi, lo := n.HighBits(), n.LowBits()
	fits := (hi == 0 && lo <= math.MaxInt64) || (hi == -1 && lo > math.MaxInt64)
	if !fits || scale < 0 || scale > 38 {
		return n.ToString(scale)
	}
	v := int64(lo)
	u := uint64(v)
	if v < 0 {
		u = -u // two's complement: right for math.MinInt64 too
	}
	// built in bytes: strings.Repeat and concatenation, simpler to read,
	// made writing attribute's 2.3M-row ledger.csv 2.0 → 2.7 s
	var buf [64]byte
	digits := strconv.AppendUint(buf[:0], u, 10)
	var out []byte
	if v < 0 {
		out = append(out, '-')
	}
	if scale == 0 {
		return string(append(out, digits...))
	}
	sc := int(scale)
	if len(digits) <= sc { // 0.0…: pad the fraction's leading zeros
		out = append(out, '0', '.')
		for range sc - len(digits) {
			out = append(out, '0')
		}
		return string(append(out, digits...))
	}
	out = append(out, digits[:len(digits)-sc]...)
	out = append(out, '.')
	return string(append(out, digits[len(digits)-sc:]...))
}

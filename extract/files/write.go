package files

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// WriteCSV writes records (all of one schema) as CSV in the form ReadCSV
// reads back to equal records: a header of column names, NULL as an empty
// cell, timestamps in RFC 3339 UTC, dates YYYY-MM-DD, decimals at their
// scale, lists as a|b|c (or a JSON array when an item contains | or is empty).
func WriteCSV(w io.Writer, recs ...arrow.RecordBatch) error {
	if len(recs) == 0 {
		return fmt.Errorf("files: write csv: no records")
	}
	schema := recs[0].Schema()
	cw := csv.NewWriter(w)
	header := make([]string, schema.NumFields())
	for i, f := range schema.Fields() {
		header[i] = f.Name
	}
	if err := cw.Write(header); err != nil {
		return fmt.Errorf("files: write csv: %w", err)
	}
	row := make([]string, len(header))
	for _, rec := range recs {
		if !rec.Schema().Equal(schema) {
			return fmt.Errorf("files: write csv: records have different schemas")
		}
		text := make([]func(int) string, rec.NumCols())
		for c := range text {
			var err error
			if text[c], err = cellText(rec.Column(c)); err != nil {
				return fmt.Errorf("files: write csv: column %s: %w", schema.Field(c).Name, err)
			}
		}
		for r := range int(rec.NumRows()) {
			for c := range row {
				row[c] = text[c](r)
			}
			if err := cw.Write(row); err != nil {
				return fmt.Errorf("files: write csv: %w", err)
			}
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("files: write csv: %w", err)
	}
	return nil
}

// cellText renders a canonical column's values as CSV cells.
func cellText(col arrow.Array) (func(int) string, error) {
	switch a := col.(type) {
	case *array.Timestamp:
		toTime, err := a.DataType().(*arrow.TimestampType).GetToTimeFunc()
		if err != nil {
			return nil, err
		}
		return nullText(col, func(i int) string { return toTime(a.Value(i)).UTC().Format(time.RFC3339Nano) }), nil
	case *array.Float64:
		return nullText(col, func(i int) string { return strconv.FormatFloat(a.Value(i), 'g', -1, 64) }), nil
	case *array.List:
		values, ok := a.ListValues().(*array.String)
		if !ok {
			return nil, fmt.Errorf("list of %s not supported", a.ListValues().DataType())
		}
		return nullText(col, func(i int) string {
			start, end := a.ValueOffsets(i)
			items := make([]string, 0, end-start)
			plain := end > start
			for j := start; j < end; j++ {
				v := values.Value(int(j))
				items = append(items, v)
				if v == "" || strings.ContainsAny(v, "|") || strings.TrimSpace(v) != v || (j == start && strings.HasPrefix(v, "[")) {
					plain = false
				}
			}
			if plain {
				return strings.Join(items, "|")
			}
			buf, _ := json.Marshal(items)
			return string(buf)
		}), nil
	case *array.Decimal128:
		// Exact, at the column's scale: ValueStr goes through a float.
		scale := a.DataType().(*arrow.Decimal128Type).Scale
		return nullText(col, func(i int) string { return a.Value(i).ToString(scale) }), nil
	case *array.String, *array.Int64, *array.Boolean, *array.Date32:
		// ValueStr renders these as the parsers expect (a date as YYYY-MM-DD).
		return nullText(col, col.ValueStr), nil
	}
	return nil, fmt.Errorf("type %s not supported", col.DataType())
}

func nullText(col arrow.Array, f func(int) string) func(int) string {
	return func(i int) string {
		if col.IsNull(i) {
			return ""
		}
		return f(i)
	}
}

// WriteParquet writes records (all of one schema) as one Parquet file with
// Snappy compression and the Arrow schema stored, so ReadParquet gets the
// canonical types back without conversion. Like pqarrow, it closes w when w
// is an io.Closer.
func WriteParquet(w io.Writer, mem memory.Allocator, recs ...arrow.RecordBatch) error {
	if len(recs) == 0 {
		return fmt.Errorf("files: write parquet: no records")
	}
	props := parquet.NewWriterProperties(parquet.WithAllocator(mem), parquet.WithCompression(compress.Codecs.Snappy))
	fw, err := pqarrow.NewFileWriter(recs[0].Schema(), w, props,
		pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema(), pqarrow.WithAllocator(mem)))
	if err != nil {
		return fmt.Errorf("files: write parquet: %w", err)
	}
	for _, rec := range recs {
		if err := fw.Write(rec); err != nil {
			_ = fw.Close()
			return fmt.Errorf("files: write parquet: %w", err)
		}
	}
	if err := fw.Close(); err != nil {
		return fmt.Errorf("files: write parquet: %w", err)
	}
	return nil
}

package files

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/socialroi/socialroi/transform"
)

// ReadParquet reads a Parquet file into records of the named canonical table,
// converting each column to its canonical type. The caller releases the
// records; on error none are returned.
func ReadParquet(ctx context.Context, r parquet.ReaderAtSeeker, name, table string, mem memory.Allocator, opts ...Option) ([]arrow.RecordBatch, error) {
	return collect(func(emit func(arrow.RecordBatch) error) error {
		return readParquet(ctx, r, name, table, mem, newOptions(opts), emit)
	})
}

func readParquet(ctx context.Context, r parquet.ReaderAtSeeker, name, table string, mem memory.Allocator, o options, emit func(arrow.RecordBatch) error) error {
	tbl, err := transform.Lookup(table)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	pf, err := file.NewParquetReader(r, file.WithReadProps(parquet.NewReaderProperties(mem)))
	if err != nil {
		return fmt.Errorf("%s: %w: %w", name, ErrFormat, err)
	}
	defer pf.Close()
	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{BatchSize: int64(o.batchSize)}, mem)
	if err != nil {
		return fmt.Errorf("%s: %w: %w", name, ErrFormat, err)
	}
	fileSchema, err := fr.Schema()
	if err != nil {
		return fmt.Errorf("%s: %w: %w", name, ErrFormat, err)
	}
	header := make([]string, fileSchema.NumFields())
	for i, f := range fileSchema.Fields() {
		header[i] = f.Name
	}
	plan, err := planColumns(name, tbl, header, o)
	if err != nil {
		return err
	}
	plan.logExtra(o, name, table)

	// Read only the columns we use.
	var cols []int
	readPos := make([]int, len(plan.src)) // canonical column → position in the read record
	for i, j := range plan.src {
		readPos[i] = -1
		if j >= 0 {
			readPos[i] = len(cols)
			cols = append(cols, j)
		}
	}
	rr, err := fr.GetRecordReader(ctx, cols, nil)
	if err != nil {
		return fmt.Errorf("%s: %w: %w", name, ErrFormat, err)
	}
	defer rr.Release()

	rowBase := 0
	for rr.Next() {
		in := rr.RecordBatch()
		out, err := toCanonical(in, tbl, plan, readPos, rowBase, name, mem, o)
		if err != nil {
			return err
		}
		rowBase += int(in.NumRows())
		err = emit(out)
		out.Release()
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("%s row %d: %w", name, rowBase, err)
		}
	}
	if err := rr.Err(); err != nil {
		return fmt.Errorf("%s after row %d: %w: %w", name, rowBase, ErrFormat, err)
	}
	return nil
}

// toCanonical converts one record read from a file into the canonical schema.
// Columns that already have the canonical type are reused without copying.
func toCanonical(in arrow.RecordBatch, tbl *transform.Table, plan *columnPlan, readPos []int, rowBase int, name string, mem memory.Allocator, o options) (arrow.RecordBatch, error) {
	n := int(in.NumRows())
	fields := tbl.Schema.Fields()
	out := make([]arrow.Array, 0, len(fields))
	defer func() {
		for _, a := range out {
			a.Release()
		}
	}()
	for i, f := range fields {
		var src arrow.Array
		if readPos[i] >= 0 {
			src = in.Column(readPos[i])
		}
		col, err := convertColumn(src, f, plan, i, n, rowBase, name, mem, o)
		if err != nil {
			return nil, err
		}
		out = append(out, col)
	}
	return array.NewRecordBatch(tbl.Schema, out, int64(n)), nil
}

func convertColumn(src arrow.Array, f arrow.Field, plan *columnPlan, i, n, rowBase int, name string, mem memory.Allocator, o options) (arrow.Array, error) {
	if src == nil && !plan.hasID[i] && plan.fill[i] == "" {
		return array.MakeArrayOfNull(mem, f.Type, n), nil
	}
	if src != nil && arrow.TypeEqual(src.DataType(), f.Type) {
		if !f.Nullable && src.NullN() > 0 {
			for r := range n {
				if src.IsNull(r) {
					return nil, &ValueError{File: name, Row: rowBase + r + 1, Column: f.Name, Err: errRequired}
				}
			}
		}
		src.Retain()
		return src, nil
	}

	b := array.NewBuilder(mem, f.Type)
	defer b.Release()
	cell, err := cellAppender(f, b, o.loc)
	if err != nil {
		return nil, fmt.Errorf("%s: column %s: %w", name, f.Name, err)
	}
	var text func(r int) string
	switch {
	case src == nil && plan.hasID[i]:
		text = func(r int) string { return plan.rowID[i] + strconv.Itoa(rowBase+r+1) }
	case src == nil:
		text = func(int) string { return plan.fill[i] }
	default:
		text, err = textOf(src, f.Type, o.loc)
		if err != nil {
			return nil, fmt.Errorf("%s: column %s: %w", name, f.Name, err)
		}
	}
	b.Reserve(n)
	for r := range n {
		if err := cell(text(r)); err != nil {
			return nil, &ValueError{File: name, Row: rowBase + r + 1, Column: f.Name, Err: err}
		}
	}
	return b.NewArray(), nil
}

var errUnsupported = errors.New("unsupported Parquet column type")

// textOf renders the values of a file column as the text cellAppender
// parses, so that every conversion (ids stored as integers, money as
// doubles or other decimal scales, naive timestamps) follows the same rules
// and errors as CSV. NULL renders as "". Floats render in their shortest
// exact form, so a double 12.34 becomes the decimal 12.34, not 12.339999….
func textOf(src arrow.Array, target arrow.DataType, loc *time.Location) (func(int) string, error) {
	null := func(f func(int) string) func(int) string {
		return func(i int) string {
			if src.IsNull(i) {
				return ""
			}
			return f(i)
		}
	}
	switch a := src.(type) {
	case *array.String:
		return null(a.Value), nil
	case *array.LargeString:
		return null(a.Value), nil
	case *array.StringView:
		return null(a.Value), nil
	case *array.Binary:
		return null(a.ValueString), nil
	case *array.Boolean:
		return null(func(i int) string { return strconv.FormatBool(a.Value(i)) }), nil
	case *array.Int8:
		return null(func(i int) string { return strconv.FormatInt(int64(a.Value(i)), 10) }), nil
	case *array.Int16:
		return null(func(i int) string { return strconv.FormatInt(int64(a.Value(i)), 10) }), nil
	case *array.Int32:
		return null(func(i int) string { return strconv.FormatInt(int64(a.Value(i)), 10) }), nil
	case *array.Int64:
		return null(func(i int) string { return strconv.FormatInt(a.Value(i), 10) }), nil
	case *array.Uint8:
		return null(func(i int) string { return strconv.FormatUint(uint64(a.Value(i)), 10) }), nil
	case *array.Uint16:
		return null(func(i int) string { return strconv.FormatUint(uint64(a.Value(i)), 10) }), nil
	case *array.Uint32:
		return null(func(i int) string { return strconv.FormatUint(uint64(a.Value(i)), 10) }), nil
	case *array.Uint64:
		return null(func(i int) string { return strconv.FormatUint(a.Value(i), 10) }), nil
	case *array.Float32:
		return null(func(i int) string { return strconv.FormatFloat(float64(a.Value(i)), 'f', -1, 32) }), nil
	case *array.Float64:
		return null(func(i int) string { return strconv.FormatFloat(a.Value(i), 'f', -1, 64) }), nil
	case *array.Decimal128:
		scale := a.DataType().(*arrow.Decimal128Type).Scale
		return null(func(i int) string { return a.Value(i).ToString(scale) }), nil
	case *array.Decimal256:
		scale := a.DataType().(*arrow.Decimal256Type).Scale
		return null(func(i int) string { return a.Value(i).ToString(scale) }), nil
	case *array.Date32:
		return null(func(i int) string { return a.Value(i).FormattedString() }), nil
	case *array.Date64:
		return null(func(i int) string { return a.Value(i).FormattedString() }), nil
	case *array.Timestamp:
		tt := a.DataType().(*arrow.TimestampType)
		toTime, err := tt.GetToTimeFunc()
		if err != nil {
			return nil, err
		}
		naive := tt.TimeZone == ""
		wantDate := target.ID() == arrow.DATE32
		return null(func(i int) string {
			t := toTime(a.Value(i))
			switch {
			case wantDate && naive:
				return t.UTC().Format(time.DateOnly)
			case wantDate:
				return t.In(loc).Format(time.DateOnly)
			case naive:
				// A timestamp without a zone is a wall time, like a CSV
				// value without an offset.
				return t.UTC().Format("2006-01-02T15:04:05.999999999")
			}
			return t.UTC().Format(time.RFC3339Nano)
		}), nil
	case *array.List, *array.LargeList:
		la := a.(array.ListLike)
		values, err := textOf(la.ListValues(), arrow.BinaryTypes.String, loc)
		if err != nil {
			return nil, err
		}
		return null(func(i int) string {
			start, end := la.ValueOffsets(i)
			items := make([]string, 0, end-start)
			for j := start; j < end; j++ {
				items = append(items, values(int(j)))
			}
			buf, _ := json.Marshal(items)
			return string(buf)
		}), nil
	case *array.Dictionary:
		values, err := textOf(a.Dictionary(), target, loc)
		if err != nil {
			return nil, err
		}
		return null(func(i int) string { return values(a.GetValueIndex(i)) }), nil
	}
	return nil, fmt.Errorf("%w %s", errUnsupported, src.DataType())
}

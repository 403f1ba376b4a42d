package reports

import (
	"fmt"
	"math"
	"math/big"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/shopspring/decimal"
)

// FromArrow reads every record of rdr into a Table named name. Each
// column's Kind comes from KindFor and each cell holds the Go value that
// Kind promises (see Table). The caller keeps ownership of rdr: FromArrow
// neither retains nor releases it, and leaves it exhausted. A table too
// long to show whole is limited in its query, not here, so that only what
// will be shown crosses from the warehouse.
func FromArrow(name string, rdr array.RecordReader) (*Table, error) {
	if rdr == nil {
		return nil, fmt.Errorf("reports: table %s: nil record reader", name)
	}
	schema := rdr.Schema()
	t := &Table{Name: name, Columns: make([]Column, schema.NumFields())}
	for i, f := range schema.Fields() {
		t.Columns[i] = Column{Name: f.Name, Kind: KindFor(f.Name, f.Type)}
	}
	for rdr.Next() {
		rec := rdr.RecordBatch()
		n := int(rec.NumRows())
		if n == 0 {
			continue
		}
		rows := make([][]any, n)
		cells := make([]any, n*len(t.Columns)) // one allocation per record
		for r := range rows {
			rows[r] = cells[r*len(t.Columns) : (r+1)*len(t.Columns) : (r+1)*len(t.Columns)]
		}
		for c, col := range t.Columns {
			conv, err := converter(col.Kind, rec.Column(c))
			if err != nil {
				return nil, fmt.Errorf("reports: table %s: column %s: %w", name, col.Name, err)
			}
			for r := range n {
				v, err := conv(r)
				if err != nil {
					return nil, fmt.Errorf("reports: table %s: column %s: row %d: %w", name, col.Name, len(t.Rows)+r+1, err)
				}
				rows[r][c] = v
			}
		}
		t.Rows = append(t.Rows, rows...)
	}
	if err := rdr.Err(); err != nil {
		return nil, fmt.Errorf("reports: table %s: reading records: %w", name, err)
	}
	return t, nil
}

// converter returns a function giving row i of arr as the Go value of kind.
// NULL is nil whatever the type.
func converter(kind Kind, arr arrow.Array) (func(i int) (any, error), error) {
	if dict, ok := arr.(*array.Dictionary); ok {
		inner, err := converter(kind, dict.Dictionary())
		if err != nil {
			return nil, err
		}
		return func(i int) (any, error) {
			if dict.IsNull(i) {
				return nil, nil
			}
			return inner(dict.GetValueIndex(i))
		}, nil
	}
	get, err := rawValue(arr)
	if err != nil {
		return nil, err
	}
	return func(i int) (any, error) {
		if arr.IsNull(i) {
			return nil, nil
		}
		return coerce(kind, get(i))
	}, nil
}

// rawValue returns the natural Go value of a non-null cell: string, int64,
// uint64, float64, decimal.Decimal, time.Time or bool.
func rawValue(arr arrow.Array) (func(i int) any, error) {
	switch a := arr.(type) {
	case *array.Null:
		return func(int) any { return nil }, nil
	// Arrow's Value aliases the record's buffer, which the producer (DuckDB)
	// reuses for the next chunk: the Table must own a copy.
	case *array.String:
		return func(i int) any { return strings.Clone(a.Value(i)) }, nil
	case *array.LargeString:
		return func(i int) any { return strings.Clone(a.Value(i)) }, nil
	case *array.StringView:
		return func(i int) any { return strings.Clone(a.Value(i)) }, nil
	case *array.Boolean:
		return func(i int) any { return a.Value(i) }, nil
	case *array.Int8:
		return func(i int) any { return int64(a.Value(i)) }, nil
	case *array.Int16:
		return func(i int) any { return int64(a.Value(i)) }, nil
	case *array.Int32:
		return func(i int) any { return int64(a.Value(i)) }, nil
	case *array.Int64:
		return func(i int) any { return a.Value(i) }, nil
	case *array.Uint8:
		return func(i int) any { return int64(a.Value(i)) }, nil
	case *array.Uint16:
		return func(i int) any { return int64(a.Value(i)) }, nil
	case *array.Uint32:
		return func(i int) any { return int64(a.Value(i)) }, nil
	case *array.Uint64:
		return func(i int) any { return a.Value(i) }, nil
	case *array.Float16:
		return func(i int) any { return float64(a.Value(i).Float32()) }, nil
	case *array.Float32:
		return func(i int) any { return float64(a.Value(i)) }, nil
	case *array.Float64:
		return func(i int) any { return a.Value(i) }, nil
	case *array.Decimal128:
		scale := a.DataType().(*arrow.Decimal128Type).Scale
		return func(i int) any { return decimalFrom128(a.Value(i), scale) }, nil
	case *array.Decimal32, *array.Decimal64, *array.Decimal256:
		// Rare in marts; the string form carries the scale exactly.
		return func(i int) any {
			d, err := decimal.NewFromString(arr.ValueStr(i))
			if err != nil {
				return err
			}
			return d
		}, nil
	case *array.Date32:
		return func(i int) any { return a.Value(i).ToTime() }, nil
	case *array.Date64:
		return func(i int) any { return a.Value(i).ToTime() }, nil
	case *array.Timestamp:
		toTime, err := a.DataType().(*arrow.TimestampType).GetToTimeFunc()
		if err != nil {
			return nil, err
		}
		return func(i int) any { return toTime(a.Value(i)) }, nil
	}
	// Lists, structs, binary: shown as Arrow prints them.
	return func(i int) any { return arr.ValueStr(i) }, nil
}

// decimalFrom128 converts without going through big.Int when the unscaled
// value fits in an int64, which is every DECIMAL(18,s).
func decimalFrom128(n decimal128.Num, scale int32) decimal.Decimal {
	hi, lo := n.HighBits(), n.LowBits()
	if (hi == 0 && lo <= math.MaxInt64) || (hi == -1 && lo > math.MaxInt64) {
		return decimal.New(int64(lo), -scale)
	}
	return decimal.NewFromBigInt(new(big.Int).Set(n.BigInt()), -scale)
}

// coerce turns a raw value into the type the column's Kind promises.
func coerce(kind Kind, v any) (any, error) {
	switch x := v.(type) {
	case nil: // a column of Arrow's null type: IsNull is false, yet all is NULL
		return nil, nil
	case error:
		return nil, x
	}
	switch kind {
	case Integer:
		switch x := v.(type) {
		case int64:
			return x, nil
		case uint64:
			if x > math.MaxInt64 {
				return nil, fmt.Errorf("value %d overflows int64", x)
			}
			return int64(x), nil
		case decimal.Decimal:
			if !x.IsInteger() || x.Abs().GreaterThan(decimal.NewFromInt(math.MaxInt64)) {
				return nil, fmt.Errorf("value %s is not an int64", x)
			}
			return x.IntPart(), nil
		}
	case Number, Ratio, Percent:
		switch x := v.(type) {
		case float64:
			return x, nil
		case decimal.Decimal:
			return x.InexactFloat64(), nil
		case int64:
			return float64(x), nil
		}
	case Money:
		if d, ok := v.(decimal.Decimal); ok {
			return d, nil
		}
	case Date:
		if t, ok := v.(time.Time); ok {
			y, m, d := t.UTC().Date()
			return time.Date(y, m, d, 0, 0, 0, 0, time.UTC), nil
		}
	case Timestamp:
		if t, ok := v.(time.Time); ok {
			return t, nil
		}
	case Bool:
		if b, ok := v.(bool); ok {
			return b, nil
		}
	case Text:
		if s, ok := v.(string); ok {
			return s, nil
		}
		return fmt.Sprint(v), nil
	}
	return nil, fmt.Errorf("cannot show %T as %s", v, kind)
}

package transform

import (
	"fmt"
	"reflect"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/shopspring/decimal"
)

// Builder appends rows of type T (one of the *Row types) to an Arrow record
// in a canonical table's schema. The mapping from struct fields to columns is
// worked out once, in NewBuilder; Append does no reflection on names.
//
// A Builder is not safe for concurrent use. Call Release when done.
type Builder[T any] struct {
	table   *Table
	rb      *array.RecordBuilder
	setters []func(row reflect.Value) error
	rows    int
}

// NewBuilder returns a builder for the named canonical table. It fails when T's
// `arrow` tags do not cover the table's columns exactly.
func NewBuilder[T any](mem memory.Allocator, tableName string) (*Builder[T], error) {
	table, err := Lookup(tableName)
	if err != nil {
		return nil, err
	}
	rt := reflect.TypeFor[T]()
	if rt.Kind() != reflect.Struct {
		return nil, fmt.Errorf("transform: builder for %s: %s is not a struct", tableName, rt)
	}
	fieldByCol := map[string]int{}
	for i := range rt.NumField() {
		if tag := rt.Field(i).Tag.Get("arrow"); tag != "" {
			fieldByCol[tag] = i
		}
	}
	if len(fieldByCol) != table.Schema.NumFields() {
		return nil, fmt.Errorf("transform: builder for %s: %s has %d tagged fields, schema has %d columns",
			tableName, rt, len(fieldByCol), table.Schema.NumFields())
	}
	rb := array.NewRecordBuilder(mem, table.Schema)
	b := &Builder[T]{table: table, rb: rb}
	for ci, f := range table.Schema.Fields() {
		fi, ok := fieldByCol[f.Name]
		if !ok {
			rb.Release()
			return nil, fmt.Errorf("transform: builder for %s: %s has no field tagged %q", tableName, rt, f.Name)
		}
		set, err := setterFor(f, rt.Field(fi), rb.Field(ci))
		if err != nil {
			rb.Release()
			return nil, fmt.Errorf("transform: builder for %s: column %s: %w", tableName, f.Name, err)
		}
		b.setters = append(b.setters, func(row reflect.Value) error { return set(row.Field(fi)) })
	}
	return b, nil
}

// Table is the canonical table this builder fills.
func (b *Builder[T]) Table() *Table { return b.table }

// Len is the number of rows appended since the last NewRecord.
func (b *Builder[T]) Len() int { return b.rows }

// Append adds one row. An error names the column whose value does not fit
// (a decimal with too many digits, a missing required value); the row is then
// not usable and the builder should be discarded.
func (b *Builder[T]) Append(row T) error {
	v := reflect.ValueOf(row)
	for i, set := range b.setters {
		if err := set(v); err != nil {
			return fmt.Errorf("%s.%s: %w", b.table.Name, b.table.Schema.Field(i).Name, err)
		}
	}
	b.rows++
	return nil
}

// NewRecord returns the rows appended so far as a record and resets the builder.
// The caller owns the record and must Release it.
func (b *Builder[T]) NewRecord() arrow.RecordBatch {
	b.rows = 0
	return b.rb.NewRecordBatch()
}

// Release frees the builder's memory.
func (b *Builder[T]) Release() { b.rb.Release() }

// BuildRecord is a convenience that builds one record from a slice of rows.
func BuildRecord[T any](mem memory.Allocator, tableName string, rows []T) (arrow.RecordBatch, error) {
	b, err := NewBuilder[T](mem, tableName)
	if err != nil {
		return nil, err
	}
	defer b.Release()
	for i, r := range rows {
		if err := b.Append(r); err != nil {
			return nil, fmt.Errorf("row %d: %w", i+1, err)
		}
	}
	return b.NewRecord(), nil
}

var (
	timeType    = reflect.TypeFor[time.Time]()
	decimalType = reflect.TypeFor[decimal.Decimal]()
)

// setterFor returns the function that appends one struct field's value to a
// column builder, choosing by the column's Arrow type and the field's Go type.
func setterFor(f arrow.Field, sf reflect.StructField, fb array.Builder) (func(reflect.Value) error, error) {
	gt := sf.Type
	isPtr := gt.Kind() == reflect.Pointer
	if isPtr {
		gt = gt.Elem()
	}
	// nullOr wraps a setter so that nil pointers append NULL.
	nullOr := func(set func(reflect.Value) error) func(reflect.Value) error {
		if !isPtr {
			return set
		}
		return func(v reflect.Value) error {
			if v.IsNil() {
				if !f.Nullable {
					return fmt.Errorf("value is required")
				}
				fb.AppendNull()
				return nil
			}
			return set(v.Elem())
		}
	}
	if isPtr && !f.Nullable {
		return nil, fmt.Errorf("pointer field %s for a NOT NULL column", sf.Name)
	}
	mismatch := fmt.Errorf("field %s of type %s cannot fill a %s column", sf.Name, sf.Type, f.Type)

	switch bt := fb.(type) {
	case *array.StringBuilder:
		if gt.Kind() != reflect.String {
			return nil, mismatch
		}
		return func(v reflect.Value) error {
			s := v.String()
			if s == "" && f.Nullable {
				bt.AppendNull()
				return nil
			}
			bt.Append(s)
			return nil
		}, nil
	case *array.Int64Builder:
		if gt.Kind() != reflect.Int64 {
			return nil, mismatch
		}
		return nullOr(func(v reflect.Value) error { bt.Append(v.Int()); return nil }), nil
	case *array.Float64Builder:
		if gt.Kind() != reflect.Float64 {
			return nil, mismatch
		}
		return nullOr(func(v reflect.Value) error { bt.Append(v.Float()); return nil }), nil
	case *array.BooleanBuilder:
		if gt.Kind() != reflect.Bool {
			return nil, mismatch
		}
		return nullOr(func(v reflect.Value) error { bt.Append(v.Bool()); return nil }), nil
	case *array.Date32Builder:
		if gt != timeType {
			return nil, mismatch
		}
		return nullOr(func(v reflect.Value) error {
			t := v.Interface().(time.Time)
			if t.IsZero() {
				return fmt.Errorf("date is required")
			}
			bt.Append(DateOf(t))
			return nil
		}), nil
	case *array.TimestampBuilder:
		if gt != timeType {
			return nil, mismatch
		}
		return nullOr(func(v reflect.Value) error {
			t := v.Interface().(time.Time)
			if t.IsZero() {
				return fmt.Errorf("timestamp is required")
			}
			bt.Append(arrow.Timestamp(t.UnixMicro()))
			return nil
		}), nil
	case *array.Decimal128Builder:
		if gt != decimalType {
			return nil, mismatch
		}
		dt := f.Type.(*arrow.Decimal128Type)
		return nullOr(func(v reflect.Value) error {
			n, err := DecimalToArrow(v.Interface().(decimal.Decimal), dt)
			if err != nil {
				return err
			}
			bt.Append(n)
			return nil
		}), nil
	case *array.ListBuilder:
		if gt.Kind() != reflect.Slice || gt.Elem().Kind() != reflect.String {
			return nil, mismatch
		}
		vb := bt.ValueBuilder().(*array.StringBuilder)
		return func(v reflect.Value) error {
			if v.IsNil() {
				bt.AppendNull()
				return nil
			}
			bt.Append(true)
			for i := range v.Len() {
				vb.Append(v.Index(i).String())
			}
			return nil
		}, nil
	}
	return nil, fmt.Errorf("unsupported column type %s", f.Type)
}

// DateOf converts the calendar day of t (in t's own location) to an Arrow date.
func DateOf(t time.Time) arrow.Date32 {
	y, m, d := t.Date()
	return arrow.Date32FromTime(time.Date(y, m, d, 0, 0, 0, 0, time.UTC))
}

// DecimalToArrow converts d to the column's decimal type exactly: a value with
// more fractional digits than the column's scale, or more digits than its
// precision, is an error rather than a silent rounding.
func DecimalToArrow(d decimal.Decimal, dt *arrow.Decimal128Type) (decimal128.Num, error) {
	scaled := d.Shift(dt.Scale)
	if !scaled.Equal(scaled.Truncate(0)) {
		return decimal128.Num{}, fmt.Errorf("%s has more than %d decimals", d, dt.Scale)
	}
	bi := scaled.BigInt()
	n := decimal128.FromBigInt(bi)
	if !n.FitsInPrecision(dt.Precision) {
		return decimal128.Num{}, fmt.Errorf("%s does not fit DECIMAL(%d,%d)", d, dt.Precision, dt.Scale)
	}
	return n, nil
}

// ParseMoney parses a decimal string as APIs send money ("12.34", "107.530000000000033"),
// rounding half away from zero to the column's scale. Platforms send long
// tails of float noise (LinkedIn) that carry no cents; rounding them is
// correct, while DecimalToArrow stays strict for values we compute.
func ParseMoney(s string, dt *arrow.Decimal128Type) (decimal.Decimal, error) {
	d, err := decimal.NewFromString(s)
	if err != nil {
		return decimal.Decimal{}, fmt.Errorf("not a decimal number: %q", s)
	}
	return d.Round(dt.Scale), nil
}

// Money4 and Money2 are the decimal types of ad money and revenue columns.
var (
	Money4 = typeMoney4
	Money2 = typeMoney2
)

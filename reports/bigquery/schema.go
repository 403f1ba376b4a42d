package bigquery

import (
	"fmt"

	"cloud.google.com/go/bigquery"
	"github.com/apache/arrow-go/v18/arrow"
)

// NUMERIC holds 29 integer and 9 fractional digits; a decimal beyond
// either goes to BIGNUMERIC. The marts' DECIMAL(18,2) money and
// DECIMAL(18,4) rates are NUMERIC; DECIMAL(38,x) sums are BIGNUMERIC.
const (
	numericIntDigits   = 29
	numericScaleDigits = 9
)

// Schema derives the BigQuery schema of a mart from its Arrow schema (the
// schema DuckDB returns and the Parquet file stores), so the table is
// created with the types the load will deliver rather than whatever
// BigQuery would infer. Nullable fields are NULLABLE, others REQUIRED;
// lists are REPEATED fields of their element type.
func Schema(s *arrow.Schema) (bigquery.Schema, error) {
	out := make(bigquery.Schema, 0, s.NumFields())
	for _, f := range s.Fields() {
		fs, err := fieldSchema(f)
		if err != nil {
			return nil, err
		}
		out = append(out, fs)
	}
	return out, nil
}

func fieldSchema(f arrow.Field) (*bigquery.FieldSchema, error) {
	fs := &bigquery.FieldSchema{Name: f.Name, Required: !f.Nullable}
	dt := f.Type
	switch t := dt.(type) {
	case arrow.ListLikeType:
		// BigQuery has no nullable or nested arrays: a list is a REPEATED
		// field of its element (NULL lists load as empty).
		elem := t.ElemField()
		if _, nested := elem.Type.(arrow.ListLikeType); nested {
			return nil, fmt.Errorf("column %s: %s: %w", f.Name, dt, ErrUnsupportedType)
		}
		inner, err := fieldSchema(arrow.Field{Name: f.Name, Type: elem.Type, Nullable: true})
		if err != nil {
			return nil, err
		}
		inner.Repeated, inner.Required = true, false
		return inner, nil
	case *arrow.StructType:
		fs.Type = bigquery.RecordFieldType
		for _, sf := range t.Fields() {
			c, err := fieldSchema(sf)
			if err != nil {
				return nil, fmt.Errorf("column %s: %w", f.Name, err)
			}
			fs.Schema = append(fs.Schema, c)
		}
		return fs, nil
	case *arrow.DictionaryType:
		// DuckDB ENUMs arrive as dictionaries; BigQuery stores the values.
		return fieldSchema(arrow.Field{Name: f.Name, Type: t.ValueType, Nullable: f.Nullable})
	case arrow.DecimalType:
		p, s := t.GetPrecision(), t.GetScale()
		if s <= numericScaleDigits && p-s <= numericIntDigits {
			fs.Type = bigquery.NumericFieldType
		} else {
			fs.Type = bigquery.BigNumericFieldType
		}
		return fs, nil
	case *arrow.TimestampType:
		// A zone means an instant (DuckDB TIMESTAMPTZ, stored in Parquet as
		// UTC-adjusted); without one it is a wall-clock DATETIME.
		if t.TimeZone != "" {
			fs.Type = bigquery.TimestampFieldType
		} else {
			fs.Type = bigquery.DateTimeFieldType
		}
		return fs, nil
	}
	switch dt.ID() {
	case arrow.BOOL:
		fs.Type = bigquery.BooleanFieldType
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64,
		arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64:
		fs.Type = bigquery.IntegerFieldType
	case arrow.FLOAT16, arrow.FLOAT32, arrow.FLOAT64:
		fs.Type = bigquery.FloatFieldType
	case arrow.STRING, arrow.LARGE_STRING, arrow.STRING_VIEW:
		fs.Type = bigquery.StringFieldType
	case arrow.BINARY, arrow.LARGE_BINARY, arrow.BINARY_VIEW, arrow.FIXED_SIZE_BINARY:
		fs.Type = bigquery.BytesFieldType
	case arrow.DATE32, arrow.DATE64:
		fs.Type = bigquery.DateFieldType
	case arrow.TIME32, arrow.TIME64:
		fs.Type = bigquery.TimeFieldType
	default:
		return nil, fmt.Errorf("column %s: %s: %w", f.Name, dt, ErrUnsupportedType)
	}
	return fs, nil
}

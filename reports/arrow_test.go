package reports

import (
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
)

func TestKindFor(t *testing.T) {
	money := &arrow.Decimal128Type{Precision: 18, Scale: 2}
	hugeint := &arrow.Decimal128Type{Precision: 38, Scale: 0}
	f64 := arrow.PrimitiveTypes.Float64
	cases := []struct {
		name string
		typ  arrow.DataType
		want Kind
	}{
		{"spend", money, Money},
		{"prev_paid_social_cac", money, Money},
		{"conversions", hugeint, Integer}, // SUM(BIGINT) in DuckDB
		{"new_customers", arrow.PrimitiveTypes.Int64, Integer},
		{"impressions", arrow.PrimitiveTypes.Int32, Integer},
		{"attributed_conversions", f64, Number},
		{"roas", f64, Ratio},
		{"prev_roas", f64, Ratio},
		{"platform_roas", f64, Ratio},
		{"assist_ratio", f64, Ratio},
		{"roas_change", f64, Percent}, // a change is a percentage, even of ROAS
		{"ctr_rate", f64, Percent},
		{"ctr", f64, Percent},
		{"roi", f64, Percent},
		{"reconciliation_gap", f64, Percent},
		{"marginal_roas", f64, Ratio},
		{"click_share", f64, Percent},
		{"within_sla_pct", f64, Percent},
		{"engagement_rate", arrow.PrimitiveTypes.Float32, Percent},
		{"reconciliation_rate", &arrow.Decimal128Type{Precision: 9, Scale: 4}, Percent},
		{"credit", f64, Percent},
		{"revenue_credit", &arrow.Decimal128Type{Precision: 18, Scale: 2}, Money},
		{"week_start", arrow.FixedWidthTypes.Date32, Date},
		{"conversion_ts", &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}, Timestamp},
		{"is_new_customer", arrow.FixedWidthTypes.Boolean, Bool},
		{"channel", arrow.BinaryTypes.String, Text},
		{"channel", &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int8, ValueType: arrow.BinaryTypes.String}, Text},
		{"spend", &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int8, ValueType: money}, Money},
		{"tags", arrow.ListOf(arrow.BinaryTypes.String), Text},
		{"anything", arrow.Null, Text},
	}
	for _, tc := range cases {
		if got := KindFor(tc.name, tc.typ); got != tc.want {
			t.Errorf("KindFor(%q, %s) = %s, want %s", tc.name, tc.typ, got, tc.want)
		}
	}
}

// channelRecords builds two records of a mart_channel_weekly-like table
// with every type the marts use, NULLs included.
func channelRecords(t *testing.T, mem memory.Allocator) (*arrow.Schema, []arrow.RecordBatch) {
	t.Helper()
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "week_start", Type: arrow.FixedWidthTypes.Date32},
		{Name: "channel", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "platform", Type: &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int16, ValueType: arrow.BinaryTypes.String}, Nullable: true},
		{Name: "spend", Type: &arrow.Decimal128Type{Precision: 18, Scale: 2}, Nullable: true},
		{Name: "conversions", Type: &arrow.Decimal128Type{Precision: 38, Scale: 0}},
		{Name: "clicks", Type: arrow.PrimitiveTypes.Int32},
		{Name: "roas", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "click_share", Type: arrow.PrimitiveTypes.Float32},
		{Name: "first_seen", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}},
		{Name: "is_new", Type: arrow.FixedWidthTypes.Boolean},
		{Name: "nothing", Type: arrow.Null, Nullable: true},
		{Name: "tags", Type: arrow.ListOf(arrow.BinaryTypes.String)},
	}, nil)
	week := arrow.Date32FromTime(time.Date(2026, 11, 16, 0, 0, 0, 0, time.UTC))
	ts := time.Date(2026, 11, 17, 9, 30, 15, 123000000, time.UTC)
	var recs []arrow.RecordBatch
	for batch := range 2 {
		b := array.NewRecordBuilder(mem, schema)
		n := 2 + batch // 2 rows, then 3
		for i := range n {
			b.Field(0).(*array.Date32Builder).Append(week)
			if i == 1 {
				b.Field(1).AppendNull()
				b.Field(2).AppendNull()
				b.Field(3).AppendNull()
				b.Field(6).AppendNull()
			} else {
				b.Field(1).(*array.StringBuilder).Append("paid_social")
				if err := b.Field(2).(*array.BinaryDictionaryBuilder).AppendString("tiktok"); err != nil {
					t.Fatal(err)
				}
				b.Field(3).(*array.Decimal128Builder).Append(decimal128.FromI64(int64(123456 + i))) // 1234.56 + i cents
				b.Field(6).(*array.Float64Builder).Append(2.5)
			}
			b.Field(4).(*array.Decimal128Builder).Append(decimal128.FromI64(int64(10 * (batch + 1))))
			b.Field(5).(*array.Int32Builder).Append(int32(-i))
			b.Field(7).(*array.Float32Builder).Append(0.25)
			b.Field(8).(*array.TimestampBuilder).Append(arrow.Timestamp(ts.UnixMicro()))
			b.Field(9).(*array.BooleanBuilder).Append(i%2 == 0)
			b.Field(10).AppendNull()
			lb := b.Field(11).(*array.ListBuilder)
			lb.Append(true)
			lb.ValueBuilder().(*array.StringBuilder).AppendValues([]string{"a", "b"}, nil)
		}
		recs = append(recs, b.NewRecordBatch())
		b.Release()
	}
	return schema, recs
}

func TestFromArrow(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	schema, recs := channelRecords(t, mem)
	rdr, err := array.NewRecordReader(schema, recs)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		r.Release()
	}
	defer rdr.Release()

	got, err := FromArrow("mart_channel_weekly", rdr)
	if err != nil {
		t.Fatal(err)
	}
	wantCols := []Column{
		{"week_start", Date}, {"channel", Text}, {"platform", Text}, {"spend", Money},
		{"conversions", Integer}, {"clicks", Integer}, {"roas", Ratio}, {"click_share", Percent},
		{"first_seen", Timestamp}, {"is_new", Bool}, {"nothing", Text}, {"tags", Text},
	}
	if diff := cmp.Diff(wantCols, got.Columns); diff != "" {
		t.Errorf("columns (-want +got):\n%s", diff)
	}
	if len(got.Rows) != 5 || got.TotalRows != 0 || got.Len() != 5 {
		t.Fatalf("rows %d, TotalRows %d", len(got.Rows), got.TotalRows)
	}
	week := time.Date(2026, 11, 16, 0, 0, 0, 0, time.UTC)
	ts := time.Date(2026, 11, 17, 9, 30, 15, 123000000, time.UTC)
	want := [][]any{
		{week, "paid_social", "tiktok", decimal.RequireFromString("1234.56"), int64(10), int64(0), 2.5, 0.25, ts, true, nil, `["a","b"]`},
		{week, nil, nil, nil, int64(10), int64(-1), nil, 0.25, ts, false, nil, `["a","b"]`},
		{week, "paid_social", "tiktok", decimal.RequireFromString("1234.56"), int64(20), int64(0), 2.5, 0.25, ts, true, nil, `["a","b"]`},
		{week, nil, nil, nil, int64(20), int64(-1), nil, 0.25, ts, false, nil, `["a","b"]`},
		{week, "paid_social", "tiktok", decimal.RequireFromString("1234.58"), int64(20), int64(-2), 2.5, 0.25, ts, true, nil, `["a","b"]`},
	}
	decEq := cmp.Comparer(func(a, b decimal.Decimal) bool { return a.Equal(b) && a.Exponent() == b.Exponent() })
	if diff := cmp.Diff(want, got.Rows, decEq); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
	// Money keeps its scale: 1234.56 is printed with two decimals.
	if s := got.Rows[0][3].(decimal.Decimal).String(); s != "1234.56" {
		t.Errorf("spend prints %s", s)
	}
	if got.Rows[0][0].(time.Time).Location() != time.UTC {
		t.Error("dates are not UTC")
	}
}

func TestFromArrowErrors(t *testing.T) {
	if _, err := FromArrow("x", nil); err == nil {
		t.Error("nil reader accepted")
	}
	// A HUGEINT too large for int64 is an error naming the column and row.
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	schema := arrow.NewSchema([]arrow.Field{{Name: "conversions", Type: &arrow.Decimal128Type{Precision: 38, Scale: 0}}}, nil)
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	b.Field(0).(*array.Decimal128Builder).Append(decimal128.New(1, 0)) // 2^64
	rec := b.NewRecordBatch()
	defer rec.Release()
	rdr, _ := array.NewRecordReader(schema, []arrow.RecordBatch{rec})
	defer rdr.Release()
	_, err := FromArrow("mart_kpi_summary", rdr)
	if err == nil || err.Error() != "reports: table mart_kpi_summary: column conversions: row 1: value 18446744073709551616 is not an int64" {
		t.Errorf("err = %v", err)
	}
}

package files

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/metadata"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/shopspring/decimal"
)

var ledgerSchema = arrow.NewSchema([]arrow.Field{
	{Name: "conversion_id", Type: arrow.BinaryTypes.String},
	{Name: "conversion_ts", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}},
	{Name: "week_start", Type: arrow.FixedWidthTypes.Date32},
	{Name: "channel", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "credit", Type: arrow.PrimitiveTypes.Float64},
	{Name: "revenue_credit", Type: &arrow.Decimal128Type{Precision: 18, Scale: 2}, Nullable: true},
	{Name: "touches", Type: arrow.PrimitiveTypes.Int64},
	{Name: "is_new_customer", Type: arrow.FixedWidthTypes.Boolean},
}, nil)

// ledgerReader returns a reader over two records: rows
//
//	c1  2026-11-17T09:30:00.5Z  2026-11-16  paid_social  0.4          12.30  1  true
//	c1  …                       …           "a, \"b\""   0.1+0.2      NULL   2  false
//	c2  2026-11-18T00:00:00Z    2026-11-16  NULL         1            -0.05  3  true
func ledgerReader(t *testing.T, mem memory.Allocator) array.RecordReader {
	t.Helper()
	week := arrow.Date32FromTime(time.Date(2026, 11, 16, 0, 0, 0, 0, time.UTC))
	t1 := arrow.Timestamp(time.Date(2026, 11, 17, 9, 30, 0, 500_000_000, time.UTC).UnixMicro())
	t2 := arrow.Timestamp(time.Date(2026, 11, 18, 0, 0, 0, 0, time.UTC).UnixMicro())
	b := array.NewRecordBuilder(mem, ledgerSchema)
	defer b.Release()
	b.Field(0).(*array.StringBuilder).AppendValues([]string{"c1", "c1"}, nil)
	b.Field(1).(*array.TimestampBuilder).AppendValues([]arrow.Timestamp{t1, t1}, nil)
	b.Field(2).(*array.Date32Builder).AppendValues([]arrow.Date32{week, week}, nil)
	b.Field(3).(*array.StringBuilder).AppendValues([]string{"paid_social", `a, "b"`}, nil)
	tenth, fifth := 0.1, 0.2 // variables: a constant 0.1+0.2 is exactly 0.3
	b.Field(4).(*array.Float64Builder).AppendValues([]float64{0.4, tenth + fifth}, nil)
	b.Field(5).(*array.Decimal128Builder).AppendValues([]decimal128.Num{decimal128.FromI64(1230), {}}, []bool{true, false})
	b.Field(6).(*array.Int64Builder).AppendValues([]int64{1, 2}, nil)
	b.Field(7).(*array.BooleanBuilder).AppendValues([]bool{true, false}, nil)
	r1 := b.NewRecordBatch()
	defer r1.Release()
	b.Field(0).(*array.StringBuilder).Append("c2")
	b.Field(1).(*array.TimestampBuilder).Append(t2)
	b.Field(2).(*array.Date32Builder).Append(week)
	b.Field(3).AppendNull()
	b.Field(4).(*array.Float64Builder).Append(1)
	b.Field(5).(*array.Decimal128Builder).Append(decimal128.FromI64(-5))
	b.Field(6).(*array.Int64Builder).Append(3)
	b.Field(7).(*array.BooleanBuilder).Append(true)
	r2 := b.NewRecordBatch()
	defer r2.Release()
	rdr, err := array.NewRecordReader(ledgerSchema, []arrow.RecordBatch{r1, r2})
	if err != nil {
		t.Fatal(err)
	}
	return rdr
}

// ledgerValues are ledgerReader's values as arrow-go prints them, column
// by column.
var ledgerValues = []string{
	"c1", "c1", "c2",
	"2026-11-17T09:30:00.5Z", "2026-11-17T09:30:00.5Z", "2026-11-18T00:00:00Z",
	"2026-11-16", "2026-11-16", "2026-11-16",
	"paid_social", `a, "b"`, "(null)",
	"0.4", "0.30000000000000004", "1",
	"12.3", "(null)", "-0.05",
	"1", "2", "3",
	"true", "false", "true",
}

// columnValues renders a table's values column by column, record by record.
func columnValues(tbl arrow.Table) []string {
	tr := array.NewTableReader(tbl, -1)
	defer tr.Release()
	var out []string
	for tr.Next() {
		rec := tr.RecordBatch()
		for c := range int(rec.NumCols()) {
			for r := range int(rec.NumRows()) {
				out = append(out, rec.Column(c).ValueStr(r))
			}
		}
	}
	return out
}

func checkOutput(t *testing.T, out Output, kind, path string, rows int64) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	if out.Kind != kind || out.Path != path || out.Rows != rows || out.Bytes != int64(len(b)) || out.SHA256 != hex.EncodeToString(sum[:]) {
		t.Errorf("Output %+v does not describe the file (%d bytes, sha256 %x, %d rows)", out, len(b), sum, rows)
	}
}

func TestWriteParquetRoundTrip(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rdr := ledgerReader(t, mem)
	defer rdr.Release()
	path := filepath.Join(t.TempDir(), "attribution_ledger.parquet")
	out, err := WriteParquet(t.Context(), path, rdr)
	if err != nil {
		t.Fatal(err)
	}
	checkOutput(t, out, "parquet", path, 3)

	pf, err := file.OpenParquetFile(path, false)
	if err != nil {
		t.Fatal(err)
	}
	defer pf.Close()
	if pf.NumRowGroups() != 1 {
		t.Errorf("%d row groups, want the two records buffered into one", pf.NumRowGroups())
	}
	// The Parquet logical types are what BigQuery and DuckDB see.
	sc := pf.MetaData().Schema
	for col, want := range map[string]string{"revenue_credit": "Decimal(precision=18, scale=2)", "week_start": "Date", "conversion_ts": "Timestamp(isAdjustedToUTC=true, timeUnit=microseconds, is_from_converted_type=false, force_set_converted_type=false)"} {
		if got := sc.Column(sc.ColumnIndexByName(col)).LogicalType().String(); got != want {
			t.Errorf("%s logical type %s, want %s", col, got, want)
		}
	}
	tbl := readArrowTable(t, pf, mem)
	defer tbl.Release()
	// Field metadata gains PARQUET:field_id; names, types and nullability
	// must come back exactly.
	for i, want := range ledgerSchema.Fields() {
		got := tbl.Schema().Field(i)
		if got.Name != want.Name || !arrow.TypeEqual(got.Type, want.Type) || got.Nullable != want.Nullable {
			t.Errorf("field %d read back as %s, want %s", i, got, want)
		}
	}
	got, want := columnValues(tbl), ledgerValues
	if len(got) != len(want) {
		t.Fatalf("read back %d values, want %d: %q", len(got), len(want), got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("value %d = %q, want %q", i, got[i], want[i])
		}
	}
}

func TestWriteCSV(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rdr := ledgerReader(t, mem)
	defer rdr.Release()
	path := filepath.Join(t.TempDir(), "ledger.csv")
	out, err := WriteCSV(t.Context(), path, rdr)
	if err != nil {
		t.Fatal(err)
	}
	checkOutput(t, out, "csv", path, 3)
	b, _ := os.ReadFile(path)
	want := `conversion_id,conversion_ts,week_start,channel,credit,revenue_credit,touches,is_new_customer
c1,2026-11-17T09:30:00.5Z,2026-11-16,paid_social,0.4,12.30,1,true
c1,2026-11-17T09:30:00.5Z,2026-11-16,"a, ""b""",0.30000000000000004,,2,false
c2,2026-11-18T00:00:00Z,2026-11-16,,1,-0.05,3,true
`
	if string(b) != want {
		t.Errorf("csv:\n%s\nwant:\n%s", b, want)
	}
}

// A cancelled or failed write leaves the previous file byte for byte.
func TestWritersKeepOldFileOnFailure(t *testing.T) {
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	writers := map[string]func(context.Context, string, array.RecordReader) (Output, error){
		"parquet": WriteParquet, "csv": WriteCSV,
	}
	for name, write := range writers {
		t.Run(name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			dir := t.TempDir()
			path := filepath.Join(dir, "mart."+name)
			os.WriteFile(path, []byte("last week"), 0o644)
			rdr := ledgerReader(t, mem)
			defer rdr.Release()
			if _, err := write(cancelled, path, rdr); !errors.Is(err, context.Canceled) {
				t.Fatalf("err = %v, want context.Canceled", err)
			}
			if b, _ := os.ReadFile(path); string(b) != "last week" {
				t.Error("old file changed")
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 1 {
				t.Errorf("%d entries in the directory, want 1", len(entries))
			}
			if _, err := write(t.Context(), path, nil); !errors.Is(err, ErrNilReader) {
				t.Errorf("nil reader: %v", err)
			}
		})
	}
}

// scribbler is a RecordReader whose records are valid only until the next
// Next, like DuckDB's Arrow reader (its buffers are C memory, freed then).
// Next overwrites the string bytes of the previous record unless the caller
// retained it, which is what keeping memory alive means there.
type scribbler struct {
	schema *arrow.Schema
	recs   []arrow.RecordBatch
	cur    *heldRecord
}

// heldRecord counts the retains its caller takes.
type heldRecord struct {
	arrow.RecordBatch
	held int
}

func (r *heldRecord) Retain()  { r.held++; r.RecordBatch.Retain() }
func (r *heldRecord) Release() { r.held--; r.RecordBatch.Release() }

func (s *scribbler) Retain()                        {}
func (s *scribbler) Release()                       {}
func (s *scribbler) Schema() *arrow.Schema          { return s.schema }
func (s *scribbler) Record() arrow.RecordBatch      { return s.cur }
func (s *scribbler) RecordBatch() arrow.RecordBatch { return s.cur }
func (s *scribbler) Err() error                     { return nil }

func (s *scribbler) Next() bool {
	if s.cur != nil && s.cur.held <= 0 {
		for _, col := range s.cur.Columns() {
			if str, ok := col.(*array.String); ok {
				data := str.ValueBytes()
				for i := range data {
					data[i] = 'X'
				}
			}
		}
	}
	if len(s.recs) == 0 {
		s.cur = nil
		return false
	}
	s.cur = &heldRecord{RecordBatch: s.recs[0]}
	s.recs = s.recs[1:]
	return true
}

// TestWriteParquetKeepsRecordsUntilClose: the buffered writer reads earlier
// records again when it flushes a page (their min/max statistics), so it
// must hold them; with DuckDB's reader, not holding them was a segfault.
func TestWriteParquetKeepsRecordsUntilClose(t *testing.T) {
	mem := memory.NewGoAllocator()
	schema := arrow.NewSchema([]arrow.Field{{Name: "id", Type: arrow.BinaryTypes.String}}, nil)
	var recs []arrow.RecordBatch
	for _, ids := range [][]string{{"a1", "z9"}, {"b2", "c3"}} {
		b := array.NewStringBuilder(mem)
		b.AppendValues(ids, nil)
		col := b.NewArray()
		recs = append(recs, array.NewRecordBatch(schema, []arrow.Array{col}, int64(len(ids))))
	}
	path := filepath.Join(t.TempDir(), "ids.parquet")
	if _, err := WriteParquet(t.Context(), path, &scribbler{schema: schema, recs: recs}); err != nil {
		t.Fatal(err)
	}
	pf, err := file.OpenParquetFile(path, false)
	if err != nil {
		t.Fatal(err)
	}
	defer pf.Close()
	cc, err := pf.MetaData().RowGroup(0).ColumnChunk(0)
	if err != nil {
		t.Fatal(err)
	}
	stats, err := cc.Statistics()
	if err != nil {
		t.Fatal(err)
	}
	s := stats.(*metadata.ByteArrayStatistics)
	if got := string(s.Min()) + ".." + string(s.Max()); got != "a1..z9" {
		t.Errorf("statistics %s, want a1..z9 (read from records the reader had already reused?)", got)
	}
	tbl := readArrowTable(t, pf, mem)
	defer tbl.Release()
	var got []string
	for _, chunk := range tbl.Column(0).Data().Chunks() {
		for i := range chunk.Len() {
			got = append(got, chunk.(*array.String).Value(i))
		}
	}
	if fmt.Sprint(got) != "[a1 z9 b2 c3]" {
		t.Errorf("values %v", got)
	}
}

// readArrowTable reads a whole Parquet file back as an Arrow table; the
// caller releases it.
func readArrowTable(t *testing.T, pf *file.Reader, mem memory.Allocator) arrow.Table {
	t.Helper()
	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{}, mem)
	if err != nil {
		t.Fatal(err)
	}
	tbl, err := fr.ReadTable(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return tbl
}

// decimalText prints what the decimal is, exactly at its scale: worked
// by hand, and against shopspring's exact text for any value (FuzzDecimalText).
func TestDecimalText(t *testing.T) {
	for _, tc := range []struct {
		n     decimal128.Num
		scale int32
		want  string
	}{
		{decimal128.FromI64(1230), 2, "12.30"},
		{decimal128.FromI64(-5), 2, "-0.05"},
		{decimal128.FromI64(5), 4, "0.0005"},
		{decimal128.FromI64(0), 2, "0.00"},
		{decimal128.FromI64(-100), 2, "-1.00"},
		{decimal128.FromI64(42), 0, "42"},
		{decimal128.FromI64(-42), 0, "-42"},
		{decimal128.FromI64(math.MaxInt64), 2, "92233720368547758.07"},
		{decimal128.FromI64(math.MinInt64), 2, "-92233720368547758.08"},
		{decimal128.FromI64(7), 20, "0.00000000000000000007"},
		// beyond int64: 2^64 = 18446744073709551616
		{decimal128.New(1, 0), 2, "184467440737095516.16"},
		{decimal128.New(-2, math.MaxUint64), 2, "-184467440737095516.17"},
	} {
		if got := decimalText(tc.n, tc.scale); got != tc.want {
			t.Errorf("decimalText(%s, %d) = %q, want %q", tc.n.BigInt(), tc.scale, got, tc.want)
		}
	}
}

func FuzzDecimalText(f *testing.F) {
	f.Add(int64(1230), uint64(0), int8(2))
	f.Add(int64(-1), uint64(math.MaxUint64), int8(4))
	f.Add(int64(0), uint64(math.MaxInt64+1), int8(2))
	f.Fuzz(func(t *testing.T, hi int64, lo uint64, scale int8) {
		if scale < 0 || scale > 38 {
			return
		}
		n := decimal128.New(hi, lo)
		want := decimal.NewFromBigInt(n.BigInt(), -int32(scale)).StringFixed(int32(scale))
		if got := decimalText(n, int32(scale)); got != want {
			t.Errorf("decimalText(%s, %d) = %q, want %q", n.BigInt(), scale, got, want)
		}
	})
}

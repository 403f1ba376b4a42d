package files

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/socialroi/socialroi/extract"
	"github.com/socialroi/socialroi/transform"
)

// Rewrite the want.csv files of the good cases with
//
//	go test ./extract/files -run TestCSVCases -update
var update = flag.Bool("update", false, "rewrite testdata/files/*/want.csv")

const casesDir = "../../testdata/files"

func checkedMem(t *testing.T) *memory.CheckedAllocator {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	t.Cleanup(func() { mem.AssertSize(t, 0) })
	return mem
}

func release(recs []arrow.RecordBatch) {
	for _, r := range recs {
		r.Release()
	}
}

// caseInput returns the input CSV of a case folder and the table it holds
// (the file's name).
func caseInput(t *testing.T, dir string) (path, table string) {
	t.Helper()
	matches, err := filepath.Glob(filepath.Join(dir, "*.csv"))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range matches {
		if filepath.Base(m) != "want.csv" {
			return m, strings.TrimSuffix(filepath.Base(m), ".csv")
		}
	}
	t.Fatalf("%s: no input csv", dir)
	return "", ""
}

// TestCSVCases walks testdata/files: each folder holds one <table>.csv and
// either want_error.txt (a substring of the expected error) or want.csv (the
// parsed records written back with WriteCSV, which shows every parsed value
// in canonical form: UTC timestamps, decimals at scale, lists). An optional
// timezone file sets the time zone of offset-less timestamps.
func TestCSVCases(t *testing.T) {
	dirs, err := os.ReadDir(casesDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		dir := filepath.Join(casesDir, d.Name())
		t.Run(d.Name(), func(t *testing.T) {
			mem := checkedMem(t)
			path, table := caseInput(t, dir)
			var opts []Option
			if tz, err := os.ReadFile(filepath.Join(dir, "timezone")); err == nil {
				loc, err := time.LoadLocation(strings.TrimSpace(string(tz)))
				if err != nil {
					t.Fatal(err)
				}
				opts = append(opts, WithLocation(loc))
			}
			recs, err := ReadTable(t.Context(), path, table, mem, opts...)
			defer release(recs)

			if wantErr, rerr := os.ReadFile(filepath.Join(dir, "want_error.txt")); rerr == nil {
				want := strings.TrimSpace(string(wantErr))
				if err == nil {
					t.Fatalf("no error, want %q", want)
				}
				if !strings.Contains(err.Error(), want) {
					t.Fatalf("error %q\nwant it to contain %q", err, want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := WriteCSV(&buf, recs...); err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join(dir, "want.csv")
			if *update {
				if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), buf.String()); diff != "" {
				t.Errorf("parsed %s differs (-want +got):\n%s", path, diff)
			}
		})
	}
}

// TestCSVValues pins a few parsed values by hand, independent of WriteCSV.
func TestCSVValues(t *testing.T) {
	mem := checkedMem(t)
	ny, _ := time.LoadLocation("America/New_York")
	recs, err := ReadTable(t.Context(), filepath.Join(casesDir, "conversions_export", "conversions.csv"), transform.Conversions, mem, WithLocation(ny))
	if err != nil {
		t.Fatal(err)
	}
	defer release(recs)
	want := []transform.ConversionRow{
		{ConversionID: "cv_1", PersonID: "p_1", TS: time.Date(2026, 11, 16, 9, 30, 0, 0, time.UTC), Type: "purchase",
			Revenue: decimal.RequireFromString("120.5"), Currency: "USD", IsNewCustomer: true, OrderID: "ord_1", PromoCodes: []string{"MAYA15"}, CRMSource: "shopify"},
		{ConversionID: "cv_2", PersonID: "p_2", TS: time.Date(2026, 11, 16, 15, 15, 0, 0, time.UTC), Type: "purchase",
			Revenue: decimal.RequireFromString("19.9"), Currency: "USD", OrderID: "ord_2", PromoCodes: []string{"TOM10", "WELCOME10"}, CRMSource: "shopify"},
		{ConversionID: "cv_3", TS: time.Date(2026, 11, 17, 13, 0, 0, 250e6, time.UTC), Type: "signup",
			Revenue: decimal.Zero, Currency: "USD", CRMSource: "shopify"},
		{ConversionID: "cv_4", PersonID: "p_4", TS: time.Date(2026, 11, 18, 4, 59, 59, 999999e3, time.UTC), Type: "purchase",
			Revenue: decimal.RequireFromString("1000000"), Currency: "USD", IsNewCustomer: true, OrderID: "ord_3", PromoCodes: []string{"A", "B"}, CRMSource: "shopify"},
		{ConversionID: "cv_5", PersonID: "p_5", TS: time.Date(2026, 11, 18, 5, 0, 0, 0, time.UTC), Type: "lead",
			Revenue: decimal.Zero, Currency: "USD", PromoCodes: []string{}, CRMSource: "hubspot"},
	}
	wantRec, err := transform.BuildRecord(mem, transform.Conversions, want)
	if err != nil {
		t.Fatal(err)
	}
	defer wantRec.Release()
	if len(recs) != 1 || !array.RecordEqual(wantRec, recs[0]) {
		t.Errorf("parsed conversions differ:\nwant %v\ngot  %v", wantRec, recs)
	}
}

func TestCSVBatches(t *testing.T) {
	mem := checkedMem(t)
	var b strings.Builder
	b.WriteString("anonymous_id,person_id\n")
	for i := range 10 {
		b.WriteString("a" + string(rune('0'+i)) + ",p\n")
	}
	recs, err := ReadCSV(t.Context(), strings.NewReader(b.String()), "ids.csv", transform.Identities, mem, WithBatchSize(4))
	if err != nil {
		t.Fatal(err)
	}
	defer release(recs)
	var sizes []int64
	for _, r := range recs {
		sizes = append(sizes, r.NumRows())
	}
	if diff := cmp.Diff([]int64{4, 4, 2}, sizes); diff != "" {
		t.Errorf("batch sizes (-want +got):\n%s", diff)
	}
}

func TestDefaultsAndRowIDs(t *testing.T) {
	mem := checkedMem(t)
	in := "person_id,ts,utm_source\np_1,2026-11-16T08:00:00Z,facebook\np_2,2026-11-16T09:00:00Z,\n"
	recs, err := ReadCSV(t.Context(), strings.NewReader(in), "tp.csv", transform.Touchpoints, mem,
		WithRowID("touchpoint_id", "tp.csv:"), WithDefault("interaction", "click"), WithDefault("source", "file"))
	if err != nil {
		t.Fatal(err)
	}
	defer release(recs)
	ids := recs[0].Column(0).(*array.String)
	if ids.Value(0) != "tp.csv:2" || ids.Value(1) != "tp.csv:3" {
		t.Errorf("row ids = %v", ids)
	}
	if _, err := ReadCSV(t.Context(), strings.NewReader(in), "tp.csv", transform.Touchpoints, mem); !errors.Is(err, ErrMissingColumn) {
		t.Errorf("without defaults: err = %v, want ErrMissingColumn", err)
	}
}

func TestErrorsAreTyped(t *testing.T) {
	mem := checkedMem(t)
	_, err := ReadTable(t.Context(), filepath.Join(casesDir, "bad_decimal", "conversions.csv"), transform.Conversions, mem)
	var ve *ValueError
	if !errors.As(err, &ve) || !errors.Is(err, ErrBadValue) || ve.Line != 4 || ve.Column != "revenue" {
		t.Errorf("err = %#v, want a *ValueError at line 4, column revenue", err)
	}
	_, err = ReadTable(t.Context(), "x.xlsx", transform.Conversions, mem)
	if !errors.Is(err, ErrFormat) {
		t.Errorf("xlsx: err = %v, want ErrFormat", err)
	}
	_, err = ReadTable(t.Context(), filepath.Join(casesDir, "bad_decimal", "conversions.csv"), "orders", mem)
	if err == nil || !strings.Contains(err.Error(), "not a canonical table") {
		t.Errorf("unknown table: err = %v", err)
	}
}

func sampleConversions() []transform.ConversionRow {
	return []transform.ConversionRow{
		{ConversionID: "cv_1", PersonID: "p_1", TS: time.Date(2026, 11, 16, 9, 30, 0, 123000, time.UTC), Type: "purchase",
			Revenue: decimal.RequireFromString("120.50"), Currency: "USD", IsNewCustomer: true, OrderID: "ord_1", PromoCodes: []string{"MAYA15", "A|B"}, CRMSource: "shopify"},
		{ConversionID: "cv_2", TS: time.Date(2026, 11, 17, 0, 0, 0, 0, time.UTC), Type: "signup",
			Revenue: decimal.Zero, Currency: "USD", PromoCodes: []string{}, CRMSource: "shopify"},
		{ConversionID: "cv_3", PersonID: "p_3", TS: time.Date(2026, 11, 18, 23, 59, 59, 0, time.UTC), Type: "purchase",
			Revenue: decimal.RequireFromString("-5.25"), Currency: "EUR", OrderID: "ord_2", PromoCodes: []string{""}, CRMSource: "shopify"},
	}
}

func TestParquetRoundTrip(t *testing.T) {
	mem := checkedMem(t)
	want, err := transform.BuildRecord(mem, transform.Conversions, sampleConversions())
	if err != nil {
		t.Fatal(err)
	}
	defer want.Release()
	var buf bytes.Buffer
	if err := WriteParquet(&buf, mem, want); err != nil {
		t.Fatal(err)
	}
	recs, err := ReadParquet(t.Context(), bytes.NewReader(buf.Bytes()), "conversions.parquet", transform.Conversions, mem)
	if err != nil {
		t.Fatal(err)
	}
	defer release(recs)
	if len(recs) != 1 || !array.RecordEqual(want, recs[0]) {
		t.Errorf("round trip differs:\nwant %v\ngot  %v", want, recs)
	}

	// And through CSV, for the lists that need the JSON form.
	var text bytes.Buffer
	if err := WriteCSV(&text, want); err != nil {
		t.Fatal(err)
	}
	back, err := ReadCSV(t.Context(), &text, "conversions.csv", transform.Conversions, mem)
	if err != nil {
		t.Fatal(err)
	}
	defer release(back)
	if len(back) != 1 || !array.RecordEqual(want, back[0]) {
		t.Errorf("csv round trip differs:\nwant %v\ngot  %v", want, back)
	}
}

// TestParquetConversion reads a Parquet file as pandas or a warehouse export
// would write it: ids as integers, money as doubles, a naive millisecond
// timestamp, a list as a pipe string, an extra column, a missing nullable one.
func TestParquetConversion(t *testing.T) {
	mem := checkedMem(t)
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "conversion_id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "person_id", Type: arrow.BinaryTypes.LargeString, Nullable: true},
		{Name: "TS", Type: &arrow.TimestampType{Unit: arrow.Millisecond}},
		{Name: "type", Type: &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int8, ValueType: arrow.BinaryTypes.String}},
		{Name: "revenue", Type: arrow.PrimitiveTypes.Float64},
		{Name: "currency", Type: arrow.BinaryTypes.String},
		{Name: "is_new_customer", Type: arrow.FixedWidthTypes.Boolean},
		{Name: "promo_codes", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "crm_source", Type: arrow.BinaryTypes.String},
		{Name: "utm_whatever", Type: arrow.PrimitiveTypes.Int32},
	}, nil)
	build := func(revenue float64) arrow.RecordBatch {
		rb := array.NewRecordBuilder(mem, schema)
		defer rb.Release()
		rb.Field(0).(*array.Int64Builder).AppendValues([]int64{1001, 1002}, nil)
		rb.Field(1).(*array.LargeStringBuilder).AppendValues([]string{"p_1", ""}, []bool{true, false})
		ms := time.Date(2026, 11, 16, 9, 30, 0, 0, time.UTC).UnixMilli()
		rb.Field(2).(*array.TimestampBuilder).AppendValues([]arrow.Timestamp{arrow.Timestamp(ms), arrow.Timestamp(ms + 1500)}, nil)
		db := rb.Field(3).(*array.BinaryDictionaryBuilder)
		_ = db.AppendString("purchase")
		_ = db.AppendString("purchase")
		rb.Field(4).(*array.Float64Builder).AppendValues([]float64{12.34, revenue}, nil)
		rb.Field(5).(*array.StringBuilder).AppendValues([]string{"USD", "USD"}, nil)
		rb.Field(6).(*array.BooleanBuilder).AppendValues([]bool{true, false}, nil)
		rb.Field(7).(*array.StringBuilder).AppendValues([]string{"MAYA15|TOM10", ""}, []bool{true, false})
		rb.Field(8).(*array.StringBuilder).AppendValues([]string{"shopify", "shopify"}, nil)
		rb.Field(9).(*array.Int32Builder).AppendValues([]int32{7, 8}, nil)
		return rb.NewRecordBatch()
	}
	write := func(rec arrow.RecordBatch) []byte {
		defer rec.Release()
		var buf bytes.Buffer
		if err := WriteParquet(&buf, mem, rec); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}

	ny, _ := time.LoadLocation("America/New_York")
	good := write(build(99.9))
	recs, err := ReadParquet(t.Context(), bytes.NewReader(good), "orders.parquet", transform.Conversions, mem, WithLocation(ny))
	if err != nil {
		t.Fatal(err)
	}
	defer release(recs)
	want, err := transform.BuildRecord(mem, transform.Conversions, []transform.ConversionRow{
		{ConversionID: "1001", PersonID: "p_1", TS: time.Date(2026, 11, 16, 14, 30, 0, 0, time.UTC), Type: "purchase",
			Revenue: decimal.RequireFromString("12.34"), Currency: "USD", IsNewCustomer: true, PromoCodes: []string{"MAYA15", "TOM10"}, CRMSource: "shopify"},
		{ConversionID: "1002", TS: time.Date(2026, 11, 16, 14, 30, 1, 500e6, time.UTC), Type: "purchase",
			Revenue: decimal.RequireFromString("99.9"), Currency: "USD", CRMSource: "shopify"},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer want.Release()
	if len(recs) != 1 || !array.RecordEqual(want, recs[0]) {
		t.Errorf("converted parquet differs:\nwant %v\ngot  %v", want, recs)
	}

	bad := write(build(12.345))
	_, err = ReadParquet(t.Context(), bytes.NewReader(bad), "orders.parquet", transform.Conversions, mem)
	wantMsg := `orders.parquet row 2: column revenue: "12.345": 12.345 has more than 2 decimals`
	if err == nil || err.Error() != wantMsg {
		t.Errorf("err = %v\nwant %s", err, wantMsg)
	}

	_, err = ReadParquet(t.Context(), bytes.NewReader(good), "orders.parquet", transform.Touchpoints, mem)
	if !errors.Is(err, ErrMissingColumn) || !strings.Contains(err.Error(), "touchpoint_id") {
		t.Errorf("missing column: err = %v", err)
	}
	_, err = ReadParquet(t.Context(), bytes.NewReader([]byte("not parquet at all")), "x.parquet", transform.Conversions, mem)
	if !errors.Is(err, ErrFormat) {
		t.Errorf("garbage: err = %v, want ErrFormat", err)
	}
}

// collector is an extract.Emitter that keeps what it is given.
type collector struct {
	recs map[string][]arrow.RecordBatch
}

func (c *collector) Emit(table string, rec arrow.RecordBatch) error {
	rec.Retain()
	c.recs[table] = append(c.recs[table], rec)
	return nil
}

func (c *collector) release() {
	for _, rs := range c.recs {
		release(rs)
	}
}

type yamlless Settings

// Dir: no config file, so paths stay as written.
func (s yamlless) Dir() string { return "" }

// Decode stands in for the config file's decoder.
func (s yamlless) Decode(v any) error {
	*(v.(*Settings)) = Settings(s)
	return nil
}

func TestSource(t *testing.T) {
	mem := checkedMem(t)
	dir := t.TempDir()
	rec, err := transform.BuildRecord(mem, transform.Conversions, sampleConversions())
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(filepath.Join(dir, "b.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	if err := WriteParquet(f, mem, rec); err != nil {
		t.Fatal(err)
	}
	rec.Release()
	src, err := os.ReadFile(filepath.Join(casesDir, "bad_decimal", "conversions.csv"))
	if err != nil {
		t.Fatal(err)
	}
	good := strings.Replace(string(src), `"12,x"`, "12.00", 1)
	if err := os.WriteFile(filepath.Join(dir, "a.csv"), []byte(good), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "ids.csv"), []byte("anonymous_id,person_id\nanon_1,p_1\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	kind, err := extract.Lookup(Kind)
	if err != nil {
		t.Fatal(err)
	}
	// A glob that also matches ids.csv fails the extraction on that file.
	s, err := kind.New("crm_export", yamlless{Tables: map[string]string{transform.Conversions: filepath.Join(dir, "*.*")}})
	if err != nil {
		t.Fatal(err)
	}
	failed := &collector{recs: map[string][]arrow.RecordBatch{}}
	defer failed.release()
	err = s.Extract(t.Context(), extract.Request{Mem: mem}, failed)
	if !errors.Is(err, ErrMissingColumn) || !strings.Contains(err.Error(), "ids.csv") {
		t.Errorf("conversions from ids.csv: err = %v, want a missing column naming ids.csv", err)
	}

	s, err = kind.New("crm_export", yamlless{Tables: map[string]string{
		transform.Conversions: filepath.Join(dir, "[ab].*"),
		transform.Identities:  filepath.Join(dir, "ids.csv"),
	}, Timezone: "Europe/Berlin"})
	if err != nil {
		t.Fatal(err)
	}
	c := &collector{recs: map[string][]arrow.RecordBatch{}}
	defer c.release()
	if err := s.Extract(t.Context(), extract.Request{Mem: mem}, c); err != nil {
		t.Fatal(err)
	}
	rows := map[string]int64{}
	for table, rs := range c.recs {
		for _, r := range rs {
			rows[table] += r.NumRows()
		}
	}
	if diff := cmp.Diff(map[string]int64{transform.Conversions: 6, transform.Identities: 1}, rows); diff != "" {
		t.Errorf("rows emitted (-want +got):\n%s", diff)
	}

	s, err = NewSource("crm_export", Settings{Tables: map[string]string{transform.Conversions: filepath.Join(dir, "none-*.csv")}})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Extract(t.Context(), extract.Request{Mem: mem}, c); !errors.Is(err, ErrNoFiles) {
		t.Errorf("no files: err = %v, want ErrNoFiles", err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	s, _ = NewSource("crm_export", Settings{Tables: map[string]string{transform.Identities: filepath.Join(dir, "ids.csv")}})
	if err := s.Extract(ctx, extract.Request{Mem: mem}, c); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: err = %v", err)
	}
}

func TestSettingsValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		s    Settings
		want string
	}{
		{"no tables", Settings{}, "name at least one canonical table"},
		{"unknown table", Settings{Tables: map[string]string{"orders": "x.csv"}}, "tables.orders: not a canonical table"},
		{"empty path", Settings{Tables: map[string]string{"conversions": ""}}, "tables.conversions: path is empty"},
		{"bad glob", Settings{Tables: map[string]string{"conversions": "[x.csv"}}, "bad glob"},
		{"bad zone", Settings{Tables: map[string]string{"conversions": "x.csv"}, Timezone: "Mars/Olympus"}, "not a known time zone"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.s.Validate()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Validate() = %v, want %q", err, tc.want)
			}
		})
	}
}

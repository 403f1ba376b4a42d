package files

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/google/go-cmp/cmp"

	"github.com/socialroi/socialroi/extract"
	"github.com/socialroi/socialroi/transform"
)

// scanner is an emitter that also takes Parquet files to scan in place, like
// the pipeline's.
type scanner struct {
	collector
	files map[string][]extract.ParquetFile
}

func (s *scanner) EmitParquet(table string, f extract.ParquetFile) error {
	s.files[table] = append(s.files[table], f)
	return nil
}

// TestDirectParquet: a file whose metadata proves it canonical is handed over
// in place; any other goes through the converting reader, which converts it
// or names the bad row.
func TestDirectParquet(t *testing.T) {
	mem := checkedMem(t)
	canonical, err := transform.BuildRecord(mem, transform.Conversions, sampleConversions())
	if err != nil {
		t.Fatal(err)
	}
	defer canonical.Release()
	identity := map[string]string{}
	for _, f := range canonical.Schema().Fields() {
		identity[f.Name] = f.Name
	}
	upper := map[string]string{}
	for k := range identity {
		upper[k] = strings.ToUpper(k)
	}

	cases := []struct {
		file    string // default conversions.parquet
		name    string
		rec     func() arrow.RecordBatch
		columns map[string]string // want scanned in place with this mapping; nil: read in Go
		wantErr bool
	}{
		{"", "canonical", func() arrow.RecordBatch { canonical.Retain(); return canonical }, identity, false},
		{"conversions[1].parquet", "canonical, a name DuckDB would read as a glob", func() arrow.RecordBatch { canonical.Retain(); return canonical }, nil, false},
		{"", "canonical, names in upper case", func() arrow.RecordBatch {
			return renamed(canonical, strings.ToUpper)
		}, upper, false},
		{"", "without the optional order id", func() arrow.RecordBatch {
			return without(canonical, "order_id")
		}, withoutKey(identity, "order_id"), false},
		{"", "order id as an integer", func() arrow.RecordBatch {
			return withColumn(t, mem, canonical, "order_id", arrow.PrimitiveTypes.Int64, true, func(b array.Builder, i int) {
				b.(*array.Int64Builder).Append(int64(i + 1))
			})
		}, nil, false},
		{"", "a null conversion id in a nullable column", func() arrow.RecordBatch {
			return withColumn(t, mem, canonical, "conversion_id", arrow.BinaryTypes.String, true, func(b array.Builder, i int) {
				if i == 1 {
					b.AppendNull()
					return
				}
				b.(*array.StringBuilder).Append("cv")
			})
		}, nil, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			name := "conversions.parquet"
			if tc.file != "" {
				name = tc.file
			}
			path := filepath.Join(dir, name)
			f, err := os.Create(path)
			if err != nil {
				t.Fatal(err)
			}
			rec := tc.rec()
			err = WriteParquet(f, mem, rec)
			rec.Release()
			f.Close()
			if err != nil {
				t.Fatal(err)
			}
			// the setting is a glob: the file's own name, escaped
			pattern := filepath.Join(dir, strings.NewReplacer("[", `\[`, "]", `\]`).Replace(name))
			src, err := NewSource("crm", Settings{Tables: map[string]string{transform.Conversions: pattern}})
			if err != nil {
				t.Fatal(err)
			}
			s := &scanner{collector: collector{recs: map[string][]arrow.RecordBatch{}}, files: map[string][]extract.ParquetFile{}}
			defer s.release()
			err = src.Extract(t.Context(), extract.Request{Mem: mem}, s)
			if tc.wantErr {
				var ve *ValueError
				if !errors.As(err, &ve) || ve.Row != 2 || ve.Column != "conversion_id" {
					t.Fatalf("err = %v, want a ValueError at row 2, column conversion_id", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tc.columns == nil {
				if len(s.files) != 0 || len(s.recs[transform.Conversions]) == 0 {
					t.Fatalf("want the file read in Go, got files %v and %d records", s.files, len(s.recs[transform.Conversions]))
				}
				return
			}
			want := []extract.ParquetFile{{Path: path, Columns: tc.columns, Rows: 3}}
			if diff := cmp.Diff(want, s.files[transform.Conversions]); diff != "" || len(s.recs) != 0 {
				t.Errorf("files (-want +got):\n%s\nrecords: %d", diff, len(s.recs))
			}
		})
	}
}

// renamed is rec with its columns renamed.
func renamed(rec arrow.RecordBatch, name func(string) string) arrow.RecordBatch {
	fields := make([]arrow.Field, rec.NumCols())
	for i, f := range rec.Schema().Fields() {
		f.Name = name(f.Name)
		fields[i] = f
	}
	return array.NewRecordBatch(arrow.NewSchema(fields, nil), rec.Columns(), rec.NumRows())
}

// withColumn is rec with one column replaced by values of another type.
func withColumn(t *testing.T, mem memory.Allocator, rec arrow.RecordBatch, col string, typ arrow.DataType, nullable bool, value func(array.Builder, int)) arrow.RecordBatch {
	t.Helper()
	idx := rec.Schema().FieldIndices(col)
	if len(idx) != 1 {
		t.Fatalf("no column %s", col)
	}
	b := array.NewBuilder(mem, typ)
	defer b.Release()
	for i := range int(rec.NumRows()) {
		value(b, i)
	}
	arr := b.NewArray()
	defer arr.Release()
	fields := rec.Schema().Fields()
	fields[idx[0]] = arrow.Field{Name: col, Type: typ, Nullable: nullable}
	cols := append([]arrow.Array(nil), rec.Columns()...)
	cols[idx[0]] = arr
	return array.NewRecordBatch(arrow.NewSchema(fields, nil), cols, rec.NumRows())
}

// without is rec without one column.
func without(rec arrow.RecordBatch, col string) arrow.RecordBatch {
	var fields []arrow.Field
	var cols []arrow.Array
	for i, f := range rec.Schema().Fields() {
		if f.Name != col {
			fields = append(fields, f)
			cols = append(cols, rec.Column(i))
		}
	}
	return array.NewRecordBatch(arrow.NewSchema(fields, nil), cols, rec.NumRows())
}

func withoutKey(m map[string]string, key string) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		if k != key {
			out[k] = v
		}
	}
	return out
}

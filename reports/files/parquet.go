package files

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/socialroi/socialroi/reports"
)

// Output is what a writer reports about the file it wrote.
type Output = reports.Output

// rowGroupRows bounds a Parquet row group. DuckDB hands out records of 2,048
// rows; one row group each would make files slow to scan, so records are
// buffered into row groups of up to this many rows (about what DuckDB and
// BigQuery read best, at a memory cost of one row group per writer).
const rowGroupRows = 256 * 1024

// WriteParquet writes every record of rdr to a Parquet file at path.
//
// Snappy compression (read by BigQuery, DuckDB and Spark alike); the Arrow
// schema is stored in the file metadata so pqarrow readers get the exact
// Arrow types back (time zone of timestamps included). The caller keeps
// ownership of rdr. ctx is checked between records; on cancellation or any
// error the previous file at path, if any, is left as it was.
func WriteParquet(ctx context.Context, path string, rdr array.RecordReader) (Output, error) {
	if rdr == nil {
		return Output{}, fmt.Errorf("files: parquet %s: %w", path, ErrNilReader)
	}
	var rows int64
	size, sum, err := reports.WriteAtomic(path, func(out io.Writer) (err error) {
		// arrow-go's Parquet writer panics when its writer fails (a full
		// disk while writing the magic number, say). Keep the write error
		// and turn that panic back into it; any other panic is a bug and
		// goes on.
		w := &failWriter{w: out}
		defer func() {
			if p := recover(); p != nil {
				if w.err == nil {
					panic(p)
				}
				err = w.err
			}
		}()
		props := parquet.NewWriterProperties(
			parquet.WithCompression(compress.Codecs.Snappy),
			parquet.WithMaxRowGroupLength(rowGroupRows),
			parquet.WithCreatedBy("socialroi"),
		)
		fw, err := pqarrow.NewFileWriter(rdr.Schema(), w, props, pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
		if err != nil {
			return err
		}
		// A reader's record is valid only until its next Next, but the
		// buffered writer keeps pointing into earlier records (a page's
		// min/max statistics) until it flushes the row group. With DuckDB's
		// Arrow reader those buffers are C memory freed on Next: writing
		// from them segfaulted. Every record is kept until Close.
		var kept []arrow.RecordBatch
		defer func() {
			for _, r := range kept {
				r.Release()
			}
		}()
		for rdr.Next() {
			if err := ctx.Err(); err != nil {
				fw.Close()
				return err
			}
			rec := rdr.RecordBatch()
			rec.Retain()
			kept = append(kept, rec)
			if err := fw.WriteBuffered(rec); err != nil {
				fw.Close()
				return fmt.Errorf("record at row %d: %w", rows, err)
			}
			rows += rec.NumRows()
		}
		if err := rdr.Err(); err != nil {
			fw.Close()
			return fmt.Errorf("reading records: %w", err)
		}
		if err := fw.Close(); err != nil {
			return err
		}
		return w.err
	})
	if err != nil {
		return Output{}, fmt.Errorf("files: parquet %s: %w", path, err)
	}
	return Output{Kind: "parquet", Path: path, Rows: rows, Bytes: size, SHA256: sum}, nil
}

// failWriter remembers the first error of the writer under it.
type failWriter struct {
	w   io.Writer
	err error
}

func (f *failWriter) Write(p []byte) (int, error) {
	if f.err != nil {
		return 0, f.err
	}
	n, err := f.w.Write(p)
	if err != nil {
		f.err = err
	}
	return n, err
}

// An Execer runs a statement in the warehouse: a models.Reader.
type Execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// CopyParquet writes the rows of query, a SELECT run in the warehouse, to a
// Parquet file at path with DuckDB's own writer (COPY … TO).
//
// This is how the pipeline writes marts: DuckDB encodes in parallel, in
// C++, with no hand-over to Arrow, and at L it wrote the week's files in
// 8 s where WriteParquet took 13 s. The file holds no Arrow schema and
// needs none: Parquet's logical types keep DECIMAL(p,s) a decimal, DATE a
// date, TIMESTAMPTZ a UTC instant (arrow-go reads timestamp[us, UTC]) and
// VARCHAR[] a list of strings. Snappy compression and row groups of up to
// rowGroupRows rows, as WriteParquet; the rows keep query's ORDER BY.
// Atomic as WriteParquet; a cancelled ctx interrupts DuckDB. DuckDB
// writes straight into the temporary file that WriteAtomicFile removes on
// failure: with its own temporary file (USE_TMP_FILE, on when the target
// exists, as ours does), an interrupted COPY left that file behind.
func CopyParquet(ctx context.Context, db Execer, path, query string) (Output, error) {
	var rows int64
	size, sum, err := reports.WriteAtomicFile(path, func(tmp string) error {
		res, err := db.ExecContext(ctx, fmt.Sprintf("COPY (%s) TO %s (FORMAT parquet, COMPRESSION snappy, ROW_GROUP_SIZE %d, USE_TMP_FILE false)",
			query, quote(tmp), rowGroupRows))
		if err != nil {
			return err
		}
		rows, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return Output{}, fmt.Errorf("files: parquet %s: %w", path, err)
	}
	return Output{Kind: "parquet", Path: path, Rows: rows, Bytes: size, SHA256: sum}, nil
}

// quote makes s a SQL string literal, as models.Literal does: the writers
// take the warehouse only through Execer, not as a dependency.
func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

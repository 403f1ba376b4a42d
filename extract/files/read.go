package files

import (
	"compress/gzip"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Format is a file format this package reads.
type Format string

const (
	CSV     Format = "csv"
	Parquet Format = "parquet"
)

// FormatOf tells the format from the file name: .csv or .csv.gz is CSV,
// .parquet or .pq is Parquet.
func FormatOf(path string) (Format, bool) {
	p := strings.ToLower(path)
	switch {
	case strings.HasSuffix(p, ".csv"), strings.HasSuffix(p, ".csv.gz"):
		return CSV, true
	case strings.HasSuffix(p, ".parquet"), strings.HasSuffix(p, ".pq"):
		return Parquet, true
	}
	return "", false
}

func isParquet(path string) bool {
	f, _ := FormatOf(path)
	return f == Parquet
}

// ReadTable reads one CSV or Parquet file (by extension) into records of the
// named canonical table (batches of up to 64k rows unless WithBatchSize says
// otherwise). Errors name the file and, for bad values, the line or row and
// the column. The caller releases the records; on error none are returned.
func ReadTable(ctx context.Context, path, table string, mem memory.Allocator, opts ...Option) ([]arrow.RecordBatch, error) {
	return collect(func(emit func(arrow.RecordBatch) error) error {
		return readFile(ctx, path, table, mem, newOptions(opts), emit)
	})
}

// StreamTable reads one file like ReadTable, handing each record to emit
// as it is read instead of collecting them: emit takes its own reference
// if it keeps one, and the record is released when emit returns. A large
// file then needs no more memory than a batch.
func StreamTable(ctx context.Context, path, table string, mem memory.Allocator, emit func(arrow.RecordBatch) error, opts ...Option) error {
	return readFile(ctx, path, table, mem, newOptions(opts), emit)
}

// readFile streams one file into emit.
func readFile(ctx context.Context, path, table string, mem memory.Allocator, o options, emit func(arrow.RecordBatch) error) error {
	name := filepath.Base(path)
	format, ok := FormatOf(path)
	if !ok {
		return fmt.Errorf("%s: %w: unknown extension (want .csv, .csv.gz, .parquet or .pq)", path, ErrFormat)
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("files: %w", err)
	}
	defer f.Close()
	switch format {
	case Parquet:
		return readParquet(ctx, f, name, table, mem, o, emit)
	default:
		if strings.HasSuffix(strings.ToLower(path), ".gz") {
			zr, err := gzip.NewReader(f)
			if err != nil {
				return fmt.Errorf("%s: %w: %w", name, ErrFormat, err)
			}
			defer zr.Close()
			return readCSV(ctx, zr, name, table, mem, o, emit)
		}
		return readCSV(ctx, f, name, table, mem, o, emit)
	}
}

package files

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/socialroi/socialroi/transform"
)

// ReadCSV reads CSV text (header row, UTF-8, optional BOM) into records of the
// named canonical table. name is how errors refer to the input, usually the
// file name. The caller releases the records; on error none are returned.
func ReadCSV(ctx context.Context, r io.Reader, name, table string, mem memory.Allocator, opts ...Option) ([]arrow.RecordBatch, error) {
	return collect(func(emit func(arrow.RecordBatch) error) error {
		return readCSV(ctx, r, name, table, mem, newOptions(opts), emit)
	})
}

// collect gathers emitted records, releasing them all on error.
func collect(read func(emit func(arrow.RecordBatch) error) error) ([]arrow.RecordBatch, error) {
	var out []arrow.RecordBatch
	err := read(func(rec arrow.RecordBatch) error {
		rec.Retain()
		out = append(out, rec)
		return nil
	})
	if err != nil {
		for _, rec := range out {
			rec.Release()
		}
		return nil, err
	}
	return out, nil
}

// readCSV streams a CSV file into records, calling emit for each batch; emit
// takes its own reference.
func readCSV(ctx context.Context, r io.Reader, name, table string, mem memory.Allocator, o options, emit func(arrow.RecordBatch) error) error {
	tbl, err := transform.Lookup(table)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	br := bufio.NewReaderSize(r, 64*1024)
	if bom, _ := br.Peek(3); len(bom) == 3 && bom[0] == 0xEF && bom[1] == 0xBB && bom[2] == 0xBF {
		_, _ = br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.ReuseRecord = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return fmt.Errorf("%s: %w: empty file, expected a header row", name, ErrFormat)
	}
	if err != nil {
		return csvError(name, err)
	}
	header = append([]string(nil), header...)
	plan, err := planColumns(name, tbl, header, o)
	if err != nil {
		return err
	}
	plan.logExtra(o, name, table)

	rb := array.NewRecordBuilder(mem, tbl.Schema)
	defer rb.Release()
	fields := tbl.Schema.Fields()
	cells := make([]cellFunc, len(fields))
	for i, f := range fields {
		if cells[i], err = cellAppender(f, rb.Field(i), o.loc); err != nil {
			return fmt.Errorf("%s: column %s: %w", name, f.Name, err)
		}
	}

	rows := 0
	flush := func() error {
		if rows == 0 {
			return nil
		}
		rec := rb.NewRecordBatch()
		defer rec.Release()
		rows = 0
		return emit(rec)
	}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return csvError(name, err)
		}
		line, _ := cr.FieldPos(0)
		for i, f := range fields {
			var s string
			switch j := plan.src[i]; {
			case j >= 0:
				s = rec[j]
			case plan.hasID[i]:
				s = plan.rowID[i] + strconv.Itoa(line)
			default:
				s = plan.fill[i]
			}
			if err := cells[i](s); err != nil {
				return &ValueError{File: name, Line: line, Column: f.Name, Err: err}
			}
		}
		rows++
		if rows%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("%s line %d: %w", name, line, err)
			}
		}
		if rows >= o.batchSize {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

func csvError(name string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s line %d: %w: %w", name, pe.Line, ErrFormat, pe.Err)
	}
	return fmt.Errorf("%s: %w", name, err)
}

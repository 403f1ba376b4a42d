package models

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/shopspring/decimal"

	"github.com/socialroi/socialroi/transform"
)

// A streamed load holds at most streamBatchRows rows before appending them
// to its staging table, and lets go of every record it held, whether the
// stream ends or fails: with two rows a step, five one-row records are
// appended in three steps (2 + 2 + 1), and a failure after three records
// leaves nothing held.
func TestStageStreamInSteps(t *testing.T) {
	defer func(n int64) { streamBatchRows = n }(streamBatchRows)
	streamBatchRows = 2
	ctx := t.Context()
	w, err := Open(ctx, ":memory:", Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if err := w.EnsureTables(ctx); err != nil {
		t.Fatal(err)
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	boom := errors.New("the file ends mid-row")
	stream := func(n int, failAfter int) func(func(arrow.RecordBatch) error) error {
		return func(emit func(arrow.RecordBatch) error) error {
			for i := range n {
				if i == failAfter {
					return boom
				}
				rec, err := transform.BuildRecord(mem, transform.Conversions, []transform.ConversionRow{{
					ConversionID: fmt.Sprintf("c%d", i), PersonID: "p", TS: time.Date(2026, 11, 17, 10, 0, 0, 0, time.UTC),
					Type: "purchase", Revenue: decimal.RequireFromString("1.00"), Currency: "USD", CRMSource: "shop"}})
				if err != nil {
					return err
				}
				err = emit(rec)
				rec.Release()
				if err != nil {
					return err
				}
			}
			return nil
		}
	}
	tx, err := w.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.w.conn.ExecContext(ctx, "CREATE TEMP TABLE staged AS SELECT * FROM conversions WHERE false"); err != nil {
		t.Fatal(err)
	}
	tbl, err := transform.Lookup(transform.Conversions)
	if err != nil {
		t.Fatal(err)
	}
	schema := tbl.Schema
	if err := tx.stageStream(ctx, "staged", schema, stream(5, -1)); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := tx.w.conn.QueryRowContext(ctx, "SELECT count(*) FROM staged").Scan(&n); err != nil || n != 5 {
		t.Fatalf("staged %d rows (%v), want 5", n, err)
	}
	if err := tx.stageStream(ctx, "staged", schema, stream(5, 3)); !errors.Is(err, boom) {
		t.Fatalf("got %v, want the stream's error", err)
	}
	// the first two of the failed stream were appended before it failed
	if err := tx.w.conn.QueryRowContext(ctx, "SELECT count(*) FROM staged").Scan(&n); err != nil || n != 7 {
		t.Fatalf("staged %d rows (%v), want 7", n, err)
	}
}

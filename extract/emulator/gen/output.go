package gen

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/socialroi/socialroi/extract/files"
	"github.com/socialroi/socialroi/transform"
)

// Tables lists the canonical tables a Brand fills, in name order.
func Tables() []string {
	return []string{
		transform.AdPerformance, transform.CommunityMessages, transform.Conversions, transform.FXRates,
		transform.Identities, transform.InfluencerCosts, transform.Influencers, transform.OrganicPosts,
		transform.OtherCosts, transform.Touchpoints,
	}
}

// Record builds one canonical table of the brand. The caller releases it.
func (b *Brand) Record(mem memory.Allocator, table string) (arrow.RecordBatch, error) {
	var (
		rec arrow.RecordBatch
		err error
	)
	switch table {
	case transform.AdPerformance:
		rec, err = transform.BuildRecord(mem, table, b.AdPerformance)
	case transform.Touchpoints:
		rec, err = transform.BuildRecord(mem, table, b.Touchpoints)
	case transform.Conversions:
		rec, err = transform.BuildRecord(mem, table, b.Conversions)
	case transform.Identities:
		rec, err = transform.BuildRecord(mem, table, b.Identities)
	case transform.Influencers:
		rec, err = transform.BuildRecord(mem, table, b.Influencers)
	case transform.InfluencerCosts:
		rec, err = transform.BuildRecord(mem, table, b.InfluencerCosts)
	case transform.FXRates:
		rec, err = transform.BuildRecord(mem, table, b.FXRates)
	case transform.OtherCosts:
		rec, err = transform.BuildRecord(mem, table, b.OtherCosts)
	case transform.OrganicPosts:
		rec, err = transform.BuildRecord(mem, table, b.OrganicPosts)
	case transform.CommunityMessages:
		rec, err = transform.BuildRecord(mem, table, b.CommunityMessages)
	default:
		return nil, fmt.Errorf("gen: the demo brand has no table %q (it has %v)", table, Tables())
	}
	if err != nil {
		return nil, fmt.Errorf("gen: build %s: %w", table, err)
	}
	return rec, nil
}

// Records builds every table the brand fills, keyed by canonical table name.
// The caller releases every record; on error none are returned.
func (b *Brand) Records(mem memory.Allocator) (map[string]arrow.RecordBatch, error) {
	out := map[string]arrow.RecordBatch{}
	for _, t := range Tables() {
		rec, err := b.Record(mem, t)
		if err != nil {
			for _, r := range out {
				r.Release()
			}
			return nil, err
		}
		out[t] = rec
	}
	return out, nil
}

// WriteParquet writes the named tables (all of Tables() when none are named)
// to dir/<table>.parquet, creating dir.
func (b *Brand) WriteParquet(dir string, tables ...string) error {
	return b.writeFiles(dir, ".parquet", tables, func(w io.Writer, rec arrow.RecordBatch) error {
		return files.WriteParquet(w, memory.DefaultAllocator, rec)
	})
}

// WriteCSV writes the named tables (all of Tables() when none are named) to
// dir/<table>.csv, creating dir, in the form the files source reads: this is
// how the demo hands touchpoints and conversions to a "files" source.
func (b *Brand) WriteCSV(dir string, tables ...string) error {
	return b.writeFiles(dir, ".csv", tables, func(w io.Writer, rec arrow.RecordBatch) error {
		return files.WriteCSV(w, rec)
	})
}

func (b *Brand) writeFiles(dir, ext string, tables []string, write func(io.Writer, arrow.RecordBatch) error) error {
	if len(tables) == 0 {
		tables = Tables()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("gen: %w", err)
	}
	for _, t := range tables {
		if err := b.writeFile(filepath.Join(dir, t+ext), t, write); err != nil {
			return err
		}
	}
	return nil
}

func (b *Brand) writeFile(path, table string, write func(io.Writer, arrow.RecordBatch) error) (err error) {
	rec, err := b.Record(memory.DefaultAllocator, table)
	if err != nil {
		return err
	}
	defer rec.Release()
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("gen: %w", err)
	}
	defer func() {
		// The Parquet writer closes the file itself.
		if cerr := f.Close(); cerr != nil && !errors.Is(cerr, os.ErrClosed) && err == nil {
			err = fmt.Errorf("gen: %w", cerr)
		}
	}()
	if err := write(f, rec); err != nil {
		return fmt.Errorf("gen: write %s: %w", path, err)
	}
	return nil
}

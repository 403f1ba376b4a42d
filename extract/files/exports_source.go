package files

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/socialroi/socialroi/extract"
	"github.com/socialroi/socialroi/transform"
)

var exportCurrencyRE = regexp.MustCompile(`^[A-Za-z]{3}$`)

// validateExports checks the exports entries without reading any file.
func validateExports(entries []ExportSettings) error {
	for i, e := range entries {
		key := fmt.Sprintf("exports[%d]", i)
		if strings.TrimSpace(e.Files) == "" {
			return fmt.Errorf("%s.files: path or glob is empty", key)
		}
		if _, err := filepath.Match(e.Files, ""); err != nil {
			return fmt.Errorf("%s.files: bad glob %q: %w", key, e.Files, err)
		}
		if _, err := ParseExportFormat(e.Format); err != nil {
			return fmt.Errorf("%s.format: %w", key, err)
		}
		if e.Currency != "" && !exportCurrencyRE.MatchString(strings.TrimSpace(e.Currency)) {
			return fmt.Errorf("%s.currency: %q is not an ISO 4217 code like USD", key, e.Currency)
		}
	}
	return nil
}

// extractExports reads every exports entry's files, in entry then name
// order, and emits them as ad_performance.
func (s *Source) extractExports(ctx context.Context, mem memory.Allocator, emit extract.Emitter, logger *slog.Logger) error {
	extractedAt := time.Now().UTC()
	for i, e := range s.settings.Exports {
		key := fmt.Sprintf("exports[%d]", i)
		paths, err := filepath.Glob(e.Files)
		if err != nil {
			return fmt.Errorf("%s: %s: %w", s.name, key, err)
		}
		if len(paths) == 0 {
			return fmt.Errorf("%s: %s: %w %q", s.name, key, ErrNoFiles, e.Files)
		}
		slices.Sort(paths)
		format, _ := ParseExportFormat(e.Format) // validated
		opts := ExportOptions{Format: format, AccountID: strings.TrimSpace(e.AccountID), Currency: e.Currency,
			Source: s.name, ExtractedAt: extractedAt}
		for _, path := range paths {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("%s: %s: %w", s.name, key, err)
			}
			recs, got, err := ReadExportFile(ctx, path, mem, opts)
			if err != nil {
				return fmt.Errorf("%s: %s: %w", s.name, key, err)
			}
			rows := 0
			for _, rec := range recs {
				rows += int(rec.NumRows())
				if err == nil {
					err = emit.Emit(transform.AdPerformance, rec)
				}
				rec.Release()
			}
			if err != nil {
				return fmt.Errorf("%s: %s: %s: emit: %w", s.name, key, filepath.Base(path), err)
			}
			logger.Debug("files: read export", "file", path, "format", got, "rows", rows)
		}
	}
	return nil
}

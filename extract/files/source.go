package files

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/socialroi/socialroi/extract"
	"github.com/socialroi/socialroi/transform"
)

// Kind is the source kind name in the config.
const Kind = "files"

func init() {
	extract.Register(extract.Kind{
		Name:     Kind,
		Summary:  "Canonical tables from CSV or Parquet files (CRM and web-analytics exports, hand-made data).",
		Tables:   transform.TableNames(),
		Settings: settingsExample,
		New:      New,
	})
}

const settingsExample = `crm_export:
  type: files
  # One entry per canonical table: a path or a glob (every match is read, in
  # name order). The format follows the extension: .csv, .csv.gz, .parquet.
  # Relative paths are relative to the directory socialroi runs in.
  tables:
    touchpoints: exports/touchpoints/*.csv
    conversions: exports/orders.parquet
    identities: exports/identities.csv
  # Time zone of CSV timestamps written without an offset, e.g.
  # "2026-11-16 09:30:00". Values with an offset keep it. Default UTC.
  timezone: America/New_York
  # Ad-manager downloads (Meta Ads Manager, Google Ads, LinkedIn Campaign
  # Manager, TikTok Ads Manager) loaded into ad_performance, one entry per
  # folder or account. Export with a daily breakdown: rows covering more
  # than one day are refused. UTF-8 (with or without BOM) or UTF-16 with BOM,
  # comma, tab or semicolon separated; report-name lines before the header
  # and "Total" rows are skipped.
  exports:
    - files: downloads/meta/*.csv
      # auto (default) | meta_ads_export | google_ads_export |
      # linkedin_export | tiktok_export
      format: auto
      # Used when the file has no account id column (Account ID, Customer
      # ID, Advertiser ID).
      account_id: "1000001"
      # Used when neither a header like "Amount spent (USD)" nor a Currency
      # column names the currency.
      currency: USD
`

// Settings is the files source's settings block.
type Settings struct {
	Tables   map[string]string `yaml:"tables"`
	Timezone string            `yaml:"timezone"`
	// Exports are ad-manager export files read into ad_performance.
	Exports []ExportSettings `yaml:"exports"`
}

// ExportSettings is one exports entry: a path or glob of ad-manager export
// files and how to read them (see ExportOptions).
type ExportSettings struct {
	Files     string `yaml:"files"`
	Format    string `yaml:"format"`
	AccountID string `yaml:"account_id"`
	Currency  string `yaml:"currency"`
}

// Validate checks table names and the time zone without reading any file.
func (s *Settings) Validate() error {
	if len(s.Tables) == 0 && len(s.Exports) == 0 {
		return errors.New("tables: name at least one canonical table and its file, or an exports entry (see `socialroi sources`)")
	}
	if err := validateExports(s.Exports); err != nil {
		return err
	}
	for _, t := range sortedKeys(s.Tables) {
		if _, err := transform.Lookup(t); err != nil {
			return fmt.Errorf("tables.%s: not a canonical table (known: %v)", t, transform.TableNames())
		}
		if s.Tables[t] == "" {
			return fmt.Errorf("tables.%s: path is empty", t)
		}
		if _, err := filepath.Match(s.Tables[t], ""); err != nil {
			return fmt.Errorf("tables.%s: bad glob %q: %w", t, s.Tables[t], err)
		}
	}
	if s.Timezone != "" {
		if _, err := time.LoadLocation(s.Timezone); err != nil {
			return fmt.Errorf("timezone: %q is not a known time zone", s.Timezone)
		}
	}
	return nil
}

// Source reads the configured files. Two Sources share no state.
type Source struct {
	name     string
	settings Settings
	loc      *time.Location
}

// New is the factory registered for Kind.
func New(name string, settings extract.Settings) (extract.Source, error) {
	var s Settings
	if err := settings.Decode(&s); err != nil {
		return nil, err
	}
	// Paths in a config file are relative to the file, not to wherever the
	// scheduler happens to start the process.
	if dir := settings.Dir(); dir != "" {
		for t, p := range s.Tables {
			if !filepath.IsAbs(p) {
				s.Tables[t] = filepath.Join(dir, p)
			}
		}
		for i, e := range s.Exports {
			if e.Files != "" && !filepath.IsAbs(e.Files) {
				s.Exports[i].Files = filepath.Join(dir, e.Files)
			}
		}
	}
	return NewSource(name, s)
}

// NewSource builds a files source from settings already decoded.
func NewSource(name string, s Settings) (*Source, error) {
	if err := s.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	loc := time.UTC
	if s.Timezone != "" {
		loc, _ = time.LoadLocation(s.Timezone) // validated above
	}
	return &Source{name: name, settings: s, loc: loc}, nil
}

// Extract reads every configured table's files in table-name order and emits
// their records on the table's name. Any unreadable file or bad value fails
// the whole extraction: a partial table must not be loaded.
func (s *Source) Extract(ctx context.Context, req extract.Request, emit extract.Emitter) error {
	logger := req.Log()
	logger = logger.With("source", s.name)
	mem := req.Allocator()
	o := newOptions([]Option{WithLocation(s.loc), WithLogger(logger)})
	for _, table := range sortedKeys(s.settings.Tables) {
		pattern := s.settings.Tables[table]
		paths, err := filepath.Glob(pattern)
		if err != nil {
			return fmt.Errorf("%s: tables.%s: %w", s.name, table, err)
		}
		if len(paths) == 0 {
			return fmt.Errorf("%s: tables.%s: %w %q", s.name, table, ErrNoFiles, pattern)
		}
		slices.Sort(paths)
		for _, path := range paths {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("%s: %s: %w", s.name, table, err)
			}
			if pe, ok := emit.(extract.ParquetEmitter); ok && isParquet(path) {
				if pq, direct := directParquet(path, table, o); direct {
					if err := pe.EmitParquet(table, pq); err != nil {
						return fmt.Errorf("%s: %s: %w", s.name, table, err)
					}
					logger.Debug("files: scanned in place", "table", table, "file", path, "rows", pq.Rows)
					continue
				}
			}
			rows := 0
			err := readFile(ctx, path, table, mem, o, func(rec arrow.RecordBatch) error {
				rows += int(rec.NumRows())
				return emit.Emit(table, rec)
			})
			if err != nil {
				return fmt.Errorf("%s: %s: %w", s.name, table, err)
			}
			logger.Debug("files: read", "table", table, "file", path, "rows", rows)
		}
	}
	return s.extractExports(ctx, mem, emit, logger)
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

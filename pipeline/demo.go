package pipeline

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/socialroi/socialroi/config"
	"github.com/socialroi/socialroi/extract/emulator"
	"github.com/socialroi/socialroi/extract/emulator/gen"
	"github.com/socialroi/socialroi/reports/files"
	"github.com/socialroi/socialroi/transform"
)

// DemoOptions configure `socialroi demo`.
type DemoOptions struct {
	OutDir  string
	Scale   string // S, M or L
	Logger  *slog.Logger
	Version string
}

// demoToken is the emulator's access token. It is not a secret, but the
// demo treats it as one (it comes in through ${ENV}), so redaction is
// exercised on every demo run.
const demoToken = "demo-meta-token-0123456789"

// DemoWarehouse is where the demo keeps its warehouse.
func DemoWarehouse(outDir string) string {
	return filepath.Join(outDir, "demo", "socialroi.duckdb")
}

// demoConfig is the demo's configuration: the same YAML a user writes,
// pointed at the emulator and at the generated files.
const demoConfig = `
warehouse: %[1]q
raw_dir: %[2]q
out_dir: %[3]q
outputs: [excel, parquet]
reporting:
  currency: USD
  timezone: UTC
  primary_model: position_based
  conversion_types: [purchase]
  target_roas: 2.0
  target_cac: "80.00"
sources:
  meta:
    type: meta_ads
    base_url: %[4]q
    account_ids: %[5]s
    access_token: ${DEMO_META_ACCESS_TOKEN}
  web:
    type: files
    tables:
      touchpoints: %[6]q
      conversions: %[7]q
      identities: %[8]q
  registry:
    type: files
    tables:
      influencers: %[9]q
      influencer_costs: %[10]q
      fx_rates: %[11]q
      other_costs: %[12]q
  other_ads:
    type: files
    tables:
      ad_performance: %[13]q
`

// Demo generates the demo brand, starts the emulators, and runs the
// pipeline for the last complete week of the generated data.
func Demo(ctx context.Context, opts DemoOptions) (*Result, error) {
	scale, err := gen.ParseScale(opts.Scale)
	if err != nil {
		return nil, &config.Error{Key: "--scale", Msg: err.Error()}
	}
	brand, err := gen.Generate(gen.Config{Scale: scale})
	if err != nil {
		return nil, err
	}
	demoDir := filepath.Join(opts.OutDir, "demo")
	dataDir := filepath.Join(demoDir, "data")
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return nil, err
	}

	// Meta's delivery is served by the emulator; the other platforms' come in
	// as canonical files until their connectors exist.
	var metaRows, otherRows []transform.AdPerformanceRow
	for _, r := range brand.AdPerformance {
		if slices.Contains(emulator.MetaPlatforms, r.Platform) {
			metaRows = append(metaRows, r)
		} else {
			otherRows = append(otherRows, r)
		}
	}
	meta, err := emulator.NewMeta(emulator.MetaConfig{AccessToken: demoToken, Rows: metaRows})
	if err != nil {
		return nil, err
	}
	defer meta.Close()

	mem := memory.DefaultAllocator
	paths := map[string]string{}
	write := func(table string, rec arrow.RecordBatch, err error) error {
		if err != nil {
			return fmt.Errorf("demo data %s: %w", table, err)
		}
		defer rec.Release()
		name := table
		if table == transform.AdPerformance {
			name = "ad_performance_other_platforms"
		}
		path := filepath.Join(dataDir, name+".parquet")
		rdr, err := array.NewRecordReader(rec.Schema(), []arrow.RecordBatch{rec})
		if err != nil {
			return err
		}
		defer rdr.Release()
		if _, err := files.WriteParquet(ctx, path, rdr); err != nil {
			return fmt.Errorf("demo data %s: %w", table, err)
		}
		paths[table] = path
		return nil
	}
	steps := []error{
		write(build(mem, transform.Touchpoints, brand.Touchpoints)),
		write(build(mem, transform.Conversions, brand.Conversions)),
		write(build(mem, transform.Identities, brand.Identities)),
		write(build(mem, transform.Influencers, brand.Influencers)),
		write(build(mem, transform.InfluencerCosts, brand.InfluencerCosts)),
		write(build(mem, transform.FXRates, brand.FXRates)),
		write(build(mem, transform.OtherCosts, brand.OtherCosts)),
		write(build(mem, transform.AdPerformance, otherRows)),
	}
	for _, err := range steps {
		if err != nil {
			return nil, err
		}
	}

	var accounts []string
	for id := range brand.MetaAccounts {
		accounts = append(accounts, fmt.Sprintf("%q", id))
	}
	slices.Sort(accounts)
	doc := fmt.Sprintf(demoConfig,
		DemoWarehouse(opts.OutDir), filepath.Join(demoDir, "raw"), opts.OutDir, meta.URL,
		"["+strings.Join(accounts, ", ")+"]",
		paths[transform.Touchpoints], paths[transform.Conversions], paths[transform.Identities],
		paths[transform.Influencers], paths[transform.InfluencerCosts], paths[transform.FXRates],
		paths[transform.OtherCosts], paths[transform.AdPerformance])
	cfg, err := config.Parse([]byte(doc), func(name string) (string, bool) {
		if name == "DEMO_META_ACCESS_TOKEN" {
			return demoToken, true
		}
		return "", false
	})
	if err != nil {
		return nil, fmt.Errorf("demo config: %w", err)
	}
	// The last complete week of the data: the one before the day after it ends.
	week := LastCompleteWeek(brand.Config.End.AddDate(0, 0, 1), time.UTC)
	return Run(ctx, Options{Config: cfg, Week: week, Logger: opts.Logger, Version: opts.Version}), nil
}

// build is transform.BuildRecord with the table name first, for brevity above.
func build[T any](mem memory.Allocator, table string, rows []T) (string, arrow.RecordBatch, error) {
	rec, err := transform.BuildRecord(mem, table, rows)
	return table, rec, err
}

package pipeline

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
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
	gademu "github.com/socialroi/socialroi/extract/emulator/googleads"
	liemu "github.com/socialroi/socialroi/extract/emulator/linkedin"
	ttemu "github.com/socialroi/socialroi/extract/emulator/tiktok"
	"github.com/socialroi/socialroi/reports/files"
	"github.com/socialroi/socialroi/transform"
)

// DemoOptions configure `socialroi demo`.
type DemoOptions struct {
	OutDir   string
	Scale    string // S, M or L
	Logger   *slog.Logger
	Version  string
	Progress Progress
}

// DemoWarehouse is where the demo keeps its warehouse.
func DemoWarehouse(outDir string) string {
	return filepath.Join(outDir, "demo", "socialroi.duckdb")
}

// demoToken is the prefix of the emulators' access tokens. They are not
// secrets, but the demo treats them as such (they come in through ${ENV}),
// so redaction is exercised on every demo run.
const demoToken = "demo-token-"

// emulatedAds is an ad platform the demo serves through its emulator and
// extracts through the real connector.
type emulatedAds struct {
	source     string   // source name in the demo config
	kind       string   // connector kind
	platforms  []string // ad_performance platforms it serves
	accountKey string   // settings key of the account list
	// start serves rows and returns the emulator's base URL and closer.
	start func(token string, rows []transform.AdPerformanceRow) (string, func() error, error)
	// extra returns further settings lines (YAML, indented by 4) for rows.
	extra func(token string, rows []transform.AdPerformanceRow) string
}

// googleDeveloperToken is the demo's Google Ads developer token (a second
// credential the connector sends; treated as a secret like the others).
func googleDeveloperToken(token string) string { return token + "-developer" }

var demoAdPlatforms = []emulatedAds{
	{source: "meta", kind: "meta_ads", platforms: emulator.MetaPlatforms, accountKey: "account_ids",
		start: func(token string, rows []transform.AdPerformanceRow) (string, func() error, error) {
			m, err := emulator.NewMeta(emulator.MetaConfig{AccessToken: token, Rows: rows})
			if err != nil {
				return "", nil, err
			}
			return m.URL, m.Close, nil
		}},
	{source: "linkedin", kind: "linkedin_ads", platforms: []string{"linkedin"}, accountKey: "account_ids",
		start: func(token string, rows []transform.AdPerformanceRow) (string, func() error, error) {
			s, err := liemu.New(liemu.Config{AccessToken: token, Rows: rows})
			if err != nil {
				return "", nil, err
			}
			return s.URL, s.Close, nil
		}},
	{source: "google", kind: "google_ads", platforms: []string{"google"}, accountKey: "customer_ids",
		start: func(token string, rows []transform.AdPerformanceRow) (string, func() error, error) {
			s, err := gademu.New(gademu.Config{AccessToken: token, DeveloperToken: googleDeveloperToken(token), Rows: rows})
			if err != nil {
				return "", nil, err
			}
			return s.URL, s.Close, nil
		},
		extra: func(string, []transform.AdPerformanceRow) string {
			return "    developer_token: ${DEMO_GOOGLE_DEVELOPER_TOKEN}\n"
		}},
	{source: "tiktok", kind: "tiktok_ads", platforms: []string{"tiktok"}, accountKey: "advertiser_ids",
		start: func(token string, rows []transform.AdPerformanceRow) (string, func() error, error) {
			s, err := ttemu.New(ttemu.Config{AccessToken: token, Rows: rows})
			if err != nil {
				return "", nil, err
			}
			return s.URL, s.Close, nil
		},
		// TikTok reports money in the advertiser's currency without naming it.
		extra: func(_ string, rows []transform.AdPerformanceRow) string {
			currencies := map[string]string{}
			for _, r := range rows {
				currencies[r.AccountID] = r.Currency
			}
			var b strings.Builder
			b.WriteString("    advertiser_currencies:\n")
			for _, id := range slices.Sorted(maps.Keys(currencies)) {
				fmt.Fprintf(&b, "      %q: %s\n", id, currencies[id])
			}
			return b.String()
		}},
}

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

	var doc strings.Builder
	fmt.Fprintf(&doc, `warehouse: %q
raw_dir: %q
out_dir: %q
outputs: [excel, parquet]
reporting:
  currency: USD
  timezone: UTC
  primary_model: position_based
  conversion_types: [purchase]
  target_roas: 2.0
  target_cac: "80.00"
organic:
  pillars: [%s]
  trend_tags: [%s]
sources:
`, DemoWarehouse(opts.OutDir), filepath.Join(demoDir, "raw"), opts.OutDir, strings.Join(gen.Pillars, ", "), gen.TrendTag)

	// Ad platforms with an emulator go through their connector; the rest of
	// the delivery comes in as a canonical file.
	tokens := map[string]string{}
	served := map[string]bool{}
	var closers []func() error
	defer func() {
		for _, c := range closers {
			c()
		}
	}()
	for _, p := range demoAdPlatforms {
		var rows []transform.AdPerformanceRow
		accounts := map[string]bool{}
		for _, r := range brand.AdPerformance {
			if slices.Contains(p.platforms, r.Platform) {
				rows = append(rows, r)
				accounts[r.AccountID] = true
			}
		}
		if len(rows) == 0 {
			continue
		}
		token := demoToken + p.source
		url, closeFn, err := p.start(token, rows)
		if err != nil {
			return nil, fmt.Errorf("demo: %s emulator: %w", p.source, err)
		}
		closers = append(closers, closeFn)
		for _, pl := range p.platforms {
			served[pl] = true
		}
		env := "DEMO_" + strings.ToUpper(p.source) + "_ACCESS_TOKEN"
		tokens[env] = token
		tokens["DEMO_GOOGLE_DEVELOPER_TOKEN"] = googleDeveloperToken(demoToken + "google")
		var ids []string
		for id := range accounts {
			ids = append(ids, fmt.Sprintf("%q", id))
		}
		slices.Sort(ids)
		fmt.Fprintf(&doc, "  %s:\n    type: %s\n    base_url: %q\n    %s: [%s]\n    access_token: ${%s}\n",
			p.source, p.kind, url, p.accountKey, strings.Join(ids, ", "), env)
		if p.extra != nil {
			doc.WriteString(p.extra(token, rows))
		}
	}
	var otherRows []transform.AdPerformanceRow
	for _, r := range brand.AdPerformance {
		if !served[r.Platform] {
			otherRows = append(otherRows, r)
		}
	}

	// CRM, web, social and finance data are canonical files read by the
	// files source.
	mem := memory.DefaultAllocator
	write := func(name string, rec arrow.RecordBatch, err error) (string, error) {
		if err != nil {
			return "", fmt.Errorf("demo data %s: %w", name, err)
		}
		defer rec.Release()
		path := filepath.Join(dataDir, name+".parquet")
		rdr, err := array.NewRecordReader(rec.Schema(), []arrow.RecordBatch{rec})
		if err != nil {
			return "", err
		}
		defer rdr.Release()
		if _, err := files.WriteParquet(ctx, path, rdr); err != nil {
			return "", fmt.Errorf("demo data %s: %w", name, err)
		}
		return path, nil
	}
	for _, fs := range []struct {
		source string
		tables []string
	}{
		{"web", []string{transform.Touchpoints, transform.Conversions, transform.Identities}},
		{"social", []string{transform.OrganicPosts, transform.CommunityMessages}},
		{"finance", []string{transform.FXRates, transform.OtherCosts}},
	} {
		fmt.Fprintf(&doc, "  %s:\n    type: files\n    tables:\n", fs.source)
		for _, table := range fs.tables {
			rec, err := brand.Record(mem, table)
			path, err := write(table, rec, err)
			if err != nil {
				return nil, err
			}
			fmt.Fprintf(&doc, "      %s: %q\n", table, path)
		}
	}
	// Creators and their costs come from the registry file finance keeps.
	registryYAML, err := brand.RegistryYAML()
	if err != nil {
		return nil, err
	}
	registryPath := filepath.Join(dataDir, "influencers.yaml")
	if err := os.WriteFile(registryPath, registryYAML, 0o644); err != nil {
		return nil, fmt.Errorf("demo data: %w", err)
	}
	fmt.Fprintf(&doc, "  influencers:\n    type: influencer_registry\n    path: %q\n", registryPath)

	if len(otherRows) > 0 {
		name, rec, err := build(mem, transform.AdPerformance, otherRows)
		path, err := write(name+"_other_platforms", rec, err)
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(&doc, "  other_ads:\n    type: files\n    tables:\n      ad_performance: %q\n", path)
	}

	cfg, err := config.Parse([]byte(doc.String()), func(name string) (string, bool) {
		v, ok := tokens[name]
		return v, ok
	})
	if err != nil {
		return nil, fmt.Errorf("demo config: %w", err)
	}
	// The last complete week of the data: the one before the day after it ends.
	week := LastCompleteWeek(brand.Config.End.AddDate(0, 0, 1), time.UTC)
	return Run(ctx, Options{Config: cfg, Week: week, Logger: opts.Logger, Version: opts.Version, Progress: opts.Progress}), nil
}

// build is transform.BuildRecord with the table name first, for brevity above.
func build[T any](mem memory.Allocator, table string, rows []T) (string, arrow.RecordBatch, error) {
	rec, err := transform.BuildRecord(mem, table, rows)
	return table, rec, err
}

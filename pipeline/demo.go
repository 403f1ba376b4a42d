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
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/socialroi/socialroi/config"
	"github.com/socialroi/socialroi/extract/emulator"
	"github.com/socialroi/socialroi/extract/emulator/gen"
	gademu "github.com/socialroi/socialroi/extract/emulator/googleads"
	hsemu "github.com/socialroi/socialroi/extract/emulator/hubspot"
	igemu "github.com/socialroi/socialroi/extract/emulator/instagram"
	liemu "github.com/socialroi/socialroi/extract/emulator/linkedin"
	shopemu "github.com/socialroi/socialroi/extract/emulator/shopify"
	ttemu "github.com/socialroi/socialroi/extract/emulator/tiktok"
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
//
// At scale M or L the emulators would only measure JSON over loopback, so
// the demo runs instead on the dataset `socialroi generate` writes for that
// scale (DESIGN's sizes: 2M or 20M touchpoints), read by the files source.
func Demo(ctx context.Context, opts DemoOptions) (*Result, error) {
	if s := strings.ToUpper(opts.Scale); s == "M" || s == "L" {
		return demoGenerated(ctx, opts, s)
	}
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

	// Commerce, CRM and Instagram organic go through their emulators and
	// connectors too.
	crm, err := startDemoCRM(brand, tokens, &closers, &doc)
	if err != nil {
		return nil, err
	}

	// The web analytics export (sessions, the conversions no other source
	// serves, identities), other platforms' organic posts, community and
	// finance data are canonical files read by the files source.
	mem := memory.DefaultAllocator
	write := func(name string, rec arrow.RecordBatch, err error) (string, error) {
		if err != nil {
			return "", fmt.Errorf("demo data %s: %w", name, err)
		}
		defer rec.Release()
		path := filepath.Join(dataDir, name+".parquet")
		if err := writeRecord(ctx, path, rec); err != nil {
			return "", fmt.Errorf("demo data %s: %w", name, err)
		}
		return path, nil
	}
	web := DemoWebFiles(brand)
	records := map[string]func() (arrow.RecordBatch, error){
		transform.Conversions: func() (arrow.RecordBatch, error) {
			return transform.BuildRecord(mem, transform.Conversions, web.Conversions)
		},
		transform.Identities: func() (arrow.RecordBatch, error) {
			return transform.BuildRecord(mem, transform.Identities, web.Identities)
		},
		transform.OrganicPosts: func() (arrow.RecordBatch, error) {
			return transform.BuildRecord(mem, transform.OrganicPosts, crm.otherPosts)
		},
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
			var rec arrow.RecordBatch
			var err error
			if r, ok := records[table]; ok {
				rec, err = r()
			} else {
				rec, err = brand.Record(mem, table)
			}
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

// demoGenerated runs the demo on a generated dataset of scale M or L, kept
// under DIR/demo/data-<scale> (the same scale always writes the same rows).
func demoGenerated(ctx context.Context, opts DemoOptions, scale string) (*Result, error) {
	demoDir := filepath.Join(opts.OutDir, "demo")
	g, err := Generate(ctx, scale, filepath.Join(demoDir, "data-"+scale))
	if err != nil {
		return nil, err
	}
	// generate's own config, with the demo's warehouse and outputs
	cfg, err := config.Load(g.Config)
	if err != nil {
		return nil, fmt.Errorf("demo config: %w", err)
	}
	cfg.Warehouse, cfg.RawDir, cfg.OutDir = DemoWarehouse(opts.OutDir), filepath.Join(demoDir, "raw"), opts.OutDir
	return Run(ctx, Options{Config: cfg, Week: g.Week, Logger: opts.Logger, Version: opts.Version, Progress: opts.Progress}), nil
}

// build is transform.BuildRecord with the table name first, for brevity above.
func build[T any](mem memory.Allocator, table string, rows []T) (string, arrow.RecordBatch, error) {
	rec, err := transform.BuildRecord(mem, table, rows)
	return table, rec, err
}

// DemoWeb is what the demo's web analytics export (the files source "web")
// serves.
type DemoWeb struct {
	// Conversions are the brand's conversions no emulated source serves:
	// Shopify serves the purchases (orders) and HubSpot the B2B leads (as
	// deals), so only the rest (signups) stay in the file.
	Conversions []transform.ConversionRow
	// Identities are the brand's cookie → person links plus, for every
	// person known to Shopify or HubSpot, the link from the web's person id
	// to their hashed email (the web analytics identifies a logged-in
	// visitor by it): (p_000123, email:<sha256>). That is what lets the
	// warehouse stitch a Shopify customer and a HubSpot contact, which name
	// the same email hash, to the web person (stg_identity_map).
	Identities []transform.IdentityRow
}

// servedByCRM reports whether an emulated CRM or commerce source serves the
// brand conversion.
func servedByCRM(c transform.ConversionRow) bool {
	return (c.CRMSource == "shopify" && c.Type == "purchase") || c.CRMSource == "hubspot"
}

// DemoWebFiles derives the web export's conversions and identities from the
// brand.
func DemoWebFiles(b *gen.Brand) DemoWeb {
	var w DemoWeb
	known := map[string]bool{}
	for _, c := range b.Conversions {
		if c.CRMSource == "shopify" || c.CRMSource == "hubspot" {
			known[c.PersonID] = c.PersonID != ""
		}
		if !servedByCRM(c) {
			w.Conversions = append(w.Conversions, c)
		}
	}
	w.Identities = slices.Clone(b.Identities)
	for _, p := range slices.Sorted(maps.Keys(known)) {
		if known[p] {
			w.Identities = append(w.Identities, transform.IdentityRow{AnonymousID: p, PersonID: transform.EmailKey(shopemu.Email(p))})
		}
	}
	return w
}

// demoCRM is what startDemoCRM leaves for the files.
type demoCRM struct {
	otherPosts []transform.OrganicPostRow // organic posts not on Instagram
}

// startDemoCRM starts the Shopify, HubSpot and Instagram emulators seeded
// with the brand and writes their source blocks. The connectors emit no
// touchpoints of their own (landing_touchpoints, contact_touchpoints false):
// the web export has every session.
func startDemoCRM(brand *gen.Brand, tokens map[string]string, closers *[]func() error, doc *strings.Builder) (demoCRM, error) {
	var out demoCRM
	token := func(source string) (string, string) {
		env := "DEMO_" + strings.ToUpper(source) + "_ACCESS_TOKEN"
		tokens[env] = demoToken + source
		return demoToken + source, env
	}

	tok, env := token("shopify")
	shopCfg := shopemu.FromBrand(brand)
	shopCfg.AccessToken = tok
	shop, err := shopemu.New(shopCfg)
	if err != nil {
		return out, fmt.Errorf("demo: shopify emulator: %w", err)
	}
	*closers = append(*closers, shop.Close)
	fmt.Fprintf(doc, "  shopify:\n    type: shopify\n    base_url: %q\n    access_token: ${%s}\n    requests_per_second: 0\n    landing_touchpoints: false\n",
		shop.URL, env)

	tok, env = token("hubspot")
	hs, err := hsemu.New(hsemu.Config{AccessToken: tok, Data: hsemu.FromBrand(brand)})
	if err != nil {
		return out, fmt.Errorf("demo: hubspot emulator: %w", err)
	}
	*closers = append(*closers, hs.Close)
	fmt.Fprintf(doc, "  hubspot:\n    type: hubspot\n    base_url: %q\n    access_token: ${%s}\n    requests_per_second: 0\n    page_limit: 200\n    contact_touchpoints: false\n",
		hs.URL, env)

	igCfg := igemu.FromBrand(brand)
	for _, p := range brand.OrganicPosts {
		if p.Platform != "instagram" {
			out.otherPosts = append(out.otherPosts, p)
		}
	}
	if len(igCfg.Posts) > 0 {
		tok, env = token("instagram")
		igCfg.AccessToken = tok
		ig, err := igemu.New(igCfg)
		if err != nil {
			return out, fmt.Errorf("demo: instagram emulator: %w", err)
		}
		*closers = append(*closers, ig.Close)
		users := map[string]bool{}
		for _, p := range igCfg.Posts {
			users[p.AccountID] = true
		}
		var ids []string
		for _, id := range slices.Sorted(maps.Keys(users)) {
			ids = append(ids, fmt.Sprintf("%q", id))
		}
		fmt.Fprintf(doc, "  instagram:\n    type: instagram_organic\n    base_url: %q\n    ig_user_ids: [%s]\n    access_token: ${%s}\n    requests_per_second: 0\n    page_limit: 100\n",
			ig.URL, strings.Join(ids, ", "), env)
	}
	return out, nil
}

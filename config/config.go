// Package config loads and validates socialroi.yaml: where the warehouse and
// outputs live, the reporting rules (currency, timezone, week, targets), the
// attribution parameters, the channel rules and the sources. It never touches
// the network; each source's own block is validated by its factory.
//
// Values may reference the environment as ${NAME}. Values under keys that
// name a credential (token, secret, password, key) are remembered as secrets
// so that every writer can redact them.
package config

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"gopkg.in/yaml.v3"
)

// Config is a loaded, validated configuration.
type Config struct {
	Warehouse       string      `yaml:"warehouse"`
	RawDir          string      `yaml:"raw_dir"`
	OutDir          string      `yaml:"out_dir"`
	Reporting       Reporting   `yaml:"reporting"`
	Attribution     Attribution `yaml:"attribution"`
	RestatementDays int         `yaml:"restatement_days"`
	BackfillDays    int         `yaml:"backfill_days"`
	// MaxConcurrentSources bounds how many sources extract at once.
	MaxConcurrentSources int          `yaml:"max_concurrent_sources"`
	DuckDB               DuckDB       `yaml:"duckdb"`
	Outputs              []string     `yaml:"outputs"`
	Channels             Channels     `yaml:"channels"`
	Sources              []SourceSpec `yaml:"-"`
	RawSources           yaml.Node    `yaml:"sources"`
	ExcelRowCap          int          `yaml:"excel_row_cap"`
	QA                   QA           `yaml:"qa"`
	Naming               Naming       `yaml:"naming"`
	Creative             Creative     `yaml:"creative"`
	Organic              Organic      `yaml:"organic"`
	Community            Community    `yaml:"community"`
	Influencers          Influencers  `yaml:"influencers"`
	Budget               Budget       `yaml:"budget"`
	BigQuery             BigQuery     `yaml:"bigquery"`
	secrets              []string
	hash                 string
	dir                  string
}

// Reporting holds the rules of the weekly report.
type Reporting struct {
	Currency        string   `yaml:"currency"`
	Timezone        string   `yaml:"timezone"`
	PrimaryModel    string   `yaml:"primary_model"`
	ConversionTypes []string `yaml:"conversion_types"`
	TargetROAS      float64  `yaml:"target_roas"`
	TargetCAC       string   `yaml:"target_cac"`
	// PaidChannels are the channels whose credited revenue is paid revenue
	// (ROAS headline); PaidSocialChannels those whose spend and credited new
	// customers make paid-social CAC.
	PaidChannels       []string `yaml:"paid_channels"`
	PaidSocialChannels []string `yaml:"paid_social_channels"`
}

// Attribution holds the attribution parameters.
type Attribution struct {
	LookbackDays int      `yaml:"lookback_days"`
	Models       []string `yaml:"models"`
	HalfLifeDays float64  `yaml:"half_life_days"`
	// PositionFirst and PositionLast are the position-based shares of the
	// first and last touchpoint; the middle shares the rest.
	PositionFirst float64 `yaml:"position_first"`
	PositionLast  float64 `yaml:"position_last"`
}

// QA holds the tracking-QA thresholds (warnings when crossed).
type QA struct {
	// UTMCoverageMin is the least share of spend whose destination URLs
	// carry utm_source, utm_medium and utm_campaign.
	UTMCoverageMin float64 `yaml:"utm_coverage_min"`
	// OtherShareMax is the largest share of touchpoints no rule classifies.
	OtherShareMax float64 `yaml:"other_share_max"`
	// ReconciliationTolerance is how far platform-reported conversions may
	// stray from CRM-attributed ones (0.3 = ±30%).
	ReconciliationTolerance float64 `yaml:"reconciliation_tolerance"`
}

// Naming holds the naming-convention templates of campaign, ad set and ad
// names, e.g. "{objective}_{segment}_{geo}_{offer}": fields in braces
// (NamingFields), separated by literal text. Parsed fields feed the audience
// and creative-pattern marts; names that do not parse are counted by
// tracking QA.
type Naming struct {
	Campaign string `yaml:"campaign"`
	Adset    string `yaml:"adset"`
	Ad       string `yaml:"ad"`
	// Segments maps the {segment} codes used in names (case-insensitive) to
	// audience segments (AudienceSegments). Entries given in the config are
	// added to the defaults or override them.
	Segments map[string]string `yaml:"segments"`
}

// Creative holds the creative-fatigue rule: a creative is fatigued when its
// CTR fell by more than FatigueCTRDrop against its first active week while
// its frequency (impressions / reach) exceeds FatigueFrequency.
type Creative struct {
	FatigueCTRDrop   float64 `yaml:"fatigue_ctr_drop"`
	FatigueFrequency float64 `yaml:"fatigue_frequency"`
}

// Organic holds how organic posts are grouped: a post's content pillar is
// its first tag listed in Pillars (its first tag when Pillars is empty), and
// posts tagged with one of TrendTags are agile/trend posts, reported apart.
type Organic struct {
	Pillars   []string `yaml:"pillars"`
	TrendTags []string `yaml:"trend_tags"`
}

// Community holds the community-management service level.
type Community struct {
	// SLAMinutes is the first-response time within which a message counts
	// as answered in time.
	SLAMinutes int `yaml:"sla_minutes"`
}

// Influencers holds influencer reporting rules.
type Influencers struct {
	// UsageRightsWarningDays: usage rights ending within this many days
	// after the report week are flagged as expiring.
	UsageRightsWarningDays int `yaml:"usage_rights_warning_days"`
}

// Budget holds the budget-recommendation rules.
type Budget struct {
	// TrailingWeeks of spend and attributed revenue fit the
	// diminishing-returns curve behind marginal ROAS.
	TrailingWeeks int `yaml:"trailing_weeks"`
	// HoldBand: marginal ROAS within ±HoldBand of the target ROAS is "hold";
	// above is "scale", below is "cut".
	HoldBand float64 `yaml:"hold_band"`
}

// NamingFields are the fields naming templates may use.
var NamingFields = []string{"objective", "segment", "geo", "offer", "format", "hook", "cta", "creative"}

// AudienceSegments are the audience segments segment codes map to.
var AudienceSegments = []string{"prospecting", "engaged", "existing_customers", "retargeting"}

// DuckDB holds the warehouse engine's resource limits.
type DuckDB struct {
	Threads     int    `yaml:"threads"`
	MemoryLimit string `yaml:"memory_limit"`
}

// Channels holds the channel classification rules; empty means the defaults.
type Channels struct {
	Rules []ChannelRule `yaml:"rules"`
}

// ChannelRule classifies a touchpoint into a channel when every pattern it
// sets matches (case-insensitive regular expressions, RE2 syntax). Rules are
// tried in order; the first match wins. Platform, when empty, is inferred
// from utm_source, the click id or the referrer.
type ChannelRule struct {
	Channel     string `yaml:"channel"`
	Platform    string `yaml:"platform,omitempty"`
	Source      string `yaml:"utm_source,omitempty"`
	Medium      string `yaml:"utm_medium,omitempty"`
	ClickIDType string `yaml:"click_id_type,omitempty"`
	Referrer    string `yaml:"referrer,omitempty"`
	Interaction string `yaml:"interaction,omitempty"`
}

// SourceSpec is one configured source: its name (the key under sources), its
// kind (the `type` key) and its remaining settings, decoded by the source.
type SourceSpec struct {
	Name    string
	Type    string
	Enabled bool
	// RestatementDays and BackfillDays override the run-wide settings for
	// this source when set (nil: inherit).
	RestatementDays *int
	BackfillDays    *int
	// BackfillFrom, when set, is the first day a source's first run
	// extracts (instead of backfill_days before the report week).
	BackfillFrom *time.Time
	// Strict makes a failure of this source fail the whole run (exit 1,
	// nothing loaded) instead of a partial run (exit 4).
	Strict bool
	// Timeout bounds each HTTP attempt of this source (0: the client's
	// default of 2 minutes), so an API that stops answering fails the
	// source rather than holding the run.
	Timeout  time.Duration
	settings yaml.Node
	path     string
	dir      string
}

// Dir is the folder of the config file the source was defined in.
func (s SourceSpec) Dir() string { return s.dir }

// Decode decodes the source's settings strictly: an unknown key is an error
// that names it.
func (s SourceSpec) Decode(v any) error {
	buf, err := yaml.Marshal(&s.settings)
	if err != nil {
		return err
	}
	dec := yaml.NewDecoder(bytes.NewReader(buf))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil && !errors.Is(err, io.EOF) {
		return &Error{Key: s.path, Msg: cleanYAMLError(err)}
	}
	if val, ok := v.(interface{ Validate() error }); ok {
		if err := val.Validate(); err != nil {
			return &Error{Key: s.path, Msg: err.Error()}
		}
	}
	return nil
}

// Error is a configuration error: it names the key and says what is wrong.
// The CLI maps it to exit code 2.
type Error struct {
	File string
	Key  string
	Msg  string
}

func (e *Error) Error() string {
	prefix := "config"
	if e.File != "" {
		prefix = e.File
	}
	if e.Key == "" {
		return fmt.Sprintf("%s: %s", prefix, e.Msg)
	}
	return fmt.Sprintf("%s: %s: %s", prefix, e.Key, e.Msg)
}

// Models implemented by the attribution engine.
var KnownModels = []string{"first_touch", "last_touch", "last_non_direct", "linear", "time_decay", "position_based", "markov", "shapley"}

// Channels and outputs the configuration may name.
var (
	KnownChannels = []string{"paid_social", "organic_social", "influencer", "retargeting", "paid_search", "organic_search", "email", "referral", "direct", "other"}
	KnownOutputs  = []string{"excel", "parquet", "csv", "bigquery"}
)

// Defaults returns a configuration with every default filled in and no sources.
func Defaults() *Config {
	return &Config{
		Warehouse: "socialroi.duckdb",
		RawDir:    "raw",
		OutDir:    "out",
		Reporting: Reporting{
			Currency:           "USD",
			Timezone:           "UTC",
			PrimaryModel:       "position_based",
			ConversionTypes:    []string{"purchase"},
			TargetROAS:         2.0,
			TargetCAC:          "80.00",
			PaidChannels:       []string{"paid_social", "retargeting", "paid_search"},
			PaidSocialChannels: []string{"paid_social", "retargeting"},
		},
		Attribution: Attribution{
			LookbackDays:  30,
			Models:        slices.Clone(KnownModels),
			HalfLifeDays:  7,
			PositionFirst: 0.4,
			PositionLast:  0.4,
		},
		RestatementDays:      28,
		BackfillDays:         84,
		MaxConcurrentSources: 4,
		DuckDB:               DuckDB{Threads: 2, MemoryLimit: "3GB"}, // 3GB: the process stays within 4 GiB at L
		Outputs:              []string{"excel", "parquet"},
		Channels:             Channels{Rules: DefaultChannelRules()},
		ExcelRowCap:          100000,
		QA:                   QA{UTMCoverageMin: 0.9, OtherShareMax: 0.05, ReconciliationTolerance: 0.3},
		Naming: Naming{
			Campaign: "{objective}_{segment}_{geo}_{offer}",
			Ad:       "{format}_{hook}_{cta}_{creative}",
			Segments: map[string]string{
				"pr": "prospecting", "prospecting": "prospecting",
				"eng": "engaged", "engaged": "engaged",
				"cus": "existing_customers", "existing_customers": "existing_customers",
				"rt": "retargeting", "retargeting": "retargeting",
			},
		},
		Creative:    Creative{FatigueCTRDrop: 0.3, FatigueFrequency: 3},
		Organic:     Organic{TrendTags: []string{"trend"}},
		Community:   Community{SLAMinutes: 60},
		Influencers: Influencers{UsageRightsWarningDays: 30},
		Budget:      Budget{TrailingWeeks: 12, HoldBand: 0.1},
	}
}

// Load reads, expands and validates the config file at path. Relative paths
// in it are resolved against the file's directory.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &Error{File: path, Msg: err.Error()}
	}
	abs, err := filepath.Abs(filepath.Dir(path))
	if err != nil {
		return nil, err
	}
	cfg, err := parse(data, os.LookupEnv, abs)
	if err != nil {
		var ce *Error
		if errors.As(err, &ce) {
			ce.File = path
		}
		return nil, err
	}
	cfg.dir = abs
	for i := range cfg.Sources {
		cfg.Sources[i].dir = abs
	}
	for _, p := range []*string{&cfg.Warehouse, &cfg.RawDir, &cfg.OutDir} {
		if !filepath.IsAbs(*p) {
			*p = filepath.Join(abs, *p)
		}
	}
	return cfg, nil
}

// Dir is the directory of the config file (relative paths in source settings
// resolve against it); empty for a config parsed from memory.
func (c *Config) Dir() string { return c.dir }

// Parse parses and validates a config document. lookup resolves ${NAME};
// ${file:PATH} reads a secret file, relative paths from the working directory.
func Parse(data []byte, lookup func(string) (string, bool)) (*Config, error) {
	return parse(data, lookup, "")
}

func parse(data []byte, lookup func(string) (string, bool), dir string) (*Config, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, &Error{Msg: cleanYAMLError(err)}
	}
	if len(root.Content) == 0 {
		return nil, &Error{Msg: "the file is empty"}
	}
	var secrets []string
	if err := expandEnv(root.Content[0], "", lookup, dir, &secrets); err != nil {
		return nil, err
	}
	cfg := Defaults()
	cfg.Channels.Rules = nil
	dec, err := strictDecoder(&root)
	if err != nil {
		return nil, err
	}
	if err := dec.Decode(cfg); err != nil {
		return nil, &Error{Msg: cleanYAMLError(err)}
	}
	if len(cfg.Channels.Rules) == 0 {
		cfg.Channels.Rules = DefaultChannelRules()
	}
	if err := cfg.parseSources(); err != nil {
		return nil, err
	}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	cfg.hash = hex.EncodeToString(sum[:])
	sort.Slice(secrets, func(i, j int) bool { return len(secrets[i]) > len(secrets[j]) })
	cfg.secrets = secrets
	return cfg, nil
}

func strictDecoder(root *yaml.Node) (*yaml.Decoder, error) {
	buf, err := yaml.Marshal(root)
	if err != nil {
		return nil, err
	}
	dec := yaml.NewDecoder(bytes.NewReader(buf))
	dec.KnownFields(true)
	return dec, nil
}

var (
	envRef  = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)
	fileRef = regexp.MustCompile(`\$\{file:([^}]+)\}`)
)
var secretKey = regexp.MustCompile(`(?i)(token|secret|password|api_key|apikey|credential|private_key)`)

// expandEnv replaces ${NAME} (an environment variable) and ${file:PATH} (a
// file's content without its trailing newline, as secret mounts provide) in
// every scalar, recording values under credential-like keys as secrets.
// Relative file paths resolve against dir, the config file's folder.
func expandEnv(n *yaml.Node, path string, lookup func(string) (string, bool), dir string, secrets *[]string) error {
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			key := n.Content[i].Value
			p := key
			if path != "" {
				p = path + "." + key
			}
			if err := expandEnv(n.Content[i+1], p, lookup, dir, secrets); err != nil {
				return err
			}
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			if err := expandEnv(c, fmt.Sprintf("%s[%d]", path, i), lookup, dir, secrets); err != nil {
				return err
			}
		}
	case yaml.ScalarNode:
		var fileErr error
		out := fileRef.ReplaceAllStringFunc(n.Value, func(m string) string {
			name := fileRef.FindStringSubmatch(m)[1]
			if !filepath.IsAbs(name) && dir != "" {
				name = filepath.Join(dir, name)
			}
			b, err := os.ReadFile(name)
			if err != nil && fileErr == nil {
				fileErr = err
			}
			return strings.TrimRight(string(b), "\r\n")
		})
		if fileErr != nil {
			return &Error{Key: path, Msg: fmt.Sprintf("secret file: %v", fileErr)}
		}
		var missing string
		out = envRef.ReplaceAllStringFunc(out, func(m string) string {
			name := envRef.FindStringSubmatch(m)[1]
			v, ok := lookup(name)
			if !ok && missing == "" {
				missing = name
			}
			return v
		})
		if missing != "" {
			return &Error{Key: path, Msg: fmt.Sprintf("environment variable %s is not set", missing)}
		}
		if out != n.Value {
			n.Value = out
			n.Tag = "!!str"
			n.Style = yaml.DoubleQuotedStyle
		}
		last := path[strings.LastIndex(path, ".")+1:]
		if secretKey.MatchString(last) && n.Value != "" {
			*secrets = append(*secrets, n.Value)
		}
	}
	return nil
}

func (c *Config) parseSources() error {
	n := &c.RawSources
	if n.Kind == 0 {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		return &Error{Key: "sources", Msg: "must be a mapping of source name to settings"}
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		name := n.Content[i].Value
		body := n.Content[i+1]
		path := "sources." + name
		if body.Kind != yaml.MappingNode {
			return &Error{Key: path, Msg: "must be a mapping with at least a type"}
		}
		spec := SourceSpec{Name: name, Enabled: true, path: path}
		settings := yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		for j := 0; j+1 < len(body.Content); j += 2 {
			k, v := body.Content[j], body.Content[j+1]
			switch k.Value {
			case "type":
				spec.Type = v.Value
			case "enabled":
				if err := v.Decode(&spec.Enabled); err != nil {
					return &Error{Key: path + ".enabled", Msg: "must be true or false"}
				}
			case "strict":
				if err := v.Decode(&spec.Strict); err != nil {
					return &Error{Key: path + ".strict", Msg: "must be true or false"}
				}
			case "timeout":
				d, err := time.ParseDuration(v.Value)
				if err != nil || d <= 0 {
					return &Error{Key: path + ".timeout", Msg: fmt.Sprintf("%q is not a positive duration like 30s or 2m", v.Value)}
				}
				spec.Timeout = d
			case "backfill_from":
				d, err := time.Parse(time.DateOnly, v.Value)
				if err != nil {
					return &Error{Key: path + ".backfill_from", Msg: fmt.Sprintf("%q is not a date like 2026-01-01", v.Value)}
				}
				spec.BackfillFrom = &d
			case "restatement_days", "backfill_days":
				var n int
				if err := v.Decode(&n); err != nil || n < 0 {
					return &Error{Key: path + "." + k.Value, Msg: "must be a whole number of days, 0 or more"}
				}
				if k.Value == "restatement_days" {
					spec.RestatementDays = &n
				} else {
					spec.BackfillDays = &n
				}
			default:
				settings.Content = append(settings.Content, k, v)
			}
		}
		if spec.Type == "" {
			return &Error{Key: path + ".type", Msg: "is required (see `socialroi sources` for the types)"}
		}
		spec.settings = settings
		c.Sources = append(c.Sources, spec)
	}
	return nil
}

var currencyCode = regexp.MustCompile(`^[A-Z]{3}$`)

func (c *Config) validate() error {
	bad := func(key, format string, args ...any) error {
		return &Error{Key: key, Msg: fmt.Sprintf(format, args...)}
	}
	if c.Warehouse == "" {
		return bad("warehouse", "must name the DuckDB file")
	}
	if !currencyCode.MatchString(c.Reporting.Currency) {
		return bad("reporting.currency", "%q is not a three-letter ISO currency code like USD", c.Reporting.Currency)
	}
	if _, err := time.LoadLocation(c.Reporting.Timezone); err != nil {
		return bad("reporting.timezone", "%q is not an IANA time zone like Europe/Berlin", c.Reporting.Timezone)
	}
	if len(c.Reporting.ConversionTypes) == 0 {
		return bad("reporting.conversion_types", "must list at least one conversion type")
	}
	for key, list := range map[string][]string{"reporting.paid_channels": c.Reporting.PaidChannels, "reporting.paid_social_channels": c.Reporting.PaidSocialChannels} {
		if len(list) == 0 {
			return bad(key, "must list at least one channel")
		}
		for _, ch := range list {
			if !slices.Contains(KnownChannels, ch) {
				return bad(key, "unknown channel %q (known: %s)", ch, strings.Join(KnownChannels, ", "))
			}
		}
	}
	if c.Reporting.TargetROAS < 0 {
		return bad("reporting.target_roas", "must not be negative")
	}
	if c.Reporting.TargetCAC != "" {
		if _, err := decimal.NewFromString(c.Reporting.TargetCAC); err != nil {
			return bad("reporting.target_cac", "%q is not a decimal amount", c.Reporting.TargetCAC)
		}
	}
	a := c.Attribution
	if a.LookbackDays < 1 || a.LookbackDays > 365 {
		return bad("attribution.lookback_days", "must be between 1 and 365, got %d", a.LookbackDays)
	}
	if a.HalfLifeDays <= 0 {
		return bad("attribution.half_life_days", "must be positive, got %g", a.HalfLifeDays)
	}
	if a.PositionFirst < 0 || a.PositionLast < 0 || a.PositionFirst+a.PositionLast > 1 || a.PositionFirst+a.PositionLast == 0 {
		return bad("attribution.position_first", "position_first and position_last must be ≥ 0 and add up to more than 0 and at most 1, got %g and %g", a.PositionFirst, a.PositionLast)
	}
	if len(a.Models) == 0 {
		return bad("attribution.models", "must list at least one model")
	}
	for _, m := range a.Models {
		if !slices.Contains(KnownModels, m) {
			return bad("attribution.models", "unknown model %q (known: %s)", m, strings.Join(KnownModels, ", "))
		}
	}
	if !slices.Contains(a.Models, c.Reporting.PrimaryModel) {
		return bad("reporting.primary_model", "%q must be one of attribution.models (%s)", c.Reporting.PrimaryModel, strings.Join(a.Models, ", "))
	}
	if c.RestatementDays < 0 {
		return bad("restatement_days", "must not be negative")
	}
	if c.MaxConcurrentSources < 1 {
		return bad("max_concurrent_sources", "must be at least 1")
	}
	if c.BackfillDays < 0 {
		return bad("backfill_days", "must not be negative")
	}
	if c.DuckDB.Threads < 0 {
		return bad("duckdb.threads", "must not be negative")
	}
	for i, o := range c.Outputs {
		if !slices.Contains(KnownOutputs, o) {
			return bad(fmt.Sprintf("outputs[%d]", i), "unknown output %q (known: %s)", o, strings.Join(KnownOutputs, ", "))
		}
	}
	for i, r := range c.Channels.Rules {
		key := fmt.Sprintf("channels.rules[%d]", i)
		if !slices.Contains(KnownChannels, r.Channel) {
			return bad(key+".channel", "unknown channel %q (known: %s)", r.Channel, strings.Join(KnownChannels, ", "))
		}
		for field, re := range map[string]string{"utm_source": r.Source, "utm_medium": r.Medium, "click_id_type": r.ClickIDType, "referrer": r.Referrer, "interaction": r.Interaction} {
			if _, err := regexp.Compile(re); err != nil {
				return bad(key+"."+field, "not a valid regular expression: %v", err)
			}
		}
	}
	if c.QA.UTMCoverageMin < 0 || c.QA.UTMCoverageMin > 1 || c.QA.OtherShareMax < 0 || c.QA.OtherShareMax > 1 || c.QA.ReconciliationTolerance < 0 {
		return bad("qa", "shares must be between 0 and 1 and the tolerance not negative")
	}
	for key, tmpl := range map[string]string{"naming.campaign": c.Naming.Campaign, "naming.adset": c.Naming.Adset, "naming.ad": c.Naming.Ad} {
		if _, err := CompileTemplate(tmpl); err != nil {
			return bad(key, "%v", err)
		}
	}
	for code, seg := range c.Naming.Segments {
		if !slices.Contains(AudienceSegments, seg) {
			return bad("naming.segments."+code, "unknown audience segment %q (known: %s)", seg, strings.Join(AudienceSegments, ", "))
		}
	}
	if c.Creative.FatigueCTRDrop <= 0 || c.Creative.FatigueCTRDrop >= 1 {
		return bad("creative.fatigue_ctr_drop", "must be between 0 and 1 (0.3 = a 30%% drop), got %g", c.Creative.FatigueCTRDrop)
	}
	if c.Creative.FatigueFrequency < 0 {
		return bad("creative.fatigue_frequency", "must not be negative")
	}
	if c.Community.SLAMinutes < 1 {
		return bad("community.sla_minutes", "must be at least 1, got %d", c.Community.SLAMinutes)
	}
	if c.Influencers.UsageRightsWarningDays < 0 {
		return bad("influencers.usage_rights_warning_days", "must not be negative")
	}
	if c.Budget.TrailingWeeks < 3 || c.Budget.TrailingWeeks > 52 {
		return bad("budget.trailing_weeks", "must be between 3 and 52 (a curve needs at least three points), got %d", c.Budget.TrailingWeeks)
	}
	if c.Budget.HoldBand < 0 || c.Budget.HoldBand >= 1 {
		return bad("budget.hold_band", "must be between 0 and 1, got %g", c.Budget.HoldBand)
	}
	if err := c.BigQuery.validate(c.Outputs); err != nil {
		return err
	}
	if c.ExcelRowCap < 1 {
		return bad("excel_row_cap", "must be at least 1")
	}
	seen := map[string]bool{}
	for _, s := range c.Sources {
		if seen[s.Name] {
			return bad("sources."+s.Name, "defined twice")
		}
		seen[s.Name] = true
	}
	return nil
}

// Hash identifies the configuration's content (the manifest records it).
func (c *Config) Hash() string { return c.hash }

// Secrets returns the credential values found in the config, longest first,
// for redaction.
func (c *Config) Secrets() []string { return slices.Clone(c.secrets) }

// Location returns the reporting time zone.
func (c *Config) Location() *time.Location {
	loc, err := time.LoadLocation(c.Reporting.Timezone)
	if err != nil { // validated in Parse
		return time.UTC
	}
	return loc
}

// TargetCAC returns the configured CAC target, zero when unset.
func (c *Config) TargetCAC() decimal.Decimal {
	d, _ := decimal.NewFromString(c.Reporting.TargetCAC)
	return d
}

// Source returns the named source spec.
func (c *Config) Source(name string) (SourceSpec, bool) {
	for _, s := range c.Sources {
		if s.Name == name {
			return s, true
		}
	}
	return SourceSpec{}, false
}

// Redactor returns a function that replaces every secret in s with REDACTED.
func (c *Config) Redactor() func(string) string {
	secrets := c.Secrets()
	return func(s string) string {
		for _, sec := range secrets {
			s = strings.ReplaceAll(s, sec, "REDACTED")
		}
		return s
	}
}

// cleanYAMLError turns yaml.v3's messages into ones an analyst can act on.
func cleanYAMLError(err error) string {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	msg = strings.ReplaceAll(msg, "unmarshal errors:\n  ", "")
	msg = regexp.MustCompile(`field (\S+) not found in type \S+`).ReplaceAllString(msg, "unknown setting $1")
	return msg
}

// Validate checks a configuration built in code (flags, tests) by the same
// rules as a loaded file.
func (c *Config) Validate() error { return c.validate() }

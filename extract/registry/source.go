package registry

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/socialroi/socialroi/extract"
	"github.com/socialroi/socialroi/transform"
)

// Kind is the source kind name in the config.
const Kind = "influencer_registry"

func init() {
	extract.Register(extract.Kind{
		Name:     Kind,
		Summary:  "The influencer registry finance keeps: creators, promo codes, link keys, contracts and costs, from one YAML file or two CSV files.",
		Tables:   []string{transform.Influencers, transform.InfluencerCosts},
		Settings: settingsExample,
		New:      New,
	})
}

const settingsExample = `# The influencer registry, read and checked when the run starts: a bad
# registry fails the run with exit code 2 before anything is extracted.
type: influencer_registry
# Either one YAML file ...
path: influencers.yaml
# ... or two CSV files (instead of path):
# creators: registry/creators.csv
# costs: registry/costs.csv
# Relative paths resolve against this config file's folder.
#
# The YAML file:
#   creators:
#     - id: cr_001                        # unique
#       handle: "@maya.makes"
#       platform: instagram
#       promo_codes: [MAYA15]             # one creator per code, any case
#       link_keys: [maya-fall26]          # utm values of the creator's links
#       contract: {start: 2026-08-15, end: 2026-11-30}
#       usage_rights_until: 2026-12-05
#       whitelisted_ad_ids: ["120000001"]
#       costs:                            # kind: fee | product | bonus | whitelisting
#         - {date: 2026-09-01, kind: fee, amount: "1500.00", currency: USD}
#
# creators.csv: creator_id,handle,platform,promo_codes,link_keys,
#   contract_start,contract_end,usage_rights_until,whitelisted_ad_ids
#   (lists as MAYA15|MAYA-VIP, or with ; between items; dates YYYY-MM-DD)
# costs.csv: creator_id,date,kind,amount,currency
`

// Settings is the registry source's settings block: Path (YAML), or
// Creators and Costs (CSV).
type Settings struct {
	Path     string `yaml:"path"`
	Creators string `yaml:"creators"`
	Costs    string `yaml:"costs"`
}

// Validate checks which files are named, without reading them (Load reads
// and validates the registry itself).
func (s *Settings) Validate() error {
	hasCSV := s.Creators != "" || s.Costs != ""
	switch {
	case s.Path != "" && hasCSV:
		return errors.New("path: set either path (a YAML registry) or creators and costs (a CSV registry), not both")
	case s.Path != "":
		if ext := strings.ToLower(filepath.Ext(s.Path)); ext != ".yaml" && ext != ".yml" {
			return fmt.Errorf("path: %q is not a .yaml or .yml file (a CSV registry is named with creators and costs)", s.Path)
		}
	case !hasCSV:
		return errors.New("path: name the registry: path (a YAML file) or creators and costs (two CSV files)")
	case s.Creators == "":
		return errors.New("creators: is required with costs (the creators CSV file)")
	case s.Costs == "":
		// Left out, creator cost would silently be zero and CAC per
		// creator flattering; an empty costs file (header only) is fine.
		return errors.New("costs: is required with creators (the costs CSV file; a header row alone when nothing is booked yet)")
	default:
		for _, f := range [][2]string{{"creators", s.Creators}, {"costs", s.Costs}} {
			if !strings.EqualFold(filepath.Ext(f[1]), ".csv") {
				return fmt.Errorf("%s: %q is not a .csv file", f[0], f[1])
			}
		}
	}
	return nil
}

// rawFile is a registry file's content as read, kept for raw landing.
type rawFile struct {
	name string
	data []byte
}

// Load reads and validates the registry the settings name. Relative paths
// resolve against dir (empty: the working directory); errors name the files
// as the settings do. Validation problems return a *ValidationError.
func Load(s Settings, dir string) (*Registry, error) {
	reg, _, err := load(s, dir)
	return reg, err
}

func load(s Settings, dir string) (*Registry, []rawFile, error) {
	if err := s.Validate(); err != nil {
		return nil, nil, fmt.Errorf("influencer registry: %w", err)
	}
	read := func(p string) (rawFile, error) {
		full := p
		if dir != "" && !filepath.IsAbs(p) {
			full = filepath.Join(dir, p)
		}
		data, err := os.ReadFile(full)
		if err != nil {
			return rawFile{}, fmt.Errorf("influencer registry: %w", err)
		}
		return rawFile{name: p, data: data}, nil
	}
	if s.Path != "" {
		f, err := read(s.Path)
		if err != nil {
			return nil, nil, err
		}
		reg, err := ReadYAML(s.Path, bytes.NewReader(f.data))
		return reg, []rawFile{f}, err
	}
	cr, err := read(s.Creators)
	if err != nil {
		return nil, nil, err
	}
	co, err := read(s.Costs)
	if err != nil {
		return nil, nil, err
	}
	reg, err := ReadCSV(s.Creators, bytes.NewReader(cr.data), s.Costs, bytes.NewReader(co.data))
	return reg, []rawFile{cr, co}, err
}

// Source emits a registry read and validated when it was built. Two Sources
// share no state.
type Source struct {
	name  string
	reg   *Registry
	files []rawFile
}

// New is the factory registered for Kind. It reads and validates the
// registry, so that a bad registry is a configuration error reported before
// any source extracts (the pipeline builds every source first).
func New(name string, settings extract.Settings) (extract.Source, error) {
	var s Settings
	if err := settings.Decode(&s); err != nil {
		// Already a config error naming the key; wrapping it would make the
		// pipeline name the source twice.
		return nil, err
	}
	reg, files, err := load(s, settings.Dir())
	if err != nil {
		return nil, err
	}
	return &Source{name: name, reg: reg, files: files}, nil
}

// NewSource returns a source that emits reg, for callers that hold a
// registry already (tests, the demo).
func NewSource(name string, reg *Registry) *Source {
	return &Source{name: name, reg: reg}
}

// Registry is the registry the source emits.
func (s *Source) Registry() *Registry { return s.reg }

// Snapshot reports that every extract is the whole registry: a creator or
// cost removed from the file is removed from the warehouse (extract.Snapshotter).
func (s *Source) Snapshot() bool { return true }

// Extract lands the registry files as read (gzip-compressed, so the manifest
// records which registry the run used) and emits the influencers record and,
// when any cost is booked, the influencer_costs record. The whole registry
// is emitted whatever the date range: it is small, and both tables are
// upserted on their natural keys.
func (s *Source) Extract(ctx context.Context, req extract.Request, emit extract.Emitter) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%s: %w", s.name, err)
	}
	if err := s.land(req.RawDir); err != nil {
		return fmt.Errorf("%s: %w", s.name, err)
	}
	creators, costs, err := s.reg.Records(req.Allocator())
	if err != nil {
		return fmt.Errorf("%s: %w", s.name, err)
	}
	defer creators.Release()
	defer costs.Release()
	if err := emit.Emit(transform.Influencers, creators); err != nil {
		return fmt.Errorf("%s: emit %s: %w", s.name, transform.Influencers, err)
	}
	if costs.NumRows() > 0 {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
		if err := emit.Emit(transform.InfluencerCosts, costs); err != nil {
			return fmt.Errorf("%s: emit %s: %w", s.name, transform.InfluencerCosts, err)
		}
	}
	req.Log().Debug("registry: emitted", "source", s.name, "creators", creators.NumRows(), "costs", costs.NumRows())
	return nil
}

// land writes each registry file to rawDir as <name>.gz.
func (s *Source) land(rawDir string) error {
	if rawDir == "" || len(s.files) == 0 {
		return nil
	}
	if err := os.MkdirAll(rawDir, 0o755); err != nil {
		return fmt.Errorf("raw landing: %w", err)
	}
	for _, f := range s.files {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		zw.Name = filepath.Base(f.name)
		if _, err := zw.Write(f.data); err != nil {
			return fmt.Errorf("raw landing: %w", err)
		}
		if err := zw.Close(); err != nil {
			return fmt.Errorf("raw landing: %w", err)
		}
		if err := os.WriteFile(filepath.Join(rawDir, filepath.Base(f.name)+".gz"), buf.Bytes(), 0o644); err != nil {
			return fmt.Errorf("raw landing: %w", err)
		}
	}
	return nil
}

package registry

import (
	"compress/gzip"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/socialroi/socialroi/config"
	"github.com/socialroi/socialroi/extract"
	"github.com/socialroi/socialroi/extract/extracttest"
)

// dirSettings is strict YAML settings in a config folder, as the config
// package gives a source.
type dirSettings struct {
	extracttest.YAMLSettings
	dir string
}

func (d dirSettings) Dir() string { return d.dir }

func write(t *testing.T, dir, name, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestSettingsValidate(t *testing.T) {
	tests := []struct {
		name string
		s    Settings
		want string // "" for valid
	}{
		{"yaml", Settings{Path: "influencers.yaml"}, ""},
		{"yml upper case", Settings{Path: "reg/INFLUENCERS.YML"}, ""},
		{"csv", Settings{Creators: "creators.csv", Costs: "costs.CSV"}, ""},
		{"nothing", Settings{}, "path: name the registry"},
		{"both", Settings{Path: "a.yaml", Creators: "c.csv"}, "not both"},
		{"path not yaml", Settings{Path: "creators.csv"}, `path: "creators.csv" is not a .yaml or .yml file`},
		{"creators alone", Settings{Creators: "c.csv"}, "costs: is required with creators"},
		{"costs alone", Settings{Costs: "c.csv"}, "creators: is required with costs"},
		{"creators not csv", Settings{Creators: "c.xlsx", Costs: "d.csv"}, `creators: "c.xlsx" is not a .csv file`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.s.Validate()
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("err = %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestKindRegistered(t *testing.T) {
	k, err := extract.Lookup(Kind)
	if err != nil {
		t.Fatal(err)
	}
	if len(k.Tables) != 2 || k.Summary == "" {
		t.Errorf("kind = %+v", k)
	}
	// The example `socialroi sources` prints is valid settings.
	example := strings.Replace(k.Settings, "type: influencer_registry\n", "", 1)
	var s Settings
	if err := extracttest.YAMLSettings(example).Decode(&s); err != nil {
		t.Fatalf("settings example: %v", err)
	}
	if s.Path != "influencers.yaml" {
		t.Errorf("example settings = %+v", s)
	}
	// Its commented YAML is the format, and reads.
	var yml []string
	in := false
	for _, line := range strings.Split(k.Settings, "\n") {
		switch {
		case strings.HasPrefix(line, "# The YAML file:"):
			in = true
		case in && strings.HasPrefix(line, "#   "):
			yml = append(yml, strings.TrimPrefix(line, "#   "))
		case in:
			in = false
		}
	}
	if _, err := ReadYAML("example", strings.NewReader(strings.Join(yml, "\n"))); err != nil || len(yml) < 10 {
		t.Errorf("YAML example in the settings (%d lines): %v", len(yml), err)
	}
}

// TestSourceFromConfigFolder builds the source as the pipeline does, from
// settings whose relative paths resolve against the config folder, and
// checks what Extract emits and lands.
func TestSourceFromConfigFolder(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "finance/influencers.yaml", mayaYAML)
	write(t, dir, "finance/creators.csv", "creator_id,handle,platform,promo_codes\ncr_001,@maya.makes,instagram,MAYA15\n")
	write(t, dir, "finance/costs.csv", "creator_id,date,kind,amount,currency\ncr_001,2026-09-01,fee,1500.00,USD\n")

	for _, tt := range []struct {
		name, settings string
		landed         []string
	}{
		{"yaml", "path: finance/influencers.yaml\n", []string{"influencers.yaml.gz"}},
		{"csv", "creators: finance/creators.csv\ncosts: finance/costs.csv\n", []string{"costs.csv.gz", "creators.csv.gz"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			mem := checkedMem(t)
			src, err := New("influencers", dirSettings{extracttest.YAMLSettings(tt.settings), dir})
			if err != nil {
				t.Fatal(err)
			}
			raw := filepath.Join(t.TempDir(), "raw", "influencers", "run1")
			s := &sink{}
			defer s.release()
			if err := src.Extract(t.Context(), extract.Request{Mem: mem, RawDir: raw}, s); err != nil {
				t.Fatal(err)
			}
			got := readBack(t, s)
			if len(got.Creators) != 1 || got.Creators[0].PromoCodes[0] != "MAYA15" || len(got.Costs) != 1 || got.Costs[0].Amount.String() != "1500" {
				t.Errorf("emitted %+v", got)
			}
			entries, _ := os.ReadDir(raw)
			var names []string
			for _, e := range entries {
				names = append(names, e.Name())
			}
			if strings.Join(names, ",") != strings.Join(tt.landed, ",") {
				t.Fatalf("landed %v, want %v", names, tt.landed)
			}
			// The landed file is the registry as read, byte for byte.
			f, err := os.Open(filepath.Join(raw, tt.landed[0]))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			zr, err := gzip.NewReader(f)
			if err != nil {
				t.Fatal(err)
			}
			landed, _ := io.ReadAll(zr)
			orig, _ := os.ReadFile(filepath.Join(dir, "finance", strings.TrimSuffix(tt.landed[0], ".gz")))
			if string(landed) != string(orig) {
				t.Errorf("landed content differs from the file")
			}
		})
	}
}

func TestExtractHonoursContext(t *testing.T) {
	reg, err := ReadYAML("r.yaml", strings.NewReader(mayaYAML))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	s := &sink{}
	defer s.release()
	err = NewSource("influencers", reg).Extract(ctx, extract.Request{Mem: checkedMem(t)}, s)
	if !errors.Is(err, context.Canceled) || len(s.recs) != 0 {
		t.Errorf("err = %v, %d records emitted", err, len(s.recs))
	}
}

// TestBadRegistryIsAConfigError goes through the config package as the
// pipeline does (config.Parse, then the kind's factory with the SourceSpec):
// settings problems come back as *config.Error, registry problems as errors
// wrapping ErrInvalid, which the pipeline's buildSources turns into a
// *config.Error (exit code 2) before any source extracts.
func TestBadRegistryIsAConfigError(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "bad.yaml", mayaYAML+"  - {id: cr_002, handle: \"@tom\", platform: tiktok, promo_codes: [Maya15]}\n")
	kind, err := extract.Lookup(Kind)
	if err != nil {
		t.Fatal(err)
	}
	build := func(settings string) error {
		t.Helper()
		cfg, err := config.Parse([]byte("sources:\n  influencers:\n    type: influencer_registry\n"+settings), func(string) (string, bool) { return "", false })
		if err != nil {
			t.Fatal(err)
		}
		_, err = kind.New(cfg.Sources[0].Name, cfg.Sources[0])
		return err
	}

	err = build("    path: " + filepath.Join(dir, "bad.yaml") + "\n")
	t.Logf("bad registry: %v", err)
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), `creator cr_002: promo_codes: code "Maya15" is also claimed by creator cr_001`) {
		t.Errorf("bad registry: %v", err)
	}
	var ce *config.Error
	for _, settings := range []string{
		"    path: x.yaml\n    creators: c.csv\n",
		"    paht: x.yaml\n",
	} {
		if err := build(settings); !errors.As(err, &ce) || ce.Key != "sources.influencers" {
			t.Errorf("settings %q: err = %v, want a *config.Error", settings, err)
		}
	}
	if err := build("    path: " + filepath.Join(dir, "missing.yaml") + "\n"); err == nil || !strings.Contains(err.Error(), "missing.yaml") {
		t.Errorf("missing file: %v", err)
	}
}

func TestLoadRelativeToDir(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "r.yaml", mayaYAML)
	reg, err := Load(Settings{Path: "r.yaml"}, dir)
	if err != nil || len(reg.Creators) != 1 {
		t.Fatalf("Load: %v", err)
	}
	if _, err := Load(Settings{Path: "r.yaml"}, t.TempDir()); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v, want os.ErrNotExist", err)
	}
	if _, err := Load(Settings{}, dir); err == nil {
		t.Error("empty settings accepted")
	}
}

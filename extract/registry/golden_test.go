package registry

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/google/go-cmp/cmp"

	"github.com/socialroi/socialroi/extract"
	"github.com/socialroi/socialroi/extract/files"
	"github.com/socialroi/socialroi/transform"
)

// Rewrite the expected files of every case with
//
//	go test ./extract/registry -run TestGolden -update
var update = flag.Bool("update", false, "rewrite testdata/cases/*/want*")

const casesDir = "testdata/cases"

// TestGolden walks testdata/cases: each folder holds a registry, either
// registry.yaml or creators.csv and costs.csv, and what reading it gives:
// want_error.txt (the whole error message) for a registry that breaks a
// rule; otherwise want_influencers.csv and want_influencer_costs.csv (the
// emitted Arrow records written with files.WriteCSV, which shows every value
// in canonical form) and want.yaml (the registry written back with
// Registry.YAML). Adding a case means adding a folder.
func TestGolden(t *testing.T) {
	dirs, err := os.ReadDir(casesDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		dir := filepath.Join(casesDir, d.Name())
		t.Run(d.Name(), func(t *testing.T) {
			s := Settings{Path: "registry.yaml"}
			if _, err := os.Stat(filepath.Join(dir, "registry.yaml")); err != nil {
				s = Settings{Creators: "creators.csv", Costs: "costs.csv"}
			}
			got := map[string][]byte{}
			reg, err := Load(s, dir)
			if err != nil {
				got["want_error.txt"] = []byte(err.Error() + "\n")
			} else {
				got["want_influencers.csv"], got["want_influencer_costs.csv"] = emitCSV(t, reg)
				if got["want.yaml"], err = reg.YAML(); err != nil {
					t.Fatal(err)
				}
			}
			compareGolden(t, dir, got)
		})
	}
}

// TestGoldenFormatsAgree: the YAML and CSV examples are the same registry.
func TestGoldenFormatsAgree(t *testing.T) {
	for _, name := range []string{"want_influencers.csv", "want_influencer_costs.csv", "want.yaml"} {
		y, err1 := os.ReadFile(filepath.Join(casesDir, "yaml_example", name))
		c, err2 := os.ReadFile(filepath.Join(casesDir, "csv_example", name))
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		if diff := cmp.Diff(string(y), string(c)); diff != "" {
			t.Errorf("%s: yaml_example vs csv_example (-yaml +csv):\n%s", name, diff)
		}
	}
}

// emitCSV runs the registry through the source and writes each emitted
// record as CSV.
func emitCSV(t *testing.T, reg *Registry) (creators, costs []byte) {
	t.Helper()
	mem := checkedMem(t)
	s := &sink{}
	defer s.release()
	if err := NewSource("golden", reg).Extract(t.Context(), extract.Request{Mem: mem}, s); err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, table := range []string{transform.Influencers, transform.InfluencerCosts} {
		var recs []arrow.RecordBatch
		for i, r := range s.recs {
			if s.tables[i] == table {
				recs = append(recs, r)
			}
		}
		if len(recs) == 0 {
			continue
		}
		var buf bytes.Buffer
		if err := files.WriteCSV(&buf, recs...); err != nil {
			t.Fatal(err)
		}
		out[table] = buf.Bytes()
	}
	return out[transform.Influencers], out[transform.InfluencerCosts]
}

// compareGolden compares got with the case's want* files (or rewrites them
// with -update); a want file that got has no entry for must not exist.
func compareGolden(t *testing.T, dir string, got map[string][]byte) {
	t.Helper()
	wants, _ := filepath.Glob(filepath.Join(dir, "want*"))
	if *update {
		for _, w := range wants {
			if err := os.Remove(w); err != nil {
				t.Fatal(err)
			}
		}
		for name, b := range got {
			if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return
	}
	for _, w := range wants {
		if _, ok := got[filepath.Base(w)]; !ok {
			t.Errorf("%s exists but the case produced none (an error where output was expected, or the reverse?)", w)
		}
	}
	for name, b := range got {
		want, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Errorf("%v (run with -update to create it); got:\n%s", err, b)
			continue
		}
		if diff := cmp.Diff(string(want), string(b)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", name, diff)
		}
	}
}

package registry

import (
	"bytes"
	"encoding/csv"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/socialroi/socialroi/extract/extracttest"
	"github.com/socialroi/socialroi/transform"
)

// FuzzSplitList checks the CSV list-column parsing on its own and inside a
// creators.csv: items are never empty, never padded and never contain a
// separator; joining them with | reads back to the same items; and a
// creators.csv whose promo_codes cell is the input reads to exactly those
// items, or fails only with a validation error (a code listed twice).
// Seeded with the list cells of the test data.
//
//	go test ./extract/registry -run '^$' -fuzz FuzzSplitList -fuzztime 30s
func FuzzSplitList(f *testing.F) {
	for _, s := range []string{"", "MAYA15", "MAYA15|MAYA-VIP", "a; b ;c", "a||b|", "|", " ; ", "tom-tt-q4; tom-tt-bio", "120000001|120000002",
		"\"quoted\"|x", "a,b", "a\nb|c", "ü|ß;é", "\xff|a"} {
		f.Add(s)
	}
	seeds, _ := filepath.Glob(filepath.Join(casesDir, "*", "creators.csv"))
	for _, p := range seeds {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		recs, _ := csv.NewReader(bytes.NewReader(data)).ReadAll()
		for _, r := range recs {
			for _, cell := range r {
				f.Add(cell)
			}
		}
	}
	f.Fuzz(func(t *testing.T, cell string) {
		items := SplitList(cell)
		if items == nil {
			t.Fatal("nil list; want an empty one")
		}
		for _, it := range items {
			if it == "" || strings.TrimSpace(it) != it || strings.ContainsAny(it, ListSeparators) {
				t.Fatalf("SplitList(%q) item %q", cell, it)
			}
		}
		if again := SplitList(strings.Join(items, "|")); !slices.Equal(items, again) {
			t.Fatalf("SplitList(%q) = %q, re-joined reads %q", cell, items, again)
		}

		if strings.ContainsRune(cell, '\r') || !utf8.ValidString(cell) {
			return // CSV reading normalizes \r\n and is not defined on invalid UTF-8
		}
		var buf bytes.Buffer
		w := csv.NewWriter(&buf)
		_ = w.WriteAll([][]string{{"creator_id", "handle", "platform", "promo_codes"}, {"c1", "@h", "instagram", cell}})
		reg, err := ReadCSV("creators.csv", &buf, "costs.csv", strings.NewReader("creator_id,date,kind,amount,currency\n"))
		if err != nil {
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "is listed twice") {
				t.Fatalf("cell %q: %v", cell, err)
			}
			return
		}
		if diff := cmp.Diff(items, reg.Creators[0].PromoCodes); diff != "" {
			t.Fatalf("cell %q: promo_codes (-SplitList +ReadCSV):\n%s", cell, diff)
		}
	})
}

// FuzzReadYAML feeds arbitrary text to the YAML reader: it returns a
// registry or a validation error, never panics, and what it accepts writes
// back (Registry.YAML) to text it reads again to the same rows. Seeded with
// the YAML files of the test data.
//
//	go test ./extract/registry -run '^$' -fuzz FuzzReadYAML -fuzztime 30s
func FuzzReadYAML(f *testing.F) {
	f.Add(mayaYAML)
	seeds, _ := filepath.Glob(filepath.Join(casesDir, "*", "*.yaml"))
	for _, p := range seeds {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(data))
	}
	f.Fuzz(func(t *testing.T, in string) {
		reg, err := ReadYAML("fuzz.yaml", strings.NewReader(in))
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error does not wrap ErrInvalid: %v", err)
			}
			return
		}
		out, err := reg.YAML()
		if err != nil {
			t.Fatal(err)
		}
		back, err := ReadYAML("again.yaml", bytes.NewReader(out))
		if err != nil {
			t.Fatalf("re-reading written YAML: %v\n%s", err, out)
		}
		// Costs come back grouped by creator; compare them as sets.
		if diff := cmp.Diff(reg.Creators, back.Creators); diff != "" {
			t.Fatalf("creators differ after a round trip (-first +again):\n%s", diff)
		}
		if len(reg.Costs) != len(back.Costs) {
			t.Fatalf("%d costs, %d after a round trip", len(reg.Costs), len(back.Costs))
		}
		for _, c := range reg.Costs {
			if !slices.ContainsFunc(back.Costs, func(b transform.InfluencerCostRow) bool { return cmp.Equal(c, b, extracttest.DecimalEqual) }) {
				t.Fatalf("cost %+v lost in a round trip", c)
			}
		}
	})
}

package config

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCompileTemplate(t *testing.T) {
	tests := []struct {
		tmpl, name string
		want       map[string]string // nil: does not parse
	}{
		{"{objective}_{segment}_{geo}_{offer}", "conv_pr_us_free-shipping",
			map[string]string{"objective": "conv", "segment": "pr", "geo": "us", "offer": "free-shipping"}},
		{"{objective}_{segment}_{geo}_{offer}", "BF Teaser - Nov", nil},
		{"{objective}_{segment}_{geo}_{offer}", "conv_pr_us", nil},
		{"{objective}_{segment}_{geo}_{offer}", "conv_pr_us_free_shipping", nil},
		{"{format}_{hook}_{cta}_{creative}", "video_ugc-unboxing_shop-now_cr012",
			map[string]string{"format": "video", "hook": "ugc-unboxing", "cta": "shop-now", "creative": "cr012"}},
		// literal prefix and a different separator; regex metacharacters in literals are literal
		{"AD.{format} | {hook}", "AD.video | hook-one", map[string]string{"format": "video", "hook": "hook-one"}},
		// a field never holds a separator character
		{"AD.{format} | {hook}", "AD.video | hook one", nil},
		{"AD.{format} | {hook}", "ADxvideo | hook", nil},
		{"{segment}", "anything at all", map[string]string{"segment": "anything at all"}},
	}
	for _, tt := range tests {
		tm, err := CompileTemplate(tt.tmpl)
		if err != nil {
			t.Fatalf("%q: %v", tt.tmpl, err)
		}
		got, ok := tm.Parse(tt.name)
		if ok != (tt.want != nil) || !cmp.Equal(got, tt.want) {
			t.Errorf("%q on %q = %v, %v; want %v", tt.tmpl, tt.name, got, ok, tt.want)
		}
		// the extract pattern matches the same names and yields every
		// naming field: the template's values, '' for the others
		m := regexp.MustCompile(tm.ExtractPattern).FindStringSubmatch(tt.name)
		if (m != nil) != ok {
			t.Errorf("%q extract pattern %q on %q = %v, want a match: %v", tt.tmpl, tm.ExtractPattern, tt.name, m, ok)
		}
		if !cmp.Equal(slices.Sorted(slices.Values(tm.ExtractFields)), slices.Sorted(slices.Values(NamingFields))) {
			t.Errorf("%q extract fields %v, want each of %v once", tt.tmpl, tm.ExtractFields, NamingFields)
		}
		if m != nil {
			for i, f := range tm.ExtractFields {
				if m[i+1] != got[f] {
					t.Errorf("%q on %q: extracted %s = %q, want %q", tt.tmpl, tt.name, f, m[i+1], got[f])
				}
			}
		}
	}
}

func TestCompileTemplateErrors(t *testing.T) {
	for tmpl, want := range map[string]string{
		"plain name":           "has no {field}",
		"{objective}{segment}": "need a separator",
		"{objective}_{colour}": "unknown field {colour}",
		"{geo}_{geo}":          "appears twice",
		"{geo}_{offer":         "unbalanced brace",
	} {
		_, err := CompileTemplate(tmpl)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("CompileTemplate(%q) = %v, want an error containing %q", tmpl, err, want)
		}
	}
	if tm, err := CompileTemplate(""); tm != nil || err != nil {
		t.Errorf("empty template = %v, %v; want nil, nil", tm, err)
	}
}

// FuzzTemplateParse checks that whatever a template and a name are, parsing
// never panics, and a name that parses is rebuilt exactly from its fields.
func FuzzTemplateParse(f *testing.F) {
	f.Add("{objective}_{segment}_{geo}_{offer}", "conv_pr_us_free-shipping")
	f.Add("{format}-{hook}-{cta}-{creative}", "video-a-b-c")
	f.Add("[{geo}] {offer}", "[us] 20% off")
	f.Fuzz(func(t *testing.T, tmpl, name string) {
		tm, err := CompileTemplate(tmpl)
		if err != nil || tm == nil {
			return
		}
		fields, ok := tm.Parse(name)
		if !ok {
			return
		}
		rebuilt := templateField.ReplaceAllStringFunc(tmpl, func(ph string) string {
			return fields[strings.Trim(ph, "{}")]
		})
		if rebuilt != name {
			t.Fatalf("template %q: %q parsed to %v, which rebuilds %q", tmpl, name, fields, rebuilt)
		}
	})
}

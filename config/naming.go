package config

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// templateField finds the {field} placeholders of a naming template.
var templateField = regexp.MustCompile(`\{([^{}]*)\}`)

// Template is a compiled naming template such as
// "{objective}_{segment}_{geo}_{offer}".
type Template struct {
	// Pattern matches a whole name that follows the template (RE2 syntax,
	// which DuckDB's regexes share).
	Pattern string
	// Fields are the template's fields in order.
	Fields []string
	// ExtractPattern is Pattern with an empty group appended for every
	// naming field the template lacks, and ExtractFields names its groups
	// in order: SQL's regexp_extract(name, ExtractPattern, ExtractFields)
	// yields a struct with every naming field, '' where the template has
	// none, so one query reads any template's fields by name.
	ExtractPattern string
	ExtractFields  []string
}

// CompileTemplate compiles a naming template. A field matches one or more
// characters that are not among the template's literal separators, so with
// "{objective}_{segment}_{geo}_{offer}" the name "conv_pr_us_free-shipping"
// parses and "BF Teaser - Nov" does not. An empty template compiles to nil:
// that level of names is not parsed.
func CompileTemplate(tmpl string) (*Template, error) {
	if strings.TrimSpace(tmpl) == "" {
		return nil, nil
	}
	locs := templateField.FindAllStringSubmatchIndex(tmpl, -1)
	if len(locs) == 0 {
		return nil, fmt.Errorf("template %q has no {field}; fields: %s", tmpl, strings.Join(NamingFields, ", "))
	}
	// literal[i] is the text before field i; literal[len(locs)] the tail.
	literals := make([]string, len(locs)+1)
	end := 0
	t := &Template{}
	for i, loc := range locs {
		literals[i] = tmpl[end:loc[0]]
		end = loc[1]
		if i > 0 && literals[i] == "" {
			return nil, fmt.Errorf("template %q: fields %s and %s need a separator between them", tmpl, tmpl[locs[i-1][0]:locs[i-1][1]], tmpl[loc[0]:loc[1]])
		}
		name := tmpl[loc[2]:loc[3]]
		if !slices.Contains(NamingFields, name) {
			return nil, fmt.Errorf("template %q: unknown field {%s} (known: %s)", tmpl, name, strings.Join(NamingFields, ", "))
		}
		if slices.Contains(t.Fields, name) {
			return nil, fmt.Errorf("template %q: field {%s} appears twice", tmpl, name)
		}
		t.Fields = append(t.Fields, name)
	}
	literals[len(locs)] = tmpl[end:]
	all := strings.Join(literals, "")
	if strings.ContainsAny(all, "{}") {
		return nil, fmt.Errorf("template %q has an unbalanced brace", tmpl)
	}
	class := ".+"
	if all != "" {
		class = "[^" + regexp.QuoteMeta(uniqueRunes(all)) + "]+"
	}
	var re strings.Builder
	re.WriteString("^")
	for i := range t.Fields {
		re.WriteString(regexp.QuoteMeta(literals[i]) + "(" + class + ")")
	}
	tail := regexp.QuoteMeta(literals[len(locs)])
	t.Pattern = re.String() + tail + "$"
	if _, err := regexp.Compile(t.Pattern); err != nil {
		return nil, fmt.Errorf("template %q: %w", tmpl, err)
	}
	t.ExtractFields = slices.Clone(t.Fields)
	for _, f := range NamingFields {
		if !slices.Contains(t.Fields, f) {
			re.WriteString("()")
			t.ExtractFields = append(t.ExtractFields, f)
		}
	}
	t.ExtractPattern = re.String() + tail + "$"
	return t, nil
}

// Parse splits a name by the template; ok is false when it does not follow it.
func (t *Template) Parse(name string) (fields map[string]string, ok bool) {
	m := regexp.MustCompile(t.Pattern).FindStringSubmatch(name)
	if m == nil {
		return nil, false
	}
	fields = make(map[string]string, len(t.Fields))
	for i, f := range t.Fields {
		fields[f] = m[i+1]
	}
	return fields, true
}

// uniqueRunes returns the distinct characters of s in first-seen order; a
// character class needs each once.
func uniqueRunes(s string) string {
	var b strings.Builder
	seen := map[rune]bool{}
	for _, r := range s {
		if !seen[r] {
			seen[r] = true
			b.WriteRune(r)
		}
	}
	return b.String()
}

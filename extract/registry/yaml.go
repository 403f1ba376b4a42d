package registry

import (
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/socialroi/socialroi/transform"
)

// Keys of the YAML format. The file is walked as a yaml.Node tree rather than
// decoded into structs: that keeps the line of every value for the errors
// and lets one pass report every unknown key, duplicate key and bad value
// with the creator it belongs to.
var (
	rootKeys     = []string{"creators"}
	creatorKeys  = []string{"id", "handle", "platform", "promo_codes", "link_keys", "contract", "usage_rights_until", "whitelisted_ad_ids", "costs"}
	contractKeys = []string{"start", "end"}
	costKeys     = []string{"date", "kind", "amount", "currency"}
)

// ReadYAML reads and validates a registry in the YAML format (see the package
// doc). name is how errors refer to the file. A registry that breaks a rule
// returns a *ValidationError listing every problem.
func ReadYAML(name string, r io.Reader) (*Registry, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("influencer registry: read %s: %w", name, err)
	}
	y := &yamlReader{file: name, p: &problems{}}
	creators, costs := y.read(data)
	// The checks across creators run even after other problems: they see
	// every creator that has an id and every cost that parsed.
	crossCheck(creators, costs, name, y.p)
	if err := y.p.err(); err != nil {
		return nil, err
	}
	return assemble(creators, costs), nil
}

func assemble(creators []creatorEntry, costs []costEntry) *Registry {
	reg := &Registry{Creators: make([]transform.InfluencerRow, len(creators)), Costs: make([]transform.InfluencerCostRow, len(costs))}
	for i, c := range creators {
		reg.Creators[i] = c.row
	}
	for i, c := range costs {
		reg.Costs[i] = c.row
	}
	return reg
}

type yamlReader struct {
	file string
	p    *problems
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

func (y *yamlReader) read(data []byte) ([]creatorEntry, []costEntry) {
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			y.p.addf(y.file, 0, "", "", "the file is empty; expected a creators: list")
			return nil, nil
		}
		y.syntax(err)
		return nil, nil
	}
	var second yaml.Node
	if err := dec.Decode(&second); !errors.Is(err, io.EOF) {
		if err != nil {
			y.syntax(err)
		} else {
			y.p.addf(y.file, second.Line, "", "", "a second YAML document (after ---); the registry is one document")
		}
		return nil, nil
	}
	if len(doc.Content) == 0 {
		y.p.addf(y.file, 0, "", "", "the file is empty; expected a creators: list")
		return nil, nil
	}
	root := deref(doc.Content[0])
	if isNull(root) {
		y.p.addf(y.file, root.Line, "", "", "the file is empty; expected a creators: list")
		return nil, nil
	}
	if root.Kind != yaml.MappingNode {
		y.p.addf(y.file, root.Line, "", "", "expected a mapping with a creators: list")
		return nil, nil
	}
	var list *yaml.Node
	y.pairs(root, "", "", rootKeys, func(key string, k, v *yaml.Node) { list = v })
	if list == nil || isNull(list) {
		y.p.addf(y.file, root.Line, "", "creators", "is missing: the registry lists its creators under creators:")
		return nil, nil
	}
	if list.Kind != yaml.SequenceNode {
		y.p.addf(y.file, list.Line, "", "creators", "must be a list of creators (each item starting with - id: …)")
		return nil, nil
	}
	if len(list.Content) == 0 {
		y.p.addf(y.file, list.Line, "", "creators", "the list is empty")
		return nil, nil
	}
	var creators []creatorEntry
	var costs []costEntry
	for i, item := range list.Content {
		c, cs, ok := y.creator(i, deref(item))
		if ok {
			creators = append(creators, c)
			costs = append(costs, cs...)
		}
	}
	return creators, costs
}

// syntax reports a YAML syntax error at its line.
func (y *yamlReader) syntax(err error) {
	msg := err.Error()
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		y.p.addf(y.file, line, "", "", "not valid YAML: %s", m[2])
		return
	}
	y.p.addf(y.file, 0, "", "", "not valid YAML: %s", strings.TrimPrefix(msg, "yaml: "))
}

// creator reads one creators item. ok is false when the creator has no id:
// it is then reported but left out of the checks across creators, which
// would only repeat the problem.
func (y *yamlReader) creator(i int, n *yaml.Node) (c creatorEntry, costs []costEntry, ok bool) {
	c = creatorEntry{file: y.file, line: n.Line, idField: "id", fieldLines: map[string]int{}}
	if n.Kind != yaml.MappingNode {
		y.p.addf(y.file, n.Line, "", fmt.Sprintf("creators[%d]", i), "must be a mapping (id: …, handle: …)")
		return c, nil, false
	}
	// The id first, so that every other problem can name the creator.
	for j := 0; j+1 < len(n.Content); j += 2 {
		if n.Content[j].Value == "id" {
			c.row.CreatorID, _ = y.str(deref(n.Content[j+1]), "", "id")
		}
	}
	id := c.row.CreatorID
	prefix := ""
	if id == "" {
		// Without an id, only the position says which creator is meant.
		prefix = fmt.Sprintf("creators[%d].", i)
		y.p.addf(y.file, n.Line, "", prefix+"id", "is missing: every creator needs an id")
	}
	row := &c.row
	row.PromoCodes, row.LinkKeys, row.WhitelistedAdIDs = []string{}, []string{}, []string{}
	seen := map[string]bool{}
	y.pairs(n, id, prefix, creatorKeys, func(key string, k, v *yaml.Node) {
		seen[key] = true
		c.fieldLines[key] = v.Line
		field := prefix + key
		switch key {
		case "handle":
			row.Handle, _ = y.str(v, id, field)
		case "platform":
			row.Platform, _ = y.str(v, id, field)
		case "promo_codes":
			row.PromoCodes = y.list(v, id, field)
		case "link_keys":
			row.LinkKeys = y.list(v, id, field)
		case "whitelisted_ad_ids":
			row.WhitelistedAdIDs = y.list(v, id, field)
		case "usage_rights_until":
			row.UsageRightsUntil = y.date(v, id, field)
		case "contract":
			y.contract(v, id, field, row)
		case "costs":
			costs = y.costs(v, id, field)
		}
	})
	for _, req := range []struct {
		key string
		val string
	}{{"handle", row.Handle}, {"platform", row.Platform}} {
		if req.val == "" {
			what := "is missing"
			if seen[req.key] {
				what = "is empty"
			}
			y.p.addf(y.file, n.Line, id, prefix+req.key, "%s: every creator needs a %s", what, req.key)
		}
	}
	return c, costs, id != ""
}

func (y *yamlReader) contract(v *yaml.Node, id, field string, row *transform.InfluencerRow) {
	if isNull(v) {
		return
	}
	if v.Kind != yaml.MappingNode {
		y.p.addf(y.file, v.Line, id, field, "must be a mapping like {start: 2026-08-15, end: 2026-11-30}")
		return
	}
	var endLine int
	y.pairs(v, id, field+".", contractKeys, func(key string, k, val *yaml.Node) {
		switch key {
		case "start":
			row.ContractStart = y.date(val, id, field+".start")
		case "end":
			row.ContractEnd, endLine = y.date(val, id, field+".end"), val.Line
		}
	})
	if err := contractOrder(row.ContractStart, row.ContractEnd); err != nil {
		y.p.addf(y.file, endLine, id, field+".end", "%v", err)
	}
}

func (y *yamlReader) costs(v *yaml.Node, id, field string) []costEntry {
	if isNull(v) {
		return nil
	}
	if v.Kind != yaml.SequenceNode {
		y.p.addf(y.file, v.Line, id, field, "must be a list of {date, kind, amount, currency}")
		return nil
	}
	var out []costEntry
	for j, item := range v.Content {
		item = deref(item)
		f := fmt.Sprintf("%s[%d]", field, j)
		if item.Kind != yaml.MappingNode {
			y.p.addf(y.file, item.Line, id, f, "must be a mapping like {date: 2026-09-01, kind: fee, amount: \"1500.00\", currency: USD}")
			continue
		}
		e := costEntry{file: y.file, line: item.Line, field: f + ".", row: transform.InfluencerCostRow{CreatorID: id}}
		before := y.p.count()
		got := map[string]bool{}
		y.pairs(item, id, f+".", costKeys, func(key string, k, val *yaml.Node) {
			got[key] = true
			s, ok := y.str(val, id, f+"."+key)
			if !ok {
				return
			}
			var err error
			switch key {
			case "date":
				if s == "" {
					err = errors.New("is required")
				} else {
					e.row.Date, err = parseDate(s)
				}
			case "kind":
				e.row.Kind, err = parseKind(s)
			case "amount":
				e.row.Amount, err = parseAmount(s)
			case "currency":
				e.row.Currency, err = parseCurrency(s)
			}
			if err != nil {
				y.p.addf(y.file, val.Line, id, f+"."+key, "%v", err)
			}
		})
		for _, key := range costKeys {
			if !got[key] {
				y.p.addf(y.file, item.Line, id, f+"."+key, "is missing: every cost needs %s", strings.Join(costKeys, ", "))
			}
		}
		if y.p.count() == before {
			out = append(out, e)
		}
	}
	return out
}

// pairs walks a mapping's keys in order: duplicate and unknown keys are
// reported, each known key is passed to fn with its key and (alias-resolved)
// value nodes.
func (y *yamlReader) pairs(n *yaml.Node, creator, prefix string, known []string, fn func(key string, k, v *yaml.Node)) {
	lines := map[string]int{}
	for j := 0; j+1 < len(n.Content); j += 2 {
		k, v := deref(n.Content[j]), deref(n.Content[j+1])
		key := k.Value
		if k.Kind != yaml.ScalarNode {
			y.p.addf(y.file, k.Line, creator, strings.TrimSuffix(prefix, "."), "keys must be plain names")
			continue
		}
		if prev, dup := lines[key]; dup {
			y.p.addf(y.file, k.Line, creator, prefix+key, "appears twice (first at line %d)", prev)
			continue
		}
		lines[key] = k.Line
		if !slices.Contains(known, key) {
			y.p.addf(y.file, k.Line, creator, prefix+key, "unknown key (known: %s)", strings.Join(known, ", "))
			continue
		}
		fn(key, k, v)
	}
}

// str reads a single value as text, trimmed. A null is "". ok is false
// (and a problem reported) when the value is a list or mapping.
func (y *yamlReader) str(v *yaml.Node, creator, field string) (string, bool) {
	if isNull(v) {
		return "", true
	}
	if v.Kind != yaml.ScalarNode {
		y.p.addf(y.file, v.Line, creator, field, "must be a single value, not a %s", kindName(v))
		return "", false
	}
	// The text as written, whatever YAML would resolve it to: an ad id
	// written as a number, or an amount like 1500.10, keeps every digit.
	return strings.TrimSpace(v.Value), true
}

// list reads a list of text items. Null or absent is an empty list.
func (y *yamlReader) list(v *yaml.Node, creator, field string) []string {
	out := []string{}
	if isNull(v) {
		return out
	}
	if v.Kind != yaml.SequenceNode {
		example := "A, B"
		if v.Kind == yaml.ScalarNode && v.Value != "" {
			example = v.Value
		}
		y.p.addf(y.file, v.Line, creator, field, "must be a list, e.g. [%s]", example)
		return out
	}
	for j, it := range v.Content {
		it = deref(it)
		s, ok := y.str(it, creator, fmt.Sprintf("%s[%d]", field, j))
		if !ok {
			continue
		}
		if s == "" {
			y.p.addf(y.file, it.Line, creator, fmt.Sprintf("%s[%d]", field, j), "is empty")
			continue
		}
		out = append(out, s)
	}
	return out
}

// date reads an optional date; nil when null, absent or bad (reported).
func (y *yamlReader) date(v *yaml.Node, creator, field string) *time.Time {
	s, ok := y.str(v, creator, field)
	if !ok || s == "" {
		return nil
	}
	t, err := parseDate(s)
	if err != nil {
		y.p.addf(y.file, v.Line, creator, field, "%v", err)
		return nil
	}
	return &t
}

func deref(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n == nil || n.Kind == 0 || (n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null")
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "list"
	case yaml.MappingNode:
		return "mapping"
	}
	return "value"
}

package registry

import (
	"bytes"
	"fmt"
	"time"

	"github.com/shopspring/decimal"
	"gopkg.in/yaml.v3"

	"github.com/socialroi/socialroi/transform"
)

// YAML renders the registry in the YAML format ReadYAML reads back to the
// same rows: one creators item per creator in order, lists and contract in
// flow style, costs nested under their creator in order, amounts quoted at
// two decimals. Empty lists and missing dates are left out. A cost whose
// creator is not in the registry is an error: the format cannot hold it.
//
// It does not validate; ReadYAML on the output does.
func (r *Registry) YAML() ([]byte, error) {
	costs := map[string][]transform.InfluencerCostRow{}
	known := map[string]bool{}
	for _, c := range r.Creators {
		known[c.CreatorID] = true
	}
	for _, c := range r.Costs {
		if !known[c.CreatorID] {
			return nil, fmt.Errorf("registry: write yaml: a cost of %q, which is not a creator in the registry", c.CreatorID)
		}
		costs[c.CreatorID] = append(costs[c.CreatorID], c)
	}

	list := &yaml.Node{Kind: yaml.SequenceNode}
	for _, c := range r.Creators {
		m := &yaml.Node{Kind: yaml.MappingNode}
		add := func(key string, v *yaml.Node) { m.Content = append(m.Content, yamlStr(key), v) }
		add("id", yamlStr(c.CreatorID))
		// Handles usually start with @, which YAML reserves: quoted always,
		// in double quotes as people write them.
		handle := yamlStr(c.Handle)
		handle.Style = yaml.DoubleQuotedStyle
		add("handle", handle)
		add("platform", yamlStr(c.Platform))
		for _, l := range []struct {
			key   string
			items []string
		}{{"promo_codes", c.PromoCodes}, {"link_keys", c.LinkKeys}} {
			if len(l.items) > 0 {
				add(l.key, flowList(l.items))
			}
		}
		if c.ContractStart != nil || c.ContractEnd != nil {
			contract := &yaml.Node{Kind: yaml.MappingNode, Style: yaml.FlowStyle}
			if c.ContractStart != nil {
				contract.Content = append(contract.Content, yamlStr("start"), yamlDate(*c.ContractStart))
			}
			if c.ContractEnd != nil {
				contract.Content = append(contract.Content, yamlStr("end"), yamlDate(*c.ContractEnd))
			}
			add("contract", contract)
		}
		if c.UsageRightsUntil != nil {
			add("usage_rights_until", yamlDate(*c.UsageRightsUntil))
		}
		if len(c.WhitelistedAdIDs) > 0 {
			add("whitelisted_ad_ids", flowList(c.WhitelistedAdIDs))
		}
		if cs := costs[c.CreatorID]; len(cs) > 0 {
			seq := &yaml.Node{Kind: yaml.SequenceNode}
			for _, cost := range cs {
				seq.Content = append(seq.Content, &yaml.Node{Kind: yaml.MappingNode, Style: yaml.FlowStyle, Content: []*yaml.Node{
					yamlStr("date"), yamlDate(cost.Date),
					yamlStr("kind"), yamlStr(cost.Kind),
					yamlStr("amount"), yamlStr(amountText(cost.Amount)),
					yamlStr("currency"), yamlStr(cost.Currency),
				}})
			}
			add("costs", seq)
		}
		list.Content = append(list.Content, m)
	}
	doc := &yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{{
		Kind:    yaml.MappingNode,
		Content: []*yaml.Node{yamlStr("creators"), list},
	}}}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("registry: write yaml: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("registry: write yaml: %w", err)
	}
	return buf.Bytes(), nil
}

// yamlStr is a string scalar; the encoder quotes it when YAML would otherwise
// read it as something else (an ad id as a number, a handle starting with @).
func yamlStr(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s} }

// yamlDate is a date scalar, written plain (2026-08-15) as people write dates.
func yamlDate(t time.Time) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!timestamp", Value: t.Format(time.DateOnly)}
}

func flowList(items []string) *yaml.Node {
	n := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
	for _, it := range items {
		n.Content = append(n.Content, yamlStr(it))
	}
	return n
}

// amountText writes money at two decimals, or exactly as it is when it has
// more (ReadYAML then refuses it rather than this rounding it away).
func amountText(d decimal.Decimal) string {
	if d.Equal(d.Round(2)) {
		return d.StringFixed(2)
	}
	return d.String()
}

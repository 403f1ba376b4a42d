package registry

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/shopspring/decimal"

	"github.com/socialroi/socialroi/transform"
)

// Registry is a validated influencer registry: the rows of the canonical
// influencers and influencer_costs tables, in file order.
type Registry struct {
	Creators []transform.InfluencerRow
	Costs    []transform.InfluencerCostRow
}

// CostKinds are the kinds of influencer cost (DESIGN §3).
var CostKinds = []string{"fee", "product", "bonus", "whitelisting"}

// Records builds the registry's two canonical records. The caller releases
// both; on error neither is returned.
func (r *Registry) Records(mem memory.Allocator) (creators, costs arrow.RecordBatch, err error) {
	creators, err = transform.BuildRecord(mem, transform.Influencers, r.Creators)
	if err != nil {
		return nil, nil, fmt.Errorf("registry: %w", err)
	}
	costs, err = transform.BuildRecord(mem, transform.InfluencerCosts, r.Costs)
	if err != nil {
		creators.Release()
		return nil, nil, fmt.Errorf("registry: %w", err)
	}
	return creators, costs, nil
}

// creatorEntry is a parsed creator and where it was written, for the checks
// across creators.
type creatorEntry struct {
	row  transform.InfluencerRow
	file string
	line int
	// idField is what the format calls the id: "id" or "creator_id".
	idField string
	// fieldLines has the line of a field's value where it differs from the
	// creator's line (YAML); nil in CSV.
	fieldLines map[string]int
}

// lineOf is the line of the creator's field.
func (c creatorEntry) lineOf(field string) int {
	if l, ok := c.fieldLines[field]; ok {
		return l
	}
	return c.line
}

// costEntry is a parsed cost and where it was written.
type costEntry struct {
	row  transform.InfluencerCostRow
	file string
	line int
	// field prefixes the cost's field names in errors: "costs[2]." in YAML,
	// "" in CSV (where the line says which row).
	field string
}

// crossCheck applies the rules that span creators: unique ids, promo codes,
// link keys and whitelisted ads claimed once, one cost per creator, date and
// kind, and (CSV) costs only for known creators. creatorsFile names the file
// that defines creators, for the unknown-creator message.
func crossCheck(creators []creatorEntry, costs []costEntry, creatorsFile string, p *problems) {
	byID := map[string]creatorEntry{}
	// unique leaves out the second use of an id, whose codes would
	// otherwise all be reported again as claimed twice.
	var unique []creatorEntry
	for _, c := range creators {
		if prev, dup := byID[c.row.CreatorID]; dup {
			p.addf(c.file, c.line, c.row.CreatorID, c.idField, "already used by the creator at line %d; creator ids must be unique", prev.line)
			continue
		}
		byID[c.row.CreatorID] = c
		unique = append(unique, c)
	}

	// fold says when two list items are the same claim. Promo codes and
	// link keys compare case-insensitively after trimming: orders are
	// matched to codes case-insensitively, and two link keys that differ
	// only in case are a typo waiting to credit the wrong creator. Ad ids
	// are opaque and compare exactly.
	lower := func(s string) string { return strings.ToLower(strings.TrimSpace(s)) }
	exact := strings.TrimSpace
	claims := []struct {
		field, what, why string
		items            func(transform.InfluencerRow) []string
		fold             func(string) string
	}{
		{"promo_codes", "code", "orders match codes case-insensitively, so a code must belong to one creator",
			func(r transform.InfluencerRow) []string { return r.PromoCodes }, lower},
		{"link_keys", "link key", "link keys compare case-insensitively and must identify one creator",
			func(r transform.InfluencerRow) []string { return r.LinkKeys }, lower},
		{"whitelisted_ad_ids", "ad id", "its spend would count as cost of both creators",
			func(r transform.InfluencerRow) []string { return r.WhitelistedAdIDs }, exact},
	}
	for _, cl := range claims {
		type claim struct {
			creator, written string
			line             int
		}
		seen := map[string]claim{}
		for _, c := range unique {
			for _, it := range cl.items(c.row) {
				k := cl.fold(it)
				prev, dup := seen[k]
				switch {
				case !dup:
					seen[k] = claim{c.row.CreatorID, it, c.lineOf(cl.field)}
				case prev.creator == c.row.CreatorID:
					p.addf(c.file, c.lineOf(cl.field), c.row.CreatorID, cl.field, "%s %q is listed twice", cl.what, it)
				default:
					as := ""
					if prev.written != it {
						as = fmt.Sprintf(", as %q", prev.written)
					}
					p.addf(c.file, c.lineOf(cl.field), c.row.CreatorID, cl.field, "%s %q is also claimed by creator %s (line %d%s): %s",
						cl.what, it, prev.creator, prev.line, as, cl.why)
				}
			}
		}
	}

	type costKey struct {
		creator, kind string
		date          time.Time
	}
	booked := map[costKey]costEntry{}
	for _, c := range costs {
		if _, ok := byID[c.row.CreatorID]; !ok && c.row.CreatorID != "" {
			p.addf(c.file, c.line, c.row.CreatorID, c.field+"creator_id", "%q is not a creator in %s", c.row.CreatorID, creatorsFile)
			continue
		}
		k := costKey{c.row.CreatorID, c.row.Kind, c.row.Date}
		if prev, dup := booked[k]; dup {
			p.addf(c.file, c.line, c.row.CreatorID, strings.TrimSuffix(c.field, "."),
				"a %s on %s is already booked at line %d; influencer_costs holds one row per creator, date and kind, so book the total in one entry",
				c.row.Kind, c.row.Date.Format(time.DateOnly), prev.line)
			continue
		}
		booked[k] = c
	}
}

// Value parsers shared by both formats. Each returns an error message fit to
// follow the field name.

func parseDate(s string) (time.Time, error) {
	t, err := time.Parse(time.DateOnly, strings.TrimSpace(s))
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a date (YYYY-MM-DD)", s)
	}
	return t, nil
}

func parseKind(s string) (string, error) {
	k := strings.ToLower(strings.TrimSpace(s))
	if k == "" {
		return "", fmt.Errorf("is required (one of %s)", strings.Join(CostKinds, ", "))
	}
	if !slices.Contains(CostKinds, k) {
		return "", fmt.Errorf("%q is not a cost kind (one of %s)", s, strings.Join(CostKinds, ", "))
	}
	return k, nil
}

// parseAmount parses money from its text, exactly: no float is involved, and
// a value with more than two decimals is refused rather than rounded, since
// finance's figures are in cents and anything finer is a typo.
func parseAmount(s string) (decimal.Decimal, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return decimal.Decimal{}, fmt.Errorf("is required")
	}
	d, err := decimal.NewFromString(t)
	if err != nil {
		return decimal.Decimal{}, fmt.Errorf("%q is not a decimal amount (like 1500.00, no thousands separators)", s)
	}
	if d.IsNegative() {
		return decimal.Decimal{}, fmt.Errorf("%q is negative; correct the original entry instead", s)
	}
	if _, err := transform.DecimalToArrow(d, transform.Money2); err != nil {
		return decimal.Decimal{}, fmt.Errorf("%q: %w", s, err)
	}
	return d, nil
}

var currencyCode = regexp.MustCompile(`^[A-Z]{3}$`)

func parseCurrency(s string) (string, error) {
	c := strings.ToUpper(strings.TrimSpace(s))
	if c == "" {
		return "", fmt.Errorf("is required (a three-letter code like USD)")
	}
	if !currencyCode.MatchString(c) {
		return "", fmt.Errorf("%q is not a three-letter currency code like USD", s)
	}
	return c, nil
}

// contractOrder checks that a contract does not end before it starts.
func contractOrder(start, end *time.Time) error {
	if start != nil && end != nil && end.Before(*start) {
		return fmt.Errorf("the contract ends (%s) before it starts (%s)", end.Format(time.DateOnly), start.Format(time.DateOnly))
	}
	return nil
}

// ListSeparators are the characters that separate items in a CSV list cell.
const ListSeparators = "|;"

// SplitList reads a CSV list cell: items separated by | or ;, whitespace
// around items ignored, empty items dropped (a trailing separator is a common
// spreadsheet artefact). An empty cell is an empty list, never nil.
func SplitList(s string) []string {
	items := []string{}
	for it := range strings.FieldsFuncSeq(s, func(r rune) bool { return strings.ContainsRune(ListSeparators, r) }) {
		if it = strings.TrimSpace(it); it != "" {
			items = append(items, it)
		}
	}
	return items
}

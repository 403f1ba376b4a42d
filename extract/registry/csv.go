package registry

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/socialroi/socialroi/transform"
)

// Columns of the CSV format.
var (
	creatorColumns = []string{"creator_id", "handle", "platform", "promo_codes", "link_keys", "contract_start", "contract_end", "usage_rights_until", "whitelisted_ad_ids"}
	creatorNeeds   = []string{"creator_id", "handle", "platform"}
	costColumns    = []string{"creator_id", "date", "kind", "amount", "currency"}
)

// ReadCSV reads and validates a registry in the CSV format (see the package
// doc): creators from one file, costs from the other. The names are how
// errors refer to the files. A registry that breaks a rule returns a
// *ValidationError listing every problem.
func ReadCSV(creatorsName string, creators io.Reader, costsName string, costs io.Reader) (*Registry, error) {
	p := &problems{}
	crFile, err := readCSVFile(creatorsName, creators, creatorColumns, creatorNeeds, p)
	if err != nil {
		return nil, err
	}
	coFile, err := readCSVFile(costsName, costs, costColumns, costColumns, p)
	if err != nil {
		return nil, err
	}
	if crFile == nil || coFile == nil {
		// A header problem: the rows cannot be read reliably.
		return nil, p.err()
	}
	if len(crFile.rows) == 0 {
		p.addf(creatorsName, 0, "", "", "lists no creators")
	}
	var crs []creatorEntry
	for _, r := range crFile.rows {
		if c, ok := csvCreator(crFile, r, p); ok {
			crs = append(crs, c)
		}
	}
	var cos []costEntry
	for _, r := range coFile.rows {
		if c, ok := csvCost(coFile, r, p); ok {
			cos = append(cos, c)
		}
	}
	// The checks across creators run even after other problems: they see
	// every creator that has an id and every cost that parsed.
	crossCheck(crs, cos, creatorsName, p)
	if err := p.err(); err != nil {
		return nil, err
	}
	return assemble(crs, cos), nil
}

// csvFile is one CSV file's rows with its header resolved to column names.
type csvFile struct {
	name string
	col  map[string]int
	rows []csvRow
}

type csvRow struct {
	line  int
	cells []string
}

// cell returns the row's trimmed text in column name, "" when the file has
// no such column or the row is short (spreadsheets drop trailing empty
// cells).
func (f *csvFile) cell(r csvRow, name string) string {
	i, ok := f.col[name]
	if !ok || i >= len(r.cells) {
		return ""
	}
	return strings.TrimSpace(r.cells[i])
}

// readCSVFile reads a whole CSV file. Problems in the header or the CSV
// syntax are reported and return a nil file; a read failure is returned as
// an error.
func readCSVFile(name string, r io.Reader, known, required []string, p *problems) (*csvFile, error) {
	br := bufio.NewReader(r)
	if bom, _ := br.Peek(3); len(bom) == 3 && bom[0] == 0xEF && bom[1] == 0xBB && bom[2] == 0xBF {
		_, _ = br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1 // row lengths are checked here, with a better message
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		p.addf(name, 0, "", "", "the file is empty; expected a header row: %s", strings.Join(known, ","))
		return nil, nil
	}
	if err != nil {
		return nil, csvProblem(name, err, p)
	}
	f := &csvFile{name: name, col: map[string]int{}}
	bad := false
	for i, h := range header {
		k := strings.ToLower(strings.TrimSpace(h))
		switch {
		case k == "":
			// A trailing separator in the header names no column.
		case !slices.Contains(known, k):
			p.addf(name, 1, "", k, "unknown column (known: %s)", strings.Join(known, ", "))
			bad = true
		default:
			if j, dup := f.col[k]; dup {
				p.addf(name, 1, "", k, "column appears twice (columns %d and %d)", j+1, i+1)
				bad = true
			}
			f.col[k] = i
		}
	}
	for _, k := range required {
		if _, ok := f.col[k]; !ok {
			p.addf(name, 1, "", k, "required column is missing (header: %s)", strings.Join(header, ","))
			bad = true
		}
	}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, csvProblem(name, err, p)
		}
		line, _ := cr.FieldPos(0)
		if blank(rec) {
			continue
		}
		if len(rec) > len(header) && !blank(rec[len(header):]) {
			p.addf(name, line, "", "", "the row has %d cells but the header names %d columns", len(rec), len(header))
			continue
		}
		f.rows = append(f.rows, csvRow{line: line, cells: slices.Clone(rec)})
	}
	if bad {
		return nil, nil
	}
	return f, nil
}

// csvProblem reports a CSV syntax error at its line; other errors (the
// reader failed) are returned.
func csvProblem(name string, err error, p *problems) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		p.addf(name, pe.Line, "", "", "not valid CSV: %v", pe.Err)
		return nil
	}
	return fmt.Errorf("influencer registry: read %s: %w", name, err)
}

func blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

func csvCreator(f *csvFile, r csvRow, p *problems) (creatorEntry, bool) {
	id := f.cell(r, "creator_id")
	c := creatorEntry{file: f.name, line: r.line, idField: "creator_id", row: transform.InfluencerRow{
		CreatorID:        id,
		Handle:           f.cell(r, "handle"),
		Platform:         f.cell(r, "platform"),
		PromoCodes:       SplitList(f.cell(r, "promo_codes")),
		LinkKeys:         SplitList(f.cell(r, "link_keys")),
		WhitelistedAdIDs: SplitList(f.cell(r, "whitelisted_ad_ids")),
	}}
	for _, k := range creatorNeeds {
		if f.cell(r, k) == "" {
			p.addf(f.name, r.line, id, k, "is empty: every creator needs a %s", k)
		}
	}
	dates := []struct {
		col string
		dst **time.Time
	}{{"contract_start", &c.row.ContractStart}, {"contract_end", &c.row.ContractEnd}, {"usage_rights_until", &c.row.UsageRightsUntil}}
	for _, d := range dates {
		s := f.cell(r, d.col)
		if s == "" {
			continue
		}
		t, err := parseDate(s)
		if err != nil {
			p.addf(f.name, r.line, id, d.col, "%v", err)
			continue
		}
		*d.dst = &t
	}
	if err := contractOrder(c.row.ContractStart, c.row.ContractEnd); err != nil {
		p.addf(f.name, r.line, id, "contract_end", "%v", err)
	}
	// Kept despite other problems (as long as it has an id), so that its
	// costs are not also reported as belonging to an unknown creator.
	return c, id != ""
}

func csvCost(f *csvFile, r csvRow, p *problems) (costEntry, bool) {
	id := f.cell(r, "creator_id")
	c := costEntry{file: f.name, line: r.line, row: transform.InfluencerCostRow{CreatorID: id}}
	before := p.count()
	if id == "" {
		p.addf(f.name, r.line, "", "creator_id", "is empty: every cost names its creator")
	}
	check := func(col string, err error) {
		if err != nil {
			p.addf(f.name, r.line, id, col, "%v", err)
		}
	}
	var err error
	if s := f.cell(r, "date"); s == "" {
		check("date", errors.New("is required"))
	} else {
		c.row.Date, err = parseDate(s)
		check("date", err)
	}
	c.row.Kind, err = parseKind(f.cell(r, "kind"))
	check("kind", err)
	c.row.Amount, err = parseAmount(f.cell(r, "amount"))
	check("amount", err)
	c.row.Currency, err = parseCurrency(f.cell(r, "currency"))
	check("currency", err)
	return c, p.count() == before
}

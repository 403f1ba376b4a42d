package files

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/shopspring/decimal"

	"github.com/socialroi/socialroi/transform"
)

// ErrUnknownExport: a file is not in any export format ReadExport knows (or
// not in the one it was told to expect). The message lists the formats and
// the headers each expects.
var ErrUnknownExport = errors.New("not a known ad-manager export")

// maxExportSize bounds an export file read into memory. Ad-manager downloads
// are a few megabytes; anything larger is better exported by the API.
const maxExportSize = 256 << 20

// maxPreamble is how many lines before the header row are searched.
const maxPreamble = 30

// ExportOptions say how to read an ad-manager export.
type ExportOptions struct {
	// Format is the expected format; "" or ExportAuto detects it.
	Format ExportFormat
	// AccountID fills account_id when the file has no account id column.
	AccountID string
	// Currency (ISO 4217) is used when neither a header such as "Amount
	// spent (EUR)" nor a currency column names it.
	Currency string
	// Source fills the source column (default "files").
	Source string
	// ExtractedAt fills extracted_at (default: now).
	ExtractedAt time.Time
}

// ReadExportFile reads one ad-manager export file into ad_performance
// records and reports the format it found. The caller releases the records;
// on error none are returned.
func ReadExportFile(ctx context.Context, path string, mem memory.Allocator, opts ExportOptions) ([]arrow.RecordBatch, ExportFormat, error) {
	data, err := readAllLimited(path)
	if err != nil {
		return nil, "", err
	}
	return readExport(ctx, data, filepath.Base(path), mem, opts)
}

// ReadExport is ReadExportFile on the bytes of a file; name is how errors
// refer to it.
func ReadExport(ctx context.Context, r io.Reader, name string, mem memory.Allocator, opts ExportOptions) ([]arrow.RecordBatch, ExportFormat, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxExportSize+1))
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", name, err)
	}
	if len(data) > maxExportSize {
		return nil, "", fmt.Errorf("%s: %w: larger than %d MB", name, ErrFormat, maxExportSize>>20)
	}
	return readExport(ctx, data, name, mem, opts)
}

func readAllLimited(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("files: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxExportSize+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Base(path), err)
	}
	if len(data) > maxExportSize {
		return nil, fmt.Errorf("%s: %w: larger than %d MB", filepath.Base(path), ErrFormat, maxExportSize>>20)
	}
	return data, nil
}

func readExport(ctx context.Context, data []byte, name string, mem memory.Allocator, opts ExportOptions) ([]arrow.RecordBatch, ExportFormat, error) {
	if err := ctx.Err(); err != nil {
		return nil, "", fmt.Errorf("%s: %w", name, err)
	}
	rows, format, err := parseExport(data, name, opts)
	if err != nil {
		return nil, format, err
	}
	if len(rows) == 0 {
		return nil, format, nil
	}
	rec, err := transform.BuildRecord(mem, transform.AdPerformance, rows)
	if err != nil {
		return nil, format, fmt.Errorf("%s: %w", name, err)
	}
	return []arrow.RecordBatch{rec}, format, nil
}

// decodeText turns the file's bytes into UTF-8 text: a UTF-8 byte-order mark
// is dropped, UTF-16 with a byte-order mark (as Google Ads and LinkedIn
// Campaign Manager downloads can be) is decoded. Other bytes must be UTF-8.
func decodeText(data []byte, name string) (string, error) {
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		data = data[3:]
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}), bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		var order binary.ByteOrder = binary.LittleEndian
		if data[0] == 0xFE {
			order = binary.BigEndian
		}
		body := data[2:]
		if len(body)%2 != 0 {
			return "", fmt.Errorf("%s: %w: UTF-16 text with an odd number of bytes", name, ErrFormat)
		}
		units := make([]uint16, len(body)/2)
		for i := range units {
			units[i] = order.Uint16(body[2*i:])
		}
		return string(utf16.Decode(units)), nil
	}
	if !utf8.Valid(data) {
		return "", fmt.Errorf("%s: %w: not UTF-8 (or UTF-16 with a byte-order mark); save the export as UTF-8 CSV", name, ErrFormat)
	}
	return string(data), nil
}

// header is a header row matched to a spec.
type header struct {
	spec     *exportSpec
	index    int                     // index of the header row among the records
	col      [numExportFields]int    // column index per field, -1 when absent
	currency string                  // from a "(USD)" suffix on the spend column
	names    [numExportFields]string // the original header per field, for errors
}

var currencySuffixRE = regexp.MustCompile(`\s*\(([A-Z]{3})\)\s*$`)

// normHeader lower-cases a header name and strips a currency suffix, which
// it returns.
func normHeader(h string) (string, string) {
	h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
	cur := ""
	if m := currencySuffixRE.FindStringSubmatch(h); m != nil {
		cur = m[1]
		h = h[:len(h)-len(m[0])]
	}
	return strings.ToLower(strings.Join(strings.Fields(h), " ")), cur
}

// matchHeader reports whether record is spec's header row.
func matchHeader(spec *exportSpec, record []string, index int) (*header, bool) {
	pos := map[string]int{}
	curs := map[string]string{}
	for i, h := range record {
		n, cur := normHeader(h)
		if _, dup := pos[n]; !dup && n != "" {
			pos[n], curs[n] = i, cur
		}
	}
	for _, s := range spec.signature {
		if _, ok := pos[s]; !ok {
			return nil, false
		}
	}
	h := &header{spec: spec, index: index}
	for f := range h.col {
		h.col[f] = -1
		for _, name := range spec.columns[exportField(f)] {
			if i, ok := pos[name]; ok {
				h.col[f], h.names[f] = i, strings.TrimSpace(record[i])
				if exportField(f) == fSpend || exportField(f) == fConversionValue {
					if c := curs[name]; c != "" {
						if h.currency != "" && h.currency != c {
							h.currency = "MIXED"
						} else {
							h.currency = c
						}
					}
				}
				break
			}
		}
	}
	return h, true
}

// sniff finds the delimiter and the header row: the first of the first
// maxPreamble lines that is a known format's header (or the wanted format's),
// trying comma, tab and semicolon.
func sniff(text, name string, want ExportFormat) ([][]string, []int, *header, error) {
	var first string
	for _, delim := range []rune{',', '\t', ';'} {
		if delim != ',' && !strings.ContainsRune(text, delim) {
			continue
		}
		records, lines, err := readRecords(text, delim, name)
		if err != nil && len(records) == 0 {
			continue
		}
		for i, rec := range records {
			if i >= maxPreamble {
				break
			}
			if first == "" && strings.TrimSpace(strings.Join(rec, "")) != "" {
				first = strings.Join(rec, string(delim))
			}
			var found []*header
			for _, f := range ExportFormats() {
				if want != ExportAuto && f != want {
					continue
				}
				if h, ok := matchHeader(exportSpecs[f], rec, i); ok {
					found = append(found, h)
				}
			}
			switch {
			case len(found) == 1:
				if err != nil {
					return nil, nil, nil, err // the header was readable, the body is not
				}
				return records, lines, found[0], nil
			case len(found) > 1:
				return nil, nil, nil, fmt.Errorf("%s line %d: %w: the header matches both %s and %s; set the format explicitly",
					name, lines[i], ErrUnknownExport, found[0].spec.format, found[1].spec.format)
			}
		}
	}
	if len(first) > 200 {
		first = first[:200] + "…"
	}
	what := "any known ad-manager export format"
	if want != ExportAuto {
		what = string(want)
	}
	return nil, nil, nil, fmt.Errorf("%s: %w: no header row of %s in its first %d lines (first line: %q). Known formats:%s",
		name, ErrUnknownExport, what, maxPreamble, strings.ToValidUTF8(first, "?"), knownFormatsHelp())
}

// readRecords splits text into records of any width (preamble and total
// lines are narrower than data lines) with their physical line numbers
// (blank lines are skipped).
func readRecords(text string, delim rune, name string) ([][]string, []int, error) {
	cr := csv.NewReader(strings.NewReader(text))
	cr.Comma = delim
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	var out [][]string
	var lines []int
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return out, lines, nil
		}
		if err != nil {
			return out, lines, csvError(name, err)
		}
		line, _ := cr.FieldPos(0)
		out = append(out, rec)
		lines = append(lines, line)
	}
}

// isTotalRow reports summary lines: "Total", "Total: Account", "Totals",
// "Total – all campaigns" in any of the first cells.
func isTotalRow(rec []string) bool {
	for i, c := range rec {
		if i >= 3 {
			break
		}
		c = strings.ToLower(strings.TrimSpace(c))
		if c == "total" || c == "totals" || strings.HasPrefix(c, "total:") || strings.HasPrefix(c, "total ") ||
			strings.HasPrefix(c, "totals:") {
			return true
		}
	}
	return false
}

// hasDay reports whether a line's day (or start) cell is a date.
func (h *header) hasDay(cell func(exportField) string) bool {
	f := fDay
	if h.col[fDay] < 0 {
		f = fStart
	}
	_, err := exportDate(cell(f))
	return err == nil
}

// parseExport reads an export's text into canonical rows.
func parseExport(data []byte, name string, opts ExportOptions) ([]transform.AdPerformanceRow, ExportFormat, error) {
	want := opts.Format
	if want == "" {
		want = ExportAuto
	}
	if want != ExportAuto {
		if _, ok := exportSpecs[want]; !ok {
			return nil, "", fmt.Errorf("%s: %w: format %q (known: auto, %v)", name, ErrUnknownExport, want, ExportFormats())
		}
	}
	text, err := decodeText(data, name)
	if err != nil {
		return nil, "", err
	}
	records, lines, h, err := sniff(text, name, want)
	if err != nil {
		return nil, "", err
	}
	spec := h.spec
	headerLine := lines[h.index]
	if h.col[fDay] < 0 && h.col[fStart] < 0 {
		return nil, spec.format, fmt.Errorf("%s line %d: %s has no day column: export it with a daily breakdown (Breakdown → By time → Day), which adds %s",
			name, headerLine, spec.format, quoteAll(spec.columns[fDay]))
	}
	// Currency: header suffix, currency column, settings — in that order;
	// they must agree where more than one is given.
	if h.currency == "MIXED" {
		return nil, spec.format, fmt.Errorf("%s line %d: money columns name different currencies", name, headerLine)
	}
	optCurrency := strings.ToUpper(strings.TrimSpace(opts.Currency))
	if h.currency != "" && optCurrency != "" && h.currency != optCurrency {
		return nil, spec.format, fmt.Errorf("%s line %d: the header says %s but the settings say currency %s",
			name, headerLine, h.currency, optCurrency)
	}
	source := opts.Source
	if source == "" {
		source = "files"
	}
	extractedAt := opts.ExtractedAt
	if extractedAt.IsZero() {
		extractedAt = time.Now().UTC()
	}
	var rows []transform.AdPerformanceRow
	seen := map[string]int{}
	for i := h.index + 1; i < len(records); i++ {
		rec, line := records[i], lines[i]
		if strings.TrimSpace(strings.Join(rec, "")) == "" {
			continue
		}
		cell := func(f exportField) string {
			if c := h.col[f]; c >= 0 && c < len(rec) {
				return strings.TrimSpace(rec[c])
			}
			return ""
		}
		if isTotalRow(rec) && !h.hasDay(cell) {
			continue // "Total: Account", "Totals" … carry no day
		}
		row, err := exportRow(h, cell, opts, optCurrency, source, extractedAt)
		if err != nil {
			var ve *ValueError
			if errors.As(err, &ve) {
				ve.File, ve.Line = name, line
				return nil, spec.format, ve
			}
			return nil, spec.format, fmt.Errorf("%s line %d: %w", name, line, err)
		}
		key := row.Platform + "\x00" + row.AccountID + "\x00" + row.AdID + "\x00" + row.Date.Format(time.DateOnly)
		if prev, dup := seen[key]; dup {
			return nil, spec.format, fmt.Errorf("%s line %d: %w: the same ad and day as line %d (ad %q, %s): export without breakdowns other than day (and Platform for Meta)",
				name, line, ErrFormat, prev, row.AdID, row.Date.Format(time.DateOnly))
		}
		seen[key] = line
		rows = append(rows, row)
	}
	return rows, spec.format, nil
}

// exportRow maps one data line. Value errors are *ValueError without the
// position, which the caller fills in.
func exportRow(h *header, cell func(exportField) string, opts ExportOptions, optCurrency, source string,
	extractedAt time.Time) (transform.AdPerformanceRow, error) {
	spec := h.spec
	bad := func(f exportField, err error) error {
		return &ValueError{Column: h.names[f], Err: err}
	}
	row := transform.AdPerformanceRow{
		Platform:       spec.platform,
		AccountName:    cell(fAccountName),
		CampaignID:     cell(fCampaignID),
		CampaignName:   cell(fCampaignName),
		AdsetID:        cell(fAdsetID),
		AdsetName:      cell(fAdsetName),
		AdID:           cell(fAdID),
		AdName:         cell(fAdName),
		DestinationURL: cell(fDestinationURL),
		Source:         source,
		ExtractedAt:    extractedAt,
	}
	// The day.
	switch {
	case h.col[fDay] >= 0:
		d, err := exportDate(cell(fDay))
		if err != nil {
			return row, bad(fDay, err)
		}
		row.Date = d
	default:
		start, err := exportDate(cell(fStart))
		if err != nil {
			return row, bad(fStart, err)
		}
		row.Date = start
		if h.col[fEnd] >= 0 {
			end, err := exportDate(cell(fEnd))
			if err != nil {
				return row, bad(fEnd, err)
			}
			if !end.Equal(start) {
				return row, bad(fEnd, fmt.Errorf("the row covers %s to %s, not one day: export with a daily breakdown (Breakdown → By time → Day) so that spend lands on the right days",
					start.Format(time.DateOnly), end.Format(time.DateOnly)))
			}
		}
	}
	// Platform: Meta's Platform breakdown, else facebook.
	if row.Platform == "" {
		p := strings.ToLower(strings.Join(strings.Fields(cell(fPlatform)), "_"))
		if p == "" {
			p = "facebook"
		}
		row.Platform = p
	}
	// Account.
	row.AccountID = strings.ReplaceAll(cell(fAccountID), "-", "") // Google writes 123-456-7890
	if row.AccountID == "" {
		row.AccountID = strings.TrimSpace(opts.AccountID)
	}
	if row.AccountID == "" {
		return row, fmt.Errorf("no account id: the file has no account id column (%s); set account_id for this exports entry",
			quoteAll(spec.columns[fAccountID]))
	}
	// Currency.
	cur := strings.ToUpper(cell(fCurrency))
	switch {
	case cur != "" && !isUpperCode(cur):
		return row, bad(fCurrency, fmt.Errorf("%q is not an ISO 4217 currency code", cur))
	case cur != "" && h.currency != "" && cur != h.currency:
		return row, bad(fCurrency, fmt.Errorf("%s, but the header says %s", cur, h.currency))
	case cur == "":
		cur = h.currency
	}
	if cur == "" {
		cur = optCurrency
	}
	if cur == "" {
		return row, fmt.Errorf("no currency: name it in the spend header (e.g. \"Amount spent (USD)\"), a Currency column, or currency for this exports entry")
	}
	row.Currency = cur
	// Metrics.
	var err error
	if row.Spend, err = exportMoney(cell(fSpend)); err != nil {
		return row, bad(fSpend, err)
	}
	if row.PlatformConversionValue, err = exportMoney(cell(fConversionValue)); err != nil {
		return row, bad(fConversionValue, err)
	}
	for _, m := range []struct {
		f   exportField
		dst *int64
	}{{fImpressions, &row.Impressions}, {fClicks, &row.Clicks}, {fLinkClicks, &row.LinkClicks}} {
		if *m.dst, err = exportCount(cell(m.f)); err != nil {
			return row, bad(m.f, err)
		}
	}
	if spec.linkClicksAreClicks && h.col[fLinkClicks] < 0 {
		row.LinkClicks = row.Clicks
	}
	for _, m := range []struct {
		f   exportField
		dst **int64
	}{{fReach, &row.Reach}, {fVideo3s, &row.VideoViews3s}, {fVideoCompletions, &row.VideoCompletions}} {
		if h.col[m.f] < 0 || cell(m.f) == "" {
			continue
		}
		n, err := exportCount(cell(m.f))
		if err != nil {
			return row, bad(m.f, err)
		}
		*m.dst = &n
	}
	if c := cell(fConversions); c != "" {
		d, err := exportNumber(c)
		if err != nil || d.IsNegative() {
			return row, bad(fConversions, orErr(err, fmt.Errorf("%q is negative", c)))
		}
		row.PlatformConversions = d.InexactFloat64()
	}
	if row.Spend.IsNegative() {
		return row, bad(fSpend, fmt.Errorf("%s is negative", row.Spend))
	}
	// The ad.
	if row.AdID == "" {
		if row.CampaignName == "" && row.AdsetName == "" && row.AdName == "" {
			return row, fmt.Errorf("neither an ad id (%s) nor campaign, ad set or ad names to derive one from",
				quoteAll(spec.columns[fAdID]))
		}
		row.AdID = DerivedAdID(row.CampaignName, row.AdsetName, row.AdName)
	}
	return row, nil
}

func orErr(err, alt error) error {
	if err != nil {
		return err
	}
	return alt
}

// exportMoney parses a money cell at ad money's scale; more decimals than
// that are rounded, as ParseMoney does for API amounts.
func exportMoney(s string) (decimal.Decimal, error) {
	d, err := exportNumber(s)
	if err != nil {
		return d, err
	}
	d = d.Round(transform.Money4.Scale)
	if _, err := transform.DecimalToArrow(d, transform.Money4); err != nil {
		return d, fmt.Errorf("%q: %w", s, err)
	}
	return d, nil
}

// DerivedAdID is the ad id given to export rows without one: "x" followed by
// the first 16 hex digits of SHA-256 over the campaign, ad set and ad names
// (joined by NUL). It is stable across files and runs, so re-loading an
// export upserts the same rows, but renaming an ad in the platform gives it
// a new id.
func DerivedAdID(campaign, adset, ad string) string {
	sum := sha256.Sum256([]byte(campaign + "\x00" + adset + "\x00" + ad))
	return "x" + hex.EncodeToString(sum[:8])
}

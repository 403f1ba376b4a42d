package files

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// maxExportNumber bounds the length of a number cell: nothing an ad platform
// reports needs more, and a longer one is not a number.
const maxExportNumber = 40

// currencySymbols are stripped from money cells. The currency itself comes
// from the header, a currency column or the settings, never from a symbol
// ("$" is several currencies).
var currencySymbols = []string{"US$", "CA$", "A$", "R$", "$", "€", "£", "¥", "₹", "₩", "CHF", "kr"}

// exportNumber parses a number as exports write it: thousands separators
// ("1,204.50"), a currency symbol or code ("$1,204.50", "1.204,50 €",
// "USD 12.00"), spaces, and "--", "-" or "" for nothing (0). Separators: when
// both ',' and '.' appear, the later one is the decimal mark; a lone ','
// followed by exactly three digits (once or repeatedly: "1,204",
// "1,204,500") separates thousands, otherwise it is a decimal comma ("12,5").
func exportNumber(s string) (decimal.Decimal, error) {
	t := strings.TrimSpace(s)
	switch t {
	case "", "-", "--", "—", "N/A", "n/a":
		return decimal.Zero, nil
	}
	if len(t) > maxExportNumber {
		return decimal.Zero, fmt.Errorf("%.40q… is not a number", s)
	}
	for _, sym := range currencySymbols {
		t = strings.ReplaceAll(t, sym, "")
	}
	if len(t) >= 3 && isUpperCode(t[:3]) {
		t = t[3:]
	} else if len(t) >= 3 && isUpperCode(t[len(t)-3:]) {
		t = t[:len(t)-3]
	}
	t = strings.NewReplacer(" ", "", "\u00a0", "", "\u202f", "", "'", "").Replace(t)
	neg := false
	if strings.HasPrefix(t, "(") && strings.HasSuffix(t, ")") {
		neg, t = true, t[1:len(t)-1]
	}
	lastDot, lastComma := strings.LastIndexByte(t, '.'), strings.LastIndexByte(t, ',')
	switch {
	case lastDot >= 0 && lastComma >= 0 && lastComma > lastDot:
		t = strings.ReplaceAll(strings.ReplaceAll(t, ".", ""), ",", ".")
	case lastDot >= 0 && lastComma >= 0:
		t = strings.ReplaceAll(t, ",", "")
	case lastComma >= 0 && thousandsRE.MatchString(t):
		t = strings.ReplaceAll(t, ",", "")
	case lastComma >= 0:
		if strings.Count(t, ",") > 1 {
			return decimal.Zero, fmt.Errorf("%q is not a number", s)
		}
		t = strings.ReplaceAll(t, ",", ".")
	}
	if !plainNumberRE.MatchString(t) {
		return decimal.Zero, fmt.Errorf("%q is not a number", s)
	}
	d, err := decimal.NewFromString(t)
	if err != nil {
		return decimal.Zero, fmt.Errorf("%q is not a number", s)
	}
	if neg {
		d = d.Neg()
	}
	return d, nil
}

var (
	thousandsRE    = regexp.MustCompile(`^-?\d{1,3}(,\d{3})+$`)
	dotThousandsRE = regexp.MustCompile(`^\d{1,3}(\.\d{3})+$`)
	plainNumberRE  = regexp.MustCompile(`^-?(\d+(\.\d*)?|\.\d+)$`)
	upperCodeRE    = regexp.MustCompile(`^[A-Z]{3}$`)
)

func isUpperCode(s string) bool { return upperCodeRE.MatchString(s) }

// exportCount parses a whole, non-negative count. Counts are whole, so a
// dot followed by groups of three digits ("1.000", "12.345.678") is a
// thousands separator, as European-locale exports write it.
func exportCount(s string) (int64, error) {
	if t := strings.TrimSpace(s); dotThousandsRE.MatchString(t) {
		s = strings.ReplaceAll(t, ".", "")
	}
	d, err := exportNumber(s)
	if err != nil {
		return 0, err
	}
	if !d.IsInteger() || d.IsNegative() || !d.BigInt().IsInt64() {
		return 0, fmt.Errorf("%q is not a whole, non-negative count", s)
	}
	return d.IntPart(), nil
}

// Date layouts exports use. Slashed dates are month first (M/D/YYYY), as the
// US-English exports of Meta and LinkedIn write them.
var exportDateLayouts = []string{
	time.DateOnly, "2006/01/02", "1/2/2006", "01/02/2006", "Jan 2, 2006", "January 2, 2006",
	"2 Jan 2006", "2006-01-02 15:04:05", "1/2/2006 15:04", "1/2/2006, 3:04 PM",
}

// exportDate parses a day cell.
func exportDate(s string) (time.Time, error) {
	t := strings.TrimSpace(s)
	for _, l := range exportDateLayouts {
		if d, err := time.Parse(l, t); err == nil {
			return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a date (YYYY-MM-DD, M/D/YYYY or \"Nov 16, 2026\")", s)
}

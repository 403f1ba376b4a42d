package linkedin

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/socialroi/socialroi/transform"
)

// num is a metric as LinkedIn sends it: counts as JSON numbers, money as
// strings holding long decimals. Absent or null stays "".
type num string

func (n *num) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case bytes.Equal(b, []byte("null")):
		*n = ""
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*n = num(strings.TrimSpace(s))
	default:
		var f json.Number
		if err := json.Unmarshal(b, &f); err != nil {
			return fmt.Errorf("metric is neither a string nor a number: %.40s", b)
		}
		*n = num(f)
	}
	return nil
}

type date struct {
	Year  int `json:"year"`
	Month int `json:"month"`
	Day   int `json:"day"`
}

func (d date) time() (time.Time, bool) {
	t := transform.Date(d.Year, time.Month(d.Month), d.Day)
	return t, d.Year > 0 && t.Year() == d.Year && int(t.Month()) == d.Month && t.Day() == d.Day
}

// element is one adAnalytics element (one creative, one day).
type element struct {
	DateRange *struct {
		Start *date `json:"start"`
		End   *date `json:"end"`
	} `json:"dateRange"`
	PivotValues                    []string `json:"pivotValues"`
	Impressions                    num      `json:"impressions"`
	Clicks                         num      `json:"clicks"`
	LandingPageClicks              num      `json:"landingPageClicks"`
	CostInLocalCurrency            num      `json:"costInLocalCurrency"`
	ExternalWebsiteConversions     num      `json:"externalWebsiteConversions"`
	ConversionValueInLocalCurrency num      `json:"conversionValueInLocalCurrency"`
	VideoViews                     num      `json:"videoViews"`
}

// adInfo is what the listings say about one creative (an ad).
type adInfo struct {
	name, campaignID, campaignName, creativeID, creativeName, url string
}

// account is what the connector knows about one ad account.
type account struct {
	id, name, currency string
	ads                map[string]adInfo // by creative (ad) id
}

// Timezone is every LinkedIn row's account_timezone: analytics days
// (dateRange with timeGranularity=DAILY) are UTC days, and ad accounts
// expose no time zone of their own.
const Timezone = "UTC"

// mapElement turns an analytics element into the canonical row. known is
// false for a creative missing from the listings.
func mapElement(e element, acct *account, source string, extractedAt time.Time) (row transform.AdPerformanceRow, known bool, err error) {
	out := transform.AdPerformanceRow{
		Platform:        Platform,
		AccountID:       acct.id,
		AccountName:     acct.name,
		AccountTimezone: Timezone,
		Currency:        acct.currency,
		Source:          source,
		ExtractedAt:     extractedAt,
	}
	if e.DateRange == nil || e.DateRange.Start == nil {
		return out, false, fmt.Errorf("dateRange missing")
	}
	start, ok := e.DateRange.Start.time()
	if !ok {
		return out, false, fmt.Errorf("dateRange.start %+v is not a calendar day", *e.DateRange.Start)
	}
	if e.DateRange.End != nil {
		end, ok := e.DateRange.End.time()
		if !ok || !end.Equal(start) {
			return out, false, fmt.Errorf("dateRange %s..%+v is not one day (timeGranularity=DAILY expected)",
				start.Format(time.DateOnly), *e.DateRange.End)
		}
	}
	out.Date = start
	if len(e.PivotValues) != 1 {
		return out, false, fmt.Errorf("pivotValues %q: want one creative URN", e.PivotValues)
	}
	id, ok := urnID(e.PivotValues[0], "sponsoredCreative")
	if !ok {
		return out, false, fmt.Errorf("pivotValues %q is not a sponsoredCreative URN", e.PivotValues[0])
	}
	out.AdID = id
	info, known := acct.ads[id]
	out.AdName, out.CampaignID, out.CampaignName = info.name, info.campaignID, info.campaignName
	out.CreativeID, out.CreativeName, out.DestinationURL = info.creativeID, info.creativeName, info.url
	for _, m := range []struct {
		field string
		v     num
		dst   *int64
	}{
		{"impressions", e.Impressions, &out.Impressions},
		{"clicks", e.Clicks, &out.Clicks},
		{"landingPageClicks", e.LandingPageClicks, &out.LinkClicks},
	} {
		if *m.dst, err = count(m.field, m.v); err != nil {
			return out, known, err
		}
	}
	if e.VideoViews != "" {
		n, err := count("videoViews", e.VideoViews)
		if err != nil {
			return out, known, err
		}
		out.VideoViews3s = &n
	}
	if out.Spend, err = money("costInLocalCurrency", e.CostInLocalCurrency); err != nil {
		return out, known, err
	}
	if out.PlatformConversionValue, err = money("conversionValueInLocalCurrency", e.ConversionValueInLocalCurrency); err != nil {
		return out, known, err
	}
	if e.ExternalWebsiteConversions != "" {
		f, err := strconv.ParseFloat(string(e.ExternalWebsiteConversions), 64)
		if err != nil || f < 0 {
			return out, known, fmt.Errorf("externalWebsiteConversions: %q is not a count", e.ExternalWebsiteConversions)
		}
		out.PlatformConversions = f
	}
	return out, known, nil
}

// maxMoneyLen bounds a money string ("107.5300000000000335346" is 23).
const maxMoneyLen = 64

func money(field string, v num) (decimal.Decimal, error) {
	if v == "" {
		return decimal.Zero, nil
	}
	// LinkedIn writes plain decimals; an exponent or a thousand digits is
	// not money and would cost a big-number expansion to round.
	if len(v) > maxMoneyLen || strings.ContainsAny(string(v), "eE") {
		return decimal.Zero, fmt.Errorf("%s: %.40q is not a plain decimal amount", field, string(v))
	}
	d, err := transform.ParseMoney(string(v), transform.Money4)
	if err != nil {
		return decimal.Zero, fmt.Errorf("%s: %w", field, err)
	}
	return d, nil
}

// count parses a count; "12.0" is accepted when whole, negatives are not.
func count(field string, v num) (int64, error) {
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(string(v), 10, 64)
	if err != nil {
		d, derr := decimal.NewFromString(string(v))
		if derr != nil || !d.IsInteger() || !d.BigInt().IsInt64() {
			return 0, fmt.Errorf("%s: %q is not a whole number", field, v)
		}
		n = d.IntPart()
	}
	if n < 0 {
		return 0, fmt.Errorf("%s: %d is negative", field, n)
	}
	return n, nil
}

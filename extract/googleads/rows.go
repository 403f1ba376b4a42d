package googleads

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/socialroi/socialroi/extract/httpx"
	"github.com/socialroi/socialroi/transform"
)

// i64 is an int64 as Google's JSON sends it: a string ("1234"); a bare JSON
// number is accepted too. The text is kept and parsed by mapRow, so that a
// bad value is reported with its field and row. Absent stays "".
type i64 string

func (n *i64) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case bytes.Equal(b, []byte("null")):
		*n = ""
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*n = i64(strings.TrimSpace(s))
	default:
		*n = i64(b)
	}
	return nil
}

// int parses the value; absent is 0.
func (n i64) int(field string) (int64, error) {
	if n == "" {
		return 0, nil
	}
	v, err := strconv.ParseInt(string(n), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%s: %q is not an integer", field, string(n))
	}
	return v, nil
}

// dbl is a double as Google's JSON sends it: a bare number (or, for NaN and
// infinities, a string). Its text is kept so that money converts to decimal
// without passing through a float.
type dbl string

func (d *dbl) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case bytes.Equal(b, []byte("null")):
		*d = ""
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*d = dbl(strings.TrimSpace(s))
	default:
		*d = dbl(b)
	}
	return nil
}

// result is one GoogleAdsRow of the query (only the selected fields).
type result struct {
	Customer struct {
		ID              i64    `json:"id"`
		DescriptiveName string `json:"descriptiveName"`
		CurrencyCode    string `json:"currencyCode"`
		TimeZone        string `json:"timeZone"`
	} `json:"customer"`
	Campaign struct {
		ID   i64    `json:"id"`
		Name string `json:"name"`
	} `json:"campaign"`
	AdGroup struct {
		ID   i64    `json:"id"`
		Name string `json:"name"`
	} `json:"adGroup"`
	AdGroupAd struct {
		Ad struct {
			ID                  i64      `json:"id"`
			Name                string   `json:"name"`
			FinalURLs           []string `json:"finalUrls"`
			TrackingURLTemplate string   `json:"trackingUrlTemplate"`
			FinalURLSuffix      string   `json:"finalUrlSuffix"`
		} `json:"ad"`
	} `json:"adGroupAd"`
	Metrics struct {
		CostMicros       i64 `json:"costMicros"`
		Impressions      i64 `json:"impressions"`
		Clicks           i64 `json:"clicks"`
		Conversions      dbl `json:"conversions"`
		ConversionsValue dbl `json:"conversionsValue"`
	} `json:"metrics"`
	Segments struct {
		Date string `json:"date"`
	} `json:"segments"`
}

// errStreamShape: the body is not a JSON array of batches.
var errStreamShape = fmt.Errorf("%w: searchStream response is not a JSON array of batches", httpx.ErrInvalidJSON)

// streamVisitor receives a searchStream's results one at a time.
type streamVisitor struct {
	// Row is called for each result with 1-based batch and row numbers. r is
	// reused for the next row: copy what must be kept.
	Row func(batch, row int, r *result) error
	// EndBatch, if set, is called after each batch's last result.
	EndBatch func(batch int) error
}

// decodeStream reads a searchStream body, an array of batches
// ({"results":[…],"fieldMask":…,"requestId":…}), one result at a time, so
// that memory holds one result however large a batch is. A batch carrying
// "error" (a stream that failed part way) fails with ErrAPI and Google's
// message; malformed JSON fails with httpx.ErrInvalidJSON naming the batch
// and row.
func decodeStream(r io.Reader, v streamVisitor) error {
	dec := json.NewDecoder(r)
	if err := expectDelim(dec, '['); err != nil {
		return err
	}
	var res result
	for n := 1; dec.More(); n++ {
		if err := expectDelim(dec, '{'); err != nil {
			return fmt.Errorf("batch %d: %w", n, err)
		}
		for dec.More() {
			tok, err := dec.Token()
			if err != nil {
				return fmt.Errorf("batch %d: %w: %v", n, httpx.ErrInvalidJSON, err)
			}
			switch key, _ := tok.(string); key {
			case "results":
				if err := expectDelim(dec, '['); err != nil {
					return fmt.Errorf("batch %d: results: %w", n, err)
				}
				for i := 1; dec.More(); i++ {
					res = result{}
					if err := dec.Decode(&res); err != nil {
						return fmt.Errorf("batch %d row %d: %w: %v", n, i, httpx.ErrInvalidJSON, err)
					}
					if err := v.Row(n, i, &res); err != nil {
						return err
					}
				}
				if err := expectDelim(dec, ']'); err != nil {
					return fmt.Errorf("batch %d: results: %w", n, err)
				}
			case "error":
				var e apiError
				if err := dec.Decode(&e); err != nil {
					return fmt.Errorf("batch %d: error: %w: %v", n, httpx.ErrInvalidJSON, err)
				}
				return fmt.Errorf("batch %d: %w: %s", n, ErrAPI, e.text())
			default:
				var skip json.RawMessage
				if err := dec.Decode(&skip); err != nil {
					return fmt.Errorf("batch %d: %s: %w: %v", n, key, httpx.ErrInvalidJSON, err)
				}
			}
		}
		if err := expectDelim(dec, '}'); err != nil {
			return fmt.Errorf("batch %d: %w", n, err)
		}
		if v.EndBatch != nil {
			if err := v.EndBatch(n); err != nil {
				return err
			}
		}
	}
	if err := expectDelim(dec, ']'); err != nil {
		return err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return fmt.Errorf("%w: data after the closing bracket", errStreamShape)
	}
	return nil
}

// expectDelim reads the next token and checks it is the delimiter d.
func expectDelim(dec *json.Decoder, d json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		return fmt.Errorf("%w: expected %v: %v", errStreamShape, d, err)
	}
	if got, ok := tok.(json.Delim); !ok || got != d {
		return fmt.Errorf("%w: expected %v, found %v", errStreamShape, d, tok)
	}
	return nil
}

// micro is 10^-6: cost_micros are millionths of the currency unit.
const microExp = -6

// mapRow turns a result into the canonical row. Required: segments.date,
// ad_group_ad.ad.id and customer.currency_code; absent metrics are 0.
// account_timezone is customer.time_zone, the zone segments.date is in.
func (s *Source) mapRow(r *result, cid string, extractedAt time.Time) (transform.AdPerformanceRow, error) {
	ad := &r.AdGroupAd.Ad
	out := transform.AdPerformanceRow{
		Platform:        "google",
		AccountID:       cid,
		AccountName:     r.Customer.DescriptiveName,
		AccountTimezone: strings.TrimSpace(r.Customer.TimeZone),
		CampaignID:      string(r.Campaign.ID),
		CampaignName:    r.Campaign.Name,
		AdsetID:         string(r.AdGroup.ID),
		AdsetName:       r.AdGroup.Name,
		AdID:            string(ad.ID),
		AdName:          ad.Name,
		CreativeID:      string(ad.ID),
		CreativeName:    ad.Name,
		Currency:        strings.ToUpper(strings.TrimSpace(r.Customer.CurrencyCode)),
		Source:          s.name,
		ExtractedAt:     extractedAt,
	}
	if r.Customer.ID != "" && string(r.Customer.ID) != cid {
		return out, fmt.Errorf("customer.id %q is not the customer queried (%s)", string(r.Customer.ID), cid)
	}
	switch {
	case r.Segments.Date == "":
		return out, fmt.Errorf("segments.date missing")
	case out.AdID == "":
		return out, fmt.Errorf("ad_group_ad.ad.id missing")
	case out.Currency == "":
		return out, fmt.Errorf("customer.currency_code missing")
	}
	d, err := time.Parse(time.DateOnly, r.Segments.Date)
	if err != nil {
		return out, fmt.Errorf("segments.date %q is not a date", r.Segments.Date)
	}
	out.Date = d
	m := &r.Metrics
	cost, err := m.CostMicros.int("metrics.cost_micros")
	if err != nil {
		return out, err
	}
	if out.Impressions, err = m.Impressions.int("metrics.impressions"); err != nil {
		return out, err
	}
	if out.Clicks, err = m.Clicks.int("metrics.clicks"); err != nil {
		return out, err
	}
	if cost < 0 || out.Impressions < 0 || out.Clicks < 0 {
		return out, fmt.Errorf("negative metric (cost_micros %d, impressions %d, clicks %d)", cost, out.Impressions, out.Clicks)
	}
	out.Spend = Micros(cost)
	out.LinkClicks = out.Clicks
	if m.Conversions != "" {
		f, err := strconv.ParseFloat(string(m.Conversions), 64)
		if err != nil {
			return out, fmt.Errorf("metrics.conversions: %q is not a number", m.Conversions)
		}
		out.PlatformConversions = f
	}
	if m.ConversionsValue != "" {
		v, err := transform.ParseMoney(string(m.ConversionsValue), transform.Money4)
		if err != nil {
			return out, fmt.Errorf("metrics.conversions_value: %w", err)
		}
		out.PlatformConversionValue = v
	}
	out.DestinationURL = DestinationURL(ad.FinalURLs, ad.FinalURLSuffix, ad.TrackingURLTemplate, map[string]string{
		"{campaignid}": out.CampaignID, "{adgroupid}": out.AdsetID, "{creative}": out.AdID,
	})
	return out, nil
}

// Micros converts cost_micros to money exactly (decimal arithmetic), rounded
// half away from zero to the ad_performance money scale of four decimals.
func Micros(m int64) decimal.Decimal {
	return decimal.New(m, microExp).Round(transform.Money4.Scale)
}

// lpurlTags are the ValueTrack tags a tracking template uses for the final URL.
var lpurlTags = []string{"{lpurl}", "{unescapedlpurl}", "{escapedlpurl}", "{lpurl+2}", "{lpurl+3}"}

// DestinationURL is where an ad sends people, with its UTMs: the first final
// URL, then the final URL suffix, then the utm_* parameters of the tracking
// template that are not already on the URL (ValueTrack tags in their values
// replaced from valueTrack when known, otherwise kept as written). Empty when
// the ad has no final URL.
func DestinationURL(finalURLs []string, suffix, template string, valueTrack map[string]string) string {
	dest := ""
	for _, u := range finalURLs {
		if u = strings.TrimSpace(u); u != "" {
			dest = u
			break
		}
	}
	if dest == "" {
		return ""
	}
	frag := ""
	if i := strings.IndexByte(dest, '#'); i >= 0 {
		dest, frag = dest[:i], dest[i:]
	}
	appendQuery := func(q string) {
		q = strings.TrimLeft(strings.TrimSpace(q), "?&")
		if q == "" {
			return
		}
		switch {
		case !strings.Contains(dest, "?"):
			dest += "?" + q
		case strings.HasSuffix(dest, "?") || strings.HasSuffix(dest, "&"):
			dest += q
		default:
			dest += "&" + q
		}
	}
	appendQuery(suffix)
	if strings.Contains(strings.ToLower(template), "utm_") {
		have := map[string]bool{}
		if i := strings.IndexByte(dest, '?'); i >= 0 {
			if q, err := url.ParseQuery(dest[i+1:]); err == nil {
				for k := range q {
					have[strings.ToLower(k)] = true
				}
			}
		}
		t := template
		for _, tag := range lpurlTags {
			t = strings.ReplaceAll(t, tag, "")
		}
		if i := strings.IndexByte(t, '?'); i >= 0 {
			t = t[i+1:]
		}
		if i := strings.IndexByte(t, '#'); i >= 0 {
			t = t[:i]
		}
		var add []string
		for _, kv := range strings.Split(t, "&") {
			k, v, _ := strings.Cut(kv, "=")
			lk := strings.ToLower(k)
			if !strings.HasPrefix(lk, "utm_") || have[lk] {
				continue
			}
			have[lk] = true
			for tag, val := range valueTrack {
				if val != "" {
					v = strings.ReplaceAll(v, tag, url.QueryEscape(val))
				}
			}
			add = append(add, k+"="+v)
		}
		appendQuery(strings.Join(add, "&"))
	}
	return dest + frag
}

package meta

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

// num is a metric as Meta sends it: a JSON string holding a number ("1234",
// "12.34"). A bare JSON number is accepted too. Absent stays "".
type num string

func (n *num) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case bytes.Equal(b, []byte("null")):
		*n = ""
	case len(b) >= 2 && b[0] == '"' && b[len(b)-1] == '"' && bytes.IndexByte(b, '\\') < 0:
		// The common case, "1234": no escapes to undo, so no decoder.
		*n = num(strings.TrimSpace(string(b[1 : len(b)-1])))
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*n = num(strings.TrimSpace(s))
	default:
		var f json.Number
		if err := json.Unmarshal(b, &f); err != nil {
			return fmt.Errorf("metric is neither a string nor a number: %s", b)
		}
		*n = num(f)
	}
	return nil
}

// action is one element of actions / action_values. Attribution-window
// keys (1d_click, 7d_click, …) are ignored: value is the account's default.
type action struct {
	ActionType string `json:"action_type"`
	Value      num    `json:"value"`
}

// insightRow is one insights row (one ad, one day, one publisher platform).
type insightRow struct {
	DateStart         string   `json:"date_start"`
	AccountID         string   `json:"account_id"`
	AccountName       string   `json:"account_name"`
	AccountCurrency   string   `json:"account_currency"`
	CampaignID        string   `json:"campaign_id"`
	CampaignName      string   `json:"campaign_name"`
	AdsetID           string   `json:"adset_id"`
	AdsetName         string   `json:"adset_name"`
	AdID              string   `json:"ad_id"`
	AdName            string   `json:"ad_name"`
	PublisherPlatform string   `json:"publisher_platform"`
	Spend             num      `json:"spend"`
	Impressions       num      `json:"impressions"`
	Reach             num      `json:"reach"`
	Clicks            num      `json:"clicks"`
	InlineLinkClicks  num      `json:"inline_link_clicks"`
	Actions           []action `json:"actions"`
	ActionValues      []action `json:"action_values"`
}

// mapRow turns an insights row into the canonical row. Absent counters are
// 0 (Meta omits a metric with nothing to report); reach and 3-second video
// views stay NULL when absent, because 0 would claim a measurement.
func (s *Source) mapRow(r insightRow, acct string, extractedAt time.Time) (transform.AdPerformanceRow, error) {
	out := transform.AdPerformanceRow{
		AccountID:    r.AccountID,
		AccountName:  r.AccountName,
		CampaignID:   r.CampaignID,
		CampaignName: r.CampaignName,
		AdsetID:      r.AdsetID,
		AdsetName:    r.AdsetName,
		AdID:         r.AdID,
		AdName:       r.AdName,
		Currency:     strings.ToUpper(r.AccountCurrency),
		Platform:     strings.ToLower(strings.TrimSpace(r.PublisherPlatform)),
		Source:       s.name,
		ExtractedAt:  extractedAt,
	}
	if out.AccountID == "" {
		out.AccountID = acct
	}
	d, err := time.Parse(time.DateOnly, r.DateStart)
	if err != nil {
		return out, fmt.Errorf("date_start %q is not a date", r.DateStart)
	}
	out.Date = d
	switch {
	case out.AdID == "":
		return out, fmt.Errorf("ad_id missing")
	case out.Platform == "":
		return out, fmt.Errorf("publisher_platform missing")
	case out.Currency == "":
		return out, fmt.Errorf("account_currency missing")
	}
	if out.Spend, err = money("spend", r.Spend); err != nil {
		return out, err
	}
	if out.Impressions, err = count("impressions", r.Impressions); err != nil {
		return out, err
	}
	if out.Clicks, err = count("clicks", r.Clicks); err != nil {
		return out, err
	}
	if out.LinkClicks, err = count("inline_link_clicks", r.InlineLinkClicks); err != nil {
		return out, err
	}
	if r.Reach != "" {
		n, err := count("reach", r.Reach)
		if err != nil {
			return out, err
		}
		out.Reach = &n
	}
	for _, a := range r.Actions {
		switch {
		case a.ActionType == "video_view":
			n, err := count("actions video_view", a.Value)
			if err != nil {
				return out, err
			}
			out.VideoViews3s = transform.Ptr(n + deref(out.VideoViews3s))
		case s.convert[a.ActionType]:
			f, err := strconv.ParseFloat(string(a.Value), 64)
			if err != nil {
				return out, fmt.Errorf("actions %s: %q is not a number", a.ActionType, a.Value)
			}
			out.PlatformConversions += f
		}
	}
	for _, a := range r.ActionValues {
		if !s.convert[a.ActionType] {
			continue
		}
		v, err := money("action_values "+a.ActionType, a.Value)
		if err != nil {
			return out, err
		}
		out.PlatformConversionValue = out.PlatformConversionValue.Add(v)
	}
	return out, nil
}

func money(field string, v num) (decimal.Decimal, error) {
	if v == "" {
		return decimal.Zero, nil
	}
	d, err := transform.ParseMoney(string(v), transform.Money4)
	if err != nil {
		return decimal.Zero, fmt.Errorf("%s: %w", field, err)
	}
	return d, nil
}

// count parses an integer metric. Meta sends integers, but a value such as
// "12.0" is accepted when it is whole.
func count(field string, v num) (int64, error) {
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(string(v), 10, 64)
	if err == nil {
		return n, nil
	}
	d, derr := decimal.NewFromString(string(v))
	if derr != nil || !d.IsInteger() {
		return 0, fmt.Errorf("%s: %q is not a whole number", field, v)
	}
	return d.IntPart(), nil
}

func deref(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

package tiktok

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

// val is a dimension or metric as TikTok sends it: a JSON string ("12.34",
// "-"); a bare number is accepted too. Absent and null stay "".
type val string

func (v *val) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case bytes.Equal(b, []byte("null")):
		*v = ""
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*v = val(strings.TrimSpace(s))
	default:
		var n json.Number
		if err := json.Unmarshal(b, &n); err != nil {
			return fmt.Errorf("value is neither a string nor a number: %.40s", b)
		}
		*v = val(n)
	}
	return nil
}

// noValue is how TikTok writes "there is no value".
const noValue = "-"

// reportRow is one row of the integrated report.
type reportRow struct {
	Dimensions struct {
		AdID        val `json:"ad_id"`
		StatTimeDay val `json:"stat_time_day"`
	} `json:"dimensions"`
	Metrics struct {
		Spend          val `json:"spend"`
		Impressions    val `json:"impressions"`
		Clicks         val `json:"clicks"`
		Reach          val `json:"reach"`
		Conversion     val `json:"conversion"`
		PaymentValue   val `json:"total_complete_payment_rate"`
		VideoWatched2s val `json:"video_watched_2s"`
		VideoViewsP100 val `json:"video_views_p100"`
		CampaignID     val `json:"campaign_id"`
		CampaignName   val `json:"campaign_name"`
		AdgroupID      val `json:"adgroup_id"`
		AdgroupName    val `json:"adgroup_name"`
		AdName         val `json:"ad_name"`
	} `json:"metrics"`
}

// reportMetrics are the metrics requested, in the order sent.
var reportMetrics = []string{
	"spend", "impressions", "clicks", "reach", "conversion", "total_complete_payment_rate",
	"video_watched_2s", "video_views_p100",
	"campaign_id", "campaign_name", "adgroup_id", "adgroup_name", "ad_name",
}

// page is the envelope of one report response.
type page struct {
	Code      *int   `json:"code"`
	Message   string `json:"message"`
	RequestID string `json:"request_id"`
	Data      struct {
		List     []reportRow `json:"list"`
		PageInfo *struct {
			Page        int `json:"page"`
			PageSize    int `json:"page_size"`
			TotalNumber int `json:"total_number"`
			TotalPage   int `json:"total_page"`
		} `json:"page_info"`
	} `json:"data"`
}

// text is a string attribute; "-" means none.
func (v val) text() string {
	if v == noValue {
		return ""
	}
	return string(v)
}

// mapRow turns a report row into the canonical row. Required: ad_id and
// stat_time_day. "-" is NULL for nullable columns and 0 for required ones.
func (s *Source) mapRow(r *reportRow, advertiser string, extractedAt time.Time) (transform.AdPerformanceRow, error) {
	m := &r.Metrics
	out := transform.AdPerformanceRow{
		Platform:     "tiktok",
		AccountID:    advertiser,
		CampaignID:   m.CampaignID.text(),
		CampaignName: m.CampaignName.text(),
		AdsetID:      m.AdgroupID.text(),
		AdsetName:    m.AdgroupName.text(),
		AdID:         r.Dimensions.AdID.text(),
		AdName:       m.AdName.text(),
		Currency:     s.settings.currencyOf(advertiser),
		Source:       s.name,
		ExtractedAt:  extractedAt,
	}
	day := r.Dimensions.StatTimeDay.text()
	switch {
	case out.AdID == "":
		return out, fmt.Errorf("dimensions.ad_id missing")
	case day == "":
		return out, fmt.Errorf("dimensions.stat_time_day missing")
	}
	d, err := parseDay(day)
	if err != nil {
		return out, err
	}
	out.Date = d
	if out.Spend, err = money("spend", m.Spend); err != nil {
		return out, err
	}
	if out.PlatformConversionValue, err = money("total_complete_payment_rate", m.PaymentValue); err != nil {
		return out, err
	}
	if out.Impressions, err = count("impressions", m.Impressions); err != nil {
		return out, err
	}
	if out.Clicks, err = count("clicks", m.Clicks); err != nil {
		return out, err
	}
	out.LinkClicks = out.Clicks
	if out.Reach, err = optCount("reach", m.Reach); err != nil {
		return out, err
	}
	if out.VideoViews3s, err = optCount("video_watched_2s", m.VideoWatched2s); err != nil {
		return out, err
	}
	if out.VideoCompletions, err = optCount("video_views_p100", m.VideoViewsP100); err != nil {
		return out, err
	}
	if c := m.Conversion.text(); c != "" {
		f, err := strconv.ParseFloat(c, 64)
		if err != nil || f < 0 || f != f {
			return out, fmt.Errorf("conversion: %q is not a number", c)
		}
		out.PlatformConversions = f
	}
	return out, nil
}

// parseDay reads stat_time_day: "2026-11-16 00:00:00" (a bare date is
// accepted too).
func parseDay(s string) (time.Time, error) {
	for _, layout := range []string{time.DateTime, time.DateOnly} {
		if t, err := time.Parse(layout, s); err == nil {
			return transform.Date(t.Year(), t.Month(), t.Day()), nil
		}
	}
	return time.Time{}, fmt.Errorf("dimensions.stat_time_day %q is not a date", s)
}

// money parses a required money metric; "-" and absent are 0.
func money(field string, v val) (decimal.Decimal, error) {
	s := v.text()
	if s == "" {
		return decimal.Zero, nil
	}
	d, err := transform.ParseMoney(s, transform.Money4)
	if err != nil {
		return decimal.Zero, fmt.Errorf("%s: %w", field, err)
	}
	if d.IsNegative() {
		return decimal.Zero, fmt.Errorf("%s: %s is negative", field, s)
	}
	return d, nil
}

// count parses a required count metric; "-" and absent are 0. A whole value
// written with decimals ("12.0") is accepted.
func count(field string, v val) (int64, error) {
	s := v.text()
	if s == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		d, derr := decimal.NewFromString(s)
		if derr != nil || !d.IsInteger() || d.Abs().GreaterThan(decimal.New(1, 18)) {
			return 0, fmt.Errorf("%s: %q is not a whole number", field, s)
		}
		n = d.IntPart()
	}
	if n < 0 {
		return 0, fmt.Errorf("%s: %d is negative", field, n)
	}
	return n, nil
}

// optCount parses a nullable count metric; "-" and absent are NULL.
func optCount(field string, v val) (*int64, error) {
	if v.text() == "" {
		return nil, nil
	}
	n, err := count(field, v)
	if err != nil {
		return nil, err
	}
	return &n, nil
}

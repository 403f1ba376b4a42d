package files

import (
	"fmt"
	"strings"
)

// ExportFormat names an ad-manager export format: the CSV files analysts
// download from an ad platform's reporting UI (Meta Ads Manager, Google Ads,
// LinkedIn Campaign Manager, TikTok Ads Manager), read into ad_performance
// rows by ReadExport and by the files source's `exports` entries.
//
// What is accepted: UTF-8 with or without a byte-order mark, or UTF-16 (LE
// or BE) with one; comma, tab or semicolon separators; report-name and
// date-range lines before the header row (up to 30 lines); "Total…" lines
// without a date (skipped); numbers with thousands separators, currency
// symbols or codes ("$1,204.50", "1.204,50 €", "USD 12.00") and "--" or "-"
// for zero. A format is recognised by its header row (see exportSpecs and
// the error for an unknown file, which lists them); ExportAuto tries each.
//
// Strict on what would misstate spend:
//   - rows must be daily: a day column, or start and end columns with the
//     same date; a row covering a range is an error asking for an export
//     with a daily breakdown (spend is never spread or put on one day);
//   - one row per ad and day: a second row for the same ad and day (another
//     breakdown such as age or placement) is an error;
//   - the currency comes from the spend header ("Amount spent (EUR)"), a
//     Currency column or the settings, and they must agree.
//
// Rows without an ad id column get DerivedAdID(campaign, ad set, ad name),
// stable across runs. Meta rows take their platform from a Platform
// breakdown column, else "facebook". Slashed dates are month first.
type ExportFormat string

// The export formats ReadExport knows. ExportAuto detects the format from
// the header row.
const (
	ExportAuto      ExportFormat = "auto"
	MetaAdsExport   ExportFormat = "meta_ads_export"
	GoogleAdsExport ExportFormat = "google_ads_export"
	LinkedInExport  ExportFormat = "linkedin_export"
	TikTokExport    ExportFormat = "tiktok_export"
)

// ExportFormats lists the concrete formats in detection order.
func ExportFormats() []ExportFormat {
	return []ExportFormat{MetaAdsExport, GoogleAdsExport, LinkedInExport, TikTokExport}
}

// ParseExportFormat reads a format name as written in settings ("" is auto).
func ParseExportFormat(s string) (ExportFormat, error) {
	f := ExportFormat(strings.ToLower(strings.TrimSpace(s)))
	if f == "" || f == ExportAuto {
		return ExportAuto, nil
	}
	if _, ok := exportSpecs[f]; ok {
		return f, nil
	}
	names := []string{string(ExportAuto)}
	for _, k := range ExportFormats() {
		names = append(names, string(k))
	}
	return "", fmt.Errorf("%q is not an export format (known: %s)", s, strings.Join(names, ", "))
}

// exportField is a canonical ad_performance field an export column can fill.
type exportField int

const (
	fDay exportField = iota // the day of a daily row
	fStart
	fEnd
	fAccountID
	fAccountName
	fCampaignID
	fCampaignName
	fAdsetID
	fAdsetName
	fAdID
	fAdName
	fDestinationURL
	fCurrency
	fPlatform
	fSpend
	fImpressions
	fReach
	fClicks
	fLinkClicks
	fVideo3s
	fVideoCompletions
	fConversions
	fConversionValue
	numExportFields
)

// exportSpec describes one export format: the header names (normalized:
// lower case, a trailing currency code in parentheses removed) that identify
// it, and for each field the headers that fill it, first match wins.
type exportSpec struct {
	format   ExportFormat
	platform string // the ad_performance platform ("" for Meta: from the Platform column, else facebook)
	// signature: every name must be in the header row.
	signature []string
	columns   map[exportField][]string
	// linkClicksAreClicks: the platform counts only link clicks (search ads).
	linkClicksAreClicks bool
}

var exportSpecs = map[ExportFormat]*exportSpec{
	MetaAdsExport: {
		format:    MetaAdsExport,
		signature: []string{"reporting starts", "reporting ends", "amount spent"},
		columns: map[exportField][]string{
			fDay:              {"day"},
			fStart:            {"reporting starts"},
			fEnd:              {"reporting ends"},
			fAccountID:        {"account id"},
			fAccountName:      {"account name"},
			fCampaignID:       {"campaign id"},
			fCampaignName:     {"campaign name"},
			fAdsetID:          {"ad set id"},
			fAdsetName:        {"ad set name"},
			fAdID:             {"ad id"},
			fAdName:           {"ad name"},
			fDestinationURL:   {"website url", "link (ad settings)"},
			fCurrency:         {"currency"},
			fPlatform:         {"platform"},
			fSpend:            {"amount spent"},
			fImpressions:      {"impressions"},
			fReach:            {"reach"},
			fClicks:           {"clicks (all)", "clicks"},
			fLinkClicks:       {"link clicks"},
			fVideo3s:          {"3-second video plays"},
			fVideoCompletions: {"video plays at 100%"},
			fConversions:      {"purchases", "website purchases"},
			fConversionValue:  {"purchases conversion value", "website purchases conversion value"},
		},
	},
	GoogleAdsExport: {
		format:              GoogleAdsExport,
		platform:            "google",
		signature:           []string{"campaign", "impr.", "cost"},
		linkClicksAreClicks: true,
		columns: map[exportField][]string{
			fDay:             {"day", "date"},
			fAccountID:       {"customer id"},
			fAccountName:     {"account", "account name"},
			fCampaignID:      {"campaign id"},
			fCampaignName:    {"campaign"},
			fAdsetID:         {"ad group id"},
			fAdsetName:       {"ad group"},
			fAdID:            {"ad id"},
			fAdName:          {"ad name", "ad"},
			fDestinationURL:  {"final url"},
			fCurrency:        {"currency code", "currency"},
			fSpend:           {"cost"},
			fImpressions:     {"impr."},
			fClicks:          {"clicks"},
			fConversions:     {"conversions"},
			fConversionValue: {"conv. value", "conversion value"},
		},
	},
	LinkedInExport: {
		format:    LinkedInExport,
		platform:  "linkedin",
		signature: []string{"campaign name", "impressions", "total spent"},
		columns: map[exportField][]string{
			fDay:             {"day", "date"},
			fStart:           {"start date (in utc)", "start date"},
			fEnd:             {"end date (in utc)", "end date"},
			fAccountID:       {"account id"},
			fAccountName:     {"account name"},
			fCampaignID:      {"campaign id"},
			fCampaignName:    {"campaign name"},
			fAdID:            {"creative id", "ad id"},
			fAdName:          {"ad name", "creative name"},
			fDestinationURL:  {"click url", "destination url"},
			fCurrency:        {"currency"},
			fSpend:           {"total spent"},
			fImpressions:     {"impressions"},
			fClicks:          {"clicks"},
			fLinkClicks:      {"clicks to landing page", "landing page clicks"},
			fVideo3s:         {"video views"},
			fConversions:     {"conversions"},
			fConversionValue: {"total conversion value", "conversion value"},
		},
	},
	TikTokExport: {
		format:    TikTokExport,
		platform:  "tiktok",
		signature: []string{"ad group name", "impressions", "cost"},
		columns: map[exportField][]string{
			fDay:              {"by day", "date", "day"},
			fAccountID:        {"advertiser id", "account id"},
			fAccountName:      {"advertiser name", "account name"},
			fCampaignID:       {"campaign id"},
			fCampaignName:     {"campaign name"},
			fAdsetID:          {"ad group id"},
			fAdsetName:        {"ad group name"},
			fAdID:             {"ad id"},
			fAdName:           {"ad name"},
			fDestinationURL:   {"landing page url", "destination url"},
			fCurrency:         {"currency"},
			fSpend:            {"cost", "total cost"},
			fImpressions:      {"impressions"},
			fReach:            {"reach"},
			fClicks:           {"clicks (all)", "clicks (destination)", "clicks"},
			fLinkClicks:       {"clicks (destination)"},
			fVideoCompletions: {"video views at 100%"},
			fConversions:      {"conversions"},
			fConversionValue:  {"total complete payment value", "total purchase value"},
		},
	},
}

// knownFormatsHelp is the list of formats and the headers each needs, for
// the error about a file that matches none.
func knownFormatsHelp() string {
	var b strings.Builder
	for _, f := range ExportFormats() {
		s := exportSpecs[f]
		fmt.Fprintf(&b, "\n  %s: a header row with %s", f, quoteAll(s.signature))
		if s.columns[fStart] != nil {
			fmt.Fprintf(&b, ", and a day column (%s) or start and end columns (%s / %s)",
				quoteAll(s.columns[fDay]), quoteAll(s.columns[fStart]), quoteAll(s.columns[fEnd]))
		} else {
			fmt.Fprintf(&b, ", and a day column (%s)", quoteAll(s.columns[fDay]))
		}
	}
	return b.String()
}

func quoteAll(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return strings.Join(q, ", ")
}

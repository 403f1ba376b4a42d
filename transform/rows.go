package transform

import (
	"time"

	"github.com/shopspring/decimal"
)

// Row types, one per canonical table. Each field's `arrow` tag names its
// column; TestRowTypesMatchSchemas keeps them in step with schemas.go.
//
// Conventions: DATE columns are time.Time at midnight UTC (use Date), TIMESTAMPTZ
// columns any time.Time (stored as UTC microseconds), money is decimal.Decimal
// (never float). Nullable columns use a pointer, or for strings the empty
// string, which is stored as NULL.

// AdPerformanceRow is one ad's delivery on one day.
type AdPerformanceRow struct {
	Date                    time.Time       `arrow:"date"`
	Platform                string          `arrow:"platform"`
	AccountID               string          `arrow:"account_id"`
	AccountName             string          `arrow:"account_name"`
	AccountTimezone         string          `arrow:"account_timezone"`
	CampaignID              string          `arrow:"campaign_id"`
	CampaignName            string          `arrow:"campaign_name"`
	AdsetID                 string          `arrow:"adset_id"`
	AdsetName               string          `arrow:"adset_name"`
	AdID                    string          `arrow:"ad_id"`
	AdName                  string          `arrow:"ad_name"`
	CreativeID              string          `arrow:"creative_id"`
	CreativeName            string          `arrow:"creative_name"`
	DestinationURL          string          `arrow:"destination_url"`
	Currency                string          `arrow:"currency"`
	Spend                   decimal.Decimal `arrow:"spend"`
	Impressions             int64           `arrow:"impressions"`
	Reach                   *int64          `arrow:"reach"`
	Clicks                  int64           `arrow:"clicks"`
	LinkClicks              int64           `arrow:"link_clicks"`
	VideoViews3s            *int64          `arrow:"video_views_3s"`
	VideoCompletions        *int64          `arrow:"video_completions"`
	PlatformConversions     float64         `arrow:"platform_conversions"`
	PlatformConversionValue decimal.Decimal `arrow:"platform_conversion_value"`
	Source                  string          `arrow:"source"`
	ExtractedAt             time.Time       `arrow:"extracted_at"`
}

// OrganicPostRow is one snapshot of an organic post's metrics.
type OrganicPostRow struct {
	Platform     string    `arrow:"platform"`
	AccountID    string    `arrow:"account_id"`
	PostID       string    `arrow:"post_id"`
	SnapshotDate time.Time `arrow:"snapshot_date"`
	PublishedAt  time.Time `arrow:"published_at"`
	Format       string    `arrow:"format"`
	Caption      string    `arrow:"caption"`
	Permalink    string    `arrow:"permalink"`
	Tags         []string  `arrow:"tags"`
	Impressions  *int64    `arrow:"impressions"`
	Reach        *int64    `arrow:"reach"`
	Likes        *int64    `arrow:"likes"`
	Comments     *int64    `arrow:"comments"`
	Shares       *int64    `arrow:"shares"`
	Saves        *int64    `arrow:"saves"`
	VideoViews   *int64    `arrow:"video_views"`
	LinkClicks   *int64    `arrow:"link_clicks"`
}

// CommunityMessageRow is one inbound community conversation.
type CommunityMessageRow struct {
	MessageID       string     `arrow:"message_id"`
	Platform        string     `arrow:"platform"`
	Kind            string     `arrow:"kind"`
	ReceivedAt      time.Time  `arrow:"received_at"`
	FirstResponseAt *time.Time `arrow:"first_response_at"`
	ResolvedAt      *time.Time `arrow:"resolved_at"`
	IssueType       string     `arrow:"issue_type"`
	Sentiment       *float64   `arrow:"sentiment"`
	LeadID          string     `arrow:"lead_id"`
}

// TouchpointRow is one marketing interaction.
type TouchpointRow struct {
	TouchpointID string    `arrow:"touchpoint_id"`
	PersonID     string    `arrow:"person_id"`
	AnonymousID  string    `arrow:"anonymous_id"`
	TS           time.Time `arrow:"ts"`
	Interaction  string    `arrow:"interaction"`
	UTMSource    string    `arrow:"utm_source"`
	UTMMedium    string    `arrow:"utm_medium"`
	UTMCampaign  string    `arrow:"utm_campaign"`
	UTMContent   string    `arrow:"utm_content"`
	UTMTerm      string    `arrow:"utm_term"`
	ClickID      string    `arrow:"click_id"`
	ClickIDType  string    `arrow:"click_id_type"`
	LandingPage  string    `arrow:"landing_page"`
	Referrer     string    `arrow:"referrer"`
	Channel      string    `arrow:"channel"`
	Source       string    `arrow:"source"`
}

// ConversionRow is one business outcome.
type ConversionRow struct {
	ConversionID  string          `arrow:"conversion_id"`
	PersonID      string          `arrow:"person_id"`
	TS            time.Time       `arrow:"ts"`
	Type          string          `arrow:"type"`
	Revenue       decimal.Decimal `arrow:"revenue"`
	Currency      string          `arrow:"currency"`
	IsNewCustomer bool            `arrow:"is_new_customer"`
	OrderID       string          `arrow:"order_id"`
	DealID        string          `arrow:"deal_id"`
	PromoCodes    []string        `arrow:"promo_codes"`
	CRMSource     string          `arrow:"crm_source"`
}

// IdentityRow maps an anonymous visitor to a person.
type IdentityRow struct {
	AnonymousID string `arrow:"anonymous_id"`
	PersonID    string `arrow:"person_id"`
}

// InfluencerRow is one creator in the registry.
type InfluencerRow struct {
	CreatorID        string     `arrow:"creator_id"`
	Handle           string     `arrow:"handle"`
	Platform         string     `arrow:"platform"`
	PromoCodes       []string   `arrow:"promo_codes"`
	LinkKeys         []string   `arrow:"link_keys"`
	ContractStart    *time.Time `arrow:"contract_start"`
	ContractEnd      *time.Time `arrow:"contract_end"`
	UsageRightsUntil *time.Time `arrow:"usage_rights_until"`
	WhitelistedAdIDs []string   `arrow:"whitelisted_ad_ids"`
}

// InfluencerCostRow is one cost booked against a creator.
type InfluencerCostRow struct {
	CreatorID string          `arrow:"creator_id"`
	Date      time.Time       `arrow:"date"`
	Kind      string          `arrow:"kind"`
	Amount    decimal.Decimal `arrow:"amount"`
	Currency  string          `arrow:"currency"`
}

// FXRateRow is one day's rate from a currency into the reporting currency.
type FXRateRow struct {
	Date            time.Time       `arrow:"date"`
	Currency        string          `arrow:"currency"`
	RateToReporting decimal.Decimal `arrow:"rate_to_reporting"`
}

// OtherCostRow is one non-media cost (agency, tools).
type OtherCostRow struct {
	Date        time.Time       `arrow:"date"`
	Channel     string          `arrow:"channel"`
	Description string          `arrow:"description"`
	Amount      decimal.Decimal `arrow:"amount"`
	Currency    string          `arrow:"currency"`
}

// Date returns midnight UTC of the given calendar day, the form DATE columns take.
func Date(year int, month time.Month, day int) time.Time {
	return time.Date(year, month, day, 0, 0, 0, 0, time.UTC)
}

// Ptr returns a pointer to v, for nullable columns.
func Ptr[T any](v T) *T { return &v }

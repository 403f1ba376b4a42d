package transform

import (
	"fmt"
	"sort"

	"github.com/apache/arrow-go/v18/arrow"
)

// Column types shared by the canonical schemas. Money is DECIMAL, never float:
// ad money keeps four decimals as the platforms report it, order and deal
// revenue two.
var (
	typeString    = arrow.BinaryTypes.String
	typeInt       = arrow.PrimitiveTypes.Int64
	typeFloat     = arrow.PrimitiveTypes.Float64
	typeBool      = arrow.FixedWidthTypes.Boolean
	typeDate      = arrow.FixedWidthTypes.Date32
	typeTimestamp = &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}
	typeMoney4    = &arrow.Decimal128Type{Precision: 18, Scale: 4}
	typeMoney2    = &arrow.Decimal128Type{Precision: 18, Scale: 2}
	typeFXRate    = &arrow.Decimal128Type{Precision: 18, Scale: 8}
	typeStrings   = arrow.ListOf(arrow.BinaryTypes.String)
)

func col(name string, t arrow.DataType, nullable bool) arrow.Field {
	return arrow.Field{Name: name, Type: t, Nullable: nullable}
}

// Table describes one canonical table: its Arrow schema (the column contract
// between transform, SQL and reports), its natural key (what an upsert
// replaces on) and a sentence for documentation.
type Table struct {
	Name        string
	Description string
	Schema      *arrow.Schema
	Key         []string
	// Stamps are columns that say when a row was fetched, not what it
	// says: re-fetching an unchanged row changes them. A load compares
	// rows without them, so an unchanged row keeps the stamp of the
	// extraction that first brought its content.
	Stamps []string
}

// Canonical table names (DESIGN §3).
const (
	AdPerformance     = "ad_performance"
	OrganicPosts      = "organic_posts"
	CommunityMessages = "community_messages"
	Touchpoints       = "touchpoints"
	Conversions       = "conversions"
	Identities        = "identities"
	Influencers       = "influencers"
	InfluencerCosts   = "influencer_costs"
	FXRates           = "fx_rates"
	OtherCosts        = "other_costs"
)

var tables = map[string]*Table{
	AdPerformance: {
		Name:        AdPerformance,
		Description: "Daily delivery and spend per ad, as the ad platform reports it.",
		Key:         []string{"platform", "account_id", "ad_id", "date"},
		Stamps:      []string{"extracted_at"},
		Schema: arrow.NewSchema([]arrow.Field{
			col("date", typeDate, false),
			col("platform", typeString, false),
			col("account_id", typeString, false),
			col("account_name", typeString, true),
			// account_timezone is the IANA zone the platform's days are in
			// (an ad account reports its days in its own time zone).
			col("account_timezone", typeString, true),
			col("campaign_id", typeString, true),
			col("campaign_name", typeString, true),
			col("adset_id", typeString, true),
			col("adset_name", typeString, true),
			col("ad_id", typeString, false),
			col("ad_name", typeString, true),
			col("creative_id", typeString, true),
			col("creative_name", typeString, true),
			col("destination_url", typeString, true),
			col("currency", typeString, false),
			col("spend", typeMoney4, false),
			col("impressions", typeInt, false),
			col("reach", typeInt, true),
			col("clicks", typeInt, false),
			col("link_clicks", typeInt, false),
			col("video_views_3s", typeInt, true),
			col("video_completions", typeInt, true),
			col("platform_conversions", typeFloat, false),
			col("platform_conversion_value", typeMoney4, false),
			col("source", typeString, false),
			col("extracted_at", typeTimestamp, false),
		}, nil),
	},
	OrganicPosts: {
		Name:        OrganicPosts,
		Description: "Organic posts with their engagement, one snapshot per post and day.",
		Key:         []string{"platform", "post_id", "snapshot_date"},
		Schema: arrow.NewSchema([]arrow.Field{
			col("platform", typeString, false),
			col("account_id", typeString, true),
			col("post_id", typeString, false),
			col("snapshot_date", typeDate, false),
			col("published_at", typeTimestamp, false),
			col("format", typeString, false),
			col("caption", typeString, true),
			col("permalink", typeString, true),
			col("tags", typeStrings, true),
			col("impressions", typeInt, true),
			col("reach", typeInt, true),
			col("likes", typeInt, true),
			col("comments", typeInt, true),
			col("shares", typeInt, true),
			col("saves", typeInt, true),
			col("video_views", typeInt, true),
			col("link_clicks", typeInt, true),
		}, nil),
	},
	CommunityMessages: {
		Name:        CommunityMessages,
		Description: "Comments, DMs, mentions and reviews with response and resolution times.",
		Key:         []string{"message_id"},
		Schema: arrow.NewSchema([]arrow.Field{
			col("message_id", typeString, false),
			col("platform", typeString, false),
			col("kind", typeString, false),
			col("received_at", typeTimestamp, false),
			col("first_response_at", typeTimestamp, true),
			col("resolved_at", typeTimestamp, true),
			col("issue_type", typeString, false),
			col("sentiment", typeFloat, true),
			col("lead_id", typeString, true),
		}, nil),
	},
	Touchpoints: {
		Name:        Touchpoints,
		Description: "Marketing interactions of a person: clicks, views, visits and promo-code uses.",
		Key:         []string{"touchpoint_id"},
		Schema: arrow.NewSchema([]arrow.Field{
			col("touchpoint_id", typeString, false),
			col("person_id", typeString, true),
			col("anonymous_id", typeString, true),
			col("ts", typeTimestamp, false),
			col("interaction", typeString, false),
			col("utm_source", typeString, true),
			col("utm_medium", typeString, true),
			col("utm_campaign", typeString, true),
			col("utm_content", typeString, true),
			col("utm_term", typeString, true),
			col("click_id", typeString, true),
			col("click_id_type", typeString, true),
			col("landing_page", typeString, true),
			col("referrer", typeString, true),
			// channel, when the source already knows it (an analytics export's
			// channel grouping), overrides the channel rules.
			col("channel", typeString, true),
			// source says where the touchpoint came from (an event stream, or
			// derived from CRM/commerce records), so reports can say which.
			col("source", typeString, false),
		}, nil),
	},
	Conversions: {
		Name:        Conversions,
		Description: "Business outcomes: leads, sign-ups, purchases and won deals, with revenue.",
		Key:         []string{"conversion_id"},
		Schema: arrow.NewSchema([]arrow.Field{
			col("conversion_id", typeString, false),
			col("person_id", typeString, true),
			col("ts", typeTimestamp, false),
			col("type", typeString, false),
			col("revenue", typeMoney2, false),
			col("currency", typeString, false),
			col("is_new_customer", typeBool, false),
			col("order_id", typeString, true),
			col("deal_id", typeString, true),
			col("promo_codes", typeStrings, true),
			col("crm_source", typeString, false),
		}, nil),
	},
	Identities: {
		Name:        Identities,
		Description: "Which person an anonymous web visitor is.",
		Key:         []string{"anonymous_id"},
		Schema: arrow.NewSchema([]arrow.Field{
			col("anonymous_id", typeString, false),
			col("person_id", typeString, false),
		}, nil),
	},
	Influencers: {
		Name:        Influencers,
		Description: "The influencer registry: creators, their codes, link keys and contracts.",
		Key:         []string{"creator_id"},
		Schema: arrow.NewSchema([]arrow.Field{
			col("creator_id", typeString, false),
			col("handle", typeString, false),
			col("platform", typeString, false),
			col("promo_codes", typeStrings, true),
			col("link_keys", typeStrings, true),
			col("contract_start", typeDate, true),
			col("contract_end", typeDate, true),
			col("usage_rights_until", typeDate, true),
			col("whitelisted_ad_ids", typeStrings, true),
		}, nil),
	},
	InfluencerCosts: {
		Name:        InfluencerCosts,
		Description: "What each creator cost: fees, product, bonuses and whitelisting.",
		Key:         []string{"creator_id", "date", "kind"},
		Schema: arrow.NewSchema([]arrow.Field{
			col("creator_id", typeString, false),
			col("date", typeDate, false),
			col("kind", typeString, false),
			col("amount", typeMoney2, false),
			col("currency", typeString, false),
		}, nil),
	},
	FXRates: {
		Name:        FXRates,
		Description: "Daily exchange rates into the reporting currency.",
		Key:         []string{"date", "currency"},
		Schema: arrow.NewSchema([]arrow.Field{
			col("date", typeDate, false),
			col("currency", typeString, false),
			col("rate_to_reporting", typeFXRate, false),
		}, nil),
	},
	OtherCosts: {
		Name:        OtherCosts,
		Description: "Agency and tool costs that enter blended CAC.",
		Key:         []string{"date", "channel", "description"},
		Schema: arrow.NewSchema([]arrow.Field{
			col("date", typeDate, false),
			col("channel", typeString, false),
			col("description", typeString, false),
			col("amount", typeMoney2, false),
			col("currency", typeString, false),
		}, nil),
	},
}

// Lookup returns the canonical table with that name.
func Lookup(name string) (*Table, error) {
	t, ok := tables[name]
	if !ok {
		return nil, fmt.Errorf("transform: %q is not a canonical table (known: %v)", name, TableNames())
	}
	return t, nil
}

// TableNames lists the canonical tables in a stable order.
func TableNames() []string {
	names := make([]string, 0, len(tables))
	for n := range tables {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Tables returns every canonical table in TableNames order.
func Tables() []*Table {
	out := make([]*Table, 0, len(tables))
	for _, n := range TableNames() {
		out = append(out, tables[n])
	}
	return out
}

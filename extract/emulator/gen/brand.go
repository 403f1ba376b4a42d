package gen

import (
	"time"

	"github.com/socialroi/socialroi/transform"
)

// Brand is a generated demo brand: its ad catalog, every canonical table the
// simulation fills, and the ground truth the data was drawn from.
type Brand struct {
	// Config is the configuration after defaults were applied.
	Config Config

	// Accounts lists every ad account, ordered by platform then id.
	Accounts []Account
	// MetaAccounts indexes the Meta ad accounts by id (without "act_").
	MetaAccounts map[string]Account
	// Ads is the ad catalog, one entry per ad (a Meta ad appears once even
	// though it delivers on Facebook and Instagram).
	Ads []Ad

	AdPerformance   []transform.AdPerformanceRow
	Touchpoints     []transform.TouchpointRow
	Conversions     []transform.ConversionRow
	Identities      []transform.IdentityRow
	Influencers     []transform.InfluencerRow
	InfluencerCosts []transform.InfluencerCostRow
	FXRates         []transform.FXRateRow
	OtherCosts      []transform.OtherCostRow
	// OrganicPosts has one snapshot (at End) of every organic post; their
	// ids are the utm_content of organic-social click touchpoints.
	OrganicPosts []transform.OrganicPostRow
	// CommunityMessages are inbound comments, DMs, mentions and reviews.
	CommunityMessages []transform.CommunityMessageRow

	GroundTruth GroundTruth
}

// Account is one ad account.
type Account struct {
	// Platform is the ad platform's name in configs: meta, tiktok, linkedin, google.
	Platform string
	ID       string
	Name     string
	Currency string
}

// Ad is one ad with its campaign, ad set and creative, as an ad platform's
// management API would describe it.
type Ad struct {
	// Platform is the ad platform (meta, tiktok, linkedin, google); Placements
	// are the publisher platforms it delivers on, the `platform` values of its
	// ad_performance rows (facebook and instagram for Meta).
	Platform   string
	Placements []string
	AccountID  string

	CampaignID   string
	CampaignName string
	// Objective is the platform objective the campaign was set up with.
	Objective    string
	AdsetID      string
	AdsetName    string
	AdID         string
	AdName       string
	CreativeID   string
	CreativeName string
	// Format is video, image, carousel or text.
	Format string
	// Segment is the audience segment code of the campaign (pr, eng, cus, rt).
	Segment string
	// LandingPath is the path the ad links to.
	LandingPath string
	// First and Last are the first and last day the ad delivers (inclusive).
	First, Last time.Time
	// MissingUTMCampaign marks the ads whose destination URL lacks
	// utm_campaign, planted for tracking QA.
	MissingUTMCampaign bool

	// Delivery parameters, in the account's currency.
	dailyBudget float64 // spend per day across placements at scale 1
	cpm         float64
	linkCTR     float64
	fatigue     float64 // relative link-CTR loss per week active
	creativeKey string  // the asset's key across ads and platforms (crNNN)
	frequency   float64 // daily impressions per person reached
}

// Medium is the utm_medium the ad's links carry.
func (a Ad) Medium() string {
	switch {
	case a.Platform == "google":
		return "cpc"
	case a.Segment == "rt":
		return "retargeting"
	}
	return "paid_social"
}

// Channel is the channel the default rules give the ad's clicks.
func (a Ad) Channel() string {
	switch a.Medium() {
	case "cpc":
		return "paid_search"
	case "retargeting":
		return "retargeting"
	}
	return "paid_social"
}

// ClickIDType is the click id the platform appends to its links.
func (a Ad) ClickIDType() string {
	switch a.Platform {
	case "meta":
		return "fbclid"
	case "tiktok":
		return "ttclid"
	case "linkedin":
		return "li_fat_id"
	case "google":
		return "gclid"
	}
	return ""
}

// utmQuery is the UTM query string of the ad's links on a placement.
func (a Ad) utmQuery(placement string) string {
	q := "utm_source=" + placement + "&utm_medium=" + a.Medium()
	if !a.MissingUTMCampaign {
		q += "&utm_campaign=" + a.CampaignID
	}
	return q + "&utm_content=" + a.AdID
}

// DestinationURL is the ad's link as configured on a placement: the landing
// page with UTMs (Meta fills utm_source per placement with {{site_source_name}}).
func (a Ad) DestinationURL(placement string) string {
	return shopURL + a.LandingPath + "?" + a.utmQuery(placement)
}

const shopURL = "https://shop.example.com"

// GroundTruth is how the simulation drew conversions: each person's daily
// conversion hazard is
//
//	BaseDailyRate × propensity × (0.5 if already a customer)
//	  + Σ over touches in the last WindowDays: Lift × landing-page factor × 2^(−age/HalfLifeDays)
//
// and the probability of converting that day is 1 − e^(−hazard). Because the
// hazard is additive, each conversion splits exactly into the shares each
// term contributed; summing those shares gives every channel's true
// incremental conversions and revenue, against which attribution models can
// be judged.
type GroundTruth struct {
	BaseDailyRate float64
	HalfLifeDays  float64
	WindowDays    int
	// SampleRate is the share of ads' link clicks that appear as touchpoints:
	// the simulated persons are a panel of the brand's traffic.
	SampleRate float64
	// Effects lists every channel and platform with its lift and realised
	// contribution, ordered by channel then platform. Channel "baseline" is
	// the part of conversions no touch caused.
	Effects []ChannelEffect
	// LandingPages lists the landing pages whose factor is not 1.
	LandingPages []LandingPageEffect
	// PlatformOverclaim is the factor by which each ad platform's reported
	// conversions exceed the conversions it had a click on, by platform.
	PlatformOverclaim []PlatformFactor
	// FatiguedCreatives are the creative keys planted to wear out: on some
	// audience, frequency above 3 and a click-through rate falling by at
	// least 5% a week. FreshCreatives never lose click-through anywhere.
	FatiguedCreatives, FreshCreatives []string
}

// ChannelEffect is the true effect of one channel on one platform.
type ChannelEffect struct {
	Channel  string
	Platform string
	// Lift is the daily hazard one touch adds on its day.
	Lift float64
	// Touchpoints is the number of touchpoints generated in this channel. For
	// influencers it excludes unobserved exposures (followers who saw a post
	// without clicking), which also carry lift.
	Touchpoints int
	// Conversions and Revenue are the expected conversions and revenue (in
	// USD) the channel caused: per conversion, its share of the hazard.
	Conversions float64
	Revenue     float64
}

// LandingPageEffect scales the lift of touches landing on a page.
type LandingPageEffect struct {
	Path   string
	Factor float64
}

// PlatformFactor is a per-platform multiplier.
type PlatformFactor struct {
	Platform string
	Factor   float64
}

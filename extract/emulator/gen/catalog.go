package gen

import (
	"fmt"
	"strings"
)

// The demo brand's ad accounts.
var accounts = []Account{
	{Platform: "google", ID: "4567890123", Name: "Demo Brand Search", Currency: "USD"},
	{Platform: "linkedin", ID: "508123456", Name: "Demo Brand B2B", Currency: "USD"},
	{Platform: "meta", ID: "1000001", Name: "Demo Brand US", Currency: "USD"},
	{Platform: "tiktok", ID: "7123456789012345", Name: "Demo Brand EU", Currency: "EUR"},
}

func accountOf(platform string) Account {
	for _, a := range accounts {
		if a.Platform == platform {
			return a
		}
	}
	panic("gen: no account for " + platform)
}

// campaignSpec and adSpec describe the catalog compactly; buildCatalog turns
// them into Ads with ids.
type campaignSpec struct {
	platform  string
	name      string
	objective string
	segment   string
	adset     string
	// startWeek and endWeek bound delivery in weeks from the range start
	// (endWeek 0 means to the end), so the budget stage gate sees campaigns of
	// different ages.
	startWeek, endWeek int
	noUTMCampaign      bool
	cpm, ctr, freq     float64
	ads                []adSpec
}

type adSpec struct {
	name     string
	creative string // creative key shared across platforms (crNNN)
	format   string
	landing  string
	budget   float64
	fatigue  float64
}

var campaignSpecs = []campaignSpec{
	{platform: "meta", name: "conv_pr_us_free-shipping", objective: "OUTCOME_SALES", segment: "pr", adset: "pr_us_broad_25-44",
		cpm: 11, ctr: 0.011, freq: 1.25, ads: []adSpec{
			{"video_ugc-unboxing_shop-now_cr012", "cr012", "video", "/products/hoodie", 38, 0.02},
			{"image_product-flatlay_shop-now_cr003", "cr003", "image", "/products/hoodie", 22, 0},
			{"video_creator-maya_shop-now_cr020", "cr020", "video", "/products/bundle", 30, 0.03},
			{"carousel_bestsellers_shop-now_cr007", "cr007", "carousel", "/collections/bestsellers", 26, 0},
		}},
	{platform: "meta", name: "conv_eng_us_20off", objective: "OUTCOME_SALES", segment: "eng", adset: "eng_us_video-viewers-30d",
		cpm: 14, ctr: 0.013, freq: 1.6, ads: []adSpec{
			{"video_founder-story_get-offer_cr015", "cr015", "video", "/pages/sale", 24, 0},
			{"image_testimonial_get-offer_cr004", "cr004", "image", "/pages/sale", 18, 0},
		}},
	{platform: "meta", name: "conv_cus_us_new-drop", objective: "OUTCOME_SALES", segment: "cus", adset: "cus_us_purchasers-180d",
		cpm: 9, ctr: 0.012, freq: 1.7, startWeek: 2, ads: []adSpec{
			{"carousel_new-drop_shop-now_cr021", "cr021", "carousel", "/collections/new", 16, 0},
			{"image_new-drop_shop-now_cr022", "cr022", "image", "/collections/new", 12, 0},
		}},
	{platform: "meta", name: "conv_rt_us_20off", objective: "OUTCOME_SALES", segment: "rt", adset: "rt_us_atc-14d",
		cpm: 18, ctr: 0.016, freq: 3.4, ads: []adSpec{
			// Creative cr012 runs here at high frequency and fatigues: the
			// creative mart's fatigue flag should catch it.
			{"video_ugc-unboxing_get-offer_cr012", "cr012", "video", "/products/hoodie", 20, 0.09},
			{"image_testimonial_shop-now_cr004", "cr004", "image", "/products/hoodie", 14, 0.02},
			{"carousel_bestsellers_get-offer_cr007", "cr007", "carousel", "/collections/bestsellers", 14, 0.02},
		}},
	{platform: "meta", name: "traffic_pr_ca_bundle", objective: "OUTCOME_TRAFFIC", segment: "pr", adset: "pr_ca_broad",
		cpm: 8, ctr: 0.009, freq: 1.2, startWeek: 3, ads: []adSpec{
			{"video_problem-solution_learn-more_cr016", "cr016", "video", "/products/bundle", 20, 0.01},
			{"image_bundle_learn-more_cr009", "cr009", "image", "/products/bundle", 15, 0},
		}},
	// Named by hand in the ads manager, outside the convention, and launched
	// without utm_campaign: tracking QA must count both.
	{platform: "meta", name: "BF Teaser - Nov", objective: "OUTCOME_AWARENESS", segment: "pr", adset: "bf_teaser_all",
		cpm: 7, ctr: 0.007, freq: 1.5, startWeek: 10, noUTMCampaign: true, ads: []adSpec{
			{"Copy of Unboxing video - Nov", "cr012", "video", "/pages/black-friday", 30, 0},
			{"video_bf-countdown_shop-now_cr030", "cr030", "video", "/pages/black-friday", 20, 0},
		}},

	{platform: "tiktok", name: "conv_pr_de_20off", objective: "CONVERSIONS", segment: "pr", adset: "pr_de_interest-fashion",
		cpm: 9, ctr: 0.008, freq: 1.3, ads: []adSpec{
			{"video_ugc-unboxing_shop-now_cr012", "cr012", "video", "/products/hoodie", 22, 0.02},
			{"video_trend-sound_shop-now_cr018", "cr018", "video", "/products/tee", 18, 0.04},
			{"video_creator-tom_get-offer_cr019", "cr019", "video", "/pages/sale", 16, 0},
		}},
	{platform: "tiktok", name: "conv_pr_fr_free-shipping", objective: "CONVERSIONS", segment: "pr", adset: "pr_fr_broad",
		cpm: 8.5, ctr: 0.008, freq: 1.3, startWeek: 4, ads: []adSpec{
			{"video_before-after_shop-now_cr017", "cr017", "video", "/products/tee", 18, 0},
			{"video_ugc-unboxing_shop-now_cr012", "cr012", "video", "/products/hoodie", 16, 0},
		}},

	{platform: "linkedin", name: "lead_pr_us_wholesale", objective: "LEAD_GENERATION", segment: "pr", adset: "pr_us_retail-buyers",
		cpm: 38, ctr: 0.006, freq: 1.4, ads: []adSpec{
			{"image_wholesale_learn-more_cr025", "cr025", "image", "/wholesale", 32, 0},
			{"text_wholesale-guide_sign-up_cr026", "cr026", "text", "/wholesale", 20, 0},
		}},
	{platform: "linkedin", name: "lead_eng_us_wholesale", objective: "LEAD_GENERATION", segment: "eng", adset: "eng_us_site-visitors",
		cpm: 45, ctr: 0.008, freq: 1.8, startWeek: 1, endWeek: 9, ads: []adSpec{
			{"image_case-study_learn-more_cr027", "cr027", "image", "/wholesale", 25, 0},
		}},

	{platform: "google", name: "search_pr_us_brand", objective: "SEARCH", segment: "pr", adset: "brand_exact",
		cpm: 60, ctr: 0.09, freq: 1.1, ads: []adSpec{
			{"text_brand-kw_shop-now_rsa001", "rsa001", "text", "/", 20, 0},
		}},
	{platform: "google", name: "search_pr_us_generic", objective: "SEARCH", segment: "pr", adset: "generic_hoodies",
		cpm: 45, ctr: 0.05, freq: 1.1, ads: []adSpec{
			{"text_generic-kw_shop-now_rsa002", "rsa002", "text", "/products/hoodie", 24, 0},
			{"text_generic-kw_get-offer_rsa003", "rsa003", "text", "/pages/sale", 14, 0},
		}},
}

// idBase gives each platform's ids their usual look.
var idBase = map[string]struct{ campaign, adset, ad, creative int64 }{
	"meta":     {120210000000100, 120210000001100, 120210000002100, 120210000003100},
	"tiktok":   {1780000000000100, 1780000000001100, 1780000000002100, 1780000000003100},
	"linkedin": {610000100, 612000100, 614000100, 616000100},
	"google":   {21000000100, 131000000100, 650000000100, 652000000100},
}

// buildCatalog assigns ids in spec order, which keeps them stable when specs
// are appended.
func buildCatalog(cfg Config) []Ad {
	var ads []Ad
	counters := map[string]*[4]int64{}
	// platform/creative key → id and name, so a creative reused in two
	// campaigns stays one creative, as it is in the platform's asset library.
	type creative struct{ id, name string }
	creatives := map[string]creative{}
	next := func(platform string, k int) string {
		c, ok := counters[platform]
		if !ok {
			c = &[4]int64{}
			counters[platform] = c
		}
		b := idBase[platform]
		base := [4]int64{b.campaign, b.adset, b.ad, b.creative}[k]
		c[k]++
		return fmt.Sprint(base + c[k])
	}
	for _, cs := range campaignSpecs {
		acct := accountOf(cs.platform)
		campaignID := next(cs.platform, 0)
		adsetID := next(cs.platform, 1)
		first := cfg.Start.AddDate(0, 0, 7*cs.startWeek)
		last := cfg.End
		if cs.endWeek > 0 {
			if l := cfg.Start.AddDate(0, 0, 7*cs.endWeek-1); l.Before(last) {
				last = l
			}
		}
		placements := []string{cs.platform}
		if cs.platform == "meta" {
			placements = []string{"facebook", "instagram"}
		}
		for _, as := range cs.ads {
			key := cs.platform + "/" + as.creative
			cr, ok := creatives[key]
			if !ok {
				cr = creative{next(cs.platform, 3), creativeName(as)}
				creatives[key] = cr
			}
			ads = append(ads, Ad{
				Platform:           cs.platform,
				Placements:         placements,
				AccountID:          acct.ID,
				CampaignID:         campaignID,
				CampaignName:       cs.name,
				Objective:          cs.objective,
				AdsetID:            adsetID,
				AdsetName:          cs.adset,
				AdID:               next(cs.platform, 2),
				AdName:             as.name,
				CreativeID:         cr.id,
				CreativeName:       cr.name,
				Format:             as.format,
				Segment:            cs.segment,
				LandingPath:        as.landing,
				First:              first,
				Last:               last,
				MissingUTMCampaign: cs.noUTMCampaign,
				dailyBudget:        as.budget,
				cpm:                cs.cpm,
				linkCTR:            cs.ctr,
				fatigue:            as.fatigue,
				frequency:          cs.freq,
				creativeKey:        as.creative,
			})
		}
	}
	return ads
}

// creativeName is what an asset library would call the file: the creative
// key first, so the parsed {creative} field and the creative name agree.
func creativeName(as adSpec) string {
	switch as.format {
	case "video":
		return as.creative + " " + hookOf(as.name) + " 15s"
	case "text":
		return as.creative + " responsive search ad"
	}
	return as.creative + " " + hookOf(as.name) + " " + as.format
}

// hookOf returns the {hook} field of a conventional ad name, or "asset".
func hookOf(adName string) string {
	parts := strings.Split(adName, "_")
	if len(parts) != 4 {
		return "asset"
	}
	return parts[1]
}

package models_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/socialroi/socialroi/config"
	"github.com/socialroi/socialroi/models"
	"github.com/socialroi/socialroi/transform"
)

// ocWeek is the report week of the organic/community dataset: 2026-W47,
// Mon 16 – Sun 22 Nov 2026, reporting time zone America/New_York (UTC−5 in
// November: every timestamp below is UTC, and all but two fall on the same
// local day).
var ocWeek = day("2026-11-16")

// ocConfig: pillars given with odd case and a '#' to show both are ignored;
// primary model linear; SLA 60 minutes (the default).
func ocConfig() *config.Config {
	cfg := config.Defaults()
	cfg.Reporting.Timezone = "America/New_York"
	cfg.Attribution.Models = []string{"last_touch", "linear"}
	cfg.Reporting.PrimaryModel = "linear"
	cfg.Organic.Pillars = []string{"HowTo", "#Product"}
	cfg.Organic.TrendTags = []string{"trend"}
	cfg.Community.SLAMinutes = 60
	return cfg
}

func i64(n int64) *int64 { return &n }

func at(s string) *time.Time { t := ts(s); return &t }

// ocBrand is the hand-built dataset of the organic, community and landing
// page marts. core holds the tables golden_test.go's buildRecord knows;
// extra holds organic_posts and community_messages (built by
// buildOrganicCommunity).
//
// Touchpoints and conversions (linear credit in brackets):
//
//	P1: tp1 facebook paid ad 17 Nov → /pages/sale?… [½]
//	    to1 instagram organic, utm_content ig1, 18 Nov → …/products/hoodie?… [½]
//	    → k1 purchase 80.00 on 18 Nov 14:00: 40.00 each
//	P2: to2 instagram organic ig1 19 Nov → /products/hoodie; tlate ig1 on 24 Nov (after the week)
//	P3: to3 facebook organic fb1 20 Nov → https://shop.example.com/?…
//	P4: tp2 facebook paid 18 Nov → /pages/sale/          P5: tp3 facebook paid 19 Nov → …/Pages/Sale#top
//	P6: tp4 facebook paid 20 Nov 10:00 → /products/bundle?… [½]
//	    tpc promo code at checkout 10:58 → /checkout [½]
//	    → k2 purchase 120.00 on 20 Nov 11:00: 60.00 each
//	P7: told direct visit 10 Nov → /products/tee → k3 purchase 50.00 on 10 Nov (W46) [1]
//	P8 (a community lead, no touchpoints): 1 Nov purchase 30.00; 17 Nov 13:00 lead 0.00;
//	    19 Nov 12:00 purchase EUR 100.00 × 1.10 = 110.00 USD; 21 Nov 12:00 purchase 20.00
//	P9 (a community lead): 25 Nov purchase 70.00, after the report week
func ocBrand() (core, extra map[string]any) {
	tp := func(id, person, when, interaction, src, med, content, clickType, landing string) transform.TouchpointRow {
		return transform.TouchpointRow{
			TouchpointID: id, PersonID: person, TS: ts(when), Interaction: interaction,
			UTMSource: src, UTMMedium: med, UTMContent: content, ClickIDType: clickType,
			LandingPage: landing, Source: "web",
		}
	}
	conv := func(id, person, when, typ, revenue, cur string) transform.ConversionRow {
		return transform.ConversionRow{
			ConversionID: id, PersonID: person, TS: ts(when), Type: typ, Revenue: dec(revenue),
			Currency: cur, CRMSource: "shop",
		}
	}
	core = map[string]any{
		transform.Touchpoints: []transform.TouchpointRow{
			tp("tp1", "p1", "2026-11-17 10:00", "click", "facebook", "paid_social", "a1", "fbclid", "/pages/sale?utm_source=facebook&utm_medium=paid_social"),
			tp("to1", "p1", "2026-11-18 12:00", "click", "instagram", "social", "ig1", "",
				"https://shop.example.com/products/hoodie?utm_source=instagram&utm_medium=social&utm_content=ig1"),
			tp("to2", "p2", "2026-11-19 12:00", "click", "instagram", "social", "ig1", "", "/products/hoodie"),
			tp("tlate", "p2", "2026-11-24 12:00", "click", "instagram", "social", "ig1", "", "/products/hoodie"),
			tp("to3", "p3", "2026-11-20 15:00", "click", "facebook", "social", "fb1", "",
				"https://shop.example.com/?utm_source=facebook&utm_medium=social&utm_content=fb1"),
			tp("tp2", "p4", "2026-11-18 10:00", "click", "facebook", "paid_social", "a1", "fbclid", "/pages/sale/"),
			tp("tp3", "p5", "2026-11-19 10:00", "click", "facebook", "paid_social", "a1", "fbclid", "https://shop.example.com/Pages/Sale#top"),
			tp("tp4", "p6", "2026-11-20 10:00", "click", "facebook", "paid_social", "a2", "fbclid", "/products/bundle?utm_source=facebook"),
			tp("tpc", "p6", "2026-11-20 10:58", "promo_code", "instagram", "", "", "", "/checkout"),
			tp("told", "p7", "2026-11-10 12:00", "visit", "", "", "", "", "/products/tee"),
		},
		transform.Conversions: []transform.ConversionRow{
			conv("k1", "p1", "2026-11-18 14:00", "purchase", "80.00", "USD"),
			conv("k2", "p6", "2026-11-20 11:00", "purchase", "120.00", "USD"),
			conv("k3", "p7", "2026-11-10 13:00", "purchase", "50.00", "USD"),
			conv("k8old", "p8", "2026-11-01 12:00", "purchase", "30.00", "USD"),
			conv("k8lead", "p8", "2026-11-17 13:00", "lead", "0.00", "USD"),
			conv("k8buy", "p8", "2026-11-19 12:00", "purchase", "100.00", "EUR"),
			conv("k8more", "p8", "2026-11-21 12:00", "purchase", "20.00", "USD"),
			conv("k9", "p9", "2026-11-25 12:00", "purchase", "70.00", "USD"),
		},
		transform.FXRates: []transform.FXRateRow{
			{Date: day("2026-11-19"), Currency: "EUR", RateToReporting: dec("1.10")},
		},
	}

	post := func(platform, id, published, format, caption string, tags []string) transform.OrganicPostRow {
		return transform.OrganicPostRow{
			Platform: platform, AccountID: "acct-" + platform, PostID: id, PublishedAt: ts(published),
			Format: format, Caption: caption, Permalink: "https://" + platform + ".example.com/p/" + id, Tags: tags,
		}
	}
	// snap sets a snapshot's date and lifetime counters (link clicks nil:
	// not reported, as on Instagram).
	snap := func(p transform.OrganicPostRow, date string, imp, reach, likes, comments, shares, saves int64, linkClicks *int64) transform.OrganicPostRow {
		p.SnapshotDate = day(date)
		p.Impressions, p.Reach = i64(imp), i64(reach)
		p.Likes, p.Comments, p.Shares, p.Saves = i64(likes), i64(comments), i64(shares), i64(saves)
		p.LinkClicks = linkClicks
		return p
	}
	ig1 := post("instagram", "ig1", "2026-11-17 15:00", "reel", "How we layer the hoodie", []string{"#Behind", "howto", "brand"})
	ig2 := post("instagram", "ig2", "2026-11-18 15:00", "reel",
		"Trend alert: our heavyweight hoodie meets the cosy-season trend everyone is posting about\nLink in bio. #Trend #product",
		[]string{"Trend", "product"})
	ig3 := post("instagram", "ig3", "2026-11-16 03:00", "reel", "Washing guide", []string{"howto"}) // 15 Nov 22:00 in New York: W46
	ig4 := post("instagram", "ig4", "2026-11-20 16:00", "reel", "3 ways to style the tee", []string{"#HowTo"})
	ig5 := post("instagram", "ig5", "2026-11-21 15:00", "story", "Restocked", []string{"product"})
	ig5.SnapshotDate = day("2026-11-22") // an expired story: no insights at all
	fb1 := post("facebook", "fb1", "2026-11-19 14:00", "image", "", nil)
	fb2 := post("facebook", "fb2", "2026-11-24 14:00", "image", "Next week", []string{"product"})

	msg := func(id, platform, issue, received string, responseMinutes int, resolved, lead string) transform.CommunityMessageRow {
		m := transform.CommunityMessageRow{
			MessageID: id, Platform: platform, Kind: "comment", ReceivedAt: ts(received), IssueType: issue, LeadID: lead,
		}
		if responseMinutes >= 0 {
			r := m.ReceivedAt.Add(time.Duration(responseMinutes) * time.Minute)
			m.FirstResponseAt = &r
		}
		if resolved != "" {
			m.ResolvedAt = at(resolved)
		}
		return m
	}
	extra = map[string]any{
		transform.OrganicPosts: []transform.OrganicPostRow{
			snap(ig1, "2026-11-18", 500, 400, 20, 2, 1, 2, nil),
			snap(ig1, "2026-11-22", 1000, 800, 50, 5, 3, 2, nil),      // latest on or before 22 Nov: used
			snap(ig1, "2026-11-24", 5000, 4000, 200, 20, 10, 10, nil), // after the week's end: ignored
			snap(ig2, "2026-11-22", 2000, 1500, 100, 10, 20, 10, nil), // trend post
			snap(ig3, "2026-11-22", 300, 250, 10, 0, 0, 5, nil),       // W46
			snap(ig4, "2026-11-21", 1000, 700, 30, 3, 2, 5, nil),      // only snapshot
			// ig5: every counter NULL
			ig5,
			snap(fb1, "2026-11-22", 400, 300, 8, 1, 1, 0, i64(2)), // no tags
			snap(fb2, "2026-11-24", 100, 100, 1, 0, 0, 0, i64(0)), // published after the week
		},
		transform.CommunityMessages: []transform.CommunityMessageRow{
			msg("m1", "instagram", "question", "2026-11-17 10:00", 10, "2026-11-17 12:00", ""),
			msg("m2", "instagram", "question", "2026-11-17 11:00", 20, "", ""),
			msg("m3", "instagram", "question", "2026-11-18 10:00", 60, "2026-11-18 15:00", ""), // exactly the SLA
			msg("m4", "instagram", "question", "2026-11-19 10:00", 100, "", ""),
			msg("m5", "instagram", "question", "2026-11-20 10:00", -1, "", ""), // unanswered
			msg("m6", "facebook", "buying_intent", "2026-11-17 12:00", 45, "2026-11-17 14:00", "p8"),
			msg("m7", "facebook", "buying_intent", "2026-11-18 12:00", -1, "", "p9"),
			msg("m8", "instagram", "complaint", "2026-11-20 09:00", 90, "", "p8"),
			msg("m9", "tiktok", "praise", "2026-11-16 02:00", 30, "2026-11-16 02:30", ""), // 15 Nov 21:00 in New York: W46
		},
	}
	return core, extra
}

// runOC runs the project on ocBrand twice: with the core tables only (so
// every model and data test also runs with no organic posts and no
// community messages), then with everything; every data test must pass
// both times. It returns the second warehouse.
func runOC(t *testing.T, cfg *config.Config) *models.Warehouse {
	t.Helper()
	core, _ := ocBrand()
	runDataset(t, cfg, core, ocWeek)
	return runDataset(t, cfg, ocAll(), ocWeek)
}

func TestOrganicHandWorked(t *testing.T) {
	w := runOC(t, ocConfig())

	t.Run("weekly", func(t *testing.T) {
		// Pillars: the first tag in [howto, product] ('#' and case ignored).
		//   ig1 [#Behind, howto, brand] → howto; ig4 [#HowTo] → howto;
		//   ig2 [Trend, product] → product and trend; ig5 [product] → product;
		//   fb1 no tags → untagged; ig3 [howto] → howto, published 16 Nov
		//   03:00 UTC = 15 Nov 22:00 New York → W46. fb2 (24 Nov) is after
		//   the report week: no row.
		// W47 instagram reel howto: ig1 at its 22 Nov snapshot (the 24 Nov one
		//   is after the week's end) + ig4 at 21 Nov:
		//   impressions 1000 + 1000 = 2000, reach 800 + 700 = 1500,
		//   likes 50 + 30 = 80, comments 5 + 3 = 8, shares 3 + 2 = 5,
		//   saves 2 + 5 = 7, engagements 80 + 8 + 5 + 7 = 100,
		//   rate 100/2000 = 0.05, by reach 100/1500 = 0.066667;
		//   link clicks not reported (NULL); sessions to1 + to2 = 2 (tlate on
		//   24 Nov is after the week); to1 holds ½ of k1 under linear →
		//   conversions 0.5, revenue 80.00/2 = 40.00.
		// W47 instagram reel product trend: ig2 100 + 10 + 20 + 10 = 140,
		//   140/2000 = 0.07, 140/1500 = 0.093333.
		// W47 instagram story product: ig5 reports nothing → NULLs, 1 post.
		// W47 facebook image untagged: fb1 8 + 1 + 1 + 0 = 10, 10/400 = 0.025,
		//   10/300 = 0.033333, 2 link clicks, session to3, no conversion.
		// W46 instagram reel howto: ig3 10 + 0 + 0 + 5 = 15, 15/300 = 0.05,
		//   15/250 = 0.06.
		got := rowsOf(t, w, `SELECT week_start, model, platform, format, pillar, is_trend, posts, impressions, reach,
				likes, comments, shares, saves, engagements, engagement_rate, engagement_rate_by_reach,
				link_clicks, sessions, conversions, revenue
			FROM mart_organic_weekly ORDER BY week_start, platform, format, pillar, is_trend`)
		want := []string{
			"2026-11-09|linear|instagram|reel|howto|false|1|300|250|10|0|0|5|15|0.050000|0.060000|NULL|0|0.000000|0",
			"2026-11-16|linear|facebook|image|untagged|false|1|400|300|8|1|1|0|10|0.025000|0.033333|2|1|0.000000|0",
			"2026-11-16|linear|instagram|reel|howto|false|2|2000|1500|80|8|5|7|100|0.050000|0.066667|NULL|2|0.500000|40",
			"2026-11-16|linear|instagram|reel|product|true|1|2000|1500|100|10|20|10|140|0.070000|0.093333|NULL|0|0.000000|0",
			"2026-11-16|linear|instagram|story|product|false|1|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|0|0.000000|0",
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("mart_organic_weekly (-want +got):\n%s", d)
		}
	})

	t.Run("top posts", func(t *testing.T) {
		// W47 posts by engagements: ig2 140, ig1 60 (50 + 5 + 3 + 2), ig4 40
		// (30 + 3 + 2 + 5), fb1 10, ig5 none (last). ig2's caption on one
		// line is 118 characters: the first 79 and '…'. fb1 has no caption.
		got := rowsOf(t, w, `SELECT rank, platform, post_id, pillar, is_trend, permalink, coalesce(caption, '-'),
				engagements, engagement_rate, sessions, conversions, revenue
			FROM mart_organic_top_posts ORDER BY rank`)
		want := []string{
			"1|instagram|ig2|product|true|https://instagram.example.com/p/ig2|" +
				"Trend alert: our heavyweight hoodie meets the cosy-season trend everyone is pos…|140|0.070000|0|0.000000|0",
			"2|instagram|ig1|howto|false|https://instagram.example.com/p/ig1|How we layer the hoodie|60|0.060000|2|0.500000|40",
			"3|instagram|ig4|howto|false|https://instagram.example.com/p/ig4|3 ways to style the tee|40|0.040000|0|0.000000|0",
			"4|facebook|fb1|untagged|false|https://facebook.example.com/p/fb1|-|10|0.025000|1|0.000000|0",
			"5|instagram|ig5|product|false|https://instagram.example.com/p/ig5|Restocked|NULL|NULL|0|0.000000|0",
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("mart_organic_top_posts (-want +got):\n%s", d)
		}
	})

	t.Run("pillars not configured", func(t *testing.T) {
		// With no pillars the first tag is the pillar: ig1 "#Behind" →
		// behind, ig2 "Trend" → trend (still a trend post).
		cfg := ocConfig()
		cfg.Organic.Pillars = nil
		w := runOC(t, cfg)
		got := rowsOf(t, w, `SELECT post_id, pillar, is_trend FROM int_organic_posts ORDER BY post_id`)
		want := []string{"fb1|untagged|false", "ig1|behind|false", "ig2|trend|true", "ig3|howto|false", "ig4|howto|false", "ig5|product|false"}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("int_organic_posts pillars (-want +got):\n%s", d)
		}
	})
}

func TestCommunityHandWorked(t *testing.T) {
	w := runOC(t, ocConfig())
	// W47 instagram question, m1–m5: responses after 10, 20, 60, 100
	//   minutes and one unanswered (m5). Sorted responded times
	//   x0..x3 = 10, 20, 60, 100; quantile_cont at p sits at h = (n − 1)p:
	//   median h = 3 × 0.5 = 1.5 → x1 + 0.5 (x2 − x1) = 20 + 0.5 × 40 = 40;
	//   p90    h = 3 × 0.9 = 2.7 → x2 + 0.7 (x3 − x2) = 60 + 0.7 × 40 = 88.
	//   Within the 60-minute SLA: 10, 20, 60 (inclusive) = 3 of 5 = 0.6;
	//   resolved m1, m3 = 2 of 5 = 0.4.
	// W47 facebook buying_intent: m6 (lead p8, 45 min, resolved) and m7
	//   (lead p9, unanswered): median = p90 = 45, within 1 of 2 = 0.5,
	//   resolved 1 of 2, buying intent 2, leads p8, p9 = 2.
	//   Pipeline: p8's conversions from m6 (17 Nov 12:00) on whose latest
	//   preceding message is m6: lead 17 Nov 13:00 0.00 + purchase 19 Nov
	//   EUR 100.00 × 1.10 = 110.00 → 110.00. Not the 1 Nov purchase (before
	//   any message); not 21 Nov (m8 on 20 Nov is later). p9's purchase on
	//   25 Nov is after the report week.
	// W47 instagram complaint: m8 (lead p8, 90 min: outside the SLA) →
	//   pipeline the 21 Nov purchase 20.00.
	// W46 tiktok praise: m9 at 16 Nov 02:00 UTC = 15 Nov 21:00 New York,
	//   answered and resolved after 30 minutes.
	got := rowsOf(t, w, `SELECT week_start, platform, issue_type, messages, responded,
			median_first_response_minutes, p90_first_response_minutes, within_sla, within_sla_share,
			resolved, resolution_rate, buying_intent, leads, pipeline
		FROM mart_community_weekly ORDER BY week_start, platform, issue_type`)
	want := []string{
		"2026-11-09|tiktok|praise|1|1|30.000000|30.000000|1|1.000000|1|1.000000|0|0|0",
		"2026-11-16|facebook|buying_intent|2|1|45.000000|45.000000|1|0.500000|1|0.500000|2|2|110",
		"2026-11-16|instagram|complaint|1|1|90.000000|90.000000|0|0.000000|0|0.000000|0|1|20",
		"2026-11-16|instagram|question|5|4|40.000000|88.000000|3|0.600000|2|0.400000|0|0|0",
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("mart_community_weekly (-want +got):\n%s", d)
	}
}

func TestLandingPageHandWorked(t *testing.T) {
	w := runOC(t, ocConfig())
	// Pages are paths: "/pages/sale?utm…", "/pages/sale/" and
	// "https://shop.example.com/Pages/Sale#top" are all /pages/sale;
	// "https://shop.example.com/?…" is "/". tpc (a promo-code record at
	// /checkout) is no session, and tlate is after the report week.
	// W46 direct: told → /products/tee is the last session of k3: 1 of 1,
	//   linear credit 1 → 50.00.
	// W47 organic_social: /products/hoodie to1 (last session of k1) and to2
	//   → 1 of 2 = 0.5, credit ½ of k1 = 40.00; "/" to3 → 0 of 1.
	//   Channel: 1 converting of 3 sessions = 0.333333.
	// W47 paid_social: /pages/sale tp1, tp2, tp3 → 0 of 3 (tp1 is on k1's
	//   path but not last), credit ½ of k1 = 40.00 — the leaking page;
	//   /products/bundle tp4 → 1 of 1: k2's path is tp4, tpc, and tp4 is its
	//   last session; credit ½ of k2 = 60.00.
	//   Channel: 1 of 4 = 0.25.
	got := rowsOf(t, w, `SELECT week_start, model, landing_page, channel, sessions, converting_sessions, conversions,
			conversion_rate, channel_conversion_rate, attributed_conversions, attributed_revenue
		FROM mart_landing_page_weekly ORDER BY week_start, channel, sessions DESC, landing_page`)
	want := []string{
		"2026-11-09|linear|/products/tee|direct|1|1|1|1.000000|1.000000|1.000000|50",
		"2026-11-16|linear|/products/hoodie|organic_social|2|1|1|0.500000|0.333333|0.500000|40",
		"2026-11-16|linear|/|organic_social|1|0|0|0.000000|0.333333|0.000000|0",
		"2026-11-16|linear|/pages/sale|paid_social|3|0|0|0.000000|0.250000|0.500000|40",
		"2026-11-16|linear|/products/bundle|paid_social|1|1|1|1.000000|0.250000|0.500000|60",
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("mart_landing_page_weekly (-want +got):\n%s", d)
	}
}

package models_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/socialroi/socialroi/config"
	"github.com/socialroi/socialroi/transform"
)

// Email hashes as the connectors write them: "email:" + SHA-256 hex of the
// address trimmed and lower-cased, worked out with
// `printf '%s' ann.example@mail.com | sha256sum` (Ann typed
// "  Ann.Example@Mail.COM " into one form; every source normalises first).
const (
	annEmail   = "email:b6746482054a3794d51623a548ef72ac1cdac832a7f3f33cec7b18f96774f956" // ann.example@mail.com
	carolEmail = "email:e0d47ca1bc1eb62e650fc1fd660a9bfbf7cba8dc6337d81df7ea9aa9071a24a5" // carol@example.com
	eveEmail   = "email:d0574c4966d2c326193622feebc64991c5b59807ae68fa8255b26c79f4bf917a" // eve@example.com
)

// identityBrand is the hand-built dataset of TestIdentityStitching. Report
// week 2026-W47 (Mon 16 – Sun 22 Nov 2026), UTC, USD.
//
// Ann browses on two devices, cookies ck_phone and ck_laptop. A HubSpot form
// fill on the laptop links ck_laptop to hubspot:contact:101, and HubSpot
// links her email hash to the contact. She clicked a newsletter link on the
// phone that carried her email hash (the web export links ck_phone to it).
// She buys in Shopify as customer 501, whose email is the same hash, and
// HubSpot's Shopify sync links the contact to the customer (this closes the
// cycle contact 101 – email – customer 501 – contact 101; each link is keyed
// by its first id, identities' natural key, so one load names each id
// once). The purchase k1 names only shopify:customer:501; her
// touchpoints name only the cookies, and the Shopify landing visit names the
// customer.
//
// Carol (hubspot:contact:201, cookie ck_carol) and Dan (the web's p_dan,
// cookie ck_dan) share a family email: HubSpot links it to Carol, the web
// export links Dan's account to it. The email hash is an id linked into both
// persons' components, and connected components merge them: Dan's purchase k3
// is credited to Carol's and Dan's touchpoints as one person's
// (hubspot:contact:201, the better id of the merged component).
//
// Eve has two Shopify customer records (900 and 77) with one email: one
// person, named by the smaller id in byte order, shopify:customer:77. Her
// email is also linked to itself, which adds no edge.
func identityBrand() map[string]any {
	tp := func(id, person, anon, when, src, med, camp, content, clickType string) transform.TouchpointRow {
		return transform.TouchpointRow{
			TouchpointID: id, PersonID: person, AnonymousID: anon, TS: ts(when), Interaction: "click",
			UTMSource: src, UTMMedium: med, UTMCampaign: camp, UTMContent: content, ClickIDType: clickType, Source: "web",
		}
	}
	conv := func(id, person, when, revenue string) transform.ConversionRow {
		return transform.ConversionRow{
			ConversionID: id, PersonID: person, TS: ts(when), Type: "purchase", Revenue: dec(revenue),
			Currency: "USD", IsNewCustomer: true, CRMSource: "shop",
		}
	}
	landing := tp("tS1", "shopify:customer:501", "", "2026-11-19 11:59", "", "", "", "", "")
	landing.Interaction, landing.Source = "visit", "shopify_landing"
	return map[string]any{
		transform.Touchpoints: []transform.TouchpointRow{
			tp("tA1", "", "ck_phone", "2026-11-16 09:00", "facebook", "paid_social", "c1", "a1", "fbclid"),
			tp("tB1", "", "ck_laptop", "2026-11-17 10:00", "google", "cpc", "g1", "g1", "gclid"),
			tp("tB2", "", "ck_laptop", "2026-11-18 09:00", "newsletter", "email", "", "", ""),
			landing,
			tp("tD1", "", "ck_dan", "2026-11-20 08:00", "tiktok", "retargeting", "c2", "a2", "ttclid"),
			tp("tC1", "hubspot:contact:201", "", "2026-11-20 09:00", "instagram", "paid_social", "c1", "a1", "fbclid"),
			// Never identified: a person of their own, on no path.
			tp("tX1", "", "ck_stranger", "2026-11-18 10:00", "facebook", "paid_social", "c1", "a1", "fbclid"),
		},
		transform.Conversions: []transform.ConversionRow{
			conv("k1", "shopify:customer:501", "2026-11-19 12:00", "120.00"),
			conv("k2", "shopify:customer:900", "2026-11-21 10:00", "30.00"),
			conv("k3", "p_dan", "2026-11-21 09:00", "80.00"),
		},
		transform.Identities: []transform.IdentityRow{
			// Ann
			{AnonymousID: "ck_laptop", PersonID: "hubspot:contact:101"},            // HubSpot: hubspotutk of the form fill
			{AnonymousID: annEmail, PersonID: "hubspot:contact:101"},               // HubSpot: the contact's email
			{AnonymousID: "shopify:customer:501", PersonID: annEmail},              // Shopify: the customer's email
			{AnonymousID: "ck_phone", PersonID: annEmail},                          // web: newsletter click
			{AnonymousID: "hubspot:contact:101", PersonID: "shopify:customer:501"}, // HubSpot's Shopify sync (closes the cycle)
			// Carol and Dan
			{AnonymousID: "ck_carol", PersonID: "hubspot:contact:201"}, // HubSpot
			{AnonymousID: carolEmail, PersonID: "hubspot:contact:201"}, // HubSpot
			{AnonymousID: "ck_dan", PersonID: "p_dan"},                 // web
			{AnonymousID: "p_dan", PersonID: carolEmail},               // web: Dan's account, the family email
			// Eve
			{AnonymousID: "shopify:customer:900", PersonID: eveEmail},
			{AnonymousID: "shopify:customer:77", PersonID: eveEmail},
			{AnonymousID: eveEmail, PersonID: eveEmail}, // a self-link: adds no edge
		},
	}
}

func TestIdentityStitching(t *testing.T) {
	cfg := config.Defaults()
	cfg.Attribution.Models = []string{"last_non_direct", "linear"}
	cfg.Reporting.PrimaryModel = "linear"
	w := runDataset(t, cfg, identityBrand(), day("2026-11-16"))

	t.Run("map", func(t *testing.T) {
		// Canonical id per component, by priority (CRM contact 2 > Shopify
		// customer 3 > other person ids 5 > email 6 > cookies 7), then the
		// smallest id:
		//   Ann's component {ck_phone, ck_laptop, annEmail, hubspot:contact:101,
		//     shopify:customer:501}: the HubSpot contact outranks the customer.
		//   Carol + Dan {ck_carol, ck_dan, p_dan, carolEmail,
		//     hubspot:contact:201}: the contact outranks p_dan.
		//   Eve {eveEmail, shopify:customer:77, shopify:customer:900}: two
		//     customers tie on priority; "…:77" < "…:900" byte by byte.
		// ck_stranger is in no link: not in the map.
		want := []string{
			"ck_carol|hubspot:contact:201|7",
			"ck_dan|hubspot:contact:201|7",
			"ck_laptop|hubspot:contact:101|7",
			"ck_phone|hubspot:contact:101|7",
			annEmail + "|hubspot:contact:101|6",
			eveEmail + "|shopify:customer:77|6",
			carolEmail + "|hubspot:contact:201|6",
			"hubspot:contact:101|hubspot:contact:101|2",
			"hubspot:contact:201|hubspot:contact:201|2",
			"p_dan|hubspot:contact:201|5",
			"shopify:customer:501|hubspot:contact:101|3",
			"shopify:customer:77|shopify:customer:77|3",
			"shopify:customer:900|shopify:customer:77|3",
		}
		got := rowsOf(t, w, `SELECT id, person_id, id_priority FROM stg_identity_map ORDER BY id`)
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("stg_identity_map (-want +got):\n%s", d)
		}
	})

	t.Run("persons", func(t *testing.T) {
		// Both of Ann's cookies and the Shopify landing visit are one person;
		// Dan's cookie joins Carol; the stranger stays anonymous.
		want := []string{
			"tA1|hubspot:contact:101", "tB1|hubspot:contact:101", "tB2|hubspot:contact:101",
			"tC1|hubspot:contact:201", "tD1|hubspot:contact:201", "tS1|hubspot:contact:101",
			"tX1|anon:ck_stranger",
		}
		if d := cmp.Diff(want, rowsOf(t, w, `SELECT touchpoint_id, person_id FROM stg_touchpoints ORDER BY 1`)); d != "" {
			t.Errorf("stg_touchpoints persons (-want +got):\n%s", d)
		}
		want = []string{"k1|hubspot:contact:101", "k2|shopify:customer:77", "k3|hubspot:contact:201"}
		if d := cmp.Diff(want, rowsOf(t, w, `SELECT conversion_id, person_id FROM stg_conversions ORDER BY 1`)); d != "" {
			t.Errorf("stg_conversions persons (-want +got):\n%s", d)
		}
	})

	t.Run("paths", func(t *testing.T) {
		// k1 (19 Nov 12:00): Ann's four touchpoints of both devices within 30
		// days, in time order: tA1 phone (16th), tB1 and tB2 laptop (17th,
		// 18th), tS1 the Shopify landing (19th 11:59).
		// k2: Eve has no touchpoint: one direct step without a touchpoint.
		// k3 (21st 09:00): tD1 (Dan's cookie) and tC1 (Carol's contact).
		want := []string{
			"k1|1|tA1|paid_social|4", "k1|2|tB1|paid_search|4", "k1|3|tB2|email|4", "k1|4|tS1|direct|4",
			"k2|1|-|direct|1",
			"k3|1|tD1|retargeting|2", "k3|2|tC1|paid_social|2",
		}
		got := rowsOf(t, w, `SELECT conversion_id, position, coalesce(touchpoint_id, '-'), channel, path_length
			FROM int_conversion_paths ORDER BY conversion_id, position`)
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("int_conversion_paths (-want +got):\n%s", d)
		}
	})

	t.Run("ledger", func(t *testing.T) {
		// linear: k1 12000 cents / 4 = 3000 each, no remainder; k3 8000 / 2.
		// last_non_direct: k1's last step tS1 is direct, so tB2 (email, on
		// the laptop) takes all 120.00; k3 → tC1; k2 is all direct → its
		// only step.
		want := []string{
			"k1|last_non_direct|tB2|1.000000|120.00",
			"k1|linear|tA1|0.250000|30.00", "k1|linear|tB1|0.250000|30.00",
			"k1|linear|tB2|0.250000|30.00", "k1|linear|tS1|0.250000|30.00",
			"k2|last_non_direct|-|1.000000|30.00",
			"k2|linear|-|1.000000|30.00",
			"k3|last_non_direct|tC1|1.000000|80.00",
			"k3|linear|tD1|0.500000|40.00", "k3|linear|tC1|0.500000|40.00",
		}
		got := rowsOf(t, w, `SELECT conversion_id, model, coalesce(touchpoint_id, '-'), credit, revenue_credit::VARCHAR
			FROM attribution_ledger WHERE credit > 0 ORDER BY conversion_id, model, position`)
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("attribution_ledger (-want +got):\n%s", d)
		}
	})
}

package gen

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/socialroi/socialroi/config"
	"github.com/socialroi/socialroi/transform"
)

func generate(t testing.TB, cfg Config) *Brand {
	t.Helper()
	b, err := Generate(cfg)
	if err != nil {
		t.Fatalf("Generate: %v", err)
	}
	return b
}

func hashBrand(t testing.TB, b *Brand) string {
	t.Helper()
	buf, err := json.Marshal(b)
	if err != nil {
		t.Fatalf("marshal brand: %v", err)
	}
	sum := sha256.Sum256(buf)
	return hex.EncodeToString(sum[:])
}

func TestDeterministic(t *testing.T) {
	a := hashBrand(t, generate(t, Config{}))
	b := hashBrand(t, generate(t, Config{Seed: DefaultSeed}))
	if a != b {
		t.Fatalf("same seed, different output: %s vs %s", a, b)
	}
	c := hashBrand(t, generate(t, Config{Seed: 7}))
	if a == c {
		t.Fatalf("different seeds gave identical output")
	}
}

func TestDefaultsAndConfigErrors(t *testing.T) {
	b := generate(t, Config{})
	if !b.Config.Start.Equal(DefaultStart) || !b.Config.End.Equal(DefaultEnd) || b.Config.Days() != 84 {
		t.Errorf("default range = %s..%s (%d days), want 12 ISO weeks", b.Config.Start, b.Config.End, b.Config.Days())
	}
	if b.Config.Start.Weekday() != time.Monday || b.Config.End.Weekday() != time.Sunday {
		t.Errorf("default range does not run Monday to Sunday")
	}
	for _, cfg := range []Config{
		{Start: DefaultEnd, End: DefaultStart},
		{Scale: -1},
		{Persons: 3},
	} {
		if _, err := Generate(cfg); err == nil {
			t.Errorf("Generate(%+v) succeeded, want an error", cfg)
		}
	}
	if s, err := ParseScale("m"); err != nil || s != 5 {
		t.Errorf("ParseScale(m) = %v, %v", s, err)
	}
	if _, err := ParseScale("XL"); err == nil {
		t.Errorf("ParseScale(XL) succeeded")
	}
}

func TestSizes(t *testing.T) {
	b := generate(t, Config{})
	check := func(name string, n, lo, hi int) {
		t.Helper()
		if n < lo || n > hi {
			t.Errorf("%s: %d rows, want %d..%d", name, n, lo, hi)
		}
	}
	check("ad_performance", len(b.AdPerformance), 2000, 6000)
	check("touchpoints", len(b.Touchpoints), 8000, 20000)
	check("conversions", len(b.Conversions), 900, 2000)
	check("influencers", len(b.Influencers), 3, 4)
	check("fx_rates", len(b.FXRates), 2*84, 2*84)
	if len(b.Identities) == 0 || len(b.InfluencerCosts) == 0 || len(b.OtherCosts) == 0 {
		t.Errorf("empty tables: identities %d, influencer_costs %d, other_costs %d", len(b.Identities), len(b.InfluencerCosts), len(b.OtherCosts))
	}
}

func TestAdPerformanceInvariants(t *testing.T) {
	b := generate(t, Config{})
	keys := map[string]bool{}
	platforms := map[string]bool{}
	for _, r := range b.AdPerformance {
		k := fmt.Sprint(r.Platform, r.AccountID, r.AdID, r.Date.Format(time.DateOnly))
		if keys[k] {
			t.Errorf("duplicate ad_performance key %s", k)
		}
		keys[k] = true
		platforms[r.Platform] = true
		if r.Spend.IsNegative() || r.Clicks > r.Impressions || r.LinkClicks > r.Clicks || r.LinkClicks < 0 {
			t.Errorf("impossible row %s: spend %s impressions %d clicks %d link_clicks %d", k, r.Spend, r.Impressions, r.Clicks, r.LinkClicks)
		}
		if r.Reach != nil && *r.Reach > r.Impressions {
			t.Errorf("%s: reach %d > impressions %d", k, *r.Reach, r.Impressions)
		}
		if r.Date.Before(b.Config.Start) || r.Date.After(b.Config.End) {
			t.Errorf("%s outside the range", k)
		}
		if r.CreativeID == "" || r.CreativeName == "" || r.DestinationURL == "" || r.Source != "demo" {
			t.Errorf("%s: creative, destination or source missing", k)
		}
		if strings.HasPrefix(r.AdName, "video_") && r.VideoViews3s == nil {
			t.Errorf("%s: video ad without 3-second views", k)
		}
		if r.AccountID == "1000001" && r.Currency != "USD" || r.Platform == "tiktok" && r.Currency != "EUR" {
			t.Errorf("%s: currency %s", k, r.Currency)
		}
	}
	for _, p := range []string{"facebook", "instagram", "tiktok", "linkedin", "google"} {
		if !platforms[p] {
			t.Errorf("no ad_performance rows for %s", p)
		}
	}

	// Naming convention: most names parse, a few planted ones do not.
	campaignRE := regexp.MustCompile(`^(conv|traffic|lead|search|aware)_(pr|eng|cus|rt)_[a-z]{2}_[a-z0-9-]+$`)
	adRE := regexp.MustCompile(`^(video|image|carousel|text)_[a-z0-9-]+_[a-z0-9-]+_(cr|rsa)\d{3}$`)
	badNames := map[string]bool{}
	missingUTM := map[string]bool{}
	for _, ad := range b.Ads {
		if !campaignRE.MatchString(ad.CampaignName) {
			badNames[ad.CampaignName] = true
		}
		if !adRE.MatchString(ad.AdName) {
			badNames[ad.AdName] = true
		}
		if !strings.Contains(ad.DestinationURL(ad.Placements[0]), "utm_campaign=") {
			missingUTM[ad.AdID] = true
		}
	}
	if n := len(badNames); n < 2 || n > 4 {
		t.Errorf("non-conforming names = %v, want a couple", badNames)
	}
	if n := len(missingUTM); n < 1 || n > 2 {
		t.Errorf("ads without utm_campaign = %v, want one or two", missingUTM)
	}
	if a, ok := b.MetaAccounts["1000001"]; !ok || a.Currency != "USD" {
		t.Errorf("MetaAccounts = %v", b.MetaAccounts)
	}
}

func TestJourneyInvariants(t *testing.T) {
	b := generate(t, Config{})
	end := b.Config.End.AddDate(0, 0, 1)

	// Paid touchpoints are a sample of each ad row's link clicks.
	linkClicks := map[string]int64{}
	for _, r := range b.AdPerformance {
		linkClicks[r.Platform+"/"+r.AdID+"/"+r.Date.Format(time.DateOnly)] = r.LinkClicks
	}
	paid := map[string]int64{}
	ids := map[string]bool{}
	persons := map[string]bool{}
	anon := map[string]string{}
	for _, id := range b.Identities {
		anon[id.AnonymousID] = id.PersonID
	}
	for _, tp := range b.Touchpoints {
		if ids[tp.TouchpointID] {
			t.Errorf("duplicate touchpoint id %s", tp.TouchpointID)
		}
		ids[tp.TouchpointID] = true
		if tp.TS.Before(b.Config.Start) || !tp.TS.Before(end) {
			t.Errorf("%s: ts %s outside the range", tp.TouchpointID, tp.TS)
		}
		if tp.ClickID != "" {
			paid[tp.UTMSource+"/"+tp.UTMContent+"/"+tp.TS.UTC().Format(time.DateOnly)]++
		}
		switch {
		case tp.PersonID != "":
			persons[tp.PersonID] = true
		case anon[tp.AnonymousID] == "":
			t.Errorf("%s: anonymous id %q maps to no person", tp.TouchpointID, tp.AnonymousID)
		}
		if tp.Source != "web" && tp.Source != "shopify" {
			t.Errorf("%s: source %q", tp.TouchpointID, tp.Source)
		}
	}
	for k, n := range paid {
		if lc, ok := linkClicks[k]; !ok || n > lc {
			t.Errorf("ad/day %s: %d paid touchpoints, %d link clicks", k, n, lc)
		}
	}

	convIDs, orderIDs := map[string]bool{}, map[string]bool{}
	firstPurchase := map[string]bool{}
	for _, c := range b.Conversions {
		if convIDs[c.ConversionID] {
			t.Errorf("duplicate conversion id %s", c.ConversionID)
		}
		convIDs[c.ConversionID] = true
		if c.TS.Before(b.Config.Start) || !c.TS.Before(end) {
			t.Errorf("%s: ts %s outside the range", c.ConversionID, c.TS)
		}
		if c.Revenue.IsNegative() || !c.Revenue.Equal(c.Revenue.Round(2)) {
			t.Errorf("%s: revenue %s", c.ConversionID, c.Revenue)
		}
		if _, err := transform.DecimalToArrow(c.Revenue, transform.Money2); err != nil {
			t.Errorf("%s: %v", c.ConversionID, err)
		}
		switch c.Type {
		case "purchase":
			if c.OrderID == "" || orderIDs[c.OrderID] {
				t.Errorf("%s: order id %q missing or duplicate", c.ConversionID, c.OrderID)
			}
			orderIDs[c.OrderID] = true
			if c.IsNewCustomer && firstPurchase[c.PersonID] {
				t.Errorf("%s: second purchase of %s marked new customer", c.ConversionID, c.PersonID)
			}
			firstPurchase[c.PersonID] = true
		case "signup", "lead":
			if !c.Revenue.IsZero() || c.IsNewCustomer {
				t.Errorf("%s: %s with revenue %s / new customer", c.ConversionID, c.Type, c.Revenue)
			}
		default:
			t.Errorf("%s: type %q", c.ConversionID, c.Type)
		}
	}

	// Ground truth splits every conversion exactly.
	var sum float64
	for _, e := range b.GroundTruth.Effects {
		sum += e.Conversions
	}
	if d := sum - float64(len(b.Conversions)); d > 1e-6 || d < -1e-6 {
		t.Errorf("ground-truth conversions sum to %.4f, want %d", sum, len(b.Conversions))
	}
}

// TestCoversEveryChannel classifies the touchpoints with the pipeline's
// default channel rules: every channel must occur, and none may fall to other.
func TestCoversEveryChannel(t *testing.T) {
	b := generate(t, Config{})
	type rule struct {
		channel string
		pats    [5]*regexp.Regexp // source, medium, click id type, referrer, interaction
	}
	var rules []rule
	for _, r := range config.DefaultChannelRules() {
		rr := rule{channel: r.Channel}
		for i, p := range []string{r.Source, r.Medium, r.ClickIDType, r.Referrer, r.Interaction} {
			if p != "" {
				rr.pats[i] = regexp.MustCompile("(?i)" + p)
			}
		}
		rules = append(rules, rr)
	}
	counts := map[string]int{}
	for _, tp := range b.Touchpoints {
		// Referrer rules see the referrer's host.
		ref := tp.Referrer
		if u, err := url.Parse(ref); err == nil && u.Host != "" {
			ref = u.Hostname()
		}
		vals := [5]string{tp.UTMSource, tp.UTMMedium, tp.ClickIDType, ref, tp.Interaction}
		for _, r := range rules {
			ok := true
			for i, p := range r.pats {
				if p != nil && !p.MatchString(vals[i]) {
					ok = false
					break
				}
			}
			if ok {
				counts[r.channel]++
				break
			}
		}
	}
	for _, ch := range []string{"paid_social", "organic_social", "influencer", "retargeting", "paid_search", "organic_search", "email", "referral", "direct"} {
		if counts[ch] == 0 {
			t.Errorf("no touchpoints classified %s (counts %v)", ch, counts)
		}
	}
	t.Logf("touchpoints by channel: %v", counts)
	if counts["other"] > 0 {
		t.Errorf("%d touchpoints classified other", counts["other"])
	}

	// Influencer evidence: link keys in touchpoints, promo codes on orders.
	codes := map[string]bool{}
	keys := map[string]bool{}
	for _, in := range b.Influencers {
		for _, c := range in.PromoCodes {
			codes[c] = true
		}
		for _, k := range in.LinkKeys {
			keys[k] = true
		}
	}
	var linked, coded int
	for _, tp := range b.Touchpoints {
		if keys[tp.UTMCampaign] {
			linked++
		}
	}
	for _, c := range b.Conversions {
		for _, p := range c.PromoCodes {
			if codes[p] {
				coded++
			}
		}
	}
	if linked == 0 || coded == 0 {
		t.Errorf("creator link touchpoints %d, creator promo-code orders %d", linked, coded)
	}
	var noTouch int
	touched := map[string]bool{}
	anon := map[string]string{}
	for _, id := range b.Identities {
		anon[id.AnonymousID] = id.PersonID
	}
	for _, tp := range b.Touchpoints {
		p := tp.PersonID
		if p == "" {
			p = anon[tp.AnonymousID]
		}
		touched[p] = true
	}
	for _, c := range b.Conversions {
		if !touched[c.PersonID] {
			noTouch++
		}
	}
	if noTouch == 0 {
		t.Errorf("every converter has touchpoints; want some direct conversions")
	}
}

func TestRecords(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	b := generate(t, Config{})
	recs, err := b.Records(mem)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		for _, r := range recs {
			r.Release()
		}
	}()
	want := map[string]int{
		transform.AdPerformance: len(b.AdPerformance), transform.Touchpoints: len(b.Touchpoints),
		transform.Conversions: len(b.Conversions), transform.Identities: len(b.Identities),
		transform.Influencers: len(b.Influencers), transform.InfluencerCosts: len(b.InfluencerCosts),
		transform.FXRates: len(b.FXRates), transform.OtherCosts: len(b.OtherCosts),
	}
	for table, n := range want {
		rec, ok := recs[table]
		if !ok {
			t.Errorf("no record for %s", table)
			continue
		}
		if int(rec.NumRows()) != n {
			t.Errorf("%s: %d rows, want %d", table, rec.NumRows(), n)
		}
	}
}

func BenchmarkGenerate(b *testing.B) {
	for b.Loop() {
		if _, err := Generate(Config{}); err != nil {
			b.Fatal(err)
		}
	}
}

package gen

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/socialroi/socialroi/transform"
)

// Ground-truth parameters of the journey simulation.
const (
	baseDailyRate = 0.0018
	halfLifeDays  = 5.0
	windowDays    = 30
	sampleRate    = 0.2

	viewWeight     = 0.25 // an email open moves a person less than a click
	exposureWeight = 0.35 // a creator post seen without clicking
)

// lifts is the daily hazard one touch adds, by channel and platform.
var lifts = []ChannelEffect{
	{Channel: "direct", Lift: 0.004},
	{Channel: "email", Platform: "newsletter", Lift: 0.008},
	{Channel: "influencer", Platform: "instagram", Lift: 0.014},
	{Channel: "influencer", Platform: "tiktok", Lift: 0.012},
	{Channel: "influencer", Platform: "youtube", Lift: 0.016},
	{Channel: "organic_search", Platform: "google", Lift: 0.009},
	{Channel: "organic_social", Platform: "facebook", Lift: 0.005},
	{Channel: "organic_social", Platform: "instagram", Lift: 0.006},
	{Channel: "organic_social", Platform: "linkedin", Lift: 0.004},
	{Channel: "organic_social", Platform: "tiktok", Lift: 0.005},
	{Channel: "paid_search", Platform: "google", Lift: 0.009},
	{Channel: "paid_social", Platform: "facebook", Lift: 0.015},
	{Channel: "paid_social", Platform: "instagram", Lift: 0.024},
	{Channel: "paid_social", Platform: "linkedin", Lift: 0.009},
	{Channel: "paid_social", Platform: "tiktok", Lift: 0.011},
	{Channel: "referral", Lift: 0.007},
	// Retargeting mostly reaches people who would have bought anyway.
	{Channel: "retargeting", Platform: "facebook", Lift: 0.003},
	{Channel: "retargeting", Platform: "instagram", Lift: 0.003},
}

// landingFactors scale the lift of touches by the page they land on: the old
// sale page converts badly, which the landing-page mart should surface.
var landingFactors = []LandingPageEffect{
	{Path: "/pages/black-friday", Factor: 0.8},
	{Path: "/pages/sale", Factor: 0.6},
	{Path: "/products/bundle", Factor: 1.25},
}

// overclaim is how much each platform's reported conversions exceed the
// conversions it had a click on (view-through, modelled conversions, and
// every platform claiming the same order).
var overclaim = []PlatformFactor{
	{Platform: "google", Factor: 1.05},
	{Platform: "linkedin", Factor: 1.1},
	{Platform: "meta", Factor: 1.25},
	{Platform: "tiktok", Factor: 1.45},
}

var organicPaths = []string{"/", "/products/hoodie", "/products/tee", "/collections/new", "/collections/bestsellers", "/products/bundle", "/pages/sale"}

var referralURLs = []string{
	"https://someblog.example.org/best-hoodies-2026",
	"https://someblog.example.org/gift-guide/fall",
	"https://reviews.example.net/demo-brand-review",
}

var socialReferrer = map[string]string{
	"facebook":  "https://l.facebook.com/",
	"instagram": "https://l.instagram.com/",
	"tiktok":    "https://www.tiktok.com/",
	"linkedin":  "https://www.linkedin.com/",
	"youtube":   "https://www.youtube.com/",
	"google":    "https://www.google.com/",
}

var searchTerms = map[string][]string{
	"search_pr_us_brand":   {"demo brand", "demo brand hoodie", "demobrand"},
	"search_pr_us_generic": {"heavyweight hoodie", "organic cotton hoodie", "best hoodies 2026", "oversized hoodie"},
}

// genericCode is a site-wide code not tied to any creator: the influencer
// rule must not credit it.
const genericCode = "WELCOME10"

type person struct {
	id         string
	anon       []string
	propensity float64
	social     float64
	search     float64
	subscriber bool
	b2b        bool
	follows    int // creator index, or -1
	customer   bool
	lastVisit  int // day of the last site visit
	lastTouch  int // day of the last touch of any kind
	lastBuy    int
	history    []exposure
	todayLast  time.Time // latest touch today, zero if none
}

// exposure is one term of a person's hazard: a touch, or an unobserved view
// of a creator's post (tp = -1).
type exposure struct {
	at     float64 // days since range start, fractional
	effect int
	weight float64
	tp     int
	ts     time.Time
}

type touch struct {
	row       transform.TouchpointRow
	person    int
	effect    int // -1 for evidence touchpoints that carry no lift
	ad, place int // -1 unless paid
}

type sim struct {
	cfg     Config
	r       *rand.Rand
	ads     []Ad
	dl      *delivery
	persons []person
	touches []touch
	convs   []conversion
	effects []ChannelEffect
	effect  map[[2]string]int
	lp      map[string]float64
	days    int
	anonIDs map[string]bool
	// baseline accumulates the share of conversions no touch caused.
	baseline ChannelEffect
}

type conversion struct {
	row    transform.ConversionRow
	person int
}

func newSim(cfg Config, ads []Ad, dl *delivery) *sim {
	s := &sim{
		cfg: cfg, ads: ads, dl: dl,
		r:       newRand(cfg.Seed, streamJourneys),
		effects: slices.Clone(lifts),
		effect:  map[[2]string]int{},
		lp:      map[string]float64{},
		days:    cfg.Days(),
		anonIDs: map[string]bool{},
	}
	for i, e := range s.effects {
		s.effect[[2]string{e.Channel, e.Platform}] = i
	}
	for _, l := range landingFactors {
		s.lp[l.Path] = l.Factor
	}
	s.makePersons()
	return s
}

func (s *sim) effectOf(channel, platform string) int {
	i, ok := s.effect[[2]string{channel, platform}]
	if !ok {
		panic(fmt.Sprintf("gen: no ground-truth effect for %s/%s", channel, platform))
	}
	return i
}

func (s *sim) makePersons() {
	r := newRand(s.cfg.Seed, streamPersons)
	s.persons = make([]person, s.cfg.Persons)
	for i := range s.persons {
		p := person{
			id:         fmt.Sprintf("p_%06d", i+1),
			propensity: math.Exp(0.6*r.NormFloat64() - 0.18),
			social:     math.Pow(r.Float64(), 0.7),
			search:     r.Float64(),
			subscriber: r.Float64() < 0.35,
			b2b:        r.Float64() < 0.08,
			follows:    -1,
			lastVisit:  -1000,
			lastTouch:  -1000,
			lastBuy:    -1000,
		}
		if r.Float64() < 0.12 {
			p.customer = true
			p.lastBuy = -1 - r.IntN(180)
		}
		u := r.Float64()
		for ci, c := range creators {
			if u < c.followShare {
				p.follows = ci
				break
			}
			u -= c.followShare
		}
		if r.Float64() < 0.6 {
			for range 1 + r.IntN(2) {
				p.anon = append(p.anon, s.newAnonID(r))
			}
		}
		s.persons[i] = p
	}
}

func (s *sim) newAnonID(r *rand.Rand) string {
	for {
		id := fmt.Sprintf("anon_%016x", r.Uint64())
		if !s.anonIDs[id] {
			s.anonIDs[id] = true
			return id
		}
	}
}

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

func (s *sim) token(prefix string, n int) string {
	var b strings.Builder
	b.WriteString(prefix)
	for range n {
		b.WriteByte(base62[s.r.IntN(len(base62))])
	}
	return b.String()
}

func (s *sim) clickID(kind string) string {
	switch kind {
	case "fbclid":
		return s.token("IwAR", 28)
	case "gclid":
		return s.token("Cj0KCQjw", 24)
	case "ttclid":
		return s.token("E.C.P.", 32)
	case "li_fat_id":
		return fmt.Sprintf("%08x-%04x-%04x-%04x-%012x", s.r.Uint32(), s.r.IntN(1<<16), s.r.IntN(1<<16), s.r.IntN(1<<16), s.r.Uint64()&(1<<48-1))
	}
	return ""
}

// postID returns the id of the organic post a person clicked on day d: each
// platform posts every three days, and clicks go to a recent post.
func postID(platform string, d int) string {
	n := max(0, d-[]int{0, 0, 1, 2, 3, 5}[d%6]) / 3
	switch platform {
	case "instagram":
		return fmt.Sprintf("179%014d", 41000000000+n*7919)
	case "facebook":
		return fmt.Sprintf("1000001_%015d", 832000000000+n*6151)
	case "tiktok":
		return fmt.Sprintf("73%017d", 40000000000000+n*104729)
	case "linkedin":
		return fmt.Sprintf("urn:li:activity:72%017d", 5000000000000+n*7907)
	}
	return ""
}

// addTouch records a touchpoint of person pi at second sec of day d.
func (s *sim) addTouch(pi, d, sec int, effect int, weight float64, row transform.TouchpointRow, ad, place int) {
	p := &s.persons[pi]
	dayStart := s.cfg.Start.AddDate(0, 0, d)
	row.TS = dayStart.Add(time.Duration(sec) * time.Second)
	row.Source = "web"
	// Some sessions are only known by a cookie, stitched to the person
	// through identities; the rest carry the person id the CRM gave them.
	if len(p.anon) > 0 {
		a := p.anon[s.r.IntN(len(p.anon))]
		switch u := s.r.Float64(); {
		case u < 0.35:
			row.AnonymousID = a
		case u < 0.7:
			row.AnonymousID, row.PersonID = a, p.id
		default:
			row.PersonID = p.id
		}
	} else {
		row.PersonID = p.id
	}
	if f, ok := s.lp[pathOf(row.LandingPage)]; ok {
		weight *= f
	}
	ti := len(s.touches)
	s.touches = append(s.touches, touch{row: row, person: pi, effect: effect, ad: ad, place: place})
	if effect >= 0 {
		s.effects[effect].Touchpoints++
		p.history = append(p.history, exposure{at: float64(d) + float64(sec)/86400, effect: effect, weight: weight, tp: ti, ts: row.TS})
	}
	p.lastTouch = d
	if row.LandingPage != "" {
		p.lastVisit = d
	}
	if row.TS.After(p.todayLast) {
		p.todayLast = row.TS
	}
}

func pathOf(landing string) string {
	if i := strings.IndexByte(landing, '?'); i >= 0 {
		return landing[:i]
	}
	return landing
}

// pools of persons each ad segment targets, rebuilt every morning.
type pools struct {
	prospects, engaged, customers, retarget, aware, b2b, b2bEngaged, all []int
}

func (s *sim) buildPools(d int, pl *pools) {
	*pl = pools{prospects: pl.prospects[:0], engaged: pl.engaged[:0], customers: pl.customers[:0], retarget: pl.retarget[:0],
		aware: pl.aware[:0], b2b: pl.b2b[:0], b2bEngaged: pl.b2bEngaged[:0], all: pl.all[:0]}
	for i := range s.persons {
		p := &s.persons[i]
		pl.all = append(pl.all, i)
		if p.customer {
			pl.customers = append(pl.customers, i)
		} else {
			if d-p.lastVisit > 30 {
				pl.prospects = append(pl.prospects, i)
			}
			if d-p.lastTouch <= 60 {
				pl.engaged = append(pl.engaged, i)
			}
		}
		if d-p.lastVisit <= 14 && d-p.lastBuy > 14 {
			pl.retarget = append(pl.retarget, i)
		}
		if p.customer || p.lastTouch >= 0 {
			pl.aware = append(pl.aware, i)
		}
		if p.b2b {
			pl.b2b = append(pl.b2b, i)
			if d-p.lastVisit <= 60 {
				pl.b2bEngaged = append(pl.b2bEngaged, i)
			}
		}
	}
}

func (pl *pools) forAd(ad Ad) []int {
	var pool []int
	switch {
	case ad.Platform == "linkedin" && ad.Segment == "eng":
		pool = pl.b2bEngaged
	case ad.Platform == "linkedin":
		pool = pl.b2b
	case ad.CampaignName == "search_pr_us_brand":
		pool = pl.aware
	case ad.Platform == "google":
		pool = pl.all
	case ad.Segment == "eng":
		pool = pl.engaged
	case ad.Segment == "cus":
		pool = pl.customers
	case ad.Segment == "rt":
		pool = pl.retarget
	default:
		pool = pl.prospects
	}
	if len(pool) == 0 {
		return pl.all
	}
	return pool
}

// choose picks a person from pool, favouring those with a high affinity.
func (s *sim) choose(pool []int, affinity func(*person) float64) int {
	var pi int
	for range 8 {
		pi = pool[s.r.IntN(len(pool))]
		if s.r.Float64() < affinity(&s.persons[pi]) {
			break
		}
	}
	return pi
}

func (s *sim) run() {
	var pl pools
	for d := range s.days {
		date := s.cfg.Start.AddDate(0, 0, d)
		for i := range s.persons {
			s.persons[i].todayLast = time.Time{}
		}
		s.buildPools(d, &pl)
		s.paidClicks(d, &pl)
		s.ownedAndEarned(d, date)
		for i := range s.persons {
			s.maybeConvert(i, d, date)
		}
	}
}

// paidClicks turns a sample of each ad row's link clicks into touchpoints.
func (s *sim) paidClicks(d int, pl *pools) {
	for ai, ad := range s.ads {
		pool := pl.forAd(ad)
		affinity := func(p *person) float64 { return p.social }
		if ad.Platform == "google" {
			affinity = func(p *person) float64 { return p.search }
		}
		for place, placement := range ad.Placements {
			ri := s.dl.row[ai][place][d]
			if ri < 0 {
				continue
			}
			n := binomial(s.r, s.dl.rows[ri].LinkClicks, sampleRate)
			channel := ad.Channel()
			eff := s.effectOf(channel, placement)
			for range n {
				pi := s.choose(pool, affinity)
				kind := ad.ClickIDType()
				cid := s.clickID(kind)
				row := transform.TouchpointRow{
					Interaction: "click",
					UTMSource:   placement,
					UTMMedium:   ad.Medium(),
					UTMContent:  ad.AdID,
					ClickID:     cid,
					ClickIDType: kind,
					LandingPage: ad.LandingPath + "?" + ad.utmQuery(placement) + "&" + kind + "=" + cid,
					Referrer:    socialReferrer[placement],
				}
				if !ad.MissingUTMCampaign {
					row.UTMCampaign = ad.CampaignID
				}
				if terms, ok := searchTerms[ad.CampaignName]; ok {
					row.UTMTerm = pick(s.r, terms)
				}
				s.addTouch(pi, d, secondOfDay(s.r), eff, 1, row, ai, place)
			}
		}
	}
}

// ownedAndEarned draws every person's organic, email, search, referral,
// direct and creator touches of the day.
func (s *sim) ownedAndEarned(d int, date time.Time) {
	newsletterDay := date.Weekday() == time.Tuesday || date.Weekday() == time.Friday
	newsletter := "newsletter_" + date.Format("2006-01-02")
	for pi := range s.persons {
		p := &s.persons[pi]
		r := s.r
		if r.Float64() < 0.003*p.social {
			platform := pick(r, []string{"instagram", "instagram", "instagram", "facebook", "facebook", "tiktok", "tiktok", "linkedin"})
			path := pick(r, organicPaths)
			row := transform.TouchpointRow{Referrer: socialReferrer[platform]}
			if r.Float64() < 0.65 {
				post := postID(platform, d)
				row.Interaction = "click"
				row.UTMSource, row.UTMMedium, row.UTMContent = platform, "social", post
				row.LandingPage = path + "?utm_source=" + platform + "&utm_medium=social&utm_content=" + post
			} else {
				// Link in bio or a shared link: no UTMs, only the referrer.
				row.Interaction = "visit"
				row.LandingPage = path
			}
			s.addTouch(pi, d, secondOfDay(r), s.effectOf("organic_social", platform), 1, row, -1, -1)
		}
		if r.Float64() < 0.0022*p.search {
			row := transform.TouchpointRow{Interaction: "visit", LandingPage: pick(r, organicPaths), Referrer: "https://www.google.com/"}
			s.addTouch(pi, d, secondOfDay(r), s.effectOf("organic_search", "google"), 1, row, -1, -1)
		}
		if r.Float64() < 0.0005 {
			row := transform.TouchpointRow{Interaction: "visit", LandingPage: pick(r, organicPaths), Referrer: pick(r, referralURLs)}
			s.addTouch(pi, d, secondOfDay(r), s.effectOf("referral", ""), 1, row, -1, -1)
		}
		direct := 0.0025
		if p.customer {
			direct *= 2
		}
		if r.Float64() < direct {
			row := transform.TouchpointRow{Interaction: "visit", LandingPage: pick(r, []string{"/", "/", "/products/hoodie", "/account"})}
			s.addTouch(pi, d, secondOfDay(r), s.effectOf("direct", ""), 1, row, -1, -1)
		}
		if p.subscriber && newsletterDay {
			// The newsletter goes out at 14:00 UTC; opens and clicks follow.
			sec := 14*3600 + r.IntN(9*3600)
			eff := s.effectOf("email", "newsletter")
			switch u := r.Float64(); {
			case u < 0.035:
				path := pick(r, organicPaths)
				row := transform.TouchpointRow{Interaction: "click", UTMSource: "newsletter", UTMMedium: "email", UTMCampaign: newsletter,
					LandingPage: path + "?utm_source=newsletter&utm_medium=email&utm_campaign=" + newsletter}
				s.addTouch(pi, d, sec, eff, 1, row, -1, -1)
			case u < 0.085:
				row := transform.TouchpointRow{Interaction: "view", UTMSource: "newsletter", UTMMedium: "email", UTMCampaign: newsletter}
				s.addTouch(pi, d, sec, eff, viewWeight, row, -1, -1)
			}
		}
		for ci, c := range creators {
			for _, post := range c.posts {
				age := d - post
				if age < 0 || age > 3 {
					continue
				}
				decay := math.Pow(0.5, float64(age))
				eff := s.effectOf("influencer", c.platform)
				follower := p.follows == ci
				click := 0.0003 * decay
				if follower {
					click = 0.05 * decay
				}
				if r.Float64() < click {
					path := "/products/bundle"
					row := transform.TouchpointRow{Interaction: "click", UTMSource: c.platform, UTMMedium: "influencer", UTMCampaign: c.linkKey,
						LandingPage: path + "?utm_source=" + c.platform + "&utm_medium=influencer&utm_campaign=" + c.linkKey,
						Referrer:    socialReferrer[c.platform]}
					s.addTouch(pi, d, secondOfDay(r), eff, 1, row, -1, -1)
				} else if follower && age == 0 && r.Float64() < 0.7 {
					// Seen, not clicked: moves the person but leaves no
					// touchpoint. Promo codes are how this shows up.
					sec := secondOfDay(r)
					p.history = append(p.history, exposure{at: float64(d) + float64(sec)/86400, effect: eff, weight: exposureWeight, tp: -1})
				}
			}
		}
	}
}

// maybeConvert draws whether person pi converts on day d from the hazard of
// their recent exposures, and records the conversion with the ground-truth
// share of every term.
func (s *sim) maybeConvert(pi, d int, date time.Time) {
	p := &s.persons[pi]
	// Forget exposures older than the window.
	keep := p.history[:0]
	for _, e := range p.history {
		if float64(d)-e.at <= windowDays {
			keep = append(keep, e)
		}
	}
	p.history = keep

	base := baseDailyRate * p.propensity
	if p.customer {
		base *= 0.5
	}
	if d-p.lastBuy < 7 {
		base *= 0.2
	}
	evalAt := float64(d) + 0.75
	contrib := make([]float64, len(p.history))
	h := base
	for i, e := range p.history {
		age := math.Max(0, evalAt-e.at)
		contrib[i] = s.effects[e.effect].Lift * e.weight * math.Pow(2, -age/halfLifeDays)
		h += contrib[i]
	}
	if s.r.Float64() >= 1-math.Exp(-h) {
		return
	}

	ts := date.Add(time.Duration(secondOfDay(s.r)) * time.Second)
	if !p.todayLast.IsZero() && !ts.After(p.todayLast) {
		ts = p.todayLast.Add(time.Duration(60+s.r.IntN(5400)) * time.Second)
	}
	if !ts.Before(s.cfg.End.AddDate(0, 0, 1)) {
		return // would fall after the simulated range
	}

	conv := transform.ConversionRow{PersonID: p.id, TS: ts, Currency: "USD", Revenue: decimal.Zero}
	recentLinkedIn := false
	var creatorIdx, creatorSeen = -1, false // most recent creator exposure in 14 days; seen = without a tracked click
	var lastCreatorAt float64 = -1
	for _, e := range p.history {
		eff := s.effects[e.effect]
		if eff.Platform == "linkedin" && evalAt-e.at <= 7 {
			recentLinkedIn = true
		}
		if eff.Channel == "influencer" && evalAt-e.at <= 14 && e.at > lastCreatorAt {
			lastCreatorAt = e.at
			creatorIdx = creatorByPlatform(eff.Platform, p.follows)
			creatorSeen = e.tp < 0
		}
	}
	switch u := s.r.Float64(); {
	case recentLinkedIn && p.b2b && u < 0.7:
		conv.Type, conv.CRMSource = "lead", "hubspot"
	case u < 0.08:
		conv.Type, conv.CRMSource = "signup", "shopify"
	default:
		conv.Type, conv.CRMSource = "purchase", "shopify"
		rev := math.Exp(math.Log(85) + 0.55*s.r.NormFloat64())
		conv.Revenue = usd(math.Min(400, math.Max(20, rev)))
		conv.IsNewCustomer = !p.customer
		p.customer = true
		p.lastBuy = d
		useCode := 0.6
		if creatorSeen {
			useCode = 0.8
		}
		switch {
		case creatorIdx >= 0 && s.r.Float64() < useCode:
			c := creators[creatorIdx]
			conv.PromoCodes = []string{c.code}
			if creatorSeen {
				// The code is the only trace of the creator: the shop
				// records its use as a touchpoint at checkout.
				// It carries no lift of its own (the exposure did).
				if at := ts.Add(-2 * time.Minute); !at.Before(s.cfg.Start) {
					row := transform.TouchpointRow{PersonID: p.id, TS: at, Interaction: "promo_code", UTMSource: c.platform,
						UTMCampaign: c.code, LandingPage: "/checkout", Source: "shopify"}
					s.touches = append(s.touches, touch{row: row, person: pi, effect: -1, ad: -1, place: -1})
				}
			}
		case conv.IsNewCustomer && s.r.Float64() < 0.05:
			conv.PromoCodes = []string{genericCode}
		}
	}

	// Ground truth: each term's share of the hazard.
	revenue, _ := conv.Revenue.Float64()
	for i, e := range p.history {
		share := contrib[i] / h
		s.effects[e.effect].Conversions += share
		s.effects[e.effect].Revenue += share * revenue
	}
	s.baseline.Conversions += base / h
	s.baseline.Revenue += base / h * revenue
	s.convs = append(s.convs, conversion{row: conv, person: pi})
}

// creatorByPlatform resolves which creator an influencer exposure came from:
// the person's own creator when they follow one on that platform, else the
// first creator on that platform.
func creatorByPlatform(platform string, follows int) int {
	if follows >= 0 && creators[follows].platform == platform {
		return follows
	}
	for i, c := range creators {
		if c.platform == platform {
			return i
		}
	}
	return -1
}

// finish sorts touchpoints and conversions by time and gives them ids.
func (s *sim) finish() ([]transform.TouchpointRow, []transform.ConversionRow, []transform.IdentityRow) {
	order := make([]int, len(s.touches))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		return s.touches[a].row.TS.Compare(s.touches[b].row.TS)
	})
	tps := make([]transform.TouchpointRow, len(order))
	for k, i := range order {
		row := s.touches[i].row
		row.TouchpointID = fmt.Sprintf("tp_%06d", k+1)
		tps[k] = row
	}

	slices.SortStableFunc(s.convs, func(a, b conversion) int { return a.row.TS.Compare(b.row.TS) })
	convs := make([]transform.ConversionRow, len(s.convs))
	orders := 0
	for k, c := range s.convs {
		row := c.row
		row.ConversionID = fmt.Sprintf("cv_%06d", k+1)
		if row.Type == "purchase" {
			orders++
			row.OrderID = fmt.Sprintf("ord_%06d", 100000+orders)
		}
		convs[k] = row
	}

	var ids []transform.IdentityRow
	for _, p := range s.persons {
		for _, a := range p.anon {
			ids = append(ids, transform.IdentityRow{AnonymousID: a, PersonID: p.id})
		}
	}
	slices.SortFunc(ids, func(a, b transform.IdentityRow) int { return cmp.Compare(a.AnonymousID, b.AnonymousID) })
	return tps, convs, ids
}

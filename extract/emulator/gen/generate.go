package gen

import (
	"cmp"
	"slices"
)

// Generate simulates the brand cfg describes. The same cfg always produces
// identical data.
func Generate(cfg Config) (*Brand, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	ads := buildCatalog(cfg)
	dl := simulateDelivery(cfg, ads)
	fx, eurRate := buildFX(cfg)

	s := newSim(cfg, ads, dl)
	s.run()
	s.platformConversions(eurRate)
	tps, convs, ids := s.finish()
	infl, inflCosts := buildInfluencers(cfg, ads)

	b := &Brand{
		Config:          cfg,
		Accounts:        slices.Clone(accounts),
		MetaAccounts:    map[string]Account{},
		Ads:             ads,
		AdPerformance:   dl.rows,
		Touchpoints:     tps,
		Conversions:     convs,
		Identities:      ids,
		Influencers:     infl,
		InfluencerCosts: inflCosts,
		FXRates:         fx,
		OtherCosts:      buildOtherCosts(cfg),

		OrganicPosts:      buildOrganicPosts(cfg, tps),
		CommunityMessages: buildCommunity(cfg, convs),
	}
	for _, a := range accounts {
		if a.Platform == "meta" {
			b.MetaAccounts[a.ID] = a
		}
	}

	effects := append(slices.Clone(s.effects), ChannelEffect{
		Channel: "baseline", Conversions: s.baseline.Conversions, Revenue: s.baseline.Revenue,
	})
	slices.SortFunc(effects, func(a, b ChannelEffect) int {
		return cmp.Or(cmp.Compare(a.Channel, b.Channel), cmp.Compare(a.Platform, b.Platform))
	})
	b.GroundTruth = GroundTruth{
		BaseDailyRate:     baseDailyRate,
		HalfLifeDays:      halfLifeDays,
		WindowDays:        windowDays,
		SampleRate:        sampleRate,
		Effects:           effects,
		LandingPages:      slices.Clone(landingFactors),
		PlatformOverclaim: slices.Clone(overclaim),
	}
	b.GroundTruth.FatiguedCreatives, b.GroundTruth.FreshCreatives = plantedFatigue(b.Ads)
	return b, nil
}

// plantedFatigue lists the creative keys (the crNNN of ad names) the
// catalog wears out — shown to one audience at a frequency above 3 while
// their click-through rate falls by at least 5% a week — and those it never
// wears out anywhere.
func plantedFatigue(ads []Ad) (fatigued, fresh []string) {
	worn := map[string]bool{}
	touched := map[string]bool{}
	for _, a := range ads {
		key := a.creativeKey
		if key == "" {
			continue
		}
		if a.fatigue > 0 {
			touched[key] = true
		}
		if a.fatigue >= 0.05 && a.frequency > 3 {
			worn[key] = true
		}
	}
	seen := map[string]bool{}
	for _, a := range ads {
		key := a.creativeKey
		if key == "" || seen[key] {
			continue
		}
		seen[key] = true
		switch {
		case worn[key]:
			fatigued = append(fatigued, key)
		case !touched[key]:
			fresh = append(fresh, key)
		}
	}
	slices.Sort(fatigued)
	slices.Sort(fresh)
	return fatigued, fresh
}

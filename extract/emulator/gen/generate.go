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
	return b, nil
}

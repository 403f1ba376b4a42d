package config

// DefaultChannelRules are the built-in channel rules, tried in order. They
// follow the common UTM conventions; a config's channels.rules replaces them
// wholly, so a team with other conventions states all of its own.
//
// Influencer touchpoints are also recognised by the creators' link keys in the
// influencer registry, ahead of these rules (see sql/intermediate).
func DefaultChannelRules() []ChannelRule {
	const (
		socialSources = `^(facebook|fb|instagram|ig|tiktok|linkedin|li|twitter|x|youtube|pinterest|snapchat|reddit|threads)$`
		// Referrer rules see the referrer's host (e.g. l.instagram.com).
		socialRefs = `(^|\.)((facebook|instagram|tiktok|linkedin|twitter|x|youtube|snapchat|reddit)\.com|threads\.net|lnkd\.in|t\.co|youtu\.be|pinterest\.[a-z.]+)$`
		searchRefs = `(^|\.)(google|bing|duckduckgo|yahoo|ecosia|baidu|yandex)\.[a-z.]+$`
	)
	return []ChannelRule{
		{Channel: "influencer", Medium: `^(influencer|creator|affiliate|ambassador)s?$`},
		{Channel: "influencer", Interaction: `^promo_code$`},
		{Channel: "retargeting", Medium: `^(retargeting|remarketing|rt)$`},
		{Channel: "paid_social", Medium: `^(paid[_-]?social|social[_-]?paid|paidsocial|cpc|cpm|ppc|paid)$`, Source: socialSources},
		{Channel: "paid_social", ClickIDType: `^(fbclid|ttclid|li_fat_id|twclid|scclid|epik)$`},
		{Channel: "paid_search", Medium: `^(cpc|ppc|paid[_-]?search|sem)$`},
		{Channel: "paid_search", ClickIDType: `^(gclid|gbraid|wbraid|msclkid)$`},
		{Channel: "email", Medium: `^e[-_]?mail$|^newsletter$`},
		{Channel: "email", Source: `^(newsletter|klaviyo|mailchimp|braze|hubspot_email)$`},
		{Channel: "organic_social", Medium: `^(social|organic[_-]?social|social[_-]?organic|social[_-]?network|sm)$`},
		{Channel: "organic_social", Source: socialSources},
		{Channel: "organic_social", Referrer: socialRefs},
		{Channel: "organic_search", Medium: `^organic$`},
		{Channel: "organic_search", Referrer: searchRefs},
		{Channel: "referral", Medium: `^(referral|partner)$`},
		{Channel: "direct", Source: `^$`, Medium: `^$`, Referrer: `^$`},
		{Channel: "referral", Referrer: `.`},
		{Channel: "other"},
	}
}

// PlatformPatterns infer a touchpoint's platform from its utm_source, click id
// type or referrer when its rule names none. First match wins.
var PlatformPatterns = []struct{ Platform, Pattern string }{
	{"facebook", `^(facebook|fb|fbclid)$|facebook\.com|fb\.me`},
	{"instagram", `^(instagram|ig)$|instagram\.com`},
	{"tiktok", `^(tiktok|ttclid)$|tiktok\.com`},
	{"linkedin", `^(linkedin|li|li_fat_id)$|linkedin\.com|lnkd\.in`},
	{"x", `^(twitter|x|twclid)$|(^|\.)(twitter\.com|t\.co|x\.com)$`},
	{"youtube", `^youtube$|youtube\.com|youtu\.be`},
	{"pinterest", `^(pinterest|epik)$|pinterest\.`},
	{"snapchat", `^(snapchat|scclid)$|snapchat\.com`},
	{"reddit", `^reddit$|reddit\.com`},
	{"google", `^(google|gclid|gbraid|wbraid)$|google\.`},
	{"bing", `^(bing|msclkid)$|bing\.com`},
}

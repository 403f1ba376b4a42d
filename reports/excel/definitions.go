package excel

// DefaultDefinitions is the glossary of the Definitions sheet (DESIGN §4,
// in plain words), used when Workbook.Definitions is nil. Callers that
// change a parameter (lookback, half-life, targets) should pass their own
// list, starting from this one, with the values they used.
func DefaultDefinitions() [][2]string {
	return [][2]string{
		{"Report week", "An ISO week, Monday to Sunday, in the reporting time zone. Money is in the reporting currency, converted with the daily exchange rate of each day."},
		{"Channel", "Where a touchpoint came from (paid_social, organic_social, influencer, retargeting, paid_search, organic_search, email, referral, direct, other), decided by ordered rules on utm_source, utm_medium, the click id and the referrer. A creator's link or promo code makes a touchpoint influencer."},
		{"Attribution window", "A conversion's path is the person's touchpoints in the lookback window before it (30 days by default), in time order. A conversion with no touchpoint is credited to direct."},
		{"Attribution models", "first_touch and last_touch give all credit to the first or last touchpoint; last_non_direct to the last touchpoint that is not direct; linear shares it equally; time_decay halves a touchpoint's weight every half-life (7 days) before the conversion; position_based gives 40% to the first, 40% to the last and shares 20% among the middle; markov uses each channel's removal effect; shapley uses each channel's Shapley value. Credits of one conversion always add up to 1."},
		{"Primary model", "The model the Summary, CAC and the channel sheet use. The Attribution sheet shows all models side by side."},
		{"Credit ledger", "One row per conversion, touchpoint and model with the credit fraction and the revenue credit. Revenue credits of a conversion add up to its revenue to the cent. Finance audits from it (Parquet file attribution_ledger)."},
		{"Spend", "Ad spend reported by the ad platforms for the week."},
		{"Total cost", "Spend plus influencer fees, product, bonuses and whitelisting, plus agency and tool costs."},
		{"Paid revenue (attributed)", "Revenue credited by the primary model to paid channels: paid_social, retargeting and paid_search."},
		{"ROAS", "Return on ad spend: attributed revenue divided by spend, shown as 2.50x. Platform ROAS uses the platform's own conversion value instead."},
		{"New customers", "Conversions of the configured types marked as a first purchase or first deal, credited by the primary model."},
		{"Paid-social CAC", "Paid-social spend divided by the new customers credited to paid social."},
		{"Blended CAC", "Total cost divided by all new customers."},
		{"CPA", "Spend divided by attributed conversions."},
		{"Week-over-week change", "(this week − previous week) ÷ previous week. ▲ is a rise and ▼ a fall; green means better and red worse, so a rise in spend or CAC is red."},
		{"Target highlighting", "Red fill marks ROAS below the target ROAS and CAC above the target CAC from the configuration."},
		{"Assisted conversion", "A conversion where a channel, campaign or creative is on the path but does not hold the last non-direct touchpoint. Assist ratio = assisted ÷ last-interaction conversions."},
		{"Reconciliation gap", "Platform-reported conversions ÷ CRM-attributed conversions − 1."},
	}
}

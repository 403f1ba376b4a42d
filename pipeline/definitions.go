package pipeline

import (
	"fmt"
	"strings"

	"github.com/socialroi/socialroi/config"
	"github.com/socialroi/socialroi/models"
)

// Definitions are the workbook's Definitions sheet: every metric and rule in
// plain words, with this run's parameters filled in (DESIGN §4).
func Definitions(cfg *config.Config, week models.Week) [][2]string {
	a := cfg.Attribution
	r := cfg.Reporting
	return [][2]string{
		{"Report week", fmt.Sprintf("%s: Monday %s to Sunday %s, days in the %s time zone.",
			week.Label(), week.Start.Format("2 Jan 2006"), week.End().Format("2 Jan 2006"), r.Timezone)},
		{"Reporting currency", fmt.Sprintf("All money is in %s. Other currencies are converted with the daily rate for the day of the spend or conversion; a missing rate fails the data tests.", r.Currency)},
		{"Conversions", fmt.Sprintf("Conversions of type %s. New customers are those conversions flagged as a customer's first.", strings.Join(r.ConversionTypes, ", "))},
		{"Channels", "Each touchpoint is classified by ordered rules on utm_source, utm_medium, click id and referrer into paid_social, organic_social, influencer, retargeting, paid_search, organic_search, email, referral, direct or other. A touchpoint carrying a creator's link key is influencer. Ad spend belongs to paid_search (search platforms), retargeting (campaigns named with the rt segment) or paid_social."},
		{"Attribution window", fmt.Sprintf("A conversion's path is the person's touchpoints from %d days before the conversion up to (not including) its time, ordered by time. A conversion without touchpoints is credited to direct.", a.LookbackDays)},
		{"Models computed", strings.Join(a.Models, ", ") + fmt.Sprintf(". The primary model, used for the Summary, CAC and ROAS headlines, is %s.", r.PrimaryModel)},
		{"first_touch / last_touch", "All credit to the earliest / latest touchpoint of the path."},
		{"last_non_direct", "All credit to the latest touchpoint that is not direct; if every touchpoint is direct, to the last one."},
		{"linear", "Equal credit, 1/n, to each of the n touchpoints."},
		{"time_decay", fmt.Sprintf("Weight 2^(−days before conversion / %g), normalised to add up to 1: a touchpoint %g days older gets half the weight.", a.HalfLifeDays, a.HalfLifeDays)},
		{"position_based", fmt.Sprintf("%.0f%% to the first touchpoint, %.0f%% to the last, the rest shared equally by the middle; one touchpoint gets 100%%, two share in the ratio %.0f:%.0f.",
			a.PositionFirst*100, a.PositionLast*100, a.PositionFirst*100, a.PositionLast*100)},
		{"markov", "A first-order Markov chain over channel paths (start → channels → conversion or no conversion), built from converting paths and from touchpoints that led to no conversion. A channel's removal effect is 1 − P(conversion without it) / P(conversion). Channel totals: the week's conversions × removal effect / sum of removal effects. In the ledger, a conversion's credit is shared among the channels on its path in proportion to their removal effects, then equally among each channel's touchpoints; so Markov ledger sums differ from its channel totals by design."},
		{"shapley", "Exact Shapley values of the game v(S) = conversions whose path's set of channels lies within S. That game is a sum of one game per conversion, so each channel on a path earns 1/k of it (k distinct channels), shared equally among that channel's touchpoints; the ledger adds up to the Shapley values exactly, for any number of channels. Revenue is split the same way."},
		{"Credit ledger", "One row per conversion, credited touchpoint and model: the credit fraction and the revenue it carries. Revenue is split by the largest-remainder method in cents (the cents left over go to the largest remainders, and between equal remainders to the earlier touchpoint on the path), so each conversion's revenue credits add up to its revenue exactly."},
		{"Spend", "Ad spend reported by the platforms for the week."},
		{"Total cost", "Ad spend plus influencer fees, product and bonuses, plus other costs (agency, tools)."},
		{"Revenue", "Revenue of all conversions in the week."},
		{"Paid revenue", "Revenue credited by the primary model to the paid channels: " + strings.Join(r.PaidChannels, ", ") + "."},
		{"ROAS", "Attributed revenue / spend. On the Summary: paid revenue / total ad spend."},
		{"Paid-social CAC", "Spend on " + strings.Join(r.PaidSocialChannels, ", ") + " / new customers credited to those channels by the model."},
		{"Blended CAC", "Total cost / all new customers of the week."},
		{"CPA", "Spend / attributed conversions."},
		{"Targets", fmt.Sprintf("ROAS below %.2f and CAC above %s %s are flagged.", r.TargetROAS, r.TargetCAC, r.Currency)},
		{"Platform ROAS", "The platform's own reported conversion value / spend: what the ad manager claims."},
		{"Reconciliation gap", "Platform-reported conversions / conversions the primary model credits to the platform − 1. Positive: the platform claims more than the CRM data supports."},
		{"Naming conventions", fmt.Sprintf("Campaign names follow %q, ad set names %q and ad names %q. Parsed fields give the audience segment (mapped from {segment}) and the creative pattern (format, hook, offer, cta). Names that do not parse keep their spend, shown as unknown or (unparsed), and are counted by Tracking QA.",
			cfg.Naming.Campaign, cfg.Naming.Adset, cfg.Naming.Ad)},
		{"Creative key", "The same asset across ads and platforms: the {creative} field of the ad name, else the platform's creative id (which differs per platform), else the ad id."},
		{"CTR, CPC, CPM", "Clicks / impressions; spend / clicks; spend / impressions × 1000."},
		{"Thumb-stop rate", "3-second video views / impressions of the video ads."},
		{"Creative fatigue", fmt.Sprintf("On one audience (platform and ad set), CTR fell by more than %.0f%% against that audience's first active week while frequency (impressions / reach) was above %g.",
			cfg.Creative.FatigueCTRDrop*100, cfg.Creative.FatigueFrequency)},
		{"Influencer credit", fmt.Sprintf("A creator's promo code on an order (matched ignoring case) credits that creator 100%% (rule promo_code; two creators' codes split it). Otherwise the creator's link touchpoints on the path take their %s credit (rule tracked_link). A creator touchpoint that got no credit is an assist.", r.PrimaryModel)},
		{"Creator cost and ROI", "Fees + product + bonuses + spend on ads whitelisted on the creator's handle. ROI = (attributed revenue − cost) / cost. Creator CAC = cost / attributed new customers."},
		{"Usage rights", fmt.Sprintf("Expiring: the rights end within %d days after the report week. Expired: they ended and whitelisted ads still spent.", cfg.Influencers.UsageRightsWarningDays)},
		{"Engagement rate", "(likes + comments + shares + saves) / impressions, and the same / reach. Posts count in the week they were published, at their latest snapshot."},
		{"Content pillar and trend posts", fmt.Sprintf("A post's pillar is its first tag among %s; trend posts carry one of the tags %s and are reported apart.",
			orAll(cfg.Organic.Pillars, "its tags (the first one)"), orAll(cfg.Organic.TrendTags, "(none configured)"))},
		{"Organic sessions", "Clicks whose utm_content is a post's id; their conversions and revenue are the primary model's credit."},
		{"Community", fmt.Sprintf("Median and 90th-percentile minutes to first response (answered messages, interpolated); within SLA: answered within %d minutes, of all messages; resolution rate: resolved / messages; pipeline: revenue of the CRM records of leads created from messages.", cfg.Community.SLAMinutes)},
		{"Landing page conversion rate", "Sessions on the page that were the last session before a conversion / sessions on the page. A page far below its channel's rate leaks."},
		{"Budget stage gate", "Days since a campaign first spent: 1–30 validate tracking and baseline CAC (hold), 31–60 iterate creative and audience, 61–90 scale or cut, then mature."},
		{"Marginal ROAS", fmt.Sprintf("The return on the next dollar: revenue is modelled as a · spend^b over the trailing %d weeks (diminishing returns, 0.1 ≤ b ≤ 1, b fitted once per level across all platforms or campaigns by a within-entity log-log regression), and marginal ROAS is its slope at this week's spend, b × a × spend^(b−1). Ranked across platforms: where the next dollar earns most.", cfg.Budget.TrailingWeeks)},
		{"Budget action", fmt.Sprintf("Scale when marginal ROAS is above %.2f × (1 + %.0f%%) and CAC is within target; cut when it is below %.2f × (1 − %.0f%%) or CAC is above target by more than %.0f%%; hold otherwise and while validating.",
			r.TargetROAS, cfg.Budget.HoldBand*100, r.TargetROAS, cfg.Budget.HoldBand*100, cfg.Budget.HoldBand*100)},
	}
}

// orAll lists values, or says what applies when there are none.
func orAll(values []string, none string) string {
	if len(values) == 0 {
		return none
	}
	return strings.Join(values, ", ")
}

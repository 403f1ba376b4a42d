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
		{"Credit ledger", "One row per conversion, credited touchpoint and model: the credit fraction and the revenue it carries. Revenue is split by the largest-remainder method in cents, so each conversion's revenue credits add up to its revenue exactly."},
		{"Spend", "Ad spend reported by the platforms for the week."},
		{"Total cost", "Ad spend plus influencer fees, product and bonuses, plus other costs (agency, tools)."},
		{"Revenue", "Revenue of all conversions in the week."},
		{"Paid revenue", "Revenue credited by the primary model to the paid channels: " + strings.Join(r.PaidChannels, ", ") + "."},
		{"ROAS", "Attributed revenue / spend. On the Summary: paid revenue / total ad spend."},
		{"Paid-social CAC", "Spend on " + strings.Join(r.PaidSocialChannels, ", ") + " / new customers credited to those channels by the model."},
		{"Blended CAC", "Total cost / all new customers of the week."},
		{"CPA", "Spend / attributed conversions."},
		{"Targets", fmt.Sprintf("ROAS below %.2f and CAC above %s %s are flagged.", r.TargetROAS, r.TargetCAC, r.Currency)},
	}
}

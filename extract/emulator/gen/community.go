package gen

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/socialroi/socialroi/transform"
)

// communityPerDay is the mean number of inbound messages a day at scale 1.
const communityPerDay = 12.0

var communityPlatforms = []struct {
	platform string
	weight   float64
}{{"instagram", 0.35}, {"facebook", 0.2}, {"tiktok", 0.2}, {"linkedin", 0.1}, {"google", 0.15}}

var issueTypes = []struct {
	issue  string
	weight float64
}{{"question", 0.3}, {"complaint", 0.12}, {"buying_intent", 0.12}, {"support", 0.16}, {"praise", 0.2}, {"other", 0.1}}

// buildCommunity draws the brand's inbound comments, DMs, mentions and
// reviews. Google carries only reviews; reviews elsewhere are on Facebook.
// First responses: median about 20 minutes with a long tail (about 84%
// within 60 minutes), none for 8% of messages (30% of mentions). Questions,
// complaints, support and buying-intent conversations are resolved some
// hours after the answer (most of them); praise and other are closed by the
// answer itself. Half the buying-intent conversations name a lead_id: the
// person of a CRM lead or purchase that followed within 14 days when there
// is one, else a random person.
func buildCommunity(cfg Config, convs []transform.ConversionRow) []transform.CommunityMessageRow {
	r := newRand(cfg.Seed, streamCommunity)
	// Conversions are sorted by ts; leads are matched to the first unused one.
	used := make([]bool, len(convs))
	next := 0
	var out []transform.CommunityMessageRow
	for d := range cfg.Days() {
		day := cfg.Start.AddDate(0, 0, d)
		n := poisson(r, communityPerDay*cfg.Scale)
		var msgs []transform.CommunityMessageRow
		for range n {
			m := transform.CommunityMessageRow{ReceivedAt: day.Add(time.Duration(secondOfDay(r)) * time.Second)}
			m.Platform = weighted(r, communityPlatforms, func(p struct {
				platform string
				weight   float64
			}) (string, float64) {
				return p.platform, p.weight
			})
			switch u := r.Float64(); {
			case m.Platform == "google":
				m.Kind = "review"
			case m.Platform == "facebook" && u < 0.15:
				m.Kind = "review"
			case u < 0.55:
				m.Kind = "comment"
			case u < 0.85:
				m.Kind = "dm"
			default:
				m.Kind = "mention"
			}
			m.IssueType = weighted(r, issueTypes, func(i struct {
				issue  string
				weight float64
			}) (string, float64) {
				return i.issue, i.weight
			})
			noAnswer := 0.08
			if m.Kind == "mention" {
				noAnswer = 0.3
			}
			if r.Float64() >= noAnswer {
				mins := math.Exp(math.Log(20) + 1.1*r.NormFloat64())
				at := m.ReceivedAt.Add(time.Duration(math.Max(1, math.Min(mins, 7*24*60)) * float64(time.Minute))).Truncate(time.Second)
				m.FirstResponseAt = &at
				switch m.IssueType {
				case "praise", "other":
					m.ResolvedAt = &at
				default:
					if r.Float64() < 0.75 {
						hours := math.Exp(math.Log(4) + 1.0*r.NormFloat64())
						res := at.Add(time.Duration(math.Min(hours, 30*24) * float64(time.Hour))).Truncate(time.Second)
						m.ResolvedAt = &res
					}
				}
			}
			if r.Float64() >= 0.05 {
				var s float64
				switch m.IssueType {
				case "praise":
					s = 0.6 + 0.4*r.Float64()
				case "complaint":
					s = -1 + 0.7*r.Float64()
				default:
					s = -0.2 + 0.7*r.Float64()
				}
				s = math.Round(s*100) / 100
				m.Sentiment = &s
			}
			if m.IssueType == "buying_intent" && r.Float64() < 0.5 {
				m.LeadID = fmt.Sprintf("p_%06d", 1+r.IntN(cfg.Persons))
				for next < len(convs) && convs[next].TS.Before(m.ReceivedAt) {
					next++
				}
				for k := next; k < len(convs) && convs[k].TS.Before(m.ReceivedAt.AddDate(0, 0, 14)); k++ {
					if !used[k] && (convs[k].Type == "lead" || convs[k].Type == "purchase") {
						used[k] = true
						m.LeadID = convs[k].PersonID
						break
					}
				}
			}
			msgs = append(msgs, m)
		}
		sortByReceived(msgs)
		out = append(out, msgs...)
	}
	for i := range out {
		out[i].MessageID = fmt.Sprintf("cm_%06d", i+1)
	}
	return out
}

func weighted[T any](r *rand.Rand, items []T, f func(T) (string, float64)) string {
	u := r.Float64()
	var last string
	for _, it := range items {
		name, w := f(it)
		if u < w {
			return name
		}
		u -= w
		last = name
	}
	return last
}

func sortByReceived(ms []transform.CommunityMessageRow) {
	// Insertion sort: a day's messages are few, and the sort is stable.
	for i := 1; i < len(ms); i++ {
		for j := i; j > 0 && ms[j].ReceivedAt.Before(ms[j-1].ReceivedAt); j-- {
			ms[j], ms[j-1] = ms[j-1], ms[j]
		}
	}
}

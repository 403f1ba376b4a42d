package gen

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/socialroi/socialroi/transform"
)

// Random streams of the organic and community generators. They are apart
// from the simulation's streams (random.go), so adding these tables left
// every other number of the brand unchanged.
const (
	streamOrganic   uint64 = 101
	streamCommunity uint64 = 102
)

// TrendTag is the hashtag the demo brand puts on agile, trend-jacking posts;
// the organic report shows posts carrying it apart (configure the same tag).
const TrendTag = "trendjack"

// BrandTag is on every demo post.
const BrandTag = "demobrand"

// Pillars are the content pillars the demo brand's captions are tagged with,
// one per post.
var Pillars = []string{"howto", "behindthescenes", "product", "community", "sale"}

// OrganicPlatforms are the platforms the demo brand posts on organically.
var OrganicPlatforms = []string{"facebook", "instagram", "linkedin", "tiktok"}

// organicAccounts are the brand's organic account ids per platform.
var organicAccounts = map[string]string{
	"instagram": "17841400000000001",
	"facebook":  "1000001",
	"tiktok":    "7000000000000000001",
	"linkedin":  "urn:li:organization:1000001",
}

// organicFormats are the formats a platform's posts take, with weights.
var organicFormats = map[string][]struct {
	format string
	weight float64
}{
	"instagram": {{"reel", 0.45}, {"carousel", 0.25}, {"image", 0.2}, {"story", 0.1}},
	"facebook":  {{"image", 0.4}, {"video", 0.25}, {"reel", 0.15}, {"text", 0.2}},
	"tiktok":    {{"video", 1}},
	"linkedin":  {{"text", 0.3}, {"image", 0.3}, {"article", 0.15}, {"video", 0.1}, {"carousel", 0.15}},
}

// organicReach is the typical impressions of a post, by platform.
var organicReach = map[string]float64{"instagram": 9000, "facebook": 4000, "tiktok": 15000, "linkedin": 2500}

var captionHooks = map[string][]string{
	"howto":           {"How we layer the hoodie for autumn", "3 ways to style the tee", "Washing guide: keep it soft"},
	"behindthescenes": {"A day at the studio", "Sampling the new colourways", "Meet the team packing your orders"},
	"product":         {"The heavyweight hoodie is back", "New: the bundle", "Our best seller, restocked"},
	"community":       {"Your fits this week", "Thank you for 40k", "Reposting our favourite reviews"},
	"sale":            {"Sale ends Sunday", "Last sizes at 30% off", "Black Friday early access"},
}

// organicPostID is the id of a platform's n-th organic post; postID (the
// post an organic click points at) returns these ids.
func organicPostID(platform string, n int) string {
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

// buildOrganicPosts gives every platform a post every third day (post n on
// day 3n, published the evening before, so it precedes every click on it),
// one snapshot per post at the range's last day. Engagement is consistent:
// reach ≤ impressions, and likes, comments, shares and saves are shares of
// reach. link_clicks are the organic click touchpoints carrying the post id
// as utm_content (NULL on Instagram, whose API does not report them).
// Instagram stories older than a day report no insights (NULL), as the API
// does.
func buildOrganicPosts(cfg Config, tps []transform.TouchpointRow) []transform.OrganicPostRow {
	r := newRand(cfg.Seed, streamOrganic)
	clicks := map[string]int64{}
	for _, tp := range tps {
		if tp.UTMMedium == "social" && tp.UTMContent != "" {
			clicks[tp.UTMSource+"|"+tp.UTMContent]++
		}
	}
	var out []transform.OrganicPostRow
	posts := (cfg.Days()-1)/3 + 1
	for _, platform := range OrganicPlatforms {
		for n := range posts {
			day := cfg.Start.AddDate(0, 0, 3*n)
			published := day.Add(-time.Duration(2*3600+r.IntN(4*3600)) * time.Second)
			format := pickFormat(r, platform)
			pillar := pick(r, Pillars)
			trend := r.Float64() < 0.15
			id := organicPostID(platform, n)
			row := transform.OrganicPostRow{
				Platform:     platform,
				AccountID:    organicAccounts[platform],
				PostID:       id,
				SnapshotDate: cfg.End,
				PublishedAt:  published,
				Format:       format,
				Caption:      caption(r, pillar, trend),
				Permalink:    permalink(platform, id, n),
			}
			row.Tags = hashtags(row.Caption)
			// Impressions: lognormal around the platform's typical reach;
			// trend posts travel further, and posts from the last days have
			// had less time to accumulate.
			age := cfg.End.Sub(day).Hours() / 24
			mature := math.Min(1, (age+1)/4)
			mean := organicReach[platform] * cfg.Scale * mature
			if trend {
				mean *= 1.8
			}
			imp := int64(math.Round(mean * math.Exp(0.5*r.NormFloat64()-0.125)))
			reach := int64(math.Round(float64(imp) * (0.55 + 0.35*r.Float64())))
			engage := 0.02 + 0.04*r.Float64()
			likes := int64(math.Round(float64(reach) * engage))
			comments := int64(math.Round(float64(likes) * (0.02 + 0.08*r.Float64())))
			shares := int64(math.Round(float64(likes) * (0.01 + 0.1*r.Float64())))
			saves := int64(math.Round(float64(likes) * (0.02 + 0.15*r.Float64())))
			row.Impressions, row.Reach = &imp, &reach
			row.Likes, row.Comments, row.Shares, row.Saves = &likes, &comments, &shares, &saves
			if format == "video" || format == "reel" {
				vv := imp // Instagram reports views on every format; for video the same number
				if platform != "instagram" {
					vv = int64(math.Round(float64(imp) * (0.5 + 0.3*r.Float64())))
				}
				row.VideoViews = &vv
			}
			if platform != "instagram" {
				c := clicks[platform+"|"+id]
				row.LinkClicks = &c
			}
			if platform == "instagram" && format == "story" {
				// Insights of expired stories are gone; like and comment
				// counts are not reported on stories at all.
				row.Impressions, row.Reach, row.Shares, row.Saves, row.VideoViews = nil, nil, nil, nil, nil
				row.Likes, row.Comments = nil, nil
			}
			out = append(out, row)
		}
	}
	return out
}

func pickFormat(r *rand.Rand, platform string) string {
	fs := organicFormats[platform]
	u := r.Float64()
	for _, f := range fs {
		if u < f.weight {
			return f.format
		}
		u -= f.weight
	}
	return fs[len(fs)-1].format
}

func caption(r *rand.Rand, pillar string, trend bool) string {
	var b strings.Builder
	b.WriteString(pick(r, captionHooks[pillar]))
	b.WriteString(" ✨ #")
	b.WriteString(strings.ToUpper(pillar[:1]) + pillar[1:]) // tags are case-insensitive: readers lower-case them
	b.WriteString(" #")
	b.WriteString(BrandTag)
	if trend {
		b.WriteString(" #")
		b.WriteString(TrendTag)
	}
	if r.Float64() < 0.3 {
		b.WriteString("\nLink in bio.")
	}
	return b.String()
}

// hashtags returns a caption's #tags, lower-cased without '#', in order,
// without duplicates — what the organic connectors put in tags.
func hashtags(caption string) []string {
	var out []string
	seen := map[string]bool{}
	for _, f := range strings.FieldsFunc(caption, func(c rune) bool { return c == ' ' || c == '\n' || c == '\t' }) {
		if !strings.HasPrefix(f, "#") {
			continue
		}
		tag := strings.ToLower(strings.TrimRight(strings.TrimPrefix(f, "#"), ".,!?;:"))
		if tag != "" && !seen[tag] {
			seen[tag] = true
			out = append(out, tag)
		}
	}
	return out
}

func permalink(platform, id string, n int) string {
	switch platform {
	case "instagram":
		return fmt.Sprintf("https://www.instagram.com/p/DemoPost%05d/", n)
	case "facebook":
		return "https://www.facebook.com/" + strings.Replace(id, "_", "/posts/", 1)
	case "tiktok":
		return "https://www.tiktok.com/@demobrand/video/" + id
	case "linkedin":
		return "https://www.linkedin.com/feed/update/" + id + "/"
	}
	return ""
}

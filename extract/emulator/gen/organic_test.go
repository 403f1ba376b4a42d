package gen

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestOrganicPosts(t *testing.T) {
	b := generate(t, Config{})
	posts := map[string]time.Time{} // platform|id → published
	formats := map[string]bool{"image": true, "video": true, "reel": true, "short": true, "carousel": true, "text": true, "article": true, "story": true}
	trend, stories := 0, 0
	for _, p := range b.OrganicPosts {
		key := p.Platform + "|" + p.PostID
		if _, dup := posts[key]; dup {
			t.Fatalf("post %s twice", key)
		}
		posts[key] = p.PublishedAt
		if !formats[p.Format] || !p.SnapshotDate.Equal(b.Config.End) || p.AccountID == "" || p.Permalink == "" {
			t.Errorf("post %+v", p)
		}
		if !slices.Contains(p.Tags, BrandTag) || !slices.ContainsFunc(p.Tags, func(s string) bool { return slices.Contains(Pillars, s) }) {
			t.Errorf("post %s tags %v lack the brand tag or a pillar", p.PostID, p.Tags)
		}
		if slices.Contains(p.Tags, TrendTag) {
			trend++
		}
		if p.Impressions == nil {
			if p.Platform != "instagram" || p.Format != "story" || p.Reach != nil || p.Saves != nil {
				t.Errorf("post %s: NULL impressions outside expired stories: %+v", p.PostID, p)
			}
			stories++
			continue
		}
		if *p.Reach > *p.Impressions || *p.Likes > *p.Reach || *p.Comments > *p.Likes || *p.Saves > *p.Likes || *p.Shares > *p.Likes {
			t.Errorf("post %s engagement inconsistent: imp %d reach %d likes %d", p.PostID, *p.Impressions, *p.Reach, *p.Likes)
		}
		if (p.VideoViews != nil) != (p.Format == "video" || p.Format == "reel") {
			t.Errorf("post %s (%s) video_views %v", p.PostID, p.Format, p.VideoViews)
		}
		if (p.LinkClicks == nil) != (p.Platform == "instagram") {
			t.Errorf("post %s link_clicks %v", p.PostID, p.LinkClicks)
		}
	}
	if trend == 0 || trend > len(b.OrganicPosts)/3 || stories == 0 {
		t.Errorf("%d trend posts, %d stories of %d", trend, stories, len(b.OrganicPosts))
	}
	// Every organic click names a post of its platform published before it.
	clicks := 0
	for _, tp := range b.Touchpoints {
		if tp.UTMMedium != "social" || tp.UTMContent == "" {
			continue
		}
		clicks++
		pub, ok := posts[tp.UTMSource+"|"+tp.UTMContent]
		if !ok {
			t.Fatalf("touchpoint %s: utm_content %s is no %s post", tp.TouchpointID, tp.UTMContent, tp.UTMSource)
		}
		if !pub.Before(tp.TS) {
			t.Errorf("touchpoint %s at %s precedes its post (%s)", tp.TouchpointID, tp.TS, pub)
		}
	}
	if clicks == 0 {
		t.Error("no organic clicks to check")
	}
	for _, p := range OrganicPlatforms {
		for d := range b.Config.Days() {
			id := postID(p, d)
			if _, ok := posts[p+"|"+id]; !ok {
				t.Fatalf("postID(%s, %d) = %s is not a post", p, d, id)
			}
		}
	}
}

func TestHashtags(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"No tags here", nil},
		{"Sale ✨ #Sale #demobrand #SALE\nLink in bio.", []string{"sale", "demobrand"}},
		{"#a, #b! # #c.", []string{"a", "b", "c"}},
		{"mid#word #Ünïcode", []string{"ünïcode"}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, hashtags(tt.in)); diff != "" {
			t.Errorf("hashtags(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
}

func FuzzHashtags(f *testing.F) {
	f.Add("Sale ✨ #Sale #demobrand #trendjack\nLink in bio.")
	f.Add("##x #.")
	f.Fuzz(func(t *testing.T, s string) {
		seen := map[string]bool{}
		for _, tag := range hashtags(s) {
			if tag == "" || seen[tag] || strings.ContainsAny(tag, " \n\t") || tag != strings.ToLower(tag) {
				t.Errorf("tag %q from %q", tag, s)
			}
			seen[tag] = true
		}
	})
}

func TestCommunityMessages(t *testing.T) {
	b := generate(t, Config{})
	kinds := map[string]bool{"comment": true, "dm": true, "mention": true, "review": true}
	issues := map[string]bool{"question": true, "complaint": true, "buying_intent": true, "support": true, "praise": true, "other": true}
	persons := map[string]bool{}
	for _, c := range b.Conversions {
		persons[c.PersonID] = true
	}
	var answered, within, unanswered, leads, matched int
	ids := map[string]bool{}
	for i, m := range b.CommunityMessages {
		if ids[m.MessageID] || !kinds[m.Kind] || !issues[m.IssueType] || m.Platform == "" {
			t.Fatalf("message %+v", m)
		}
		ids[m.MessageID] = true
		if i > 0 && m.ReceivedAt.Before(b.CommunityMessages[i-1].ReceivedAt) {
			t.Fatalf("messages not in time order at %s", m.MessageID)
		}
		if m.ReceivedAt.Before(b.Config.Start) || !m.ReceivedAt.Before(b.Config.End.AddDate(0, 0, 1)) {
			t.Errorf("message %s received %s outside the range", m.MessageID, m.ReceivedAt)
		}
		if m.Platform == "google" && m.Kind != "review" {
			t.Errorf("google %s", m.Kind)
		}
		switch {
		case m.FirstResponseAt == nil:
			unanswered++
			if m.ResolvedAt != nil {
				t.Errorf("message %s resolved without an answer", m.MessageID)
			}
		default:
			answered++
			wait := m.FirstResponseAt.Sub(m.ReceivedAt)
			if wait <= 0 {
				t.Errorf("message %s answered before it arrived", m.MessageID)
			}
			if wait <= time.Hour {
				within++
			}
			if m.ResolvedAt != nil && m.ResolvedAt.Before(*m.FirstResponseAt) {
				t.Errorf("message %s resolved before its answer", m.MessageID)
			}
		}
		if m.Sentiment != nil && (*m.Sentiment < -1 || *m.Sentiment > 1) {
			t.Errorf("sentiment %v", *m.Sentiment)
		}
		if m.LeadID != "" {
			if m.IssueType != "buying_intent" {
				t.Errorf("message %s: lead on %s", m.MessageID, m.IssueType)
			}
			leads++
			if persons[m.LeadID] {
				matched++
			}
		}
	}
	share := float64(within) / float64(answered)
	if len(b.CommunityMessages) < 500 || unanswered == 0 || share < 0.7 || share > 0.95 || leads == 0 || matched == 0 {
		t.Errorf("%d messages, %d unanswered, %.2f within SLA, %d leads (%d converted persons)",
			len(b.CommunityMessages), unanswered, share, leads, matched)
	}
}

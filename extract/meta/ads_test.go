package meta

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/socialroi/socialroi/extract/emulator"
	"github.com/socialroi/socialroi/extract/httpx"
	"github.com/socialroi/socialroi/transform"
)

// TestAdsListing: creative id, name and destination URL come from one
// paged ads listing per account and equal the ground truth.
func TestAdsListing(t *testing.T) {
	h := newHarness(t, emulator.MetaConfig{AdsPageSize: 1, PageSize: 5}, nil)
	got, err := h.run(t)
	if err != nil {
		t.Fatalf("Extract: %v", err)
	}
	sortRows(got)
	wantRows := want([]string{"111", "222"}, transform.Date(2026, 11, 16), transform.Date(2026, 11, 19))
	if diff := cmp.Diff(wantRows, got, decimalEqual); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
	for _, r := range got {
		if r.CreativeID == "" || r.DestinationURL == "" {
			t.Fatalf("row without creative: %+v", r)
		}
	}
	var ads []string
	for _, r := range h.emu.Requests() {
		if isAdsPath(r.Path) {
			ads = append(ads, r.Path)
		}
	}
	// 111 has two ads (two pages of one), 222 one; never one per insights page.
	if diff := cmp.Diff([]string{"/v21.0/act_111/ads", "/v21.0/act_111/ads", "/v21.0/act_222/ads"}, ads); diff != "" {
		t.Errorf("ads calls (-want +got):\n%s", diff)
	}
}

// TestEmulatorSplitsDestination checks that the emulator really makes the
// connector recombine: links without the UTMs, url_tags with {{campaign.id}}.
func TestEmulatorSplitsDestination(t *testing.T) {
	h := newHarness(t, emulator.MetaConfig{}, nil)
	q := url.Values{"access_token": {token}, "fields": {adsFields}}
	resp, err := http.Get(h.emu.URL + "/v21.0/act_111/ads?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	var page adsPage
	if err := json.Unmarshal(body, &page); err != nil {
		t.Fatal(err)
	}
	if len(page.Data) != 2 {
		t.Fatalf("ads = %s", body)
	}
	ad0, ad1 := page.Data[0], page.Data[1]
	if ad0.link() != "https://shop.example.com/p/hoodie" || ad0.Creative.URLTags != "utm_source=facebook&utm_medium=paid_social&utm_campaign={{campaign.id}}&utm_content={{ad.id}}" {
		t.Errorf("ad0 link %q tags %q", ad0.link(), ad0.Creative.URLTags)
	}
	if ad1.Creative.ObjectStorySpec.VideoData == nil || ad1.link() != "https://shop.example.com/p/cap?ref=meta#reviews" ||
		ad1.Creative.URLTags != "utm_source=facebook&utm_medium=paid_social&utm_campaign=c1" {
		t.Errorf("ad1 link %q tags %q: %s", ad1.link(), ad1.Creative.URLTags, body)
	}
	if ad0.Name != "video_hook0_shop_cr0" || ad0.CampaignID != "c0" || ad0.AdsetID != "s0" || ad0.Creative.Name != "hoodie_ugc_v1" {
		t.Errorf("ad0 = %+v", ad0)
	}
}

func TestAdsListingFailures(t *testing.T) {
	tests := []struct {
		name         string
		emu          emulator.MetaConfig
		faults       []emulator.Fault
		wantIs       error
		wantMsg      []string
		wantRequests int
	}{
		{
			name:         "malformed ads body",
			faults:       []emulator.Fault{{PathPrefix: "/v21.0/act_111/ads", Status: 200, Body: `{"data":[{"id":"ad0","creative":"cr0"}]}`}},
			wantIs:       httpx.ErrInvalidJSON,
			wantMsg:      []string{"meta_ads: act_111 ads page 1", "GET /v21.0/act_111/ads"},
			wantRequests: 1,
		},
		{
			name:         "html instead of the second ads page",
			emu:          emulator.MetaConfig{AdsPageSize: 1},
			faults:       []emulator.Fault{{PathPrefix: "/v21.0/act_111/ads", Skip: 1, Status: 200, Body: "<html>oops</html>"}},
			wantIs:       httpx.ErrInvalidJSON,
			wantMsg:      []string{"act_111 ads page 2", "<html>oops</html>"},
			wantRequests: 2,
		},
		{
			name:         "ads listing fails the source like insights",
			faults:       emulator.Repeat(6, emulator.Fault{PathPrefix: "/v21.0/act_222/ads", Status: 503, Body: "busy"}),
			wantIs:       httpx.ErrRetriesExhausted,
			wantMsg:      []string{"act_222 ads page 1", "HTTP 503: busy (after 6 attempts)"},
			wantRequests: 3 + 6, // 111: ads, account, insights
		},
		{
			name:         "ad without id",
			faults:       []emulator.Fault{{PathPrefix: "/v21.0/act_111/ads", Status: 200, Body: `{"data":[{"name":"x"}]}`}},
			wantMsg:      []string{"act_111 ads page 1", "ad 1 has no id"},
			wantRequests: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, tt.emu, nil)
			h.emu.Inject(tt.faults...)
			_, err := h.run(t)
			if err == nil || (tt.wantIs != nil && !errors.Is(err, tt.wantIs)) {
				t.Fatalf("err = %v, want errors.Is %v", err, tt.wantIs)
			}
			for _, m := range tt.wantMsg {
				if !strings.Contains(err.Error(), m) {
					t.Errorf("error %q\ndoes not contain %q", err, m)
				}
			}
			if n := len(h.emu.Requests()); n != tt.wantRequests {
				t.Errorf("requests = %d, want %d", n, tt.wantRequests)
			}
			if n := h.emu.PendingFaults(); n != 0 {
				t.Errorf("%d injected faults never served", n)
			}
		})
	}
}

func TestDestinationURL(t *testing.T) {
	row := insightRow{CampaignID: "c1", CampaignName: "Black Friday & co", AdsetID: "s1", AdsetName: "lookalike 1%",
		AdID: "a1", AdName: "hook/1", PublisherPlatform: "instagram"}
	tests := []struct {
		name, link, tags, want string
		unknown                bool
	}{
		{"no tags", "https://x.com/p", "", "https://x.com/p", false},
		{"no link", "", "utm_source=fb", "", false},
		{"ids", "https://x.com/p", "utm_campaign={{campaign.id}}&utm_term={{adset.id}}&utm_content={{ad.id}}",
			"https://x.com/p?utm_campaign=c1&utm_term=s1&utm_content=a1", false},
		{"names are escaped", "https://x.com/p", "c={{campaign.name}}&s={{adset.name}}&a={{ad.name}}",
			"https://x.com/p?c=Black+Friday+%26+co&s=lookalike+1%25&a=hook%2F1", false},
		{"site source by placement", "https://x.com/p", "utm_source={{site_source_name}}", "https://x.com/p?utm_source=ig", false},
		{"existing query kept", "https://x.com/p?ref=1", "utm_source=facebook", "https://x.com/p?ref=1&utm_source=facebook", false},
		{"fragment stays last", "https://x.com/p?ref=1#top", "utm_medium=paid", "https://x.com/p?ref=1&utm_medium=paid#top", false},
		{"trailing question mark", "https://x.com/p?", "a=b", "https://x.com/p?a=b", false},
		{"leading ? in tags", "https://x.com/p", "?a=b", "https://x.com/p?a=b", false},
		{"spaces inside braces", "https://x.com/p", "c={{ campaign.id }}", "https://x.com/p?c=c1", false},
		{"unknown parameter kept", "https://x.com/p", "p={{placement}}&c={{campaign.id}}", "https://x.com/p?p={{placement}}&c=c1", true},
		{"unclosed braces kept", "https://x.com/p", "c={{campaign.id", "https://x.com/p?c={{campaign.id", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, unknown := destinationURL(adCreative{link: tt.link, urlTags: tt.tags}, row)
			if got != tt.want || unknown != tt.unknown {
				t.Errorf("got %q (unknown %v), want %q (%v)", got, unknown, tt.want, tt.unknown)
			}
		})
	}
	for platform, want := range map[string]string{"facebook": "fb", "instagram": "ig", "messenger": "msg", "audience_network": "an"} {
		r := row
		r.PublisherPlatform = platform
		if got, _ := destinationURL(adCreative{link: "https://x", urlTags: "s={{site_source_name}}"}, r); got != "https://x?s="+want {
			t.Errorf("%s: %s", platform, got)
		}
	}
}

func TestAdRecordLink(t *testing.T) {
	for name, tc := range map[string]struct{ body, want string }{
		"link_data":     {`{"id":"1","creative":{"id":"c","object_story_spec":{"link_data":{"link":"https://a"}}}}`, "https://a"},
		"video cta":     {`{"id":"1","creative":{"id":"c","object_story_spec":{"video_data":{"call_to_action":{"type":"SHOP_NOW","value":{"link":"https://v"}}}}}}`, "https://v"},
		"template_data": {`{"id":"1","creative":{"id":"c","object_story_spec":{"template_data":{"link":"https://t"}}}}`, "https://t"},
		"video no cta":  {`{"id":"1","creative":{"id":"c","object_story_spec":{"video_data":{"video_id":"9"}}}}`, ""},
		"no creative":   {`{"id":"1"}`, ""},
	} {
		var a adRecord
		if err := json.Unmarshal([]byte(tc.body), &a); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got := a.link(); got != tc.want {
			t.Errorf("%s: link = %q, want %q", name, got, tc.want)
		}
	}
}

// FuzzDestinationURL: go test -fuzz=FuzzDestinationURL ./extract/meta
func FuzzDestinationURL(f *testing.F) {
	f.Add("https://shop.example.com/p/hoodie", "utm_source={{site_source_name}}&utm_campaign={{campaign.id}}", "instagram")
	f.Add("https://shop.example.com/p/cap?ref=meta#reviews", "utm_medium=paid_social&c={{campaign.name}}", "facebook")
	f.Add("https://x?", "{{", "")
	f.Add("", "a={{ad.id}}}}", "messenger")
	f.Fuzz(func(t *testing.T, link, tags, platform string) {
		r := insightRow{CampaignID: "1", CampaignName: "a b", AdID: "3", PublisherPlatform: platform}
		got, _ := destinationURL(adCreative{link: link, urlTags: tags}, r)
		if link == "" && got != "" {
			t.Fatalf("no link, got %q", got)
		}
		base, _, _ := strings.Cut(link, "#")
		if !strings.HasPrefix(got, base) {
			t.Fatalf("%q does not start with the link %q", got, base)
		}
	})
}

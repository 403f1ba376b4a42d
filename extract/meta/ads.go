package meta

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/socialroi/socialroi/extract/httpx"
)

// adsFields are the fields requested from GET /act_{id}/ads.
const adsFields = "id,name,adset_id,campaign_id,creative{id,name,url_tags,object_story_spec}"

// adsListLimit is the page size of the ads listing (Meta's documented
// maximum for edges is higher, but creatives with their story spec are
// heavy).
const adsListLimit = 200

// adCreative is what an insights row of an ad borrows from the ads listing.
type adCreative struct {
	creativeID, creativeName string
	link, urlTags            string // destination = link + expanded url_tags
}

// adRecord is one element of the ads listing.
type adRecord struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	AdsetID    string `json:"adset_id"`
	CampaignID string `json:"campaign_id"`
	Creative   *struct {
		ID              string `json:"id"`
		Name            string `json:"name"`
		URLTags         string `json:"url_tags"`
		ObjectStorySpec struct {
			LinkData *struct {
				Link string `json:"link"`
			} `json:"link_data"`
			VideoData *struct {
				CallToAction *struct {
					Value *struct {
						Link string `json:"link"`
					} `json:"value"`
				} `json:"call_to_action"`
			} `json:"video_data"`
			TemplateData *struct {
				Link string `json:"link"`
			} `json:"template_data"`
		} `json:"object_story_spec"`
	} `json:"creative"`
}

// link is the creative's destination before url_tags: link_data.link, else
// video_data.call_to_action.value.link, else template_data.link.
func (a adRecord) link() string {
	if a.Creative == nil {
		return ""
	}
	s := a.Creative.ObjectStorySpec
	switch {
	case s.LinkData != nil && s.LinkData.Link != "":
		return s.LinkData.Link
	case s.VideoData != nil && s.VideoData.CallToAction != nil && s.VideoData.CallToAction.Value != nil &&
		s.VideoData.CallToAction.Value.Link != "":
		return s.VideoData.CallToAction.Value.Link
	case s.TemplateData != nil:
		return s.TemplateData.Link
	}
	return ""
}

// adsPage is the envelope of one ads listing response.
type adsPage struct {
	Data   []adRecord `json:"data"`
	Paging struct {
		Next string `json:"next"`
	} `json:"paging"`
}

// listAds reads the account's ads listing once, keyed by ad id. fail wraps
// an error with the page number.
func (s *Source) listAds(ctx context.Context, client *httpx.Client, acct string,
	fail func(what string, page int, err error) error) (map[string]adCreative, error) {
	path := fmt.Sprintf("/%s/act_%s/ads", s.settings.APIVersion, acct)
	token := s.settings.AccessToken.Reveal()
	query := url.Values{
		"fields":       {adsFields},
		"limit":        {strconv.Itoa(min(s.settings.PageLimit, adsListLimit))},
		"access_token": {token},
	}
	out := map[string]adCreative{}
	seen := map[string]bool{}
	for page := 1; ; page++ {
		if page > 1 {
			query = url.Values{"access_token": {token}}
		}
		var resp adsPage
		if err := client.GetJSON(ctx, path, query, &resp); err != nil {
			return nil, fail("ads", page, err)
		}
		for i, ad := range resp.Data {
			if ad.ID == "" {
				return nil, fail("ads", page, fmt.Errorf("ad %d has no id", i+1))
			}
			c := adCreative{link: ad.link()}
			if ad.Creative != nil {
				c.creativeID, c.creativeName, c.urlTags = ad.Creative.ID, ad.Creative.Name, strings.TrimSpace(ad.Creative.URLTags)
			}
			out[ad.ID] = c
		}
		if resp.Paging.Next == "" {
			return out, nil
		}
		p, err := nextPath(resp.Paging.Next)
		if err != nil {
			return nil, fail("ads", page, err)
		}
		if seen[p] {
			return nil, fail("ads", page, fmt.Errorf("paging did not advance (next repeats an earlier page)"))
		}
		seen[p] = true
		path = p
	}
}

// siteSourceNames is what Meta substitutes for {{site_source_name}} per
// publisher platform.
var siteSourceNames = map[string]string{
	"facebook": "fb", "instagram": "ig", "messenger": "msg", "audience_network": "an",
}

// destinationURL is the creative's link with its url_tags appended as query
// parameters (after any query the link already has, before a fragment), and
// Meta's dynamic parameters in the tags expanded from the insights row.
// Unknown parameters are left as written; unknown reports whether any were.
func destinationURL(c adCreative, r insightRow) (u string, unknown bool) {
	if c.link == "" {
		return "", false
	}
	if c.urlTags == "" {
		return c.link, false
	}
	tags := strings.TrimLeft(c.urlTags, "?&")
	var b strings.Builder
	for i := 0; i < len(tags); {
		j := strings.Index(tags[i:], "{{")
		if j < 0 {
			b.WriteString(tags[i:])
			break
		}
		b.WriteString(tags[i : i+j])
		k := strings.Index(tags[i+j:], "}}")
		if k < 0 {
			b.WriteString(tags[i+j:])
			unknown = true
			break
		}
		name := strings.TrimSpace(tags[i+j+2 : i+j+k])
		if v, ok := macro(name, r); ok {
			b.WriteString(url.QueryEscape(v))
		} else {
			b.WriteString(tags[i+j : i+j+k+2])
			unknown = true
		}
		i += j + k + 2
	}
	link, frag := c.link, ""
	if i := strings.IndexByte(link, '#'); i >= 0 {
		link, frag = link[:i], link[i:]
	}
	sep := "?"
	switch {
	case strings.HasSuffix(link, "?") || strings.HasSuffix(link, "&"):
		sep = ""
	case strings.Contains(link, "?"):
		sep = "&"
	}
	return link + sep + b.String() + frag, unknown
}

// macro is the value of one of Meta's dynamic URL parameters for a row.
func macro(name string, r insightRow) (string, bool) {
	switch name {
	case "campaign.id":
		return r.CampaignID, true
	case "adset.id":
		return r.AdsetID, true
	case "ad.id":
		return r.AdID, true
	case "campaign.name":
		return r.CampaignName, true
	case "adset.name":
		return r.AdsetName, true
	case "ad.name":
		return r.AdName, true
	case "site_source_name":
		v, ok := siteSourceNames[strings.ToLower(strings.TrimSpace(r.PublisherPlatform))]
		return v, ok
	}
	return "", false
}

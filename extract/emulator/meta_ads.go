package emulator

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/socialroi/socialroi/transform"
)

// metaAd is one ad as GET /act_{id}/ads reports it, derived from the first
// ground-truth row of the ad (rows sorted by date, ad, platform).
type metaAd struct {
	row   transform.AdPerformanceRow
	index int // position in the account's ad listing, 0-based
}

// metaAds lists an account's ads, ordered by ad id.
func (m *Meta) metaAds(acct string) []metaAd {
	seen := map[string]bool{}
	var out []metaAd
	for _, r := range m.rows[acct] {
		if seen[r.AdID] {
			continue
		}
		seen[r.AdID] = true
		out = append(out, metaAd{row: r})
	}
	slices.SortFunc(out, func(a, b metaAd) int { return strings.Compare(a.row.AdID, b.row.AdID) })
	for i := range out {
		out[i].index = i
	}
	return out
}

// serveAds answers GET /{version}/act_{id}/ads?fields=id,name,adset_id,
// campaign_id,creative{id,name,url_tags,object_story_spec} with the same
// cursor paging as insights (MetaConfig.AdsPageSize, else PageSize, caps the
// page; EmptyPages applies too).
//
// The destination URL of the ground truth is split as an advertiser would
// have set it up, so that a connector has to put it back together: for the
// ad at position i of the listing, the creative's object_story_spec is
// link_data (i%3 == 0), video_data with a call_to_action link (1) or
// template_data (2); the link carries no query (i%3 == 0), its first query
// parameter (1) or its whole query (2), the rest going to url_tags; and for
// even i, query values equal to the campaign, ad set or ad id are written as
// Meta's dynamic parameters {{campaign.id}}, {{adset.id}}, {{ad.id}}.
//
// An ad has one creative, so a ground truth whose rows of one ad carry
// different destination URLs (the demo generator varies utm_source by
// placement) is served with the URL of the ad's first row.
func (m *Meta) serveAds(w http.ResponseWriter, r *http.Request, q url.Values, acctID string) {
	if _, ok := m.accounts[acctID]; !ok {
		metaError(w, http.StatusBadRequest, 100, 33, fmt.Sprintf("Unsupported get request. Object with ID 'act_%s' does not exist, cannot be loaded due to missing permissions, or does not support this operation.", acctID))
		return
	}
	if r.Method != http.MethodGet {
		metaError(w, http.StatusBadRequest, 100, 0, "Unsupported request method for ads")
		return
	}
	m.writeUsage(w)
	fields := topLevelFields(q.Get("fields"))
	limit := 25
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n <= 0 {
			metaError(w, http.StatusBadRequest, 100, 0, "(#100) Param limit must be a positive integer")
			return
		}
		limit = n
	}
	size := m.cfg.AdsPageSize
	if size == 0 {
		size = m.cfg.PageSize
	}
	if size > 0 && size < limit {
		limit = size
	}
	offset, page := 0, 1
	if a := q.Get("after"); a != "" {
		var ok bool
		if offset, page, ok = decodeCursor(a); !ok {
			metaError(w, http.StatusBadRequest, 100, 0, "(#100) Invalid cursor")
			return
		}
	}
	all := m.metaAds(acctID)
	end := offset
	if !slices.Contains(m.cfg.EmptyPages, page) {
		end = min(offset+limit, len(all))
	}
	lo := min(offset, len(all))
	hi := min(max(end, lo), len(all))
	data := make([]map[string]any, 0, hi-lo)
	for _, ad := range all[lo:hi] {
		data = append(data, ad.render(fields))
	}
	body := map[string]any{"data": data}
	if len(all) > 0 {
		paging := map[string]any{"cursors": map[string]string{
			"before": encodeCursor(offset, page), "after": encodeCursor(end, page+1)}}
		if end < len(all) {
			paging["next"] = m.pageURL(r, q, "after", encodeCursor(end, page+1))
		}
		body["paging"] = paging
	}
	writeJSON(w, http.StatusOK, body)
}

// topLevelFields splits "id,name,creative{id,name}" into its top-level
// names: id, name, creative.
func topLevelFields(s string) map[string]bool {
	out := map[string]bool{}
	depth, start := 0, 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || (s[i] == ',' && depth == 0) {
			name := s[start:i]
			if j := strings.IndexByte(name, '{'); j >= 0 {
				name = name[:j]
			}
			if name = strings.TrimSpace(name); name != "" {
				out[name] = true
			}
			start = i + 1
			continue
		}
		switch s[i] {
		case '{':
			depth++
		case '}':
			depth--
		}
	}
	if len(out) == 0 {
		out["id"] = true // Graph's default
	}
	return out
}

func (a metaAd) render(fields map[string]bool) map[string]any {
	r := a.row
	out := map[string]any{"id": r.AdID}
	if fields["name"] {
		setNonEmpty(out, "name", r.AdName)
	}
	if fields["adset_id"] {
		setNonEmpty(out, "adset_id", r.AdsetID)
	}
	if fields["campaign_id"] {
		setNonEmpty(out, "campaign_id", r.CampaignID)
	}
	if fields["creative"] && r.CreativeID != "" {
		out["creative"] = a.creative()
	}
	return out
}

// creative renders the ad's creative, splitting the destination URL into
// object_story_spec's link and url_tags (see serveAds).
func (a metaAd) creative() map[string]any {
	r := a.row
	c := map[string]any{"id": r.CreativeID}
	setNonEmpty(c, "name", r.CreativeName)
	if r.DestinationURL == "" {
		return c
	}
	link, tags := splitDestination(r.DestinationURL, a.index%3)
	if a.index%2 == 0 && tags != "" {
		tags = templateTags(tags, map[string]string{
			r.CampaignID: "{{campaign.id}}", r.AdsetID: "{{adset.id}}", r.AdID: "{{ad.id}}"})
	}
	if tags != "" {
		c["url_tags"] = tags
	}
	spec := map[string]any{"page_id": "100000000000001"}
	switch a.index % 3 {
	case 0:
		spec["link_data"] = map[string]any{"link": link, "message": r.CreativeName,
			"call_to_action": map[string]any{"type": "SHOP_NOW"}}
	case 1:
		spec["video_data"] = map[string]any{"video_id": "9" + r.CreativeID, "message": r.CreativeName,
			"call_to_action": map[string]any{"type": "SHOP_NOW", "value": map[string]any{"link": link}}}
	default:
		spec["template_data"] = map[string]any{"link": link, "name": r.CreativeName}
	}
	c["object_story_spec"] = spec
	return c
}

// splitDestination splits u into the link an advertiser would have typed
// and the url_tags: mode 0 moves the whole query to the tags, mode 1 keeps
// the first parameter on the link, mode 2 keeps the whole query on the link.
// A fragment stays on the link.
func splitDestination(u string, mode int) (link, tags string) {
	frag := ""
	if i := strings.IndexByte(u, '#'); i >= 0 {
		u, frag = u[:i], u[i:]
	}
	base, query, _ := strings.Cut(u, "?")
	if query == "" || mode == 2 {
		return u + frag, ""
	}
	if mode == 1 {
		first, rest, _ := strings.Cut(query, "&")
		return base + "?" + first + frag, rest
	}
	return base + frag, query
}

// templateTags replaces whole parameter values found in subst by Meta's
// dynamic parameters.
func templateTags(tags string, subst map[string]string) string {
	parts := strings.Split(tags, "&")
	for i, p := range parts {
		k, v, ok := strings.Cut(p, "=")
		if !ok || v == "" {
			continue
		}
		if d, ok := subst[v]; ok {
			parts[i] = k + "=" + d
		}
	}
	return strings.Join(parts, "&")
}

package shopify

import (
	"net/url"
	"sort"
	"strings"
)

// Landing is what an order's landing_site says about the visit.
type Landing struct {
	// Path is the landing page without query or fragment ("/products/x").
	Path                                                   string
	UTMSource, UTMMedium, UTMCampaign, UTMContent, UTMTerm string
	ClickID, ClickIDType                                   string
}

// clickIDParams are the click ids read from a landing URL, in order of
// precedence when several are present.
var clickIDParams = []string{"fbclid", "gclid", "ttclid", "li_fat_id"}

// ParseLandingSite reads utm_* parameters and a click id from a landing_site
// value, which Shopify gives as a path with query ("/products/x?utm_source=…")
// or, for some channels, as an absolute URL. It never fails: a query that
// does not parse yields what could be read (url.ParseQuery keeps the good
// pairs), and a value that is not a URL at all yields its part before '?'
// as the path. Parameter names match case-insensitively (UTM_Source happens);
// values are kept as sent, decoded, trimmed.
func ParseLandingSite(s string) Landing {
	s = strings.TrimSpace(s)
	if s == "" {
		return Landing{}
	}
	if i := strings.IndexByte(s, '#'); i >= 0 {
		s = s[:i] // the fragment never reaches the server, nor a query inside it
	}
	raw, query := s, ""
	if i := strings.IndexByte(s, '?'); i >= 0 {
		raw, query = s[:i], s[i+1:]
	}
	var l Landing
	l.Path = raw
	if u, err := url.Parse(raw); err == nil {
		if u.Path != "" || u.Host != "" {
			l.Path = u.Path
		}
		if l.Path == "" && u.Host != "" {
			l.Path = "/"
		}
	}
	vals, _ := url.ParseQuery(query) // partial results on error, by design
	keys := make([]string, 0, len(vals))
	for k := range vals {
		keys = append(keys, k)
	}
	sort.Strings(keys) // deterministic when "utm_source" and "UTM_Source" both appear
	get := func(name string) string {
		first := func(vs []string) string {
			for _, v := range vs {
				if v = strings.TrimSpace(v); v != "" {
					return v
				}
			}
			return ""
		}
		if v := first(vals[name]); v != "" {
			return v
		}
		for _, k := range keys {
			if strings.EqualFold(k, name) {
				if v := first(vals[k]); v != "" {
					return v
				}
			}
		}
		return ""
	}
	l.UTMSource = get("utm_source")
	l.UTMMedium = get("utm_medium")
	l.UTMCampaign = get("utm_campaign")
	l.UTMContent = get("utm_content")
	l.UTMTerm = get("utm_term")
	for _, p := range clickIDParams {
		if v := get(p); v != "" {
			l.ClickID, l.ClickIDType = v, p
			break
		}
	}
	return l
}

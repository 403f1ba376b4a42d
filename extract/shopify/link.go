package shopify

import "strings"

// parseLink reads an RFC 8288 Link header value such as
//
//	<https://shop/admin/api/2025-07/orders.json?limit=250&page_info=abc>; rel="next", <…>; rel="previous"
//
// and returns the target URL of each relation type (a rel may list several,
// space-separated). Malformed parts are skipped: a missing next link ends
// paging, which the caller treats as the last page.
func parseLink(h string) map[string]string {
	out := map[string]string{}
	for {
		start := strings.IndexByte(h, '<')
		if start < 0 {
			return out
		}
		end := strings.IndexByte(h[start:], '>')
		if end < 0 {
			return out
		}
		target := strings.TrimSpace(h[start+1 : start+end])
		rest := h[start+end+1:]
		// Parameters run to the next link: a ',' outside quotes before a '<'.
		params, next := splitParams(rest)
		h = next
		for _, p := range strings.Split(params, ";") {
			k, v, ok := strings.Cut(p, "=")
			if !ok || !strings.EqualFold(strings.TrimSpace(k), "rel") {
				continue
			}
			v = strings.Trim(strings.TrimSpace(v), `"`)
			for _, rel := range strings.Fields(v) {
				rel = strings.ToLower(rel)
				if _, dup := out[rel]; !dup && target != "" {
					out[rel] = target
				}
			}
		}
	}
}

// splitParams returns the parameters of one link and the rest of the header.
func splitParams(s string) (params, rest string) {
	quoted := false
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '"':
			quoted = !quoted
		case ',':
			if !quoted {
				return s[:i], s[i+1:]
			}
		case '<':
			if !quoted {
				return s[:i], s[i:]
			}
		}
	}
	return s, ""
}

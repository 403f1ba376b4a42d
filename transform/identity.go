package transform

import (
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"strings"
)

// EmailKey is the identities key of an email address: "email:" and the
// SHA-256 of the address trimmed and lower-cased, as lower-case hex. Every
// connector keys emails this way, so identity stitching can join a CRM
// contact to a shop customer. Empty for an empty address.
func EmailKey(email string) string {
	e := strings.ToLower(strings.TrimSpace(email))
	if e == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(e))
	return "email:" + hex.EncodeToString(sum[:])
}

// ClickIDParams are the query parameters that carry ad click ids, in the
// order they are looked for.
var ClickIDParams = []string{"fbclid", "gclid", "ttclid", "li_fat_id", "msclkid"}

// FillFromLandingPage fills the touchpoint's empty UTM fields and its click
// id from its landing page's query, as CRMs record first and last touches.
// An unparseable URL is kept as it is and adds nothing.
func FillFromLandingPage(t *TouchpointRow) {
	if t.LandingPage == "" {
		return
	}
	u, err := url.Parse(t.LandingPage)
	if err != nil {
		return
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil && len(q) == 0 {
		return
	}
	for _, f := range []struct {
		dst *string
		key string
	}{{&t.UTMSource, "utm_source"}, {&t.UTMMedium, "utm_medium"}, {&t.UTMCampaign, "utm_campaign"},
		{&t.UTMContent, "utm_content"}, {&t.UTMTerm, "utm_term"}} {
		if *f.dst == "" {
			*f.dst = strings.TrimSpace(q.Get(f.key))
		}
	}
	if t.ClickID == "" {
		for _, k := range ClickIDParams {
			if v := strings.TrimSpace(q.Get(k)); v != "" {
				t.ClickID, t.ClickIDType = v, k
				break
			}
		}
	}
}

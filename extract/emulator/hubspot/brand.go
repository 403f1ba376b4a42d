package hubspot

import (
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
	"time"

	"github.com/socialroi/socialroi/extract/emulator/gen"
	"github.com/socialroi/socialroi/transform"
)

// ShopURL is the site the brand's landing paths are on.
const ShopURL = "https://shop.example.com"

// ContactID is the HubSpot contact id FromBrand gives a brand person
// ("p_000123" → "700123").
func ContactID(personID string) string {
	n, err := strconv.Atoi(strings.TrimPrefix(personID, "p_"))
	if err != nil {
		return "7" + strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' {
				return r
			}
			return -1
		}, personID)
	}
	return strconv.Itoa(700000 + n)
}

// FromBrand turns the brand's conversions with crm_source "hubspot" (its B2B
// leads) into HubSpot deals and contacts:
//
//   - every such conversion is a deal (id 9000001, 9000002, … in conversion
//     order) created at the conversion's time, associated with the person's
//     contact; a hash of the conversion id decides, deterministically, that
//     half are won (dealstage closedwon, closedate 1–30 days later at a
//     whole hour, an amount of 1,000–20,000 USD with cents), a quarter lost
//     (closedlost) and a quarter still open (contractsent, closedate in the
//     future); hs_lastmodifieddate is the close date for closed deals and
//     two days after creation for open ones;
//   - every person with such a conversion is a contact (ContactID) created at
//     their first lead, modified an hour later, with email
//     p000123@example.com, hubspotutk set to their first anonymous id, and
//     first- and last-touch properties (utm_source … utm_term custom
//     properties, hs_analytics_source, hs_analytics_first_url,
//     hs_analytics_first_referrer, hs_analytics_first_timestamp and the
//     hs_analytics_last_* equivalents) taken from their earliest and latest
//     touchpoint before the contact was created (person id or a stitched
//     anonymous id).
func FromBrand(b *gen.Brand) Data {
	anonOwner := map[string]string{}
	anons := map[string][]string{}
	for _, id := range b.Identities {
		anonOwner[id.AnonymousID] = id.PersonID
		anons[id.PersonID] = append(anons[id.PersonID], id.AnonymousID)
	}
	type personCRM struct {
		id      string
		created time.Time
		deals   []string
		won     bool
	}
	var order []*personCRM
	persons := map[string]*personCRM{}
	var data Data
	for _, c := range b.Conversions {
		if c.CRMSource != "hubspot" || c.PersonID == "" {
			continue
		}
		p := persons[c.PersonID]
		if p == nil {
			p = &personCRM{id: c.PersonID, created: c.TS}
			persons[c.PersonID] = p
			order = append(order, p)
		}
		dealID := strconv.Itoa(9000001 + len(data.Deals))
		p.deals = append(p.deals, dealID)
		h := hash(c.ConversionID)
		props := map[string]string{
			"dealname":           fmt.Sprintf("Demo Brand wholesale %s", c.ConversionID),
			"pipeline":           "default",
			"deal_currency_code": "USD",
		}
		created := c.TS.UTC().Truncate(time.Millisecond)
		updated := created.Add(48 * time.Hour)
		switch h % 4 {
		case 0, 1:
			closeAt := created.Add(time.Duration(1+h/4%30) * 24 * time.Hour).Truncate(time.Hour)
			cents := int64(100000 + h/128%1900000)
			props["dealstage"] = "closedwon"
			props["closedate"] = formatTime(closeAt)
			props["amount"] = strconv.FormatInt(cents/100, 10) + "." + fmt.Sprintf("%02d", cents%100)
			updated = closeAt
			p.won = true
		case 2:
			closeAt := created.Add(time.Duration(1+h/4%30) * 24 * time.Hour).Truncate(time.Hour)
			props["dealstage"] = "closedlost"
			props["closedate"] = formatTime(closeAt)
			props["amount"] = strconv.FormatInt(int64(1000+h/128%19000), 10)
			updated = closeAt
		default:
			props["dealstage"] = "contractsent"
			props["closedate"] = formatTime(created.AddDate(0, 2, 0).Truncate(24 * time.Hour))
			props["amount"] = strconv.FormatInt(int64(1000+h/128%19000), 10)
		}
		data.Deals = append(data.Deals, Deal{ID: dealID, Properties: props, CreatedAt: created, UpdatedAt: updated,
			ContactIDs: []string{ContactID(c.PersonID)}})
	}
	// Touchpoints by person, in time order (gen sorts them by ts).
	touches := map[string][]transform.TouchpointRow{}
	for _, tp := range b.Touchpoints {
		pid := tp.PersonID
		if pid == "" {
			pid = anonOwner[tp.AnonymousID]
		}
		if persons[pid] != nil {
			touches[pid] = append(touches[pid], tp)
		}
	}
	for _, p := range order {
		created := p.created.UTC().Truncate(time.Millisecond)
		num := strings.TrimPrefix(p.id, "p_")
		props := map[string]string{
			"email":          "p" + num + "@example.com",
			"firstname":      "Person",
			"lastname":       num,
			"lifecyclestage": "opportunity",
		}
		if p.won {
			props["lifecyclestage"] = "customer"
		}
		if a := anons[p.id]; len(a) > 0 {
			props["hubspotutk"] = a[0]
		}
		var first, last *transform.TouchpointRow
		for i := range touches[p.id] {
			tp := &touches[p.id][i]
			if !tp.TS.Before(created) {
				break
			}
			if first == nil {
				first = tp
			}
			last = tp
		}
		if first != nil {
			setNonEmpty(props, "utm_source", first.UTMSource)
			setNonEmpty(props, "utm_medium", first.UTMMedium)
			setNonEmpty(props, "utm_campaign", first.UTMCampaign)
			setNonEmpty(props, "utm_content", first.UTMContent)
			setNonEmpty(props, "utm_term", first.UTMTerm)
			props["hs_analytics_source"] = analyticsSource(first.UTMMedium, first.Referrer)
			setNonEmpty(props, "hs_analytics_source_data_1", first.UTMSource)
			if first.LandingPage != "" {
				props["hs_analytics_first_url"] = ShopURL + first.LandingPage
			}
			setNonEmpty(props, "hs_analytics_first_referrer", first.Referrer)
			props["hs_analytics_first_timestamp"] = formatTime(first.TS)
		}
		if last != nil && last != first {
			if last.LandingPage != "" {
				props["hs_analytics_last_url"] = ShopURL + last.LandingPage
			}
			setNonEmpty(props, "hs_analytics_last_referrer", last.Referrer)
			props["hs_analytics_last_timestamp"] = formatTime(last.TS)
		}
		data.Contacts = append(data.Contacts, Contact{ID: ContactID(p.id), Properties: props,
			CreatedAt: created, UpdatedAt: created.Add(time.Hour)})
	}
	return data
}

// analyticsSource is HubSpot's original-source bucket for a touch.
func analyticsSource(medium, referrer string) string {
	switch {
	case medium == "paid_social" || medium == "retargeting":
		return "PAID_SOCIAL"
	case medium == "cpc":
		return "PAID_SEARCH"
	case medium == "email":
		return "EMAIL_MARKETING"
	case medium == "social" || strings.Contains(referrer, "facebook") || strings.Contains(referrer, "instagram") ||
		strings.Contains(referrer, "tiktok") || strings.Contains(referrer, "linkedin"):
		return "SOCIAL_MEDIA"
	case strings.Contains(referrer, "google"):
		return "ORGANIC_SEARCH"
	case referrer != "":
		return "REFERRALS"
	}
	return "DIRECT_TRAFFIC"
}

func setNonEmpty(m map[string]string, k, v string) {
	if v != "" {
		m[k] = v
	}
}

func hash(s string) uint64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte(s)) // never fails
	return h.Sum64()
}

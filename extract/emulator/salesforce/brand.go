package salesforce

import (
	"fmt"
	"hash/fnv"
	"math"
	"strings"
	"time"

	"github.com/socialroi/socialroi/extract/emulator/gen"
	"github.com/socialroi/socialroi/transform"
)

// ShopURL is the site the brand's landing paths are on.
const ShopURL = "https://shop.example.com"

// BrandCustomFields are the custom fields FromBrand puts on every lead and
// contact (null when the person has no such data), as an org that captures
// first-touch UTMs from its web-to-lead form would name them. Point the
// connector's fields setting at them (landing_page: Landing_Page__c,
// referrer: Referrer__c, anonymous_id: Web_Visitor_Id__c; the utm_* defaults
// match).
var BrandCustomFields = []string{"utm_source__c", "utm_medium__c", "utm_campaign__c", "utm_content__c",
	"utm_term__c", "Landing_Page__c", "Referrer__c", "Web_Visitor_Id__c"}

func sfID(prefix string, n int) string { return fmt.Sprintf("%s%012dAAA", prefix, n) }

// FromBrand turns the brand's CRM leads (conversions of type "lead"; the
// demo brand records them with crm_source "hubspot", and a brand on
// Salesforce would hold the same leads there) into an org:
//
//   - one Lead per person (00Q…), created at their first lead conversion,
//     with first-touch custom fields (BrandCustomFields) from their earliest
//     touchpoint before it (person id or a stitched anonymous id), Email
//     p000123@example.com and Web_Visitor_Id__c their first anonymous id;
//   - an Opportunity (006…) for three in four lead conversions (a hash of
//     the conversion id decides): two thirds of those Closed Won (CloseDate
//     1–30 days later, Amount 1,000–20,000 with cents), the rest split
//     between Closed Lost and an open Negotiation/Review stage;
//   - persons with an opportunity are converted: their Lead has IsConverted
//     and ConvertedContactId, and a Contact (003…) created an hour after the
//     lead carries the same fields; the opportunity's ContactId is it.
//
// SystemModstamp is the record's last change (close for closed
// opportunities, conversion for converted leads).
func FromBrand(b *gen.Brand) Data {
	anonOwner := map[string]string{}
	anons := map[string][]string{}
	for _, id := range b.Identities {
		anonOwner[id.AnonymousID] = id.PersonID
		anons[id.PersonID] = append(anons[id.PersonID], id.AnonymousID)
	}
	type personCRM struct {
		id      string
		n       int
		created time.Time
		opps    []Record
	}
	var order []*personCRM
	persons := map[string]*personCRM{}
	var data Data
	oppN := 0
	for _, c := range b.Conversions {
		if c.Type != "lead" || c.PersonID == "" {
			continue
		}
		p := persons[c.PersonID]
		if p == nil {
			p = &personCRM{id: c.PersonID, n: len(order) + 1, created: c.TS.UTC().Truncate(time.Millisecond)}
			persons[c.PersonID] = p
			order = append(order, p)
		}
		h := hash(c.ConversionID)
		if h%4 == 3 {
			continue // no opportunity
		}
		oppN++
		created := c.TS.UTC().Truncate(time.Second)
		closeDay := created.Add(time.Duration(1+h/4%30) * 24 * time.Hour).Truncate(24 * time.Hour)
		f := map[string]any{"Name": "Demo Brand wholesale " + c.ConversionID, "LeadSource": "Web",
			"Amount": math.Round(float64(100000+h/128%1900000)) / 100}
		mod := closeDay.Add(17 * time.Hour)
		switch h / 4 % 6 {
		case 0, 1, 2, 3:
			f["StageName"], f["IsWon"], f["IsClosed"] = "Closed Won", true, true
		case 4:
			f["StageName"], f["IsWon"], f["IsClosed"] = "Closed Lost", false, true
		default:
			f["StageName"], f["IsWon"], f["IsClosed"] = "Negotiation/Review", false, false
			closeDay = created.AddDate(0, 2, 0).Truncate(24 * time.Hour)
			mod = created.Add(48 * time.Hour)
		}
		f["CloseDate"] = closeDay.Format(time.DateOnly)
		p.opps = append(p.opps, Record{ID: sfID("006", oppN), CreatedDate: created, SystemModstamp: mod, Fields: f})
	}
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
		num := strings.TrimPrefix(p.id, "p_")
		fields := map[string]any{"FirstName": "Person", "LastName": num, "Email": "p" + num + "@example.com",
			"LeadSource": "Web"}
		for _, f := range BrandCustomFields {
			fields[f] = nil // the field exists in the org even when empty
		}
		if a := anons[p.id]; len(a) > 0 {
			fields["Web_Visitor_Id__c"] = a[0]
		}
		for _, tp := range touches[p.id] {
			if !tp.TS.Before(p.created) {
				break
			}
			setNonEmpty(fields, "utm_source__c", tp.UTMSource)
			setNonEmpty(fields, "utm_medium__c", tp.UTMMedium)
			setNonEmpty(fields, "utm_campaign__c", tp.UTMCampaign)
			setNonEmpty(fields, "utm_content__c", tp.UTMContent)
			setNonEmpty(fields, "utm_term__c", tp.UTMTerm)
			if tp.LandingPage != "" {
				fields["Landing_Page__c"] = ShopURL + tp.LandingPage
			}
			setNonEmpty(fields, "Referrer__c", tp.Referrer)
			break // the first touch only
		}
		lead := Record{ID: sfID("00Q", p.n), CreatedDate: p.created, SystemModstamp: p.created, Fields: map[string]any{
			"Company": "Person " + num + " GmbH", "Status": "Open - Not Contacted", "IsConverted": false}}
		for k, v := range fields {
			lead.Fields[k] = v
		}
		if len(p.opps) > 0 {
			contactID := sfID("003", p.n)
			converted := p.created.Add(time.Hour)
			lead.Fields["IsConverted"], lead.Fields["ConvertedContactId"] = true, contactID
			lead.Fields["Status"] = "Closed - Converted"
			lead.SystemModstamp = converted
			data.Contacts = append(data.Contacts, Record{ID: contactID, CreatedDate: converted, SystemModstamp: converted, Fields: fields})
			for _, o := range p.opps {
				o.Fields["ContactId"] = contactID
				data.Opportunities = append(data.Opportunities, o)
			}
		}
		data.Leads = append(data.Leads, lead)
	}
	return data
}

func setNonEmpty(m map[string]any, k, v string) {
	if v != "" {
		m[k] = v
	}
}

func hash(s string) uint64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte(s)) // never fails
	return h.Sum64()
}

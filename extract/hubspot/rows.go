package hubspot

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/socialroi/socialroi/transform"
)

// TouchpointSource is the touchpoints.source value of CRM-derived touchpoints.
const TouchpointSource = "crm_derived"

// prop is a property value as HubSpot sends it: a string, or null (""). A
// bare number or boolean is accepted as its JSON text.
type prop string

func (p *prop) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case bytes.Equal(b, []byte("null")):
		*p = ""
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*p = prop(strings.TrimSpace(s))
	case len(b) > 0 && (b[0] == '{' || b[0] == '['):
		return fmt.Errorf("property value is an object or array: %.40s", b)
	default:
		*p = prop(b)
	}
	return nil
}

// parseTime reads a HubSpot timestamp: ISO 8601 ("2026-11-16T12:00:00Z",
// with or without milliseconds), epoch milliseconds ("1763294400000"), or a
// date alone ("2026-11-16"), which is taken as noon UTC on that day so that
// it falls on the same calendar day in every time zone from UTC−11 to UTC+11.
func parseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, fmt.Errorf("empty timestamp")
	}
	if isDigits(s) {
		ms, err := strconv.ParseInt(s, 10, 64)
		if err != nil || ms < 0 || ms > 253402300799999 {
			return time.Time{}, fmt.Errorf("timestamp %q is out of range", s)
		}
		return time.UnixMilli(ms).UTC(), nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t.Add(12 * time.Hour), nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("timestamp %q is neither ISO 8601 nor epoch milliseconds", s)
	}
	if t.Year() < 1 || t.Year() > 9999 {
		return time.Time{}, fmt.Errorf("timestamp %q is out of range", s)
	}
	return t.UTC(), nil
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// PersonID is the person id of a HubSpot contact: "hubspot:contact:123".
func PersonID(contactID string) string { return Kind + ":contact:" + contactID }

// ConversionID is the conversion id of a deal: "hubspot:deal:456". A deal
// keeps its id when it moves from open (opportunity) to won (deal_won), so
// the warehouse's upsert replaces the row.
func ConversionID(dealID string) string { return Kind + ":deal:" + dealID }

// dealWanted reports whether the deal becomes a conversion.
func (s *Source) dealWanted(d record) bool {
	stage := d.prop("dealstage")
	switch {
	case s.won[stage]:
		return s.emitWon
	case s.lost[stage]:
		return false
	}
	return s.emitOpen
}

// conversions maps the wanted deals to conversion rows, ordered by
// conversion id. is_new_customer is true on each contact's earliest won deal
// among the deals returned (by close time, then deal id); a deal without a
// contact counts as its own customer. A won deal without closedate is
// skipped and counted, since it has no time to attribute against.
func (s *Source) conversions(deals []record, contactOf map[string]string, log *slog.Logger) ([]transform.ConversionRow, error) {
	var rows []transform.ConversionRow
	skipped := 0
	for _, d := range deals {
		if !s.dealWanted(d) {
			continue
		}
		row, ok, err := s.dealRow(d, contactOf[d.ID])
		if err != nil {
			return nil, fmt.Errorf("%s: deal %s: %w", Kind, d.ID, err)
		}
		if !ok {
			skipped++
			continue
		}
		rows = append(rows, row)
	}
	if skipped > 0 {
		log.Warn("hubspot won deals without closedate skipped", "count", skipped)
	}
	markNewCustomers(rows)
	slices.SortFunc(rows, func(a, b transform.ConversionRow) int { return cmp.Compare(a.ConversionID, b.ConversionID) })
	return rows, nil
}

// markNewCustomers sets IsNewCustomer on each person's first won deal.
func markNewCustomers(rows []transform.ConversionRow) {
	idx := make([]int, 0, len(rows))
	for i, r := range rows {
		if r.Type == TypeDealWon {
			idx = append(idx, i)
		}
	}
	slices.SortFunc(idx, func(a, b int) int {
		return cmp.Or(rows[a].TS.Compare(rows[b].TS), cmpID(rows[a].DealID, rows[b].DealID))
	})
	seen := map[string]bool{}
	for _, i := range idx {
		key := rows[i].PersonID
		if key == "" {
			key = "deal:" + rows[i].DealID
		}
		if !seen[key] {
			seen[key] = true
			rows[i].IsNewCustomer = true
		}
	}
}

// dealRow maps one deal. ok is false for a won deal without a close date.
func (s *Source) dealRow(d record, contactID string) (transform.ConversionRow, bool, error) {
	row := transform.ConversionRow{
		ConversionID: ConversionID(d.ID),
		DealID:       d.ID,
		Currency:     s.settings.Currency,
		CRMSource:    s.name,
		Revenue:      decimal.Zero,
	}
	if contactID != "" {
		row.PersonID = PersonID(contactID)
	}
	if c := strings.ToUpper(d.prop("deal_currency_code")); c != "" {
		if !currencyRE.MatchString(c) {
			return row, false, fmt.Errorf("%w: deal_currency_code %q is not an ISO 4217 code", ErrBadRecord, c)
		}
		row.Currency = c
	}
	if a := d.prop("amount"); a != "" {
		v, err := transform.ParseMoney(strings.ReplaceAll(a, ",", ""), transform.Money2)
		if err != nil {
			return row, false, fmt.Errorf("%w: amount: %v", ErrBadRecord, err)
		}
		if _, err := transform.DecimalToArrow(v, transform.Money2); err != nil {
			return row, false, fmt.Errorf("%w: amount: %v", ErrBadRecord, err)
		}
		row.Revenue = v
	}
	if s.won[d.prop("dealstage")] {
		row.Type = TypeDealWon
		cd := d.prop("closedate")
		if cd == "" {
			return row, false, nil
		}
		ts, err := parseTime(cd)
		if err != nil {
			return row, false, fmt.Errorf("%w: closedate: %v", ErrBadRecord, err)
		}
		row.TS = ts
		return row, true, nil
	}
	row.Type = TypeOpportunity
	created := d.prop("createdate")
	if created == "" {
		created = d.CreatedAt
	}
	ts, err := parseTime(created)
	if err != nil {
		return row, false, fmt.Errorf("%w: createdate: %v", ErrBadRecord, err)
	}
	row.TS = ts
	return row, true, nil
}

// contactRows derives touchpoints and identities from contacts, each ordered
// by its key. Identities are unique by anonymous id: when two contacts claim
// one id (a shared device, a merge in progress) the lower contact id keeps it.
func (s *Source) contactRows(contacts []record, log *slog.Logger) ([]transform.TouchpointRow, []transform.IdentityRow, error) {
	var tps []transform.TouchpointRow
	idOwner := map[string]string{}
	conflicts := 0
	claim := func(anon, person string) {
		if anon == "" {
			return
		}
		if cur, ok := idOwner[anon]; ok {
			if cur != person {
				conflicts++
			}
			return
		}
		idOwner[anon] = person
	}
	for _, c := range contacts { // ordered by contact id
		if s.settings.contactTouchpoints() {
			rows, err := s.touchpoints(c)
			if err != nil {
				return nil, nil, fmt.Errorf("%s: contact %s: %w", Kind, c.ID, err)
			}
			tps = append(tps, rows...)
		}
		person := PersonID(c.ID)
		for _, p := range s.settings.AnonymousIDProperties {
			for _, v := range strings.Split(c.prop(p), ";") {
				claim(strings.TrimSpace(v), person)
			}
		}
		claim(transform.EmailKey(c.prop("email")), person)
	}
	if conflicts > 0 {
		log.Warn("hubspot anonymous ids claimed by several contacts: kept the lowest contact id", "count", conflicts)
	}
	ids := make([]transform.IdentityRow, 0, len(idOwner))
	for a, p := range idOwner {
		ids = append(ids, transform.IdentityRow{AnonymousID: a, PersonID: p})
	}
	slices.SortFunc(ids, func(a, b transform.IdentityRow) int { return cmp.Compare(a.AnonymousID, b.AnonymousID) })
	slices.SortFunc(tps, func(a, b transform.TouchpointRow) int { return cmp.Compare(a.TouchpointID, b.TouchpointID) })
	return tps, ids, nil
}

// touchpoints derives a contact's first-touch and last-touch visits.
//
// First touch: UTMs from the contact_utm_properties, each missing one taken
// from hs_analytics_first_url's query; landing page hs_analytics_first_url,
// referrer hs_analytics_first_referrer; click id from the URL (fbclid,
// gclid, ttclid, li_fat_id, msclkid); without any UTM, utm_source and
// utm_medium come from hs_analytics_source (PAID_SOCIAL → paid_social, …)
// and hs_analytics_source_data_1. Its time is hs_analytics_first_timestamp
// (the visit) when present, else createdate. It is emitted only when it
// carries evidence (a UTM, a URL or a referrer): a bare direct visit adds
// nothing a conversion without touchpoints does not already get.
//
// Last touch: when hs_analytics_last_timestamp is set and differs from the
// first touch, a visit at that time with hs_analytics_last_url (UTMs and
// click id from its query) and hs_analytics_last_referrer.
func (s *Source) touchpoints(c record) ([]transform.TouchpointRow, error) {
	person := PersonID(c.ID)
	first := transform.TouchpointRow{
		TouchpointID: person + ":first",
		PersonID:     person,
		Interaction:  "visit",
		LandingPage:  c.prop("hs_analytics_first_url"),
		Referrer:     c.prop("hs_analytics_first_referrer"),
		Source:       TouchpointSource,
	}
	utm := map[string]*string{"utm_source": &first.UTMSource, "utm_medium": &first.UTMMedium,
		"utm_campaign": &first.UTMCampaign, "utm_content": &first.UTMContent, "utm_term": &first.UTMTerm}
	for field, p := range s.settings.ContactUTMProperties {
		*utm[field] = c.prop(p)
	}
	transform.FillFromLandingPage(&first)
	if first.UTMSource == "" && first.UTMMedium == "" {
		if m := analyticsMedium[c.prop("hs_analytics_source")]; m != "" {
			first.UTMMedium = m
			first.UTMSource = strings.ToLower(c.prop("hs_analytics_source_data_1"))
		}
	}
	var out []transform.TouchpointRow
	at := c.prop("hs_analytics_first_timestamp")
	if at == "" {
		if at = c.prop("createdate"); at == "" {
			at = c.CreatedAt
		}
	}
	if hasEvidence(first) {
		ts, err := parseTime(at)
		if err != nil {
			return nil, fmt.Errorf("%w: first touch time: %v", ErrBadRecord, err)
		}
		first.TS = ts
		out = append(out, first)
	}
	if lt := c.prop("hs_analytics_last_timestamp"); lt != "" {
		ts, err := parseTime(lt)
		if err != nil {
			return nil, fmt.Errorf("%w: hs_analytics_last_timestamp: %v", ErrBadRecord, err)
		}
		last := transform.TouchpointRow{
			TouchpointID: person + ":last",
			PersonID:     person,
			TS:           ts,
			Interaction:  "visit",
			LandingPage:  c.prop("hs_analytics_last_url"),
			Referrer:     c.prop("hs_analytics_last_referrer"),
			Source:       TouchpointSource,
		}
		transform.FillFromLandingPage(&last)
		if (len(out) == 0 || !ts.Equal(out[0].TS)) && hasEvidence(last) {
			out = append(out, last)
		}
	}
	return out, nil
}

// analyticsMedium maps hs_analytics_source to a utm_medium the default
// channel rules classify.
var analyticsMedium = map[string]string{
	"PAID_SOCIAL":     "paid_social",
	"PAID_SEARCH":     "cpc",
	"EMAIL_MARKETING": "email",
	"SOCIAL_MEDIA":    "social",
	"ORGANIC_SEARCH":  "organic",
	"REFERRALS":       "referral",
}

func hasEvidence(t transform.TouchpointRow) bool {
	return t.UTMSource != "" || t.UTMMedium != "" || t.UTMCampaign != "" || t.UTMContent != "" ||
		t.UTMTerm != "" || t.LandingPage != "" || t.Referrer != "" || t.ClickID != ""
}

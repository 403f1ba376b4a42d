package salesforce

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/socialroi/socialroi/transform"
)

// TouchpointSource is the touchpoints.source value of CRM-derived touchpoints.
const TouchpointSource = "crm_derived"

// value is a field as Salesforce sends it: a string, a number (kept as its
// JSON text), a boolean ("true"/"false") or null (""). Objects and arrays
// (attributes, relationship fields) read as "".
type value string

func (v *value) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || bytes.Equal(b, []byte("null")):
		*v = ""
	case b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*v = value(strings.TrimSpace(s))
	case b[0] == '{' || b[0] == '[':
		*v = ""
	default:
		*v = value(b)
	}
	return nil
}

// record is one sObject record, by field API name (case as sent).
type record map[string]value

// str returns a field, matching its name case-insensitively as SOQL does.
func (r record) str(field string) string {
	if v, ok := r[field]; ok {
		return string(v)
	}
	for k, v := range r {
		if strings.EqualFold(k, field) {
			return string(v)
		}
	}
	return ""
}

// parseTime reads a Salesforce datetime ("2026-11-16T10:00:00.000+0000",
// or RFC 3339) or date ("2026-11-16"), which is taken as noon UTC on that
// day so that it falls on the same calendar day in every time zone from
// UTC−11 to UTC+11.
func parseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, fmt.Errorf("empty date")
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t.Add(12 * time.Hour), nil
	}
	for _, layout := range []string{"2006-01-02T15:04:05.000-0700", "2006-01-02T15:04:05-0700", time.RFC3339Nano} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a Salesforce date or datetime", s)
}

// ContactPersonID is the person id of a contact: "salesforce:contact:003…".
func ContactPersonID(id string) string { return Kind + ":contact:" + id }

// LeadPersonID is the person id of an unconverted lead.
func LeadPersonID(id string) string { return Kind + ":lead:" + id }

// ConversionID is the conversion id of an opportunity; it stays the same
// when the opportunity moves from open to won, so the upsert replaces it.
func ConversionID(id string) string { return Kind + ":opportunity:" + id }

// conversions maps opportunities to conversion rows ordered by conversion
// id: IsWon ones as deal_won at CloseDate, open ones (IsClosed false) as
// opportunity at CreatedDate when asked for, closed-lost ones not at all.
// The person is Opportunity.ContactId (the contact the opportunity was
// created from or converted with); OpportunityContactRole is not read.
// is_new_customer marks each person's first won opportunity among those
// returned (by close time, then id); one without a contact counts as its own
// customer.
func (s *Source) conversions(opps []record) ([]transform.ConversionRow, error) {
	var rows []transform.ConversionRow
	for _, o := range opps {
		id := o.str("Id")
		won, closed := o.str("IsWon") == "true", o.str("IsClosed") == "true"
		if !(won && s.emitWon) && !(!closed && !won && s.emitOpen) {
			continue
		}
		row := transform.ConversionRow{ConversionID: ConversionID(id), DealID: id, Currency: s.settings.Currency,
			CRMSource: s.name, Revenue: decimal.Zero}
		if c := o.str("ContactId"); c != "" {
			row.PersonID = ContactPersonID(c)
		}
		if a := o.str("Amount"); a != "" {
			v, err := transform.ParseMoney(a, transform.Money2)
			if err == nil {
				_, err = transform.DecimalToArrow(v, transform.Money2)
			}
			if err != nil {
				return nil, fmt.Errorf("%s: opportunity %s: %w: Amount: %v", Kind, id, ErrBadRecord, err)
			}
			row.Revenue = v
		}
		field := "CloseDate"
		row.Type = TypeDealWon
		if !won {
			field, row.Type = "CreatedDate", TypeOpportunity
		}
		ts, err := parseTime(o.str(field))
		if err != nil {
			return nil, fmt.Errorf("%s: opportunity %s: %w: %s: %v", Kind, id, ErrBadRecord, field, err)
		}
		row.TS = ts
		rows = append(rows, row)
	}
	markNewCustomers(rows)
	slices.SortFunc(rows, func(a, b transform.ConversionRow) int { return cmp.Compare(a.ConversionID, b.ConversionID) })
	return rows, nil
}

func markNewCustomers(rows []transform.ConversionRow) {
	idx := make([]int, 0, len(rows))
	for i, r := range rows {
		if r.Type == TypeDealWon {
			idx = append(idx, i)
		}
	}
	slices.SortFunc(idx, func(a, b int) int {
		return cmp.Or(rows[a].TS.Compare(rows[b].TS), cmp.Compare(rows[a].DealID, rows[b].DealID))
	})
	seen := map[string]bool{}
	for _, i := range idx {
		key := rows[i].PersonID
		if key == "" {
			key = "opportunity:" + rows[i].DealID
		}
		if !seen[key] {
			seen[key] = true
			rows[i].IsNewCustomer = true
		}
	}
}

// personRows derives first-touch touchpoints and identities from contacts
// and leads. A converted lead speaks for its contact (person
// salesforce:contact:<ConvertedContactId>); an unconverted one for itself
// (salesforce:lead:<Id>). A person's first touch (touchpoint id
// "<person>:first") is the earliest CreatedDate among their records that
// carry first-touch data, the contact's on a tie. Identities are unique by
// anonymous id; contacts claim first, then leads, each in id order.
func (s *Source) personRows(leads, contacts []record, log *slog.Logger) ([]transform.TouchpointRow, []transform.IdentityRow, error) {
	byKey := func(rs []record) []record {
		out := slices.Clone(rs)
		slices.SortFunc(out, func(a, b record) int { return cmp.Compare(a.str("Id"), b.str("Id")) })
		return out
	}
	firsts := map[string]transform.TouchpointRow{}
	owner := map[string]string{}
	conflicts := 0
	claim := func(anon, person string) {
		if anon == "" {
			return
		}
		if cur, ok := owner[anon]; ok {
			if cur != person {
				conflicts++
			}
			return
		}
		owner[anon] = person
	}
	add := func(kind string, r record, person string) error {
		tp, ok, err := s.firstTouch(r, person)
		if err != nil {
			return fmt.Errorf("%s: %s %s: %w", Kind, kind, r.str("Id"), err)
		}
		if ok {
			if cur, dup := firsts[tp.TouchpointID]; !dup || tp.TS.Before(cur.TS) {
				firsts[tp.TouchpointID] = tp
			}
		}
		if f := s.settings.Fields["anonymous_id"]; f != "" {
			claim(r.str(f), person)
		}
		claim(transform.EmailKey(r.str("Email")), person)
		return nil
	}
	for _, c := range byKey(contacts) {
		if err := add("contact", c, ContactPersonID(c.str("Id"))); err != nil {
			return nil, nil, err
		}
	}
	for _, l := range byKey(leads) {
		person := LeadPersonID(l.str("Id"))
		if conv := l.str("ConvertedContactId"); l.str("IsConverted") == "true" && conv != "" {
			person = ContactPersonID(conv)
		}
		if err := add("lead", l, person); err != nil {
			return nil, nil, err
		}
	}
	if conflicts > 0 {
		log.Warn("salesforce anonymous ids claimed by several persons: kept the first claim (contacts before leads)", "count", conflicts)
	}
	tps := make([]transform.TouchpointRow, 0, len(firsts))
	for _, tp := range firsts {
		tps = append(tps, tp)
	}
	slices.SortFunc(tps, func(a, b transform.TouchpointRow) int { return cmp.Compare(a.TouchpointID, b.TouchpointID) })
	ids := make([]transform.IdentityRow, 0, len(owner))
	for a, p := range owner {
		ids = append(ids, transform.IdentityRow{AnonymousID: a, PersonID: p})
	}
	slices.SortFunc(ids, func(a, b transform.IdentityRow) int { return cmp.Compare(a.AnonymousID, b.AnonymousID) })
	return tps, ids, nil
}

// firstTouch derives a record's first-touch visit at its CreatedDate: UTMs,
// landing page and referrer from the configured fields, missing UTMs and the
// click id from the landing page's query. ok is false when the record
// carries none of them (a bare direct visit adds nothing).
func (s *Source) firstTouch(r record, person string) (transform.TouchpointRow, bool, error) {
	f := func(name string) string {
		if api := s.settings.Fields[name]; api != "" {
			return r.str(api)
		}
		return ""
	}
	tp := transform.TouchpointRow{
		TouchpointID: person + ":first",
		PersonID:     person,
		Interaction:  "visit",
		UTMSource:    f("utm_source"),
		UTMMedium:    f("utm_medium"),
		UTMCampaign:  f("utm_campaign"),
		UTMContent:   f("utm_content"),
		UTMTerm:      f("utm_term"),
		LandingPage:  f("landing_page"),
		Referrer:     f("referrer"),
		Source:       TouchpointSource,
	}
	transform.FillFromLandingPage(&tp)
	if tp.UTMSource == "" && tp.UTMMedium == "" && tp.UTMCampaign == "" && tp.UTMContent == "" && tp.UTMTerm == "" &&
		tp.LandingPage == "" && tp.Referrer == "" && tp.ClickID == "" {
		return tp, false, nil
	}
	ts, err := parseTime(r.str("CreatedDate"))
	if err != nil {
		return tp, false, fmt.Errorf("%w: CreatedDate: %v", ErrBadRecord, err)
	}
	tp.TS = ts
	return tp, true, nil
}

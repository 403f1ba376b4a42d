package shopify

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/socialroi/socialroi/transform"
)

// order is the part of a REST order the connector reads. Unknown fields are
// ignored.
type order struct {
	ID            int64  `json:"id"`
	Name          string `json:"name"`
	CreatedAt     string `json:"created_at"`
	TotalPrice    *money `json:"total_price"`
	Currency      string `json:"currency"`
	DiscountCodes []struct {
		Code string `json:"code"`
	} `json:"discount_codes"`
	LandingSite   string  `json:"landing_site"`
	ReferringSite string  `json:"referring_site"`
	CancelledAt   *string `json:"cancelled_at"`
	// Email is the address the buyer checked out with (contact_email is the
	// same value in current API versions).
	Email    string `json:"email"`
	Customer *struct {
		ID    int64  `json:"id"`
		Email string `json:"email"`
	} `json:"customer"`
	Refunds []struct {
		Transactions []struct {
			Kind   string `json:"kind"`
			Status string `json:"status"`
			Amount money  `json:"amount"`
		} `json:"transactions"`
	} `json:"refunds"`
}

// money is an amount as Shopify sends it: a JSON string ("199.00"); a bare
// number is accepted too.
type money string

func (m *money) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case bytes.Equal(b, []byte("null")):
		*m = ""
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*m = money(strings.TrimSpace(s))
	default:
		var n json.Number
		if err := json.Unmarshal(b, &n); err != nil {
			return fmt.Errorf("amount is neither a string nor a number: %.40s", b)
		}
		*m = money(n)
	}
	return nil
}

// parsed is an order reduced to what the rows need.
type parsed struct {
	id        int64
	name      string
	created   time.Time
	revenue   decimal.Decimal // net of refunds
	currency  string
	codes     []string
	landing   string
	referrer  string
	cancelled bool
	customer  int64  // 0: guest
	email     string // as given: the order's email, else the customer's
}

// parseOrder checks the required fields and nets refunds. Errors name the
// field; the caller adds the order.
func parseOrder(o order) (parsed, error) {
	p := parsed{id: o.ID, name: strings.TrimSpace(o.Name), currency: strings.ToUpper(strings.TrimSpace(o.Currency)),
		landing: strings.TrimSpace(o.LandingSite), referrer: strings.TrimSpace(o.ReferringSite),
		cancelled: o.CancelledAt != nil && *o.CancelledAt != ""}
	if o.ID <= 0 {
		return p, fmt.Errorf("%w: id missing", ErrBadOrder)
	}
	if o.CreatedAt == "" {
		return p, fmt.Errorf("%w: created_at missing", ErrBadOrder)
	}
	t, err := time.Parse(time.RFC3339, o.CreatedAt)
	if err != nil {
		return p, fmt.Errorf("%w: created_at %q is not an RFC 3339 time", ErrBadOrder, o.CreatedAt)
	}
	p.created = t
	if o.TotalPrice == nil || *o.TotalPrice == "" {
		return p, fmt.Errorf("%w: total_price missing", ErrBadOrder)
	}
	total, err := transform.ParseMoney(string(*o.TotalPrice), transform.Money2)
	if err != nil {
		return p, fmt.Errorf("%w: total_price: %w", ErrBadOrder, err)
	}
	if p.currency == "" {
		return p, fmt.Errorf("%w: currency missing", ErrBadOrder)
	}
	refunded := decimal.Zero
	for i, r := range o.Refunds {
		for j, tr := range r.Transactions {
			if tr.Kind != "refund" || tr.Status != "success" {
				continue
			}
			a, err := transform.ParseMoney(string(tr.Amount), transform.Money2)
			if err != nil {
				return p, fmt.Errorf("%w: refunds[%d].transactions[%d].amount: %w", ErrBadOrder, i, j, err)
			}
			refunded = refunded.Add(a)
		}
	}
	p.revenue = total.Sub(refunded)
	if p.revenue.IsNegative() {
		p.revenue = decimal.Zero
	}
	if p.cancelled {
		p.revenue = decimal.Zero
	}
	for _, c := range o.DiscountCodes {
		if c.Code != "" {
			p.codes = append(p.codes, c.Code)
		}
	}
	if o.Customer != nil && o.Customer.ID > 0 {
		p.customer = o.Customer.ID
	}
	p.email = o.Email
	if strings.TrimSpace(p.email) == "" && o.Customer != nil {
		p.email = o.Customer.Email
	}
	return p, nil
}

func (p parsed) orderID() string {
	if p.name != "" {
		return p.name
	}
	return strconv.FormatInt(p.id, 10)
}

func personID(customer int64) string {
	if customer == 0 {
		return ""
	}
	return "shopify:customer:" + strconv.FormatInt(customer, 10)
}

// identities links each customer to the hashed email of their latest order
// (by id) that carries one, ordered by customer. The row is keyed by the
// customer id, which only this source issues, and names the email hash as
// the person: identities' key is anonymous_id, so a CRM that keys its own
// row by the same email hash (HubSpot, Salesforce) does not replace it, and
// stitching (stg_identity_map) treats links as undirected anyway.
func identities(orders []parsed) []transform.IdentityRow {
	latest := map[int64]parsed{}
	for _, o := range orders {
		if o.customer == 0 || transform.EmailKey(o.email) == "" {
			continue
		}
		if cur, ok := latest[o.customer]; !ok || o.id > cur.id {
			latest[o.customer] = o
		}
	}
	ids := make([]transform.IdentityRow, 0, len(latest))
	for c, o := range latest {
		ids = append(ids, transform.IdentityRow{AnonymousID: personID(c), PersonID: transform.EmailKey(o.email)})
	}
	slices.SortFunc(ids, func(a, b transform.IdentityRow) int { return strings.Compare(a.AnonymousID, b.AnonymousID) })
	return ids
}

// conversion maps a parsed order; isNew is decided by the caller.
func (p parsed) conversion(crmSource string, isNew bool) transform.ConversionRow {
	return transform.ConversionRow{
		ConversionID:  "shopify:order:" + strconv.FormatInt(p.id, 10),
		PersonID:      personID(p.customer),
		TS:            p.created,
		Type:          "purchase",
		Revenue:       p.revenue,
		Currency:      p.currency,
		IsNewCustomer: isNew && !p.cancelled,
		OrderID:       p.orderID(),
		PromoCodes:    p.codes,
		CRMSource:     crmSource,
	}
}

// touchpoint derives the landing visit; ok is false when the order carries
// neither landing_site nor referring_site.
func (p parsed) touchpoint() (transform.TouchpointRow, bool) {
	if p.landing == "" && p.referrer == "" {
		return transform.TouchpointRow{}, false
	}
	l := ParseLandingSite(p.landing)
	return transform.TouchpointRow{
		TouchpointID: "shopify:order:" + strconv.FormatInt(p.id, 10) + ":landing",
		PersonID:     personID(p.customer),
		TS:           p.created.Add(-time.Second),
		Interaction:  "visit",
		UTMSource:    l.UTMSource,
		UTMMedium:    l.UTMMedium,
		UTMCampaign:  l.UTMCampaign,
		UTMContent:   l.UTMContent,
		UTMTerm:      l.UTMTerm,
		ClickID:      l.ClickID,
		ClickIDType:  l.ClickIDType,
		LandingPage:  l.Path,
		Referrer:     p.referrer,
		Source:       TouchpointSource,
	}, true
}

// TouchpointSource is the touchpoints' source column value.
const TouchpointSource = "shopify_landing"

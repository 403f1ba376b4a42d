package shopify

import (
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/socialroi/socialroi/extract/emulator/gen"
)

// ShopZone is the demo shop's timezone as Shopify renders created_at
// (a fixed UTC−05:00, so the offset is the same all year).
var ShopZone = time.FixedZone("EST", -5*3600)

// CustomerIDBase is added to a demo person's number to make its Shopify
// customer id: person p_000123 is customer 7000000123.
const CustomerIDBase = 7000000000

// OrderIDBase is added to a demo order's number to make its Shopify order
// id: ord_100001 is order 5500000100001, named "#100001".
const OrderIDBase = 5500000000000

// refundEvery and refundAmount plant refunds in the demo: every
// refundEvery-th order is charged refundAmount more than the brand's revenue
// and refunds it, so the net revenue the connector computes equals the
// brand's conversions exactly.
const refundEvery = 10

var refundAmount = decimal.New(1500, -2)

// Email is the address FromBrand gives a brand person ("p_000123" →
// "p000123@example.com"), the same the HubSpot emulator gives its contacts.
func Email(personID string) string {
	return strings.ReplaceAll(personID, "_", "") + "@example.com"
}

// FromBrand turns the demo brand's Shopify purchases into a Config: one
// order per conversion with crm_source "shopify" and type "purchase"
// (created_at = the conversion's ts in ShopZone, promo codes as discount
// codes), landing_site and referring_site from the person's latest web
// touchpoint with a landing page before the purchase, and each customer's
// prior orders such that orders_count makes the brand's is_new_customer
// come out, and the customer's email (Email; every seventh order typed
// "  P000123@Example.COM " as buyers do, which the connector must normalise
// before hashing). The caller sets AccessToken.
func FromBrand(b *gen.Brand) Config {
	// Person of each anonymous id, and each person's web visits in time order.
	personOf := map[string]string{}
	for _, id := range b.Identities {
		personOf[id.AnonymousID] = id.PersonID
	}
	visits := map[string][]int{}
	for i, tp := range b.Touchpoints {
		if tp.LandingPage == "" || tp.Source != "web" {
			continue
		}
		p := tp.PersonID
		if p == "" {
			p = personOf[tp.AnonymousID]
		}
		if p != "" {
			visits[p] = append(visits[p], i) // touchpoints are sorted by ts
		}
	}
	var cfg Config
	firstSeen := map[int64]bool{}
	for _, c := range b.Conversions {
		if c.CRMSource != "shopify" || c.Type != "purchase" {
			continue
		}
		num, err := strconv.ParseInt(strings.TrimPrefix(c.OrderID, "ord_"), 10, 64)
		if err != nil {
			continue // not a demo order id; the brand always sets one
		}
		o := Order{
			ID:            OrderIDBase + num,
			Name:          "#" + strconv.FormatInt(num, 10),
			CreatedAt:     c.TS.In(ShopZone),
			TotalPrice:    c.Revenue,
			Currency:      c.Currency,
			DiscountCodes: c.PromoCodes,
		}
		if pn, err := strconv.ParseInt(strings.TrimPrefix(c.PersonID, "p_"), 10, 64); err == nil {
			o.CustomerID = CustomerIDBase + pn
			o.Email = Email(c.PersonID)
			if num%7 == 0 {
				o.Email = "  " + strings.ToUpper(o.Email[:1]) + strings.Replace(o.Email[1:], "example.com", "Example.COM", 1) + " "
			}
			if !firstSeen[o.CustomerID] {
				firstSeen[o.CustomerID] = true
				if !c.IsNewCustomer {
					cfg.Customers = append(cfg.Customers, Customer{ID: o.CustomerID, PriorOrders: 1})
				}
			}
		}
		vs := visits[c.PersonID]
		k := sort.Search(len(vs), func(i int) bool { return !b.Touchpoints[vs[i]].TS.Before(c.TS) })
		if k > 0 {
			tp := b.Touchpoints[vs[k-1]]
			o.LandingSite, o.ReferringSite = tp.LandingPage, tp.Referrer
		}
		if num%refundEvery == 0 {
			o.TotalPrice = o.TotalPrice.Add(refundAmount)
			o.Refunds = []decimal.Decimal{refundAmount}
			o.UpdatedAt = o.CreatedAt.Add(72 * time.Hour)
		}
		cfg.Orders = append(cfg.Orders, o)
	}
	return cfg
}

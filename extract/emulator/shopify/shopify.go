package shopify

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/shopspring/decimal"

	"github.com/socialroi/socialroi/extract/emulator"
)

// Order is one order as the emulator serves it.
type Order struct {
	ID   int64
	Name string // "#1001"
	// CreatedAt is rendered with its own offset (the shop's timezone).
	CreatedAt time.Time
	// UpdatedAt is what updated_at_min filters on; zero means CreatedAt.
	UpdatedAt     time.Time
	TotalPrice    decimal.Decimal // before refunds
	Currency      string
	DiscountCodes []string // exactly as the buyer typed them
	LandingSite   string
	ReferringSite string
	// CustomerID is 0 for a guest checkout (no customer object).
	CustomerID int64
	// Email is the checkout address, served as the order's email and
	// contact_email and as the embedded customer's email (null when empty).
	Email string
	// Refunds are the amounts of successful refund transactions, one
	// refund each.
	Refunds     []decimal.Decimal
	CancelledAt *time.Time
	SourceName  string // "web" when empty
}

// Customer is a customer record. Its orders_count is PriorOrders plus the
// orders in Config.Orders that name it.
type Customer struct {
	ID          int64
	PriorOrders int
}

// CallLimit is the X-Shopify-Shop-Api-Call-Limit value of one response.
type CallLimit struct{ Used, Max int }

// Config is the Shopify emulator's ground truth and behaviour.
type Config struct {
	// AccessToken is the only X-Shopify-Access-Token accepted.
	AccessToken string
	Orders      []Order
	// Customers adds prior orders; customers named by orders but absent
	// here have PriorOrders 0.
	Customers []Customer
	// PageSize caps orders per page whatever limit the client asks for
	// (0: the client's limit, default 50).
	PageSize int
	// CallLimit gives the call-limit header of the n-th response (1-based,
	// faults excluded). Default: a low, steady 1/40.
	CallLimit func(call int) CallLimit
}

// Shopify is a running Shopify Admin API emulator.
type Shopify struct {
	*emulator.Server
	cfg       Config
	orders    []Order       // by id
	customers map[int64]int // id → orders_count

	mu    sync.Mutex
	calls int
}

// New validates cfg and starts the server.
func New(cfg Config) (*Shopify, error) {
	if cfg.AccessToken == "" {
		return nil, fmt.Errorf("emulator: shopify: AccessToken is required")
	}
	s := &Shopify{cfg: cfg, orders: slices.Clone(cfg.Orders), customers: map[int64]int{}}
	seen := map[int64]bool{}
	for i, o := range s.orders {
		if o.ID <= 0 || seen[o.ID] {
			return nil, fmt.Errorf("emulator: shopify: order %d: id %d missing or duplicate", i+1, o.ID)
		}
		seen[o.ID] = true
		if o.CustomerID != 0 {
			s.customers[o.CustomerID]++
		}
	}
	for _, c := range cfg.Customers {
		s.customers[c.ID] += c.PriorOrders
	}
	slices.SortFunc(s.orders, func(a, b Order) int { return int(a.ID - b.ID) })
	srv, err := emulator.Start(http.HandlerFunc(s.serve))
	if err != nil {
		return nil, err
	}
	s.Server = srv
	return s, nil
}

// ThrottleFault is Shopify's REST throttling answer: 429 with Retry-After: 2.0.
func ThrottleFault() emulator.Fault {
	return emulator.Fault{Status: http.StatusTooManyRequests,
		Header: http.Header{"Retry-After": {"2.0"}, "X-Shopify-Shop-Api-Call-Limit": {"40/40"}},
		Body:   `{"errors":"Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service."}`}
}

// UnauthorizedFault is Shopify's answer to a revoked or wrong token.
func UnauthorizedFault() emulator.Fault {
	return emulator.Fault{Status: http.StatusUnauthorized, Body: unauthorizedBody}
}

const unauthorizedBody = `{"errors":"[API] Invalid API key or access token (unrecognized login or wrong password)"}`

var (
	ordersPath    = regexp.MustCompile(`^/admin/api/(\d{4}-\d{2})/orders\.json$`)
	customersPath = regexp.MustCompile(`^/admin/api/(\d{4}-\d{2})/customers\.json$`)
	customerPath  = regexp.MustCompile(`^/admin/api/(\d{4}-\d{2})/customers/(\d+)\.json$`)
)

func (s *Shopify) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.calls++
	n := s.calls
	s.mu.Unlock()
	cl := CallLimit{Used: 1, Max: 40}
	if s.cfg.CallLimit != nil {
		cl = s.cfg.CallLimit(n)
	}
	w.Header().Set("X-Shopify-Shop-Api-Call-Limit", fmt.Sprintf("%d/%d", cl.Used, cl.Max))
	if r.Header.Get("X-Shopify-Access-Token") != s.cfg.AccessToken {
		writeJSONText(w, http.StatusUnauthorized, unauthorizedBody)
		return
	}
	if r.Method != http.MethodGet {
		writeJSONText(w, http.StatusMethodNotAllowed, `{"errors":"Method Not Allowed"}`)
		return
	}
	switch p := r.URL.Path; {
	case ordersPath.MatchString(p):
		s.serveOrders(w, r)
	case customersPath.MatchString(p):
		s.serveCustomers(w, r)
	case customerPath.MatchString(p):
		id, _ := strconv.ParseInt(customerPath.FindStringSubmatch(p)[2], 10, 64)
		cnt, ok := s.customers[id]
		if !ok {
			writeJSONText(w, http.StatusNotFound, `{"errors":"Not Found"}`)
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"customer": customerJSON(id, cnt)})
	default:
		writeJSONText(w, http.StatusNotFound, `{"errors":"Not Found"}`)
	}
}

func badRequest(w http.ResponseWriter, key, msg string) {
	writeJSON(w, http.StatusBadRequest, map[string]any{"errors": map[string][]string{key: {msg}}})
}

// cursor is what a page_info token carries: the filters of the first
// request and the offset, so that later pages need (and accept) nothing else.
type cursor struct {
	Offset       int    `json:"o"`
	Status       string `json:"s"`
	UpdatedAtMin string `json:"u,omitempty"`
}

func (s *Shopify) serveOrders(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit := 50
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > 250 {
			badRequest(w, "limit", "must be between 1 and 250")
			return
		}
		limit = n
	}
	var c cursor
	if pi := q.Get("page_info"); pi != "" {
		for k := range q {
			if k != "page_info" && k != "limit" && k != "fields" {
				badRequest(w, "page_info", "page_info cannot be combined with "+k)
				return
			}
		}
		b, err := base64.RawURLEncoding.DecodeString(pi)
		if err != nil || json.Unmarshal(b, &c) != nil || c.Offset < 0 {
			badRequest(w, "page_info", "Invalid value.")
			return
		}
	} else {
		c.Status = q.Get("status")
		if c.Status == "" {
			c.Status = "open"
		}
		if c.Status != "open" && c.Status != "closed" && c.Status != "cancelled" && c.Status != "any" {
			badRequest(w, "status", "Invalid value.")
			return
		}
		c.UpdatedAtMin = q.Get("updated_at_min")
	}
	var min time.Time
	if c.UpdatedAtMin != "" {
		t, err := time.Parse(time.RFC3339, c.UpdatedAtMin)
		if err != nil {
			badRequest(w, "updated_at_min", "Invalid value.")
			return
		}
		min = t
	}
	if s.cfg.PageSize > 0 && s.cfg.PageSize < limit {
		limit = s.cfg.PageSize
	}
	var all []Order
	for _, o := range s.orders {
		upd := o.UpdatedAt
		if upd.IsZero() {
			upd = o.CreatedAt
		}
		if !min.IsZero() && upd.Before(min) {
			continue
		}
		switch c.Status {
		case "open", "closed":
			if o.CancelledAt != nil {
				continue
			}
		case "cancelled":
			if o.CancelledAt == nil {
				continue
			}
		}
		all = append(all, o)
	}
	start := min0(c.Offset, len(all))
	end := min0(start+limit, len(all))
	out := make([]map[string]any, 0, end-start)
	for _, o := range all[start:end] {
		out = append(out, s.orderJSON(o))
	}
	var links []string
	link := func(off int, rel string) {
		nc := c
		nc.Offset = off
		b, _ := json.Marshal(nc) // plain struct: always marshals
		u := url.URL{Scheme: "http", Host: r.Host, Path: r.URL.Path,
			RawQuery: url.Values{"limit": {strconv.Itoa(limit)}, "page_info": {base64.RawURLEncoding.EncodeToString(b)}}.Encode()}
		links = append(links, fmt.Sprintf("<%s>; rel=%q", u.String(), rel))
	}
	if start > 0 {
		link(max(0, start-limit), "previous")
	}
	if end < len(all) {
		link(end, "next")
	}
	if len(links) > 0 {
		w.Header().Set("Link", strings.Join(links, ", "))
	}
	writeJSON(w, http.StatusOK, map[string]any{"orders": out})
}

func min0(a, b int) int {
	if a < b {
		return a
	}
	return b
}

func (s *Shopify) serveCustomers(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var out []map[string]any
	if ids := q.Get("ids"); ids != "" {
		for _, f := range strings.Split(ids, ",") {
			id, err := strconv.ParseInt(strings.TrimSpace(f), 10, 64)
			if err != nil {
				badRequest(w, "ids", "Invalid value.")
				return
			}
			if cnt, ok := s.customers[id]; ok {
				out = append(out, customerJSON(id, cnt))
			}
		}
	}
	if len(out) > 250 {
		badRequest(w, "ids", "too many ids (at most 250)")
		return
	}
	if out == nil {
		out = []map[string]any{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"customers": out})
}

func customerJSON(id int64, ordersCount int) map[string]any {
	return map[string]any{"id": id, "orders_count": ordersCount, "state": "enabled",
		"email": fmt.Sprintf("customer%d@example.com", id), "tax_exempt": false, "currency": "USD"}
}

// orderJSON renders an order as the 2025 REST API does: ids as integers,
// money as strings, the embedded customer without orders_count, and fields
// the connector does not read (which it must ignore).
func (s *Shopify) orderJSON(o Order) map[string]any {
	upd := o.UpdatedAt
	if upd.IsZero() {
		upd = o.CreatedAt
	}
	codes := make([]map[string]any, 0, len(o.DiscountCodes))
	var disc decimal.Decimal
	for _, c := range o.DiscountCodes {
		amt := decimal.New(500, -2)
		disc = disc.Add(amt)
		codes = append(codes, map[string]any{"code": c, "amount": amt.StringFixed(2), "type": "fixed_amount"})
	}
	refunds := make([]map[string]any, 0, len(o.Refunds))
	for i, amt := range o.Refunds {
		rid := o.ID*10 + int64(i) + 1
		at := upd.Format(time.RFC3339)
		refunds = append(refunds, map[string]any{
			"id": rid, "order_id": o.ID, "created_at": at, "note": "customer return",
			"transactions": []map[string]any{
				{"id": rid * 10, "kind": "refund", "status": "success", "amount": amt.StringFixed(2), "currency": o.Currency, "gateway": "shopify_payments"},
				// A failed attempt that must not be netted.
				{"id": rid*10 + 1, "kind": "refund", "status": "failure", "amount": amt.StringFixed(2), "currency": o.Currency, "gateway": "shopify_payments"},
			},
			"refund_line_items": []any{},
		})
	}
	fin := "paid"
	if len(o.Refunds) > 0 {
		fin = "partially_refunded"
	}
	src := o.SourceName
	if src == "" {
		src = "web"
	}
	out := map[string]any{
		"id":                   o.ID,
		"admin_graphql_api_id": fmt.Sprintf("gid://shopify/Order/%d", o.ID),
		"name":                 o.Name,
		"order_number":         o.ID % 1000000,
		"created_at":           o.CreatedAt.Format(time.RFC3339),
		"updated_at":           upd.Format(time.RFC3339),
		"processed_at":         o.CreatedAt.Format(time.RFC3339),
		"total_price":          o.TotalPrice.StringFixed(2),
		"subtotal_price":       o.TotalPrice.Add(disc).StringFixed(2),
		"total_discounts":      disc.StringFixed(2),
		"currency":             o.Currency,
		"presentment_currency": o.Currency,
		"discount_codes":       codes,
		"landing_site":         nullable(o.LandingSite),
		"referring_site":       nullable(o.ReferringSite),
		"source_name":          src,
		"financial_status":     fin,
		"cancelled_at":         nil,
		"cancel_reason":        nil,
		"refunds":              refunds,
		"tags":                 "",
		"note_attributes":      []any{},
		"test":                 false,
		"email":                nullable(o.Email),
		"contact_email":        nullable(o.Email),
	}
	if o.CancelledAt != nil {
		out["cancelled_at"] = o.CancelledAt.Format(time.RFC3339)
		out["cancel_reason"] = "customer"
		out["financial_status"] = "voided"
	}
	if o.CustomerID != 0 {
		out["customer"] = map[string]any{"id": o.CustomerID, "state": "enabled", "email": nullable(o.Email),
			"admin_graphql_api_id": fmt.Sprintf("gid://shopify/Customer/%d", o.CustomerID)}
	}
	return out
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // plain maps of strings and numbers only
	}
	writeJSONText(w, status, string(b))
}

func writeJSONText(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body)) // a client that hung up is the test's business
}

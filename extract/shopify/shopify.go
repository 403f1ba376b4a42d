package shopify

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/socialroi/socialroi/extract"
	"github.com/socialroi/socialroi/extract/httpx"
	"github.com/socialroi/socialroi/transform"
)

// customerBatch is how many ids one customers call asks for (the URL stays
// well under common length limits).
const customerBatch = 100

// Source extracts Shopify orders. Create it with New or NewSource.
type Source struct {
	name     string
	settings Settings

	// Hooks for tests; zero values mean the real thing.
	sleep            func(ctx context.Context, d time.Duration) error
	waitMin, waitMax time.Duration
}

// New is the extract.Factory for kind shopify: it decodes settings over
// DefaultSettings and validates them, without touching the network.
func New(name string, settings extract.Settings) (extract.Source, error) {
	s := DefaultSettings()
	if err := settings.Decode(&s); err != nil {
		return nil, fmt.Errorf("%s: %w", Kind, err)
	}
	return NewSource(name, s)
}

// NewSource validates s and returns the source named name.
func NewSource(name string, s Settings) (*Source, error) {
	if name == "" {
		return nil, fmt.Errorf("%s: source name is required", Kind)
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return &Source{name: name, settings: s}, nil
}

func (s *Source) credential() string { return "sources." + s.name + ".access_token" }

// Extract reads the orders updated since req.Since and emits conversions and
// touchpoints for those created up to the end of req.Until (see the package
// doc for the rules). It emits one record per table at the end, because
// is_new_customer needs every order fetched first.
func (s *Source) Extract(ctx context.Context, req extract.Request, emit extract.Emitter) error {
	if req.Since.IsZero() || req.Until.IsZero() || req.Until.Before(req.Since) {
		return fmt.Errorf("%s: bad date range %s..%s", Kind, req.Since.Format(time.DateOnly), req.Until.Format(time.DateOnly))
	}
	log := req.Log()
	mem := req.Allocator()
	maxRetries := httpx.RetriesSetting(s.settings.MaxRetries)
	client, err := httpx.New(httpx.Options{
		Source:     s.name,
		BaseURL:    s.settings.BaseURL,
		MaxRetries: maxRetries,
		WaitMin:    s.waitMin,
		WaitMax:    s.waitMax,
		RateLimit:  s.settings.RequestsPerSecond,
		Secrets:    []string{s.settings.AccessToken.Reveal()},
		Credential: s.credential(),
		RawDir:     req.RawDir,
		Logger:     log,
		Classify:   classify,
		Sleep:      s.sleep,
	})
	if err != nil {
		return fmt.Errorf("%s: %w", Kind, err)
	}
	orders, err := s.fetchOrders(ctx, client, req.Since)
	if err != nil {
		return err
	}
	counts, err := s.fetchOrderCounts(ctx, client, orders)
	if err != nil {
		return err
	}
	isNew := newCustomers(orders, counts)
	end := req.Until.AddDate(0, 0, 1)
	var convs []transform.ConversionRow
	var tps []transform.TouchpointRow
	for _, o := range orders {
		if !o.created.Before(end) {
			continue
		}
		convs = append(convs, o.conversion(s.name, isNew[o.id]))
		if !s.settings.landingTouchpoints() {
			continue
		}
		if tp, ok := o.touchpoint(); ok {
			tps = append(tps, tp)
		}
	}
	ids := identities(orders)
	if err := emitRows(mem, emit, transform.Conversions, convs); err != nil {
		return fmt.Errorf("%s: %w", Kind, err)
	}
	if err := emitRows(mem, emit, transform.Touchpoints, tps); err != nil {
		return fmt.Errorf("%s: %w", Kind, err)
	}
	if err := emitRows(mem, emit, transform.Identities, ids); err != nil {
		return fmt.Errorf("%s: %w", Kind, err)
	}
	log.Info("shopify orders extracted", "source", s.name, "orders", len(orders),
		"conversions", len(convs), "touchpoints", len(tps), "identities", len(ids))
	return nil
}

func emitRows[T any](mem memory.Allocator, emit extract.Emitter, table string, rows []T) error {
	if len(rows) == 0 {
		return nil
	}
	rec, err := transform.BuildRecord(mem, table, rows)
	if err != nil {
		return fmt.Errorf("build %s: %w", table, err)
	}
	defer rec.Release()
	if err := emit.Emit(table, rec); err != nil {
		return fmt.Errorf("emit %s: %w", table, err)
	}
	return nil
}

func (s *Source) header() http.Header {
	return http.Header{"X-Shopify-Access-Token": {s.settings.AccessToken.Reveal()}}
}

// fail wraps a request error with what the source was doing. On 401 the
// httpx error already ends "renew sources.<name>.access_token".
func (s *Source) fail(what string, err error) error {
	if errors.Is(err, httpx.ErrUnauthorized) {
		return fmt.Errorf("%s: %s: access token rejected: %w", Kind, what, err)
	}
	return fmt.Errorf("%s: %s: %w", Kind, what, err)
}

// fetchOrders pages through orders.json following Link rel="next".
func (s *Source) fetchOrders(ctx context.Context, client *httpx.Client, since time.Time) ([]parsed, error) {
	path := fmt.Sprintf("/admin/api/%s/orders.json", s.settings.APIVersion)
	query := url.Values{
		"status":         {"any"},
		"updated_at_min": {since.UTC().Format(time.RFC3339)},
		"limit":          {strconv.Itoa(s.settings.PageLimit)},
	}
	var out []parsed
	seenID := map[int64]bool{}
	seenURL := map[string]bool{}
	for page := 1; ; page++ {
		what := fmt.Sprintf("orders page %d", page)
		resp, err := client.Do(ctx, httpx.Request{Path: path, Query: query, Header: s.header()})
		if err != nil {
			return nil, s.fail(what, err)
		}
		var body struct {
			Orders *[]order `json:"orders"`
		}
		if err := client.DecodeJSON(http.MethodGet, path, resp, &body); err != nil {
			return nil, s.fail(what, err)
		}
		if body.Orders == nil {
			return nil, s.fail(what, fmt.Errorf("response has no \"orders\" array"))
		}
		for i, o := range *body.Orders {
			p, err := parseOrder(o)
			if err != nil {
				return nil, s.fail(what, fmt.Errorf("order %d (id %d): %w", i+1, o.ID, err))
			}
			if seenID[p.id] {
				continue // an order updated while we paged can show up twice
			}
			seenID[p.id] = true
			out = append(out, p)
		}
		next := parseLink(resp.Header.Get("Link"))["next"]
		if next == "" {
			return out, nil
		}
		if seenURL[next] {
			return nil, s.fail(what, fmt.Errorf("paging did not advance (Link next repeats an earlier page)"))
		}
		seenURL[next] = true
		// The next URL carries page_info and limit; Shopify refuses any other
		// filter beside page_info, so it is followed exactly as given.
		path, query = next, nil
	}
}

// fetchOrderCounts asks the Customer resource for orders_count of every
// customer with an order.
func (s *Source) fetchOrderCounts(ctx context.Context, client *httpx.Client, orders []parsed) (map[int64]int, error) {
	var ids []int64
	seen := map[int64]bool{}
	for _, o := range orders {
		if o.customer != 0 && !seen[o.customer] {
			seen[o.customer] = true
			ids = append(ids, o.customer)
		}
	}
	slices.Sort(ids)
	counts := map[int64]int{}
	path := fmt.Sprintf("/admin/api/%s/customers.json", s.settings.APIVersion)
	for start := 0; start < len(ids); start += customerBatch {
		batch := ids[start:min(start+customerBatch, len(ids))]
		strs := make([]string, len(batch))
		for i, id := range batch {
			strs[i] = strconv.FormatInt(id, 10)
		}
		what := fmt.Sprintf("customers %d..%d of %d", start+1, start+len(batch), len(ids))
		resp, err := client.Do(ctx, httpx.Request{Path: path, Header: s.header(), Query: url.Values{
			"ids": {strings.Join(strs, ",")}, "fields": {"id,orders_count"}, "limit": {strconv.Itoa(maxPageLimit)}}})
		if err != nil {
			return nil, s.fail(what, err)
		}
		var body struct {
			Customers *[]struct {
				ID          int64 `json:"id"`
				OrdersCount *int  `json:"orders_count"`
			} `json:"customers"`
		}
		if err := client.DecodeJSON(http.MethodGet, path, resp, &body); err != nil {
			return nil, s.fail(what, err)
		}
		if body.Customers == nil {
			return nil, s.fail(what, fmt.Errorf("response has no \"customers\" array"))
		}
		for _, c := range *body.Customers {
			if c.OrdersCount == nil {
				return nil, s.fail(what, fmt.Errorf("customer %d: orders_count missing", c.ID))
			}
			counts[c.ID] = *c.OrdersCount
		}
	}
	return counts, nil
}

// newCustomers applies the rule in the package doc to every order: no
// order of the customer before this one. Keyed by order id.
func newCustomers(orders []parsed, counts map[int64]int) map[int64]bool {
	byCustomer := map[int64][]parsed{}
	for _, o := range orders {
		if o.customer != 0 {
			byCustomer[o.customer] = append(byCustomer[o.customer], o)
		}
	}
	out := map[int64]bool{}
	for c, os := range byCustomer {
		slices.SortFunc(os, func(a, b parsed) int {
			if d := a.created.Compare(b.created); d != 0 {
				return d
			}
			return cmpInt(a.id, b.id)
		})
		count, known := counts[c]
		for k, o := range os {
			atOrAfter := len(os) - k
			if known {
				out[o.id] = count-atOrAfter <= 0
			} else {
				out[o.id] = k == 0
			}
		}
	}
	return out
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

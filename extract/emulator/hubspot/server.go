package hubspot

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/socialroi/socialroi/extract/emulator"
)

// Paths the emulator serves.
const (
	DealsSearchPath    = "/crm/v3/objects/deals/search"
	ContactsSearchPath = "/crm/v3/objects/contacts/search"
	AssociationsPath   = "/crm/v4/associations/deals/contacts/batch/read"
)

// DefaultSearchCap is HubSpot's limit on the results one search query can
// page through.
const DefaultSearchCap = 10000

// maxLimit is HubSpot's upper bound on a search page.
const maxLimit = 200

// maxBatchInputs is the v4 batch read's upper bound on inputs.
const maxBatchInputs = 1000

// Deal is one deal as the emulator holds it.
type Deal struct {
	ID string
	// Properties are the deal's properties as HubSpot stores them (strings),
	// e.g. amount, dealstage, closedate, deal_currency_code, dealname.
	// hs_object_id, createdate and hs_lastmodifieddate are filled from ID,
	// CreatedAt and UpdatedAt.
	Properties map[string]string
	CreatedAt  time.Time
	UpdatedAt  time.Time
	// ContactIDs are the associated contacts, in association order.
	ContactIDs []string
}

// Contact is one contact as the emulator holds it.
type Contact struct {
	ID string
	// Properties: email, hubspotutk, hs_analytics_*, custom utm_* … as
	// strings. hs_object_id, createdate and lastmodifieddate are filled from
	// ID, CreatedAt and UpdatedAt.
	Properties map[string]string
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Data is the emulator's CRM.
type Data struct {
	Deals    []Deal
	Contacts []Contact
}

// Config is the emulator's ground truth and behaviour.
type Config struct {
	// AccessToken is the only private app token accepted (required).
	AccessToken string
	Data        Data
	// SearchCap is the number of results one search can page through
	// (0: DefaultSearchCap). Tests set it small.
	SearchCap int
	// ExtraField, when set, adds this unknown top-level field to every
	// search result object, to check that connectors ignore what they do not
	// know.
	ExtraField string
}

// SearchRequest is the body of a search call.
type SearchRequest struct {
	FilterGroups []struct {
		Filters []Filter `json:"filters"`
	} `json:"filterGroups"`
	Sorts []struct {
		PropertyName string `json:"propertyName"`
		Direction    string `json:"direction"`
	} `json:"sorts"`
	Properties []string `json:"properties"`
	Limit      int      `json:"limit"`
	After      string   `json:"after"`
}

// Filter is one search filter.
type Filter struct {
	PropertyName string `json:"propertyName"`
	Operator     string `json:"operator"`
	Value        string `json:"value"`
}

// Call is one search or association call the emulator answered (faults
// excluded), with its decoded body.
type Call struct {
	Path   string
	Search SearchRequest // for searches
	IDs    []string      // for association reads
}

// HubSpot is a running emulator. Close it when done.
type HubSpot struct {
	*emulator.Server
	cfg      Config
	deals    []object
	contacts []object
	assoc    map[string][]string

	mu    sync.Mutex
	calls []Call
}

// object is a deal or contact with its full property map.
type object struct {
	id         string
	props      map[string]string
	created    time.Time
	updated    time.Time
	modifiedMS int64
}

// New validates cfg and starts the server.
func New(cfg Config) (*HubSpot, error) {
	if cfg.AccessToken == "" {
		return nil, fmt.Errorf("emulator: hubspot: AccessToken is required")
	}
	if cfg.SearchCap == 0 {
		cfg.SearchCap = DefaultSearchCap
	}
	h := &HubSpot{cfg: cfg, assoc: map[string][]string{}}
	seen := map[string]bool{}
	for i, d := range cfg.Data.Deals {
		if d.ID == "" || seen["d"+d.ID] {
			return nil, fmt.Errorf("emulator: hubspot: deal %d: id %q empty or repeated", i+1, d.ID)
		}
		seen["d"+d.ID] = true
		h.deals = append(h.deals, newObject(d.ID, d.Properties, d.CreatedAt, d.UpdatedAt, "hs_lastmodifieddate"))
		if len(d.ContactIDs) > 0 {
			h.assoc[d.ID] = slices.Clone(d.ContactIDs)
		}
	}
	for i, c := range cfg.Data.Contacts {
		if c.ID == "" || seen["c"+c.ID] {
			return nil, fmt.Errorf("emulator: hubspot: contact %d: id %q empty or repeated", i+1, c.ID)
		}
		seen["c"+c.ID] = true
		h.contacts = append(h.contacts, newObject(c.ID, c.Properties, c.CreatedAt, c.UpdatedAt, "lastmodifieddate"))
	}
	srv, err := emulator.Start(http.HandlerFunc(h.serve))
	if err != nil {
		return nil, err
	}
	h.Server = srv
	return h, nil
}

func newObject(id string, props map[string]string, created, updated time.Time, modProp string) object {
	p := make(map[string]string, len(props)+3)
	for k, v := range props {
		p[k] = v
	}
	p["hs_object_id"] = id
	p["createdate"] = formatTime(created)
	p[modProp] = formatTime(updated)
	return object{id: id, props: p, created: created, updated: updated, modifiedMS: updated.UnixMilli()}
}

// formatTime is HubSpot's timestamp form: ISO 8601 UTC with milliseconds.
func formatTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// Calls returns the calls answered so far, in order.
func (h *HubSpot) Calls() []Call {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.calls)
}

func (h *HubSpot) record(c Call) {
	h.mu.Lock()
	h.calls = append(h.calls, c)
	h.mu.Unlock()
}

func (h *HubSpot) serve(w http.ResponseWriter, r *http.Request) {
	auth := r.Header.Get("Authorization")
	if !strings.HasPrefix(auth, "Bearer ") || strings.TrimPrefix(auth, "Bearer ") != h.cfg.AccessToken {
		writeError(w, http.StatusUnauthorized, "INVALID_AUTHENTICATION",
			"Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview")
		return
	}
	if r.Method != http.MethodPost {
		writeError(w, http.StatusMethodNotAllowed, "VALIDATION_ERROR", "the emulator serves POST search and batch read only")
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", "unreadable body")
		return
	}
	switch r.URL.Path {
	case DealsSearchPath:
		h.search(w, body, r.URL.Path, h.deals, "hs_lastmodifieddate")
	case ContactsSearchPath:
		h.search(w, body, r.URL.Path, h.contacts, "lastmodifieddate")
	case AssociationsPath:
		h.associations(w, body)
	default:
		writeError(w, http.StatusNotFound, "OBJECT_NOT_FOUND", "Unable to infer object type from: "+r.URL.Path)
	}
}

func (h *HubSpot) search(w http.ResponseWriter, body []byte, path string, objs []object, modProp string) {
	var req SearchRequest
	if err := json.Unmarshal(body, &req); err != nil {
		writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", "Invalid input JSON on line 1: "+err.Error())
		return
	}
	if req.Limit == 0 {
		req.Limit = 10
	}
	if req.Limit < 1 || req.Limit > maxLimit {
		writeError(w, http.StatusBadRequest, "VALIDATION_ERROR",
			fmt.Sprintf("limit must be between 1 and %d, got %d", maxLimit, req.Limit))
		return
	}
	offset := 0
	if req.After != "" {
		n, err := strconv.Atoi(req.After)
		if err != nil || n < 0 {
			writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", "after must be a non-negative integer")
			return
		}
		offset = n
	}
	if offset >= h.cfg.SearchCap {
		// HubSpot refuses to page past the cap; the client must narrow the
		// query (move its modified-since window forward).
		writeError(w, http.StatusBadRequest, "VALIDATION_ERROR",
			fmt.Sprintf("Search results are limited to %d; use filters to narrow the query (after=%d)", h.cfg.SearchCap, offset))
		return
	}
	var match []object
	for _, o := range objs {
		ok := true
		for _, g := range req.FilterGroups {
			for _, f := range g.Filters {
				keep, err := filterMatch(o, f, modProp)
				if err != nil {
					writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", err.Error())
					return
				}
				ok = ok && keep
			}
		}
		if ok {
			match = append(match, o)
		}
	}
	// Several filter groups are ORed by HubSpot; the connector sends one, and
	// the emulator ANDs every filter, which is the same for one group.
	desc := false
	for _, s := range req.Sorts {
		if s.PropertyName != modProp {
			writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", "the emulator sorts on "+modProp+" only")
			return
		}
		desc = s.Direction == "DESCENDING"
	}
	slices.SortStableFunc(match, func(a, b object) int {
		c := cmp.Or(cmp.Compare(a.modifiedMS, b.modifiedMS), cmpID(a.id, b.id))
		if desc {
			return -c
		}
		return c
	})
	h.record(Call{Path: path, Search: req})
	end := min(offset+req.Limit, len(match))
	results := make([]map[string]any, 0, max(0, end-offset))
	for _, o := range match[min(offset, len(match)):end] {
		props := map[string]any{}
		// Default properties come back whatever was asked.
		for _, k := range []string{"hs_object_id", "createdate", modProp} {
			props[k] = o.props[k]
		}
		for _, k := range req.Properties {
			if v, ok := o.props[k]; ok {
				props[k] = v
			} else {
				props[k] = nil
			}
		}
		res := map[string]any{"id": o.id, "properties": props, "createdAt": formatTime(o.created),
			"updatedAt": formatTime(o.updated), "archived": false}
		if h.cfg.ExtraField != "" {
			res[h.cfg.ExtraField] = map[string]any{"surprise": true}
		}
		results = append(results, res)
	}
	out := map[string]any{"total": len(match), "results": results}
	if end < len(match) {
		out["paging"] = map[string]any{"next": map[string]any{"after": strconv.Itoa(end),
			"link": "?after=" + strconv.Itoa(end)}}
	}
	writeJSON(w, http.StatusOK, out)
}

// cmpID orders HubSpot ids numerically (they are decimal strings).
func cmpID(a, b string) int {
	return cmp.Or(cmp.Compare(len(a), len(b)), strings.Compare(a, b))
}

func filterMatch(o object, f Filter, modProp string) (bool, error) {
	if f.PropertyName != modProp {
		return false, fmt.Errorf("the emulator filters on %s only, not %q", modProp, f.PropertyName)
	}
	v, err := strconv.ParseInt(f.Value, 10, 64)
	if err != nil {
		return false, fmt.Errorf("filter value %q for %s is not epoch milliseconds", f.Value, modProp)
	}
	m := o.modifiedMS
	switch f.Operator {
	case "GTE":
		return m >= v, nil
	case "GT":
		return m > v, nil
	case "LTE":
		return m <= v, nil
	case "LT":
		return m < v, nil
	case "EQ":
		return m == v, nil
	}
	return false, fmt.Errorf("operator %q is not supported by the emulator", f.Operator)
}

func (h *HubSpot) associations(w http.ResponseWriter, body []byte) {
	var req struct {
		Inputs []struct {
			ID string `json:"id"`
		} `json:"inputs"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", "Invalid input JSON on line 1: "+err.Error())
		return
	}
	if len(req.Inputs) == 0 || len(req.Inputs) > maxBatchInputs {
		writeError(w, http.StatusBadRequest, "VALIDATION_ERROR",
			fmt.Sprintf("inputs must hold 1 to %d ids, got %d", maxBatchInputs, len(req.Inputs)))
		return
	}
	ids := make([]string, 0, len(req.Inputs))
	results := []map[string]any{}
	errs := []map[string]any{}
	for _, in := range req.Inputs {
		ids = append(ids, in.ID)
		to := h.assoc[in.ID]
		if len(to) == 0 {
			errs = append(errs, map[string]any{
				"status": "error", "category": "OBJECT_NOT_FOUND",
				"subCategory": "crm.associations.NO_ASSOCIATIONS_FOUND",
				"context":     map[string]any{"fromObjectId": []string{in.ID}},
				"message":     fmt.Sprintf("No contacts is associated with deal %s.", in.ID),
			})
			continue
		}
		tos := make([]map[string]any, 0, len(to))
		for _, c := range to {
			n, err := strconv.ParseInt(c, 10, 64)
			if err != nil {
				writeError(w, http.StatusInternalServerError, "ERROR", "contact id "+c+" is not numeric")
				return
			}
			tos = append(tos, map[string]any{"toObjectId": n, "associationTypes": []map[string]any{
				{"category": "HUBSPOT_DEFINED", "typeId": 3, "label": nil}}})
		}
		results = append(results, map[string]any{"from": map[string]any{"id": in.ID}, "to": tos})
	}
	h.record(Call{Path: AssociationsPath, IDs: ids})
	out := map[string]any{"status": "COMPLETE", "results": results,
		"startedAt": "2026-11-23T06:00:00.000Z", "completedAt": "2026-11-23T06:00:00.050Z"}
	status := http.StatusOK
	if len(errs) > 0 {
		out["numErrors"], out["errors"] = len(errs), errs
		status = http.StatusMultiStatus
	}
	writeJSON(w, status, out)
}

// ErrorBody is a HubSpot error body.
func ErrorBody(category, message string) string {
	return mustJSON(map[string]any{"status": "error", "message": message,
		"correlationId": "9f3c1b2a-5d4e-4f60-8a7b-0c1d2e3f4a5b", "category": category})
}

// RateLimitFault is HubSpot's 429 for a policy: "SECONDLY",
// "TEN_SECONDLY_ROLLING" or "DAILY".
func RateLimitFault(policy string) emulator.Fault {
	msgs := map[string]string{
		"SECONDLY":             "You have reached your secondly limit.",
		"TEN_SECONDLY_ROLLING": "You have reached your ten_secondly_rolling limit.",
		"DAILY":                "You have reached your daily limit.",
	}
	msg, ok := msgs[policy]
	if !ok {
		msg = "You have reached your " + strings.ToLower(policy) + " limit."
	}
	return emulator.Fault{Status: http.StatusTooManyRequests, Body: mustJSON(map[string]any{
		"status": "error", "message": msg, "errorType": "RATE_LIMIT",
		"correlationId": "2b5e7c1d-0a9f-4e3b-9c8d-7f6e5d4c3b2a", "policyName": policy})}
}

// TokenExpiredFault is HubSpot's 401 for an expired or revoked token.
func TokenExpiredFault() emulator.Fault {
	return emulator.Fault{Status: http.StatusUnauthorized, Body: ErrorBody("EXPIRED_AUTHENTICATION",
		"The OAuth token used to make this call expired 2 hour(s) ago.")}
}

func writeError(w http.ResponseWriter, status int, category, msg string) {
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, ErrorBody(category, msg))
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v) // a client that hung up is the test's business
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // plain maps of strings only
	}
	return string(b)
}

package hubspot

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/socialroi/socialroi/extract"
	"github.com/socialroi/socialroi/extract/httpx"
	"github.com/socialroi/socialroi/transform"
)

// Paths of the endpoints the source calls.
const (
	dealsSearchPath    = "/crm/v3/objects/deals/search"
	contactsSearchPath = "/crm/v3/objects/contacts/search"
	associationsPath   = "/crm/v4/associations/deals/contacts/batch/read"
)

// Modified-date properties the searches filter and sort on.
const (
	dealModProp    = "hs_lastmodifieddate"
	contactModProp = "lastmodifieddate"
)

// searchCap is how many results one HubSpot search can page through.
const searchCap = 10000

// assocBatch is the number of deal ids per associations batch read (the API
// takes up to 1,000; smaller batches keep one failure cheap to retry).
const assocBatch = 100

// recordRows bounds the rows of one emitted Arrow record.
const recordRows = 10000

// dealProperties are requested for every deal.
var dealProperties = []string{"amount", "closedate", "createdate", "deal_currency_code", "dealstage",
	dealModProp, "pipeline"}

// contactProperties are requested for every contact, on top of the UTM and
// anonymous-id properties the settings name.
var contactProperties = []string{"createdate", "email", "hs_analytics_first_referrer",
	"hs_analytics_first_timestamp", "hs_analytics_first_url", "hs_analytics_last_referrer",
	"hs_analytics_last_timestamp", "hs_analytics_last_url", "hs_analytics_source",
	"hs_analytics_source_data_1", "hs_analytics_source_data_2", contactModProp, "lifecyclestage"}

// Source extracts HubSpot deals and contacts. Create it with New or NewSource.
type Source struct {
	name     string // the config key, e.g. "hubspot"
	settings Settings
	won      map[string]bool
	lost     map[string]bool
	emitWon  bool
	emitOpen bool

	// Hooks for tests; zero values mean the real thing.
	sleep            func(ctx context.Context, d time.Duration) error
	waitMin, waitMax time.Duration
	searchCap        int
}

// New is the extract.Factory for kind hubspot: it decodes settings over
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
	src := &Source{name: name, settings: s, won: map[string]bool{}, lost: map[string]bool{}, searchCap: searchCap}
	for _, st := range s.WonStages {
		src.won[st] = true
	}
	for _, st := range s.LostStages {
		src.lost[st] = true
	}
	src.emitWon = slices.Contains(s.ConversionTypes, TypeDealWon)
	src.emitOpen = slices.Contains(s.ConversionTypes, TypeOpportunity)
	return src, nil
}

func (s *Source) credential() string {
	return "the HubSpot private app token in sources." + s.name + ".access_token"
}

// Extract reads the deals and contacts modified since req.Since (midnight
// UTC; req.Until is not a bound: a CRM record's current state is what is
// loaded) and emits conversions, touchpoints and identities.
func (s *Source) Extract(ctx context.Context, req extract.Request, emit extract.Emitter) error {
	if req.Since.IsZero() {
		return fmt.Errorf("%s: modified-since date (Request.Since) is required", Kind)
	}
	log := req.Log()
	log = log.With("source", s.name)
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
	since := req.Since.UTC()
	deals, err := s.search(ctx, client, log, "deals", dealsSearchPath, dealModProp, dealProperties, since)
	if err != nil {
		return err
	}
	contacts, err := s.search(ctx, client, log, "contacts", contactsSearchPath, contactModProp, s.contactProperties(), since)
	if err != nil {
		return err
	}
	var wanted []string
	for _, d := range deals {
		if s.dealWanted(d) {
			wanted = append(wanted, d.ID)
		}
	}
	contactOf, err := s.associations(ctx, client, wanted)
	if err != nil {
		return err
	}
	convs, err := s.conversions(deals, contactOf, log)
	if err != nil {
		return err
	}
	tps, ids, err := s.contactRows(contacts, log)
	if err != nil {
		return err
	}
	if err := emitRows(mem, transform.Conversions, convs, emit); err != nil {
		return fmt.Errorf("%s: %w", Kind, err)
	}
	if err := emitRows(mem, transform.Touchpoints, tps, emit); err != nil {
		return fmt.Errorf("%s: %w", Kind, err)
	}
	if err := emitRows(mem, transform.Identities, ids, emit); err != nil {
		return fmt.Errorf("%s: %w", Kind, err)
	}
	log.Info("hubspot extracted", "since", since.Format(time.DateOnly), "deals", len(deals), "contacts", len(contacts),
		"conversions", len(convs), "touchpoints", len(tps), "identities", len(ids))
	return nil
}

// contactProperties is the contact property list: the fixed ones, the UTM
// properties and the anonymous-id properties, sorted and unique.
func (s *Source) contactProperties() []string {
	props := slices.Clone(contactProperties)
	for _, p := range s.settings.ContactUTMProperties {
		props = append(props, p)
	}
	props = append(props, s.settings.AnonymousIDProperties...)
	slices.Sort(props)
	return slices.Compact(props)
}

// emitRows builds and emits rows in records of at most recordRows rows.
func emitRows[T any](mem memory.Allocator, table string, rows []T, emit extract.Emitter) error {
	for start := 0; start < len(rows); start += recordRows {
		rec, err := transform.BuildRecord(mem, table, rows[start:min(start+recordRows, len(rows))])
		if err != nil {
			return fmt.Errorf("build %s: %w", table, err)
		}
		err = emit.Emit(table, rec)
		rec.Release()
		if err != nil {
			return fmt.Errorf("emit %s: %w", table, err)
		}
	}
	return nil
}

// searchRequest is the body of a search call.
type searchRequest struct {
	FilterGroups []filterGroup `json:"filterGroups"`
	Sorts        []sortSpec    `json:"sorts"`
	Properties   []string      `json:"properties"`
	Limit        int           `json:"limit"`
	After        string        `json:"after,omitempty"`
}

type filterGroup struct {
	Filters []filter `json:"filters"`
}

type filter struct {
	PropertyName string `json:"propertyName"`
	Operator     string `json:"operator"`
	Value        string `json:"value"`
}

type sortSpec struct {
	PropertyName string `json:"propertyName"`
	Direction    string `json:"direction"`
}

// searchPage is the envelope of one search response. Unknown fields are
// ignored.
type searchPage struct {
	Total   int      `json:"total"`
	Results []record `json:"results"`
	Paging  struct {
		Next struct {
			After string `json:"after"`
		} `json:"next"`
	} `json:"paging"`
}

// record is a deal or a contact.
type record struct {
	ID         string          `json:"id"`
	Properties map[string]prop `json:"properties"`
	CreatedAt  string          `json:"createdAt"`
	UpdatedAt  string          `json:"updatedAt"`
	Archived   bool            `json:"archived"`
}

func (r record) prop(name string) string { return string(r.Properties[name]) }

// search pages through every object modified at or after since, ascending
// by modified date. When the next page would pass HubSpot's search cap, it
// starts a new search whose window begins at the last modified date seen;
// records seen twice (those sharing that timestamp) are kept once, the later
// copy winning. The result is ordered by id.
func (s *Source) search(ctx context.Context, client *httpx.Client, log *slog.Logger, object, path, modProp string,
	props []string, since time.Time) ([]record, error) {
	windowStart := since.UnixMilli()
	byID := map[string]record{}
	pages := 0
	for window := 1; ; window++ {
		after := ""
		lastMod := windowStart
		seenAfter := map[string]bool{}
		restart := false
		for page := 1; ; page++ {
			fail := func(err error) error {
				return fmt.Errorf("%s: %s search (window %d from %s) page %d: %w", Kind, object, window,
					time.UnixMilli(windowStart).UTC().Format(time.RFC3339), page, err)
			}
			body, err := json.Marshal(searchRequest{
				FilterGroups: []filterGroup{{Filters: []filter{{PropertyName: modProp, Operator: "GTE",
					Value: strconv.FormatInt(windowStart, 10)}}}},
				Sorts:      []sortSpec{{PropertyName: modProp, Direction: "ASCENDING"}},
				Properties: props,
				Limit:      s.settings.PageLimit,
				After:      after,
			})
			if err != nil {
				return nil, fail(err)
			}
			var resp searchPage
			if err := s.post(ctx, client, path, body, &resp); err != nil {
				return nil, fail(err)
			}
			pages++
			for i, r := range resp.Results {
				if r.ID == "" {
					return nil, fail(fmt.Errorf("%w: result %d has no id", ErrBadRecord, i+1))
				}
				mod, err := parseTime(r.prop(modProp))
				if err != nil {
					if mod, err = parseTime(r.UpdatedAt); err != nil {
						return nil, fail(fmt.Errorf("%w: %s %s: %s: %v", ErrBadRecord, object, r.ID, modProp, err))
					}
				}
				lastMod = max(lastMod, mod.UnixMilli())
				byID[r.ID] = r
			}
			next := resp.Paging.Next.After
			if next == "" {
				break
			}
			if seenAfter[next] {
				return nil, fail(fmt.Errorf("paging did not advance (after %q repeats)", next))
			}
			seenAfter[next] = true
			// Restart before a page that would reach past the cap, whose
			// results HubSpot refuses to serve.
			if n, err := strconv.Atoi(next); err == nil && n+s.settings.PageLimit > s.searchCap {
				restart = true
				break
			}
			after = next
		}
		if !restart {
			break
		}
		if lastMod <= windowStart {
			return nil, fmt.Errorf("%s: %s search: %w: more than %d %s share modified time %s", Kind, object,
				ErrSearchCap, s.searchCap, object, time.UnixMilli(windowStart).UTC().Format(time.RFC3339Nano))
		}
		log.Info("hubspot search cap reached: moving the modified-since window forward", "object", object,
			"cap", s.searchCap, "from", time.UnixMilli(lastMod).UTC().Format(time.RFC3339Nano))
		windowStart = lastMod
	}
	out := make([]record, 0, len(byID))
	for _, r := range byID {
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b record) int { return cmpID(a.ID, b.ID) })
	log.Debug("hubspot search done", "object", object, "pages", pages, "records", len(out))
	return out, nil
}

// cmpID orders HubSpot ids numerically (decimal strings), then as text.
func cmpID(a, b string) int {
	return cmp.Or(cmp.Compare(len(a), len(b)), cmp.Compare(a, b))
}

// post sends a JSON POST and decodes the answer.
func (s *Source) post(ctx context.Context, client *httpx.Client, path string, body []byte, out any) error {
	resp, err := client.Do(ctx, httpx.Request{
		Method: http.MethodPost,
		Path:   path,
		Body:   body,
		Header: http.Header{
			"Authorization": {"Bearer " + s.settings.AccessToken.Reveal()},
			"Content-Type":  {"application/json"},
		},
	})
	if err != nil {
		return err
	}
	return client.DecodeJSON(http.MethodPost, path, resp, out)
}

// assocPage is the v4 batch read answer (HTTP 200, or 207 when some deals
// have no contacts: those are listed under errors and simply have none).
type assocPage struct {
	Results []struct {
		From struct {
			ID string `json:"id"`
		} `json:"from"`
		To []struct {
			ToObjectID json.Number `json:"toObjectId"`
		} `json:"to"`
	} `json:"results"`
}

// associations returns each deal's contact: the lowest contact id among its
// associated contacts (HubSpot has no "primary contact" on deals; the lowest
// id is the earliest created and is stable across runs).
func (s *Source) associations(ctx context.Context, client *httpx.Client, dealIDs []string) (map[string]string, error) {
	out := map[string]string{}
	for start := 0; start < len(dealIDs); start += assocBatch {
		batch := dealIDs[start:min(start+assocBatch, len(dealIDs))]
		type input struct {
			ID string `json:"id"`
		}
		in := make([]input, len(batch))
		for i, id := range batch {
			in[i] = input{ID: id}
		}
		body, err := json.Marshal(map[string]any{"inputs": in})
		if err != nil {
			return nil, fmt.Errorf("%s: deal associations: %w", Kind, err)
		}
		var resp assocPage
		if err := s.post(ctx, client, associationsPath, body, &resp); err != nil {
			return nil, fmt.Errorf("%s: deal→contact associations (deals %s…): %w", Kind, batch[0], err)
		}
		for _, r := range resp.Results {
			for _, to := range r.To {
				c := to.ToObjectID.String()
				if c == "" {
					continue
				}
				if cur, ok := out[r.From.ID]; !ok || cmpID(c, cur) < 0 {
					out[r.From.ID] = c
				}
			}
		}
	}
	return out, nil
}

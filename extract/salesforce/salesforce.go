package salesforce

import (
	"context"
	"fmt"
	"log/slog"
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

// recordRows bounds the rows of one emitted Arrow record.
const recordRows = 10000

// Standard fields read per object.
var (
	opportunityFields = []string{"Id", "Amount", "CloseDate", "StageName", "IsWon", "IsClosed", "LeadSource",
		"CampaignId", "ContactId", "CreatedDate", "SystemModstamp"}
	leadFields    = []string{"Id", "Email", "LeadSource", "IsConverted", "ConvertedContactId", "CreatedDate", "SystemModstamp"}
	contactFields = []string{"Id", "Email", "LeadSource", "CreatedDate", "SystemModstamp"}
)

// Source extracts Salesforce opportunities, leads and contacts. Create it
// with New or NewSource.
type Source struct {
	name     string // the config key, e.g. "salesforce"
	settings Settings
	emitWon  bool
	emitOpen bool

	// Hooks for tests; zero values mean the real thing.
	sleep            func(ctx context.Context, d time.Duration) error
	waitMin, waitMax time.Duration
}

// New is the extract.Factory for kind salesforce: it decodes settings over
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
	return &Source{name: name, settings: s,
		emitWon:  slices.Contains(s.ConversionTypes, TypeDealWon),
		emitOpen: slices.Contains(s.ConversionTypes, TypeOpportunity)}, nil
}

func (s *Source) credential() string {
	return "the Salesforce access token in sources." + s.name + ".access_token"
}

// Extract reads the opportunities, leads and contacts whose SystemModstamp
// is at or after req.Since (midnight UTC; req.Until is not a bound: a CRM
// record's current state is what is loaded) and emits conversions,
// touchpoints and identities.
func (s *Source) Extract(ctx context.Context, req extract.Request, emit extract.Emitter) error {
	if req.Since.IsZero() {
		return fmt.Errorf("%s: modified-since date (Request.Since) is required", Kind)
	}
	log := req.Log()
	log = log.With("source", s.name)
	mem := req.Allocator()
	maxRetries := httpx.RetriesSetting(s.settings.MaxRetries)
	lim := &limits{log: log}
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
		Classify:   lim.classify,
		Sleep:      s.sleep,
	})
	if err != nil {
		return fmt.Errorf("%s: %w", Kind, err)
	}
	since := req.Since.UTC()
	personFields := s.personFields()
	opps, err := s.query(ctx, client, log, "Opportunity", opportunityFields, since)
	if err != nil {
		return err
	}
	leads, err := s.query(ctx, client, log, "Lead", append(slices.Clone(leadFields), personFields...), since)
	if err != nil {
		return err
	}
	contacts, err := s.query(ctx, client, log, "Contact", append(slices.Clone(contactFields), personFields...), since)
	if err != nil {
		return err
	}
	convs, err := s.conversions(opps)
	if err != nil {
		return err
	}
	tps, ids, err := s.personRows(leads, contacts, log)
	if err != nil {
		return err
	}
	for _, e := range []func() error{
		func() error { return emitRows(mem, transform.Conversions, convs, emit) },
		func() error { return emitRows(mem, transform.Touchpoints, tps, emit) },
		func() error { return emitRows(mem, transform.Identities, ids, emit) },
	} {
		if err := e(); err != nil {
			return fmt.Errorf("%s: %w", Kind, err)
		}
	}
	used, max := lim.last()
	log.Info("salesforce extracted", "since", since.Format(time.DateOnly), "opportunities", len(opps),
		"leads", len(leads), "contacts", len(contacts), "conversions", len(convs), "touchpoints", len(tps),
		"identities", len(ids), "api_used", used, "api_max", max)
	return nil
}

// personFields are the configured Lead/Contact fields, sorted and unique.
func (s *Source) personFields() []string {
	var out []string
	for _, v := range s.settings.Fields {
		if v != "" {
			out = append(out, v)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// SOQL builds the incremental query of one object. Field names come from
// the constants above or from settings validated against FieldRE, the object
// is one of three constants, and the only value is a formatted datetime
// literal: no user text is spliced. Duplicate fields (a setting naming a
// standard field) are sent once, as SOQL refuses duplicates.
func SOQL(object string, fields []string, since time.Time) string {
	seen := map[string]bool{}
	var uniq []string
	for _, f := range fields {
		if k := strings.ToLower(f); !seen[k] {
			seen[k] = true
			uniq = append(uniq, f)
		}
	}
	return "SELECT " + strings.Join(uniq, ", ") + " FROM " + object +
		" WHERE SystemModstamp >= " + since.UTC().Format("2006-01-02T15:04:05Z") +
		" ORDER BY SystemModstamp ASC, Id ASC"
}

// queryPage is the envelope of one query response. Unknown fields are
// ignored.
type queryPage struct {
	TotalSize      int      `json:"totalSize"`
	Done           bool     `json:"done"`
	NextRecordsURL string   `json:"nextRecordsUrl"`
	Records        []record `json:"records"`
}

// query runs one SOQL query and follows nextRecordsUrl, exactly as given,
// until done. Records are returned in the server's order; a record id seen
// twice keeps its later copy.
func (s *Source) query(ctx context.Context, client *httpx.Client, log *slog.Logger, object string, fields []string,
	since time.Time) ([]record, error) {
	path := "/services/data/" + s.settings.APIVersion + "/query"
	query := url.Values{"q": {SOQL(object, fields, since)}}
	header := http.Header{
		"Authorization":        {"Bearer " + s.settings.AccessToken.Reveal()},
		"Sforce-Query-Options": {"batchSize=" + strconv.Itoa(s.settings.BatchSize)},
	}
	var out []record
	index := map[string]int{}
	seen := map[string]bool{}
	for page := 1; ; page++ {
		fail := func(err error) error {
			return fmt.Errorf("%s: %s query page %d: %w", Kind, object, page, err)
		}
		resp, err := client.Do(ctx, httpx.Request{Method: http.MethodGet, Path: path, Query: query, Header: header})
		if err != nil {
			return nil, fail(err)
		}
		var pg queryPage
		if err := client.DecodeJSON(http.MethodGet, path, resp, &pg); err != nil {
			return nil, fail(err)
		}
		for i, r := range pg.Records {
			id := r.str("Id")
			if id == "" {
				return nil, fail(fmt.Errorf("%w: record %d has no Id", ErrBadRecord, i+1))
			}
			if j, ok := index[id]; ok {
				out[j] = r
				continue
			}
			index[id] = len(out)
			out = append(out, r)
		}
		if pg.Done {
			log.Debug("salesforce query done", "object", object, "pages", page, "records", len(out), "total_size", pg.TotalSize)
			return out, nil
		}
		next := pg.NextRecordsURL
		if next == "" {
			return nil, fail(fmt.Errorf("done is false but nextRecordsUrl is missing"))
		}
		if seen[next] {
			return nil, fail(fmt.Errorf("paging did not advance (nextRecordsUrl repeats)"))
		}
		seen[next] = true
		path, query = next, nil
	}
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

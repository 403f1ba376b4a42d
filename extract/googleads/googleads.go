package googleads

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"
	"unicode"

	"github.com/socialroi/socialroi/extract"
	"github.com/socialroi/socialroi/extract/httpx"
	"github.com/socialroi/socialroi/transform"
)

// queryFields are the GAQL fields selected from ad_group_ad.
var queryFields = []string{
	"customer.id", "customer.descriptive_name", "customer.currency_code", "customer.time_zone",
	"campaign.id", "campaign.name", "ad_group.id", "ad_group.name",
	"ad_group_ad.ad.id", "ad_group_ad.ad.name", "ad_group_ad.ad.final_urls",
	"ad_group_ad.ad.tracking_url_template", "ad_group_ad.ad.final_url_suffix",
	"segments.date", "metrics.cost_micros", "metrics.impressions", "metrics.clicks",
	"metrics.conversions", "metrics.conversions_value",
}

// Query is the GAQL query for since..until (inclusive).
func Query(since, until time.Time) string {
	return "SELECT " + strings.Join(queryFields, ", ") + " FROM ad_group_ad WHERE segments.date BETWEEN '" +
		since.Format(time.DateOnly) + "' AND '" + until.Format(time.DateOnly) + "'"
}

// Source extracts Google Ads ad performance. Create it with New or NewSource.
type Source struct {
	name     string // the config key, e.g. "google"
	settings Settings

	// Hooks for tests; zero values mean the real thing.
	sleep            func(ctx context.Context, d time.Duration) error
	now              func() time.Time
	waitMin, waitMax time.Duration
}

var _ extract.Source = (*Source)(nil)

// New is the extract.Factory for kind google_ads: it decodes settings over
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

func (s *Source) credential() string {
	return "sources." + s.name + ".access_token (the OAuth access token)"
}

// Extract reads every configured customer's daily ad performance for
// req.Since..req.Until and emits one ad_performance record per non-empty
// stream batch. Customers are read one after the other; the first failure
// stops the source.
func (s *Source) Extract(ctx context.Context, req extract.Request, emit extract.Emitter) error {
	if req.Since.IsZero() || req.Until.IsZero() || req.Until.Before(req.Since) {
		return fmt.Errorf("%s: bad date range %s..%s", Kind, req.Since.Format(time.DateOnly), req.Until.Format(time.DateOnly))
	}
	log := req.Log()
	mem := req.Allocator()
	maxRetries := httpx.RetriesSetting(s.settings.MaxRetries)
	// WaitMax caps every wait httpx plans; Google's retryDelay up to
	// max_retry_delay must be waited in full.
	waitMax := s.waitMax
	if waitMax == 0 {
		waitMax = httpx.DefaultWaitMax
	}
	waitMax = max(waitMax, s.settings.MaxRetryDelay)
	client, err := httpx.New(httpx.Options{
		Source:     s.name,
		BaseURL:    s.settings.BaseURL,
		MaxRetries: maxRetries,
		WaitMin:    s.waitMin,
		WaitMax:    waitMax,
		RateLimit:  s.settings.RequestsPerSecond,
		Secrets:    []string{s.settings.AccessToken.Reveal(), s.settings.DeveloperToken.Reveal()},
		Credential: s.credential(),
		RawDir:     req.RawDir,
		Logger:     log,
		Classify:   classifier(s.settings.MaxRetryDelay, "sources."+s.name+".developer_token"),
		Sleep:      s.sleep,
	})
	if err != nil {
		return fmt.Errorf("%s: %w", Kind, err)
	}
	b, err := transform.NewBuilder[transform.AdPerformanceRow](mem, transform.AdPerformance)
	if err != nil {
		return fmt.Errorf("%s: %w", Kind, err)
	}
	defer b.Release()
	now := time.Now
	if s.now != nil {
		now = s.now
	}
	extractedAt := now().UTC()
	body, err := json.Marshal(map[string]string{"query": Query(req.Since, req.Until)})
	if err != nil {
		return fmt.Errorf("%s: %w", Kind, err)
	}
	for _, cid := range s.settings.CustomerIDs {
		if err := s.extractCustomer(ctx, client, b, cid, body, extractedAt, emit, log); err != nil {
			return err
		}
	}
	return nil
}

func (s *Source) extractCustomer(ctx context.Context, client *httpx.Client, b *transform.Builder[transform.AdPerformanceRow],
	cid string, query []byte, extractedAt time.Time, emit extract.Emitter, log *slog.Logger) error {
	fail := func(err error) error {
		// httpx's ErrUnauthorized already says "renew <credential>".
		if errors.Is(err, ErrPermission) && s.settings.LoginCustomerID == "" {
			return fmt.Errorf("%s: customer %s searchStream: %w (if the customer is managed through a manager account, set login_customer_id)", Kind, cid, err)
		}
		return fmt.Errorf("%s: customer %s searchStream: %w", Kind, cid, err)
	}
	h := http.Header{
		"Authorization":   {"Bearer " + s.settings.AccessToken.Reveal()},
		"Developer-Token": {s.settings.DeveloperToken.Reveal()},
		"Content-Type":    {"application/json"},
	}
	if s.settings.LoginCustomerID != "" {
		h.Set("Login-Customer-Id", s.settings.LoginCustomerID)
	}
	path := fmt.Sprintf("/%s/customers/%s/googleAds:searchStream", s.settings.APIVersion, cid)
	resp, err := client.Do(ctx, httpx.Request{Method: http.MethodPost, Path: path, Header: h, Body: query})
	if err != nil {
		return fail(err)
	}
	rows, batches := 0, 0
	zones := map[string]bool{} // customer.time_zone values already checked
	emitBatch := func(n int) error {
		batches = n
		if b.Len() == 0 {
			return nil
		}
		rows += b.Len()
		rec := b.NewRecord()
		err := emit.Emit(transform.AdPerformance, rec)
		rec.Release()
		if err != nil {
			return fmt.Errorf("batch %d: emit: %w", n, err)
		}
		return nil
	}
	err = decodeStream(bytes.NewReader(resp.Body), streamVisitor{
		Row: func(n, i int, r *result) error {
			row, err := s.mapRow(r, cid, extractedAt)
			if err == nil {
				if z := row.AccountTimezone; !zones[z] {
					zones[z] = true
					s.checkZone(log, cid, z)
				}
				err = b.Append(row)
			}
			if err != nil {
				// One unreadable row means the day's money cannot be
				// trusted: fail the source rather than load a partial account.
				return fmt.Errorf("batch %d row %d (ad %s, %s): %w", n, i, row.AdID, r.Segments.Date, err)
			}
			return nil
		},
		EndBatch: emitBatch,
	})
	if err != nil {
		if errors.Is(err, httpx.ErrInvalidJSON) {
			err = fmt.Errorf("%w; body starts %q", err, client.Redactor().String(snippet(resp.Body)))
		}
		return fail(err)
	}
	log.Info("google ads extracted", "source", s.name, "customer", cid, "batches", batches, "rows", rows,
		"request_id", resp.Header.Get("Request-Id"))
	return nil
}

// checkZone warns about a customer.time_zone that is empty or that
// time.LoadLocation does not know; the zone is stored as given either way.
func (s *Source) checkZone(log *slog.Logger, cid, zone string) {
	if zone == "" {
		log.Warn("google ads customer has no time_zone: account_timezone left empty", "source", s.name, "customer", cid)
		return
	}
	if _, err := time.LoadLocation(zone); err != nil {
		log.Warn("google ads customer.time_zone is not a known IANA zone: stored as given",
			"source", s.name, "customer", cid, "timezone", zone)
	}
}

// snippet is the first 200 bytes of a body on one line, for errors.
func snippet(b []byte) string {
	if len(b) > 200 {
		b = b[:200]
	}
	s := strings.ToValidUTF8(string(b), "?")
	return strings.Join(strings.FieldsFunc(s, unicode.IsSpace), " ")
}

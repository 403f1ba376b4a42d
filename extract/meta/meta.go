package meta

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/socialroi/socialroi/extract"
	"github.com/socialroi/socialroi/extract/httpx"
	"github.com/socialroi/socialroi/transform"
)

// insightsFields are the fields requested from the insights endpoint.
var insightsFields = []string{
	"account_id", "account_name", "account_currency", "campaign_id", "campaign_name",
	"adset_id", "adset_name", "ad_id", "ad_name", "spend", "impressions", "reach", "clicks",
	"inline_link_clicks", "actions", "action_values",
}

// Source extracts Meta ads insights. Create it with New or NewSource.
type Source struct {
	name     string // the config key, e.g. "meta"
	settings Settings
	convert  map[string]bool // conversion action types

	// Hooks for tests; zero values mean the real thing.
	sleep            func(ctx context.Context, d time.Duration) error
	now              func() time.Time
	waitMin, waitMax time.Duration
}

// New is the extract.Factory for kind meta_ads: it decodes settings over
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
	conv := map[string]bool{}
	for _, t := range s.ConversionActionTypes {
		conv[strings.TrimSpace(t)] = true
	}
	return &Source{name: name, settings: s, convert: conv}, nil
}

// Extract reads every configured account's daily ad insights for
// req.Since..req.Until and emits one ad_performance record per non-empty page.
func (s *Source) Extract(ctx context.Context, req extract.Request, emit extract.Emitter) error {
	if req.Since.IsZero() || req.Until.IsZero() || req.Until.Before(req.Since) {
		return fmt.Errorf("%s: bad date range %s..%s", Kind, req.Since.Format(time.DateOnly), req.Until.Format(time.DateOnly))
	}
	log := req.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	mem := req.Mem
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	maxRetries := s.settings.MaxRetries
	if maxRetries == 0 {
		maxRetries = -1 // httpx: 0 means default, negative means none
	}
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
	for _, acct := range s.settings.AccountIDs {
		if err := s.extractAccount(ctx, client, b, acct, req, extractedAt, emit, log); err != nil {
			return err
		}
	}
	return nil
}

func (s *Source) credential() string { return "sources." + s.name + ".access_token" }

// insightsPage is the envelope of one insights response.
type insightsPage struct {
	Data   []insightRow `json:"data"`
	Paging struct {
		Next string `json:"next"`
	} `json:"paging"`
}

func (s *Source) extractAccount(ctx context.Context, client *httpx.Client, b *transform.Builder[transform.AdPerformanceRow],
	acct string, req extract.Request, extractedAt time.Time, emit extract.Emitter, log *slog.Logger) error {
	timeRange, err := json.Marshal(map[string]string{
		"since": req.Since.Format(time.DateOnly), "until": req.Until.Format(time.DateOnly)})
	if err != nil {
		return fmt.Errorf("%s: act_%s: %w", Kind, acct, err)
	}
	path := fmt.Sprintf("/%s/act_%s/insights", s.settings.APIVersion, acct)
	query := url.Values{
		"level":          {"ad"},
		"time_increment": {"1"},
		"breakdowns":     {"publisher_platform"},
		"time_range":     {string(timeRange)},
		"fields":         {strings.Join(insightsFields, ",")},
		"limit":          {strconv.Itoa(s.settings.PageLimit)},
	}
	token := url.Values{"access_token": {s.settings.AccessToken.Reveal()}}
	rows := 0
	seen := map[string]bool{}
	for page := 1; ; page++ {
		fail := func(err error) error {
			if errors.Is(err, ErrTokenInvalid) {
				return fmt.Errorf("%s: %w: renew the token named in %s: act_%s insights page %d: %w",
					Kind, ErrTokenInvalid, s.credential(), acct, page, err)
			}
			return fmt.Errorf("%s: act_%s insights page %d: %w", Kind, acct, page, err)
		}
		if page > 1 {
			query = token // the paging URL carries every other parameter
		} else {
			for k, v := range token {
				query[k] = v
			}
		}
		var resp insightsPage
		if err := client.GetJSON(ctx, path, query, &resp); err != nil {
			return fail(err)
		}
		for i, raw := range resp.Data {
			row, err := s.mapRow(raw, acct, extractedAt)
			if err != nil {
				// One unreadable row means the platform's money for the day
				// cannot be trusted: fail the source rather than load a
				// partial account.
				return fail(fmt.Errorf("row %d (ad %s, %s): %w", i+1, raw.AdID, raw.DateStart, err))
			}
			if err := b.Append(row); err != nil {
				return fail(fmt.Errorf("row %d (ad %s, %s): %w", i+1, raw.AdID, raw.DateStart, err))
			}
		}
		if n := b.Len(); n > 0 {
			rows += n
			rec := b.NewRecord()
			err := emit.Emit(transform.AdPerformance, rec)
			rec.Release()
			if err != nil {
				return fail(fmt.Errorf("emit: %w", err))
			}
		}
		next := resp.Paging.Next
		if next == "" {
			log.Info("meta insights extracted", "source", s.name, "account", "act_"+acct, "pages", page, "rows", rows)
			return nil
		}
		p, err := nextPath(next)
		if err != nil {
			return fail(err)
		}
		if seen[p] {
			// A cursor that does not move would loop for ever.
			return fail(fmt.Errorf("paging did not advance (next repeats an earlier page)"))
		}
		seen[p] = true
		path = p
	}
}

// nextPath is the paging URL without its access_token: the token is added
// back from the settings, so it travels the same way on every call and the
// URL we keep (and may print) holds no credential.
func nextPath(next string) (string, error) {
	u, err := url.Parse(next)
	if err != nil || !u.IsAbs() {
		return "", fmt.Errorf("paging.next is not an absolute URL")
	}
	q := u.Query()
	q.Del("access_token")
	u.RawQuery = q.Encode()
	return u.String(), nil
}

package tiktok

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/socialroi/socialroi/extract"
	"github.com/socialroi/socialroi/extract/httpx"
	"github.com/socialroi/socialroi/transform"
)

// reportPath is the synchronous report endpoint (Business API v1.3).
const reportPath = "/open_api/v1.3/report/integrated/get/"

// MaxDays is the longest range TikTok accepts for a daily report.
const MaxDays = 30

// Source extracts TikTok ads reports. Create it with New or NewSource.
type Source struct {
	name     string // the config key, e.g. "tiktok"
	settings Settings

	// Hooks for tests; zero values mean the real thing.
	sleep            func(ctx context.Context, d time.Duration) error
	now              func() time.Time
	waitMin, waitMax time.Duration
}

var _ extract.Source = (*Source)(nil)

// New is the extract.Factory for kind tiktok_ads: it decodes settings over
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

// Window is a date range of at most MaxDays days, both ends inclusive.
type Window struct{ Since, Until time.Time }

// Windows splits since..until (inclusive) into consecutive windows of at
// most days days.
func Windows(since, until time.Time, days int) []Window {
	var out []Window
	for start := since; !start.After(until); start = start.AddDate(0, 0, days) {
		end := start.AddDate(0, 0, days-1)
		if end.After(until) {
			end = until
		}
		out = append(out, Window{start, end})
	}
	return out
}

// Extract reads every advertiser's daily ad report for req.Since..req.Until
// in windows of at most 30 days, and emits one ad_performance record per
// non-empty page.
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
	// One advertiser info read per run: names, time zones and currencies.
	advs, err := s.advertisers(ctx, client, log)
	if err != nil {
		return err
	}
	windows := Windows(req.Since, req.Until, MaxDays)
	for _, adv := range s.settings.AdvertiserIDs {
		rows, pages := 0, 0
		for _, w := range windows {
			n, p, err := s.extractWindow(ctx, client, b, advs[adv], w, extractedAt, emit)
			if err != nil {
				return err
			}
			rows, pages = rows+n, pages+p
		}
		log.Info("tiktok report extracted", "source", s.name, "advertiser", adv, "windows", len(windows), "pages", pages, "rows", rows)
	}
	return nil
}

// extractWindow pages through one advertiser's report for one window and
// returns the rows and pages read.
func (s *Source) extractWindow(ctx context.Context, client *httpx.Client, b *transform.Builder[transform.AdPerformanceRow],
	acct *advertiser, w Window, extractedAt time.Time, emit extract.Emitter) (int, int, error) {
	adv := acct.id
	dims, _ := json.Marshal([]string{"ad_id", "stat_time_day"}) // a slice of strings always marshals
	metrics, _ := json.Marshal(reportMetrics)
	span := w.Since.Format(time.DateOnly) + ".." + w.Until.Format(time.DateOnly)
	header := http.Header{"Access-Token": {s.settings.AccessToken.Reveal()}}
	rows := 0
	for pg := 1; ; pg++ {
		fail := func(err error) error {
			return fmt.Errorf("%s: advertiser %s report %s page %d: %w", Kind, adv, span, pg, err)
		}
		q := url.Values{
			"advertiser_id": {adv},
			"report_type":   {"BASIC"},
			"data_level":    {"AUCTION_AD"},
			"dimensions":    {string(dims)},
			"metrics":       {string(metrics)},
			"start_date":    {w.Since.Format(time.DateOnly)},
			"end_date":      {w.Until.Format(time.DateOnly)},
			"page":          {strconv.Itoa(pg)},
			"page_size":     {strconv.Itoa(s.settings.PageSize)},
		}
		resp, err := client.Do(ctx, httpx.Request{Method: http.MethodGet, Path: reportPath, Query: q, Header: header})
		if err != nil {
			if errors.Is(err, ErrTokenInvalid) {
				return rows, pg, fmt.Errorf("%s: %w: renew the token named in %s: advertiser %s report %s page %d: %w",
					Kind, ErrTokenInvalid, s.credential(), adv, span, pg, err)
			}
			return rows, pg, fail(err)
		}
		var p page
		if err := client.DecodeJSON(http.MethodGet, reportPath, resp, &p); err != nil {
			return rows, pg, fail(err)
		}
		switch {
		case p.Code == nil:
			return rows, pg, fail(fmt.Errorf("%w: no code in the response envelope", httpx.ErrInvalidJSON))
		case p.Data.PageInfo == nil:
			return rows, pg, fail(fmt.Errorf("%w: data.page_info missing", httpx.ErrInvalidJSON))
		}
		for i := range p.Data.List {
			r := &p.Data.List[i]
			row, err := s.mapRow(r, adv, extractedAt)
			row.Currency, row.AccountName, row.AccountTimezone = acct.currency, acct.name, acct.timezone
			if err == nil {
				err = b.Append(row)
			}
			if err != nil {
				// One unreadable row means the day's money cannot be
				// trusted: fail the source rather than load a partial account.
				return rows, pg, fail(fmt.Errorf("row %d (ad %s, %s): %w", i+1, r.Dimensions.AdID, r.Dimensions.StatTimeDay, err))
			}
		}
		if n := b.Len(); n > 0 {
			rows += n
			rec := b.NewRecord()
			err := emit.Emit(transform.AdPerformance, rec)
			rec.Release()
			if err != nil {
				return rows, pg, fail(fmt.Errorf("emit: %w", err))
			}
		}
		if pg >= p.Data.PageInfo.TotalPage {
			return rows, pg, nil
		}
		if len(p.Data.List) == 0 {
			// total_page says there is more but this page was empty: the
			// report would be paged for ever.
			return rows, pg, fail(fmt.Errorf("paging: the page is empty but page_info.total_page is %d", p.Data.PageInfo.TotalPage))
		}
	}
}

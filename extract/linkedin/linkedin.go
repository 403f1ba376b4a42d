package linkedin

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/socialroi/socialroi/extract"
	"github.com/socialroi/socialroi/extract/httpx"
	"github.com/socialroi/socialroi/transform"
)

// MaxElements is where LinkedIn silently truncates an analytics response.
const MaxElements = 15000

// postsBatch is how many post URNs one batch get asks for.
const postsBatch = 50

// maxListPages bounds a listing's paging, against a token that never ends.
const maxListPages = 10000

// Source extracts LinkedIn ads analytics. Create it with New or NewSource.
type Source struct {
	name     string // the config key, e.g. "linkedin"
	settings Settings

	// Hooks for tests; zero values mean the real thing.
	sleep            func(ctx context.Context, d time.Duration) error
	now              func() time.Time
	waitMin, waitMax time.Duration
	maxElements      int
}

// New is the extract.Factory for kind linkedin_ads: it decodes settings over
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

// run is one Extract call's state.
type run struct {
	s           *Source
	client      *httpx.Client
	header      http.Header
	b           *transform.Builder[transform.AdPerformanceRow]
	emit        extract.Emitter
	log         *slog.Logger
	extractedAt time.Time
	now         func() time.Time
	maxElements int
}

// Extract reads every configured account's daily creative analytics for
// req.Since..req.Until, joined to campaign, creative and post names, and
// emits one ad_performance record per analytics call.
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
	r := &run{
		s: s, client: client, b: b, emit: emit, log: log, extractedAt: now().UTC(), now: now, maxElements: MaxElements,
		header: http.Header{
			"Authorization":             {"Bearer " + s.settings.AccessToken.Reveal()},
			"Linkedin-Version":          {s.settings.APIVersion},
			"X-Restli-Protocol-Version": {"2.0.0"},
		},
	}
	if s.maxElements > 0 {
		r.maxElements = s.maxElements
	}
	for _, id := range s.settings.AccountIDs {
		if err := r.account(ctx, id, req.Since, req.Until); err != nil {
			return r.wrap(id, err)
		}
	}
	return nil
}

// wrap adds the kind and account to an error, and for the errors a user
// must act on, what to do.
func (r *run) wrap(acct string, err error) error {
	switch {
	case errors.Is(err, ErrTokenInvalid):
		return fmt.Errorf("%s: %w: renew the token named in %s: account %s: %w",
			Kind, ErrTokenInvalid, r.s.credential(), acct, err)
	case errors.Is(err, ErrDailyLimit):
		now := r.now().UTC()
		reset := transform.Date(now.Year(), now.Month(), now.Day()).AddDate(0, 0, 1)
		return fmt.Errorf("%s: %w: LinkedIn's daily quota resets at midnight UTC (%s, in %s); run the source again after that: account %s: %w",
			Kind, ErrDailyLimit, reset.Format(time.RFC3339), reset.Sub(now).Round(time.Minute), acct, err)
	}
	return fmt.Errorf("%s: account %s: %w", Kind, acct, err)
}

func (r *run) get(ctx context.Context, path string, out any) error {
	resp, err := r.client.Do(ctx, httpx.Request{Path: path, Header: r.header})
	if err != nil {
		return err
	}
	return r.client.DecodeJSON(http.MethodGet, path, resp, out)
}

// account extracts one ad account.
func (r *run) account(ctx context.Context, id string, since, until time.Time) error {
	acct := &account{id: id, currency: r.s.settings.Currency}
	if acct.currency == "" {
		var a struct {
			Name     string `json:"name"`
			Currency string `json:"currency"`
		}
		if err := r.get(ctx, "/rest/adAccounts/"+id, &a); err != nil {
			return fmt.Errorf("ad account: %w", err)
		}
		if !currencyRE.MatchString(a.Currency) {
			return fmt.Errorf("ad account: currency %q is not an ISO 4217 code (set the currency setting)", a.Currency)
		}
		acct.name, acct.currency = a.Name, a.Currency
	}
	ads, err := r.catalog(ctx, id)
	if err != nil {
		return err
	}
	acct.ads = ads
	rows, unknown, calls := 0, map[string]bool{}, 0
	for _, sl := range dateSlices(since, until, r.s.settings.SliceDays) {
		n, err := r.analytics(ctx, acct, sl[0], sl[1], unknown, &calls)
		if err != nil {
			return err
		}
		rows += n
	}
	if len(unknown) > 0 {
		r.log.Warn("linkedin analytics rows for creatives missing from the creative listing (deleted?) loaded without names",
			"source", r.s.name, "account", id, "creatives", len(unknown))
	}
	r.log.Info("linkedin analytics extracted", "source", r.s.name, "account", id, "rows", rows,
		"analytics_calls", calls, "creatives", len(ads))
	return nil
}

// analytics fetches since..until and emits it, halving the range while the
// response reaches the truncation cap. It returns the rows emitted.
func (r *run) analytics(ctx context.Context, acct *account, since, until time.Time, unknown map[string]bool, calls *int) (int, error) {
	rng := since.Format(time.DateOnly) + ".." + until.Format(time.DateOnly)
	var resp struct {
		Elements []element `json:"elements"`
	}
	*calls++
	if err := r.get(ctx, analyticsPath(acct.id, since, until), &resp); err != nil {
		return 0, fmt.Errorf("analytics %s: %w", rng, err)
	}
	if len(resp.Elements) >= r.maxElements {
		if since.Equal(until) {
			return 0, fmt.Errorf("analytics %s: %w: one day returned %d elements, LinkedIn's cap; it cannot be split further by date",
				rng, ErrTruncated, len(resp.Elements))
		}
		days := int(until.Sub(since).Hours()/24) + 1
		mid := since.AddDate(0, 0, days/2-1)
		r.log.Debug("linkedin analytics response reached the element cap; splitting the range",
			"source", r.s.name, "account", acct.id, "range", rng, "elements", len(resp.Elements))
		n1, err := r.analytics(ctx, acct, since, mid, unknown, calls)
		if err != nil {
			return n1, err
		}
		n2, err := r.analytics(ctx, acct, mid.AddDate(0, 0, 1), until, unknown, calls)
		return n1 + n2, err
	}
	for i, e := range resp.Elements {
		row, known, err := mapElement(e, acct, r.s.name, r.extractedAt)
		if err != nil {
			// One unreadable element means the day's money cannot be
			// trusted: fail the source rather than load a partial account.
			return 0, fmt.Errorf("analytics %s: element %d: %w", rng, i+1, err)
		}
		if row.Date.Before(since) || row.Date.After(until) {
			return 0, fmt.Errorf("analytics %s: element %d: date %s is outside the requested range",
				rng, i+1, row.Date.Format(time.DateOnly))
		}
		if !known {
			unknown[row.AdID] = true
		}
		if err := r.b.Append(row); err != nil {
			return 0, fmt.Errorf("analytics %s: element %d (creative %s, %s): %w", rng, i+1, row.AdID, row.Date.Format(time.DateOnly), err)
		}
	}
	n := r.b.Len()
	if n == 0 {
		return 0, nil
	}
	rec := r.b.NewRecord()
	err := r.emit.Emit(transform.AdPerformance, rec)
	rec.Release()
	if err != nil {
		return 0, fmt.Errorf("analytics %s: emit: %w", rng, err)
	}
	return n, nil
}

// listPage is one page of a finder (adCampaigns, creatives).
type listPage[T any] struct {
	Elements []T `json:"elements"`
	Metadata struct {
		NextPageToken string `json:"nextPageToken"`
	} `json:"metadata"`
}

// list follows pageToken paging of a finder and calls each for every element.
func list[T any](ctx context.Context, r *run, acct, resource, finder string, each func(T) error) error {
	token := ""
	seen := map[string]bool{}
	for page := 1; ; page++ {
		var p listPage[T]
		if err := r.get(ctx, listPath(acct, resource, finder, r.s.settings.PageSize, token), &p); err != nil {
			return fmt.Errorf("%s page %d: %w", resource, page, err)
		}
		for i, e := range p.Elements {
			if err := each(e); err != nil {
				return fmt.Errorf("%s page %d element %d: %w", resource, page, i+1, err)
			}
		}
		token = p.Metadata.NextPageToken
		if token == "" {
			return nil
		}
		if seen[token] || page >= maxListPages {
			return fmt.Errorf("%s page %d: paging did not advance (nextPageToken repeats)", resource, page)
		}
		seen[token] = true
	}
}

// catalog reads campaigns, creatives and the posts they promote, keyed by
// creative (ad) id.
func (r *run) catalog(ctx context.Context, acct string) (map[string]adInfo, error) {
	campaigns := map[string]string{}
	err := list(ctx, r, acct, "adCampaigns", "search", func(c struct {
		ID   num    `json:"id"`
		Name string `json:"name"`
	}) error {
		if !digitsRE.MatchString(string(c.ID)) {
			return fmt.Errorf("campaign id %q is not numeric", c.ID)
		}
		campaigns[string(c.ID)] = c.Name
		return nil
	})
	if err != nil {
		return nil, err
	}
	ads := map[string]adInfo{}
	postOf := map[string][]string{} // post URN → creative ids
	var posts []string
	err = list(ctx, r, acct, "creatives", "criteria", func(c struct {
		ID       string `json:"id"`
		Name     string `json:"name"`
		Campaign string `json:"campaign"`
		Content  struct {
			Reference string `json:"reference"`
		} `json:"content"`
	}) error {
		id, ok := urnID(c.ID, "sponsoredCreative")
		if !ok {
			return fmt.Errorf("creative id %q is not a sponsoredCreative URN", c.ID)
		}
		info := adInfo{name: c.Name}
		if c.Campaign != "" {
			cid, ok := urnID(c.Campaign, "sponsoredCampaign")
			if !ok {
				return fmt.Errorf("creative %s: campaign %q is not a sponsoredCampaign URN", id, c.Campaign)
			}
			info.campaignID, info.campaignName = cid, campaigns[cid]
		}
		if ref := c.Content.Reference; ref != "" {
			if pid, ok := urnID(ref, "share"); ok {
				info.creativeID = pid
			} else if pid, ok := urnID(ref, "ugcPost"); ok {
				info.creativeID = pid
			}
			if _, seen := postOf[ref]; !seen {
				posts = append(posts, ref)
			}
			postOf[ref] = append(postOf[ref], id)
		}
		ads[id] = info
		return nil
	})
	if err != nil {
		return nil, err
	}
	for start := 0; start < len(posts); start += postsBatch {
		batch := posts[start:min(start+postsBatch, len(posts))]
		var resp struct {
			Results map[string]struct {
				Content struct {
					Article struct {
						Source string `json:"source"`
						Title  string `json:"title"`
					} `json:"article"`
					Media struct {
						Title string `json:"title"`
					} `json:"media"`
				} `json:"content"`
				ContentLandingPage string `json:"contentLandingPage"`
			} `json:"results"`
		}
		if err := r.get(ctx, postsPath(batch), &resp); err != nil {
			return nil, fmt.Errorf("posts %d..%d: %w", start+1, start+len(batch), err)
		}
		for _, urn := range batch {
			p, ok := resp.Results[urn]
			if !ok {
				continue // deleted or not visible: no destination URL
			}
			title, dest := p.Content.Article.Title, p.Content.Article.Source
			if title == "" {
				title = p.Content.Media.Title
			}
			if dest == "" {
				dest = p.ContentLandingPage
			}
			for _, id := range postOf[urn] {
				info := ads[id]
				info.creativeName, info.url = title, dest
				ads[id] = info
			}
		}
	}
	return ads, nil
}

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

// minPageLimit is the floor of limit when Meta asks for less data: below
// it a call is cheap enough that halving again would not help.
const minPageLimit = 25

// account is the state of one account's extraction.
type account struct {
	s           *Source
	client      *httpx.Client
	b           *transform.Builder[transform.AdPerformanceRow]
	id          string // digits
	extractedAt time.Time
	emit        extract.Emitter
	log         *slog.Logger
	ads         map[string]adCreative // by ad id, from the ads listing
	noCreative  map[string]bool       // ad ids missing from the listing
	unknownTags map[string]bool       // ad ids whose url_tags hold unknown dynamic parameters
	timezone    string                // the account's timezone_name, from GET /act_{id}
}

// fail wraps err with what failed (insights, ads, report run) and the page;
// a token error names the setting to renew.
func (a *account) fail(what string, page int, err error) error {
	where := fmt.Sprintf("act_%s %s", a.id, what)
	if page > 0 {
		where += fmt.Sprintf(" page %d", page)
	}
	if errors.Is(err, ErrTokenInvalid) {
		return fmt.Errorf("%s: %w: renew the token named in %s: %s: %w",
			Kind, ErrTokenInvalid, a.s.credential(), where, err)
	}
	return fmt.Errorf("%s: %s: %w", Kind, where, err)
}

func (s *Source) extractAccount(ctx context.Context, client *httpx.Client, b *transform.Builder[transform.AdPerformanceRow],
	acct string, req extract.Request, extractedAt time.Time, emit extract.Emitter, log *slog.Logger) error {
	a := &account{s: s, client: client, b: b, id: acct, extractedAt: extractedAt, emit: emit, log: log,
		noCreative: map[string]bool{}, unknownTags: map[string]bool{}}
	// One ads listing per account and run, before the insights it names.
	ads, err := s.listAds(ctx, client, acct, a.fail)
	if err != nil {
		return err
	}
	a.ads = ads
	// One account read per account and run: the zone its days are in.
	info, err := s.readAccount(ctx, client, acct)
	if err != nil {
		return a.fail("account", 0, err)
	}
	a.timezone = info.TimezoneName
	switch {
	case a.timezone == "":
		log.Warn("meta ad account has no timezone_name: account_timezone left empty",
			"source", s.name, "account", "act_"+acct)
	case !checkZone(a.timezone):
		log.Warn("meta ad account timezone_name is not a known IANA zone: stored as given",
			"source", s.name, "account", "act_"+acct, "timezone", a.timezone)
	}
	timeRange, err := json.Marshal(map[string]string{
		"since": req.Since.Format(time.DateOnly), "until": req.Until.Format(time.DateOnly)})
	if err != nil {
		return a.fail("insights", 0, err)
	}
	params := url.Values{
		"level":          {"ad"},
		"time_increment": {"1"},
		"breakdowns":     {"publisher_platform"},
		"time_range":     {string(timeRange)},
		"fields":         {strings.Join(insightsFields, ",")},
	}
	path := fmt.Sprintf("/%s/act_%s/insights", s.settings.APIVersion, acct)
	what := "insights"
	if days := int(req.Until.Sub(req.Since).Hours()/24) + 1; days > s.settings.AsyncAfterDays {
		runID, err := a.runReport(ctx, path, params)
		if err != nil {
			return err
		}
		path = fmt.Sprintf("/%s/%s/insights", s.settings.APIVersion, runID)
		params = url.Values{}
		what = "report run " + runID + " insights"
	}
	if err := a.pageInsights(ctx, path, params, what); err != nil {
		return err
	}
	if len(a.noCreative) > 0 {
		log.Warn("meta insights rows for ads missing from the ads listing (deleted or archived?) loaded without creative",
			"source", s.name, "account", "act_"+acct, "ads", len(a.noCreative))
	}
	if len(a.unknownTags) > 0 {
		log.Warn("meta url_tags with dynamic parameters the connector cannot expand were kept as written",
			"source", s.name, "account", "act_"+acct, "ads", len(a.unknownTags))
	}
	return nil
}

// pageInsights follows an insights listing from path (with params on the
// first call) to its last page, emitting one record per non-empty page.
// When Meta asks for less data, the page is retried with half the limit,
// down to minPageLimit.
func (a *account) pageInsights(ctx context.Context, path string, params url.Values, what string) error {
	s := a.s
	query := url.Values{}
	for k, v := range params {
		query[k] = v
	}
	token := s.settings.AccessToken.Reveal()
	limit := s.settings.PageLimit
	rows := 0
	seen := map[string]bool{}
	for page := 1; ; page++ {
		if page > 1 {
			query = url.Values{} // the paging URL carries every other parameter
		}
		query.Set("access_token", token)
		var resp insightsPage
		for {
			// Set on every call: it overrides the paging URL's limit once
			// halved, key by key (httpx merges Query over the path's).
			query.Set("limit", strconv.Itoa(limit))
			err := a.client.GetJSON(ctx, path, query, &resp)
			if err == nil {
				break
			}
			if !errors.Is(err, ErrTooMuchData) {
				return a.fail(what, page, err)
			}
			if limit <= minPageLimit {
				return a.fail(what, page, fmt.Errorf("still too much data at limit %d (shorten the date range): %w", limit, err))
			}
			limit = max(limit/2, minPageLimit)
			a.log.Warn("meta asked for less data: retrying the page with a smaller limit",
				"source", s.name, "account", "act_"+a.id, "page", page, "limit", limit)
		}
		for i, raw := range resp.Data {
			row, err := s.mapRow(raw, a.id, a.extractedAt)
			if err != nil {
				// One unreadable row means the platform's money for the day
				// cannot be trusted: fail the source rather than load a
				// partial account.
				return a.fail(what, page, fmt.Errorf("row %d (ad %s, %s): %w", i+1, raw.AdID, raw.DateStart, err))
			}
			row.AccountTimezone = a.timezone
			a.addCreative(&row, raw)
			if err := a.b.Append(row); err != nil {
				return a.fail(what, page, fmt.Errorf("row %d (ad %s, %s): %w", i+1, raw.AdID, raw.DateStart, err))
			}
		}
		if n := a.b.Len(); n > 0 {
			rows += n
			rec := a.b.NewRecord()
			err := a.emit.Emit(transform.AdPerformance, rec)
			rec.Release()
			if err != nil {
				return a.fail(what, page, fmt.Errorf("emit: %w", err))
			}
		}
		next := resp.Paging.Next
		if next == "" {
			a.log.Info("meta insights extracted", "source", s.name, "account", "act_"+a.id, "pages", page, "rows", rows)
			return nil
		}
		p, err := nextPath(next)
		if err != nil {
			return a.fail(what, page, err)
		}
		if seen[p] {
			// A cursor that does not move would loop for ever.
			return a.fail(what, page, fmt.Errorf("paging did not advance (next repeats an earlier page)"))
		}
		seen[p] = true
		path = p
	}
}

// addCreative fills the creative columns of row from the ads listing.
func (a *account) addCreative(row *transform.AdPerformanceRow, raw insightRow) {
	c, ok := a.ads[raw.AdID]
	if !ok {
		a.noCreative[raw.AdID] = true
		return
	}
	row.CreativeID, row.CreativeName = c.creativeID, c.creativeName
	u, unknown := destinationURL(c, raw)
	row.DestinationURL = u
	if unknown {
		a.unknownTags[raw.AdID] = true
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

package instagram

import (
	"context"
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

var (
	mediaFields = "id,caption,media_type,media_product_type,permalink,timestamp,like_count,comments_count"
	metrics     = "reach,saved,shares,views,total_interactions"
)

// Source extracts Instagram organic posts. Create it with New or NewSource.
type Source struct {
	name     string
	settings Settings
	since    time.Time // settings.Since parsed; zero when unset

	// Hooks for tests; zero values mean the real thing.
	sleep            func(ctx context.Context, d time.Duration) error
	waitMin, waitMax time.Duration
}

// New is the extract.Factory for kind instagram_organic: it decodes settings
// over DefaultSettings and validates them, without touching the network.
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
	src := &Source{name: name, settings: s}
	if s.Since != "" {
		src.since, _ = time.Parse(time.DateOnly, s.Since) // validated
	}
	return src, nil
}

func (s *Source) credential() string { return "sources." + s.name + ".access_token" }

// Extract snapshots every configured account's media published in the
// window (see the package doc) and emits organic_posts, one record per page.
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
	from := req.Since
	if !s.since.IsZero() && s.since.Before(from) {
		from = s.since
	}
	end := req.Until.AddDate(0, 0, 1)
	b, err := transform.NewBuilder[transform.OrganicPostRow](mem, transform.OrganicPosts)
	if err != nil {
		return fmt.Errorf("%s: %w", Kind, err)
	}
	defer b.Release()
	for _, user := range s.settings.IGUserIDs {
		if err := s.extractUser(ctx, client, b, user, from, end, req.Until, emit, log); err != nil {
			return err
		}
	}
	return nil
}

type mediaPage struct {
	Data   []media `json:"data"`
	Paging struct {
		Next string `json:"next"`
	} `json:"paging"`
}

func (s *Source) fail(what string, err error) error {
	if errors.Is(err, ErrTokenInvalid) || errors.Is(err, httpx.ErrUnauthorized) {
		return fmt.Errorf("%s: %w: renew the token named in %s: %s: %w", Kind, ErrTokenInvalid, s.credential(), what, err)
	}
	return fmt.Errorf("%s: %s: %w", Kind, what, err)
}

func (s *Source) extractUser(ctx context.Context, client *httpx.Client, b *transform.Builder[transform.OrganicPostRow],
	user string, from, end, snapshot time.Time, emit extract.Emitter, log *slog.Logger) error {
	token := url.Values{"access_token": {s.settings.AccessToken.Reveal()}}
	path := fmt.Sprintf("/%s/%s/media", s.settings.APIVersion, user)
	query := url.Values{"fields": {mediaFields}, "limit": {strconv.Itoa(s.settings.PageLimit)}}
	for k, v := range token {
		query[k] = v
	}
	rows, unavailable := 0, 0
	seen := map[string]bool{}
	for page := 1; ; page++ {
		what := fmt.Sprintf("%s media page %d", user, page)
		var resp mediaPage
		if err := client.GetJSON(ctx, path, query, &resp); err != nil {
			return s.fail(what, err)
		}
		older := false
		for i, m := range resp.Data {
			if m.Timestamp == "" || m.ID == "" {
				_, err := mapMedia(m, user, snapshot, nil)
				return s.fail(what, fmt.Errorf("media %d (id %q): %w", i+1, m.ID, err))
			}
			t, err := ParseTimestamp(m.Timestamp)
			if err != nil {
				return s.fail(what, fmt.Errorf("media %d (id %s): %w: %w", i+1, m.ID, ErrBadMedia, err))
			}
			if t.Before(from) {
				older = true // newest first: the rest are older still
				break
			}
			if !t.Before(end) {
				continue
			}
			ins, err := s.insights(ctx, client, m.ID, token)
			if err != nil {
				var ae *apiError
				if !errors.As(err, &ae) || (ae.code != 10 && ae.code != 100) {
					return s.fail(fmt.Sprintf("%s insights of media %s", user, m.ID), err)
				}
				unavailable++
				log.Warn("instagram insights unavailable; metrics left NULL", "source", s.name, "media", m.ID, "err", err)
				ins = nil
			}
			row, err := mapMedia(m, user, snapshot, ins)
			if err != nil {
				return s.fail(what, fmt.Errorf("media %d (id %s): %w", i+1, m.ID, err))
			}
			if err := b.Append(row); err != nil {
				return s.fail(what, fmt.Errorf("media %d (id %s): %w", i+1, m.ID, err))
			}
		}
		if n := b.Len(); n > 0 {
			rows += n
			rec := b.NewRecord()
			err := emit.Emit(transform.OrganicPosts, rec)
			rec.Release()
			if err != nil {
				return s.fail(what, fmt.Errorf("emit: %w", err))
			}
		}
		next := resp.Paging.Next
		if next == "" || older {
			log.Info("instagram media extracted", "source", s.name, "ig_user_id", user, "pages", page, "rows", rows,
				"insights_unavailable", unavailable)
			return nil
		}
		p, err := nextPath(next)
		if err != nil {
			return s.fail(what, err)
		}
		if seen[p] {
			return s.fail(what, fmt.Errorf("paging did not advance (next repeats an earlier page)"))
		}
		seen[p] = true
		path, query = p, token
	}
}

func (s *Source) insights(ctx context.Context, client *httpx.Client, id string, token url.Values) ([]insight, error) {
	q := url.Values{"metric": {metrics}}
	for k, v := range token {
		q[k] = v
	}
	var resp struct {
		Data *[]insight `json:"data"`
	}
	path := fmt.Sprintf("/%s/%s/insights", s.settings.APIVersion, url.PathEscape(id))
	if err := client.GetJSON(ctx, path, q, &resp); err != nil {
		return nil, err
	}
	if resp.Data == nil {
		return nil, fmt.Errorf("insights response has no data array")
	}
	return *resp.Data, nil
}

// nextPath is the paging URL without its access_token (added back from the
// settings), so the URL we keep holds no credential.
func nextPath(next string) (string, error) {
	u, err := url.Parse(next)
	if err != nil || !u.IsAbs() {
		return "", fmt.Errorf("paging.next is not an absolute URL")
	}
	q := u.Query()
	q.Del("access_token")
	u.RawQuery = q.Encode()
	return strings.TrimSuffix(u.String(), "?"), nil
}

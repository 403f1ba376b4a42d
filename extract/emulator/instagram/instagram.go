package instagram

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/socialroi/socialroi/extract/emulator"
	"github.com/socialroi/socialroi/extract/emulator/gen"
	"github.com/socialroi/socialroi/transform"
)

// TimeLayout is how the Graph API writes timestamps ("2026-11-16T10:00:00+0000").
const TimeLayout = "2006-01-02T15:04:05-0700"

// Config is the Instagram emulator's ground truth and behaviour.
type Config struct {
	// AccessToken is the only token accepted (query access_token or
	// Authorization: Bearer).
	AccessToken string
	// Posts are the ground truth; AccountID is the ig user id. Impressions
	// are served as the views insight; a post with nil Impressions has no
	// insights (empty data). Likes and Comments nil leave like_count and
	// comments_count out.
	Posts []transform.OrganicPostRow
	// PageSize caps media per page whatever limit the client asks for
	// (0: the client's limit, default 25).
	PageSize int
}

// Instagram is a running emulator.
type Instagram struct {
	*emulator.Server
	cfg   Config
	users map[string][]transform.OrganicPostRow // newest first
	media map[string]transform.OrganicPostRow
}

// FromBrand is the demo brand's Instagram posts as a Config; the caller sets
// AccessToken.
func FromBrand(b *gen.Brand) Config {
	var cfg Config
	for _, p := range b.OrganicPosts {
		if p.Platform == "instagram" {
			cfg.Posts = append(cfg.Posts, p)
		}
	}
	return cfg
}

// New validates cfg and starts the server.
func New(cfg Config) (*Instagram, error) {
	if cfg.AccessToken == "" {
		return nil, fmt.Errorf("emulator: instagram: AccessToken is required")
	}
	s := &Instagram{cfg: cfg, users: map[string][]transform.OrganicPostRow{}, media: map[string]transform.OrganicPostRow{}}
	for i, p := range cfg.Posts {
		if p.AccountID == "" || p.PostID == "" {
			return nil, fmt.Errorf("emulator: instagram: post %d: AccountID and PostID are required", i+1)
		}
		if _, dup := s.media[p.PostID]; dup {
			return nil, fmt.Errorf("emulator: instagram: post %s twice", p.PostID)
		}
		s.media[p.PostID] = p
		s.users[p.AccountID] = append(s.users[p.AccountID], p)
	}
	for _, ps := range s.users {
		slices.SortStableFunc(ps, func(a, b transform.OrganicPostRow) int {
			if c := b.PublishedAt.Compare(a.PublishedAt); c != 0 {
				return c
			}
			return strings.Compare(b.PostID, a.PostID)
		})
	}
	srv, err := emulator.Start(http.HandlerFunc(s.serve))
	if err != nil {
		return nil, err
	}
	s.Server = srv
	return s, nil
}

var (
	mediaPath    = regexp.MustCompile(`^/(v\d+\.\d+)/([^/]+)/media$`)
	insightsPath = regexp.MustCompile(`^/(v\d+\.\d+)/([^/]+)/insights$`)
	allFields    = []string{"id", "caption", "media_type", "media_product_type", "permalink", "timestamp", "like_count", "comments_count"}
	allMetrics   = []string{"reach", "saved", "shares", "views", "total_interactions"}
)

func (s *Instagram) serve(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	tok := q.Get("access_token")
	if h := r.Header.Get("Authorization"); tok == "" && strings.HasPrefix(h, "Bearer ") {
		tok = strings.TrimPrefix(h, "Bearer ")
	}
	switch {
	case tok == "":
		graphError(w, http.StatusBadRequest, 104, "An access token is required to request this resource.")
		return
	case tok != s.cfg.AccessToken:
		graphError(w, http.StatusBadRequest, 190, "Invalid OAuth access token - Cannot parse access token")
		return
	}
	w.Header().Set("X-App-Usage", `{"call_count":2,"total_cputime":1,"total_time":1}`)
	if m := mediaPath.FindStringSubmatch(r.URL.Path); m != nil {
		s.serveMedia(w, r, q, m[2])
		return
	}
	if m := insightsPath.FindStringSubmatch(r.URL.Path); m != nil {
		s.serveInsights(w, q, m[2])
		return
	}
	graphError(w, http.StatusBadRequest, 2500, "Unknown path components: "+r.URL.Path)
}

func (s *Instagram) serveMedia(w http.ResponseWriter, r *http.Request, q url.Values, user string) {
	posts, ok := s.users[user]
	if !ok {
		graphError(w, http.StatusBadRequest, 100, fmt.Sprintf("Unsupported get request. Object with ID '%s' does not exist, cannot be loaded due to missing permissions, or does not support this operation.", user))
		return
	}
	fields := allFields
	if f := q.Get("fields"); f != "" {
		fields = strings.Split(f, ",")
	}
	limit := 25
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n <= 0 {
			graphError(w, http.StatusBadRequest, 100, "(#100) Param limit must be a positive integer")
			return
		}
		limit = n
	}
	if s.cfg.PageSize > 0 && s.cfg.PageSize < limit {
		limit = s.cfg.PageSize
	}
	offset := 0
	if a := q.Get("after"); a != "" {
		b, err := base64.RawURLEncoding.DecodeString(a)
		if err != nil {
			graphError(w, http.StatusBadRequest, 100, "(#100) Invalid cursor")
			return
		}
		if offset, err = strconv.Atoi(strings.TrimPrefix(string(b), "o")); err != nil || offset < 0 {
			graphError(w, http.StatusBadRequest, 100, "(#100) Invalid cursor")
			return
		}
	}
	start := min(offset, len(posts))
	end := min(start+limit, len(posts))
	data := make([]map[string]any, 0, end-start)
	for _, p := range posts[start:end] {
		data = append(data, mediaJSON(p, fields))
	}
	cur := func(o int) string { return base64.RawURLEncoding.EncodeToString([]byte("o" + strconv.Itoa(o))) }
	paging := map[string]any{"cursors": map[string]string{"before": cur(start), "after": cur(end)}}
	if end < len(posts) {
		nq := url.Values{}
		for k, v := range q {
			nq[k] = v
		}
		nq.Set("after", cur(end))
		paging["next"] = "http://" + r.Host + r.URL.Path + "?" + nq.Encode()
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": data, "paging": paging})
}

// Format mapping, the inverse of the connector's.
func mediaTypes(format string) (mediaType, product string) {
	switch format {
	case "reel":
		return "VIDEO", "REELS"
	case "video":
		return "VIDEO", "FEED"
	case "carousel":
		return "CAROUSEL_ALBUM", "FEED"
	case "story":
		return "IMAGE", "STORY"
	}
	return "IMAGE", "FEED"
}

func mediaJSON(p transform.OrganicPostRow, fields []string) map[string]any {
	mt, pt := mediaTypes(p.Format)
	out := map[string]any{"id": p.PostID}
	for _, f := range fields {
		switch f {
		case "caption":
			if p.Caption != "" {
				out[f] = p.Caption
			}
		case "media_type":
			out[f] = mt
		case "media_product_type":
			out[f] = pt
		case "permalink":
			out[f] = p.Permalink
		case "timestamp":
			out[f] = p.PublishedAt.UTC().Format(TimeLayout)
		case "like_count":
			if p.Likes != nil {
				out[f] = *p.Likes
			}
		case "comments_count":
			if p.Comments != nil {
				out[f] = *p.Comments
			}
		}
	}
	out["is_comment_enabled"] = true // a field nobody asked for: connectors ignore it
	return out
}

func (s *Instagram) serveInsights(w http.ResponseWriter, q url.Values, id string) {
	p, ok := s.media[id]
	if !ok {
		graphError(w, http.StatusBadRequest, 100, fmt.Sprintf("Unsupported get request. Object with ID '%s' does not exist, cannot be loaded due to missing permissions, or does not support this operation.", id))
		return
	}
	metrics := strings.Split(q.Get("metric"), ",")
	for _, m := range metrics {
		if !slices.Contains(allMetrics, m) {
			graphError(w, http.StatusBadRequest, 100, fmt.Sprintf("(#100) metric[0] must be one of the following values: %s", strings.Join(allMetrics, ", ")))
			return
		}
	}
	data := []map[string]any{}
	if p.Impressions != nil {
		val := func(v *int64) int64 {
			if v == nil {
				return 0
			}
			return *v
		}
		for _, m := range metrics {
			var v *int64
			switch m {
			case "reach":
				v = p.Reach
			case "saved":
				v = p.Saves
			case "shares":
				v = p.Shares
			case "views":
				v = p.Impressions
			case "total_interactions":
				t := val(p.Likes) + val(p.Comments) + val(p.Saves) + val(p.Shares)
				v = &t
			}
			if v == nil {
				continue // a metric the media does not have is left out
			}
			data = append(data, map[string]any{"name": m, "period": "lifetime", "values": []map[string]any{{"value": *v}},
				"title": m, "id": id + "/insights/" + m + "/lifetime"})
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": data})
}

func graphError(w http.ResponseWriter, status, code int, msg string) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(emulator.MetaErrorBody(code, 0, msg)))
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v) // a client that hung up is the test's business
}

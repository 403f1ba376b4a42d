package instagram

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/socialroi/socialroi/extract"
	"github.com/socialroi/socialroi/extract/httpx"
	"github.com/socialroi/socialroi/transform"
)

// Kind is the source kind this package registers.
const Kind = "instagram_organic"

// Settings is an instagram_organic source's block in the config file.
type Settings struct {
	BaseURL    string `yaml:"base_url"`
	APIVersion string `yaml:"api_version"`
	// IGUserIDs are Instagram professional account ids (digits).
	IGUserIDs   []string     `yaml:"ig_user_ids"`
	AccessToken httpx.Secret `yaml:"access_token"`
	// RequestsPerSecond paces calls; 0 means no pacing.
	RequestsPerSecond float64 `yaml:"requests_per_second"`
	// MaxRetries after the first attempt; 0 means none.
	MaxRetries int `yaml:"max_retries"`
	// Since, a date (YYYY-MM-DD), moves the earliest publication date of the
	// media snapshotted before the run's window, so older posts keep being
	// measured. Empty: the run's window start.
	Since string `yaml:"since"`
	// PageLimit is media per page (at most 100).
	PageLimit int `yaml:"page_limit"`
}

// DefaultSettings are the settings a source starts from before its config
// block is decoded over them.
func DefaultSettings() Settings {
	return Settings{
		BaseURL:           "https://graph.facebook.com",
		APIVersion:        "v21.0",
		RequestsPerSecond: 5,
		MaxRetries:        httpx.DefaultMaxRetries,
		PageLimit:         50,
	}
}

const maxPageLimit = 100

var (
	apiVersionRE = regexp.MustCompile(`^v\d+\.\d+$`)
	digitsRE     = regexp.MustCompile(`^\d+$`)
)

// Validate checks the settings without touching the network. Errors name
// the key.
func (s *Settings) Validate() error {
	bad := func(key, format string, args ...any) error {
		return fmt.Errorf("%s: %s: %s", Kind, key, fmt.Sprintf(format, args...))
	}
	u, err := url.Parse(s.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return bad("base_url", "%q is not an absolute http(s) URL", s.BaseURL)
	}
	if !apiVersionRE.MatchString(s.APIVersion) {
		return bad("api_version", "%q is not a Graph API version like v21.0", s.APIVersion)
	}
	if len(s.IGUserIDs) == 0 {
		return bad("ig_user_ids", "must not be empty")
	}
	seen := map[string]bool{}
	for i, id := range s.IGUserIDs {
		id = strings.TrimSpace(id)
		if !digitsRE.MatchString(id) {
			return bad("ig_user_ids", "entry %d %q is not an Instagram user id (digits)", i+1, s.IGUserIDs[i])
		}
		if seen[id] {
			return bad("ig_user_ids", "%s is listed twice", id)
		}
		seen[id] = true
		s.IGUserIDs[i] = id
	}
	tok := s.AccessToken.Reveal()
	switch {
	case strings.TrimSpace(tok) == "":
		return bad("access_token", "must not be empty (set it from the environment, e.g. ${INSTAGRAM_ACCESS_TOKEN})")
	case strings.HasPrefix(tok, "${"):
		return bad("access_token", "environment variable reference was not expanded")
	}
	if s.RequestsPerSecond < 0 {
		return bad("requests_per_second", "%v must not be negative", s.RequestsPerSecond)
	}
	if s.MaxRetries < 0 {
		return bad("max_retries", "%d must not be negative", s.MaxRetries)
	}
	if s.Since != "" {
		if _, err := time.Parse(time.DateOnly, s.Since); err != nil {
			return bad("since", "%q is not a date (YYYY-MM-DD)", s.Since)
		}
	}
	if s.PageLimit < 1 || s.PageLimit > maxPageLimit {
		return bad("page_limit", "%d is outside 1..%d", s.PageLimit, maxPageLimit)
	}
	return nil
}

const settingsExample = `# Instagram organic posts and their insights (Instagram Graph API).
type: instagram_organic
# Instagram professional account ids (not handles).
ig_user_ids: ["17841400000000001"]
# A token with instagram_basic and instagram_manage_insights; keep it in the environment.
access_token: ${INSTAGRAM_ACCESS_TOKEN}
# api_version: v21.0
# base_url: https://graph.facebook.com   # point at an emulator in tests
# since: 2026-09-01          # also snapshot posts published since this date
# page_limit: 50             # media per page, at most 100
# requests_per_second: 5     # steady pacing, 0 = none
# max_retries: 5             # on throttling, 5xx and connection errors
`

func init() {
	extract.Register(extract.Kind{
		Name:     Kind,
		Summary:  "Instagram organic posts with likes, comments and insights (views, reach, saves, shares)",
		Tables:   []string{transform.OrganicPosts},
		Settings: settingsExample,
		New:      New,
	})
}

package meta

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
const Kind = "meta_ads"

// Settings is a meta_ads source's block in the config file.
type Settings struct {
	BaseURL    string `yaml:"base_url"`
	APIVersion string `yaml:"api_version"`
	// AccountIDs are ad account ids, digits, with or without "act_".
	AccountIDs  []string     `yaml:"account_ids"`
	AccessToken httpx.Secret `yaml:"access_token"`
	// ConversionActionTypes are the action types summed into
	// platform_conversions and platform_conversion_value.
	ConversionActionTypes []string `yaml:"conversion_action_types"`
	PageLimit             int      `yaml:"page_limit"`
	// RequestsPerSecond paces calls; 0 means no pacing.
	RequestsPerSecond float64 `yaml:"requests_per_second"`
	// MaxRetries after the first attempt; 0 means none.
	MaxRetries int `yaml:"max_retries"`
	// AsyncAfterDays: a requested range longer than this many days is run
	// as an async report job (POST insights, poll, then page the results).
	AsyncAfterDays int `yaml:"async_after_days"`
	// AsyncPollInterval is the first wait between polls of a report run;
	// it doubles up to AsyncPollMax.
	AsyncPollInterval time.Duration `yaml:"async_poll_interval"`
	AsyncPollMax      time.Duration `yaml:"async_poll_max"`
	// AsyncTimeout bounds the wait for one report run to complete.
	AsyncTimeout time.Duration `yaml:"async_timeout"`
}

// DefaultSettings are the settings a source starts from before its config
// block is decoded over them.
func DefaultSettings() Settings {
	return Settings{
		BaseURL:               "https://graph.facebook.com",
		APIVersion:            "v21.0",
		ConversionActionTypes: []string{"purchase", "offsite_conversion.fb_pixel_purchase"},
		PageLimit:             500,
		RequestsPerSecond:     5,
		MaxRetries:            httpx.DefaultMaxRetries,
		AsyncAfterDays:        31,
		AsyncPollInterval:     10 * time.Second,
		AsyncPollMax:          time.Minute,
		AsyncTimeout:          30 * time.Minute,
	}
}

var (
	apiVersionRE = regexp.MustCompile(`^v\d+\.\d+$`)
	digitsRE     = regexp.MustCompile(`^\d+$`)
)

// maxPageLimit is Meta's upper bound on limit for insights.
const maxPageLimit = 5000

// Validate checks the settings without touching the network and normalizes
// account ids to bare digits. Errors name the key.
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
	if len(s.AccountIDs) == 0 {
		return bad("account_ids", "must not be empty")
	}
	seen := map[string]bool{}
	ids := make([]string, 0, len(s.AccountIDs))
	for i, id := range s.AccountIDs {
		d := strings.TrimPrefix(strings.TrimSpace(id), "act_")
		if !digitsRE.MatchString(d) {
			return bad("account_ids", "entry %d %q is not an ad account id (digits, optionally prefixed act_)", i+1, id)
		}
		if seen[d] {
			return bad("account_ids", "account %s is listed twice", d)
		}
		seen[d] = true
		ids = append(ids, d)
	}
	s.AccountIDs = ids
	tok := s.AccessToken.Reveal()
	switch {
	case strings.TrimSpace(tok) == "":
		return bad("access_token", "must not be empty (set it from the environment, e.g. ${META_ACCESS_TOKEN})")
	case strings.HasPrefix(tok, "${"):
		return bad("access_token", "environment variable reference was not expanded")
	}
	if len(s.ConversionActionTypes) == 0 {
		return bad("conversion_action_types", "must not be empty")
	}
	for i, t := range s.ConversionActionTypes {
		if strings.TrimSpace(t) == "" {
			return bad("conversion_action_types", "entry %d is empty", i+1)
		}
	}
	if s.PageLimit < 1 || s.PageLimit > maxPageLimit {
		return bad("page_limit", "%d is outside 1..%d", s.PageLimit, maxPageLimit)
	}
	if s.RequestsPerSecond < 0 {
		return bad("requests_per_second", "%v must not be negative", s.RequestsPerSecond)
	}
	if s.MaxRetries < 0 {
		return bad("max_retries", "%d must not be negative", s.MaxRetries)
	}
	if s.AsyncAfterDays < 1 {
		return bad("async_after_days", "%d must be at least 1", s.AsyncAfterDays)
	}
	if s.AsyncPollInterval <= 0 {
		return bad("async_poll_interval", "%s must be positive (e.g. 10s)", s.AsyncPollInterval)
	}
	if s.AsyncPollMax < s.AsyncPollInterval {
		return bad("async_poll_max", "%s must not be below async_poll_interval %s", s.AsyncPollMax, s.AsyncPollInterval)
	}
	if s.AsyncTimeout <= 0 {
		return bad("async_timeout", "%s must be positive (e.g. 30m)", s.AsyncTimeout)
	}
	return nil
}

const settingsExample = `# Meta Marketing API (Facebook, Instagram, Audience Network, Messenger ads).
type: meta_ads
# Ad account ids, with or without the act_ prefix.
account_ids: ["act_1234567890"]
# A system-user token with ads_read; keep it in the environment.
access_token: ${META_ACCESS_TOKEN}
# api_version: v21.0
# base_url: https://graph.facebook.com   # point at an emulator in tests
# Action types summed into platform conversions and conversion value.
# Note: "purchase" already includes pixel purchases on most accounts; list
# only one of the two if your account reports both.
# conversion_action_types: [purchase, offsite_conversion.fb_pixel_purchase]
# page_limit: 500            # rows per insights page
# requests_per_second: 5     # steady pacing, 0 = none
# max_retries: 5             # on throttling, 5xx and connection errors
# async_after_days: 31       # longer ranges run as async report jobs
# async_poll_interval: 10s   # first wait between job polls, doubling...
# async_poll_max: 1m         # ...up to this
# async_timeout: 30m         # give up on a job that has not completed
`

func init() {
	extract.Register(extract.Kind{
		Name:     Kind,
		Summary:  "Meta ads insights (Facebook, Instagram, Audience Network, Messenger), daily per ad and placement platform",
		Tables:   []string{transform.AdPerformance},
		Settings: settingsExample,
		New:      New,
	})
}

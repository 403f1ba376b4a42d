package googleads

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
const Kind = "google_ads"

// Settings is a google_ads source's block in the config file.
type Settings struct {
	BaseURL    string `yaml:"base_url"`
	APIVersion string `yaml:"api_version"`
	// CustomerIDs are the accounts to read: 10 digits, dashes allowed
	// ("123-456-7890"); normalized to digits by Validate.
	CustomerIDs []string `yaml:"customer_ids"`
	// LoginCustomerID is the manager account the customers are reached
	// through (optional; dashes allowed, normalized to digits).
	LoginCustomerID string       `yaml:"login_customer_id"`
	DeveloperToken  httpx.Secret `yaml:"developer_token"`
	// AccessToken is an OAuth 2.0 access token with the adwords scope.
	AccessToken httpx.Secret `yaml:"access_token"`
	// RequestsPerSecond paces calls; 0 means no pacing.
	RequestsPerSecond float64 `yaml:"requests_per_second"`
	// MaxRetries after the first attempt; 0 means none.
	MaxRetries int `yaml:"max_retries"`
	// MaxRetryDelay is the longest retryDelay a RESOURCE_EXHAUSTED answer
	// may ask for; a longer one fails the source at once.
	MaxRetryDelay time.Duration `yaml:"max_retry_delay"`
}

// DefaultSettings are the settings a source starts from before its config
// block is decoded over them.
func DefaultSettings() Settings {
	return Settings{
		BaseURL:           "https://googleads.googleapis.com",
		APIVersion:        "v21",
		RequestsPerSecond: 1,
		MaxRetries:        httpx.DefaultMaxRetries,
		MaxRetryDelay:     10 * time.Minute,
	}
}

var (
	apiVersionRE = regexp.MustCompile(`^v\d+$`)
	customerRE   = regexp.MustCompile(`^\d{10}$`)
)

// NormalizeCustomerID strips dashes and spaces from a customer id and checks
// it is 10 digits.
func NormalizeCustomerID(id string) (string, bool) {
	d := strings.NewReplacer("-", "", " ", "").Replace(strings.TrimSpace(id))
	return d, customerRE.MatchString(d)
}

// Validate checks the settings without touching the network and normalizes
// customer ids to bare digits. Errors name the key.
func (s *Settings) Validate() error {
	bad := func(key, format string, args ...any) error {
		return fmt.Errorf("%s: %s: %s", Kind, key, fmt.Sprintf(format, args...))
	}
	u, err := url.Parse(s.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return bad("base_url", "%q is not an absolute http(s) URL", s.BaseURL)
	}
	if !apiVersionRE.MatchString(s.APIVersion) {
		return bad("api_version", "%q is not a Google Ads API version like v21", s.APIVersion)
	}
	if len(s.CustomerIDs) == 0 {
		return bad("customer_ids", "must not be empty")
	}
	seen := map[string]bool{}
	ids := make([]string, 0, len(s.CustomerIDs))
	for i, id := range s.CustomerIDs {
		d, ok := NormalizeCustomerID(id)
		if !ok {
			return bad("customer_ids", "entry %d %q is not a customer id (10 digits, dashes allowed: 123-456-7890)", i+1, id)
		}
		if seen[d] {
			return bad("customer_ids", "customer %s is listed twice", d)
		}
		seen[d] = true
		ids = append(ids, d)
	}
	s.CustomerIDs = ids
	if s.LoginCustomerID != "" {
		d, ok := NormalizeCustomerID(s.LoginCustomerID)
		if !ok {
			return bad("login_customer_id", "%q is not a customer id (10 digits, dashes allowed)", s.LoginCustomerID)
		}
		s.LoginCustomerID = d
	}
	for _, sec := range []struct {
		key, env string
		v        httpx.Secret
	}{{"developer_token", "GOOGLE_ADS_DEVELOPER_TOKEN", s.DeveloperToken}, {"access_token", "GOOGLE_ADS_ACCESS_TOKEN", s.AccessToken}} {
		tok := sec.v.Reveal()
		switch {
		case strings.TrimSpace(tok) == "":
			return bad(sec.key, "must not be empty (set it from the environment, e.g. ${%s})", sec.env)
		case strings.HasPrefix(tok, "${"):
			return bad(sec.key, "environment variable reference was not expanded")
		}
	}
	if s.RequestsPerSecond < 0 {
		return bad("requests_per_second", "%v must not be negative", s.RequestsPerSecond)
	}
	if s.MaxRetries < 0 {
		return bad("max_retries", "%d must not be negative", s.MaxRetries)
	}
	if s.MaxRetryDelay <= 0 {
		return bad("max_retry_delay", "%s must be positive (e.g. 10m)", s.MaxRetryDelay)
	}
	return nil
}

const settingsExample = `# Google Ads API (search, display, video ads), daily per ad.
type: google_ads
# Customer ids of the accounts to read, dashes allowed.
customer_ids: ["123-456-7890"]
# The manager (MCC) account the customers are reached through, if any.
# login_customer_id: "987-654-3210"
# Keep credentials in the environment.
developer_token: ${GOOGLE_ADS_DEVELOPER_TOKEN}
# An OAuth 2.0 access token with the adwords scope (valid about an hour:
# have the scheduler mint a fresh one before each run).
access_token: ${GOOGLE_ADS_ACCESS_TOKEN}
# api_version: v21
# base_url: https://googleads.googleapis.com   # point at an emulator in tests
# requests_per_second: 1     # steady pacing, 0 = none
# max_retries: 5             # on throttling, 5xx and connection errors
# max_retry_delay: 10m       # fail rather than wait longer when throttled
`

func init() {
	extract.Register(extract.Kind{
		Name:     Kind,
		Summary:  "Google Ads ad performance (searchStream on ad_group_ad), daily per ad",
		Tables:   []string{transform.AdPerformance},
		Settings: settingsExample,
		New:      New,
	})
}

package shopify

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/socialroi/socialroi/extract"
	"github.com/socialroi/socialroi/extract/httpx"
	"github.com/socialroi/socialroi/transform"
)

// Kind is the source kind this package registers.
const Kind = "shopify"

// Settings is a shopify source's block in the config file.
type Settings struct {
	// BaseURL is the shop's myshopify.com URL, e.g.
	// https://demo-brand.myshopify.com (not a custom storefront domain:
	// Shopify's paging links point at myshopify.com, and requests never
	// leave the base URL's host).
	BaseURL     string       `yaml:"base_url"`
	APIVersion  string       `yaml:"api_version"`
	AccessToken httpx.Secret `yaml:"access_token"`
	// RequestsPerSecond paces calls; 0 means no pacing.
	RequestsPerSecond float64 `yaml:"requests_per_second"`
	// MaxRetries after the first attempt; 0 means none.
	MaxRetries int `yaml:"max_retries"`
	// PageLimit is orders per page, at most 250.
	PageLimit int `yaml:"page_limit"`
	// LandingTouchpoints, when false, emits no landing-page touchpoints:
	// when the web analytics export already carries the sessions, the
	// order's landing_site would count the last of them twice. Nil means true.
	LandingTouchpoints *bool `yaml:"landing_touchpoints"`
}

// landingTouchpoints reports whether orders' landing touchpoints are emitted.
func (s Settings) landingTouchpoints() bool {
	return s.LandingTouchpoints == nil || *s.LandingTouchpoints
}

// DefaultSettings are the settings a source starts from before its config
// block is decoded over them.
func DefaultSettings() Settings {
	return Settings{
		APIVersion:        "2025-07",
		RequestsPerSecond: 2, // the standard bucket's leak rate
		MaxRetries:        httpx.DefaultMaxRetries,
		PageLimit:         maxPageLimit,
	}
}

// maxPageLimit is Shopify's upper bound on limit.
const maxPageLimit = 250

var apiVersionRE = regexp.MustCompile(`^\d{4}-(01|04|07|10)$`)

// Validate checks the settings without touching the network. Errors name
// the key.
func (s *Settings) Validate() error {
	bad := func(key, format string, args ...any) error {
		return fmt.Errorf("%s: %s: %s", Kind, key, fmt.Sprintf(format, args...))
	}
	s.BaseURL = strings.TrimRight(strings.TrimSpace(s.BaseURL), "/")
	u, err := url.Parse(s.BaseURL)
	switch {
	case s.BaseURL == "":
		return bad("base_url", "must be set to the shop's URL, e.g. https://your-shop.myshopify.com")
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		return bad("base_url", "%q is not an absolute http(s) URL", s.BaseURL)
	case u.RawQuery != "":
		return bad("base_url", "%q must not carry a query", s.BaseURL)
	}
	if !apiVersionRE.MatchString(s.APIVersion) {
		return bad("api_version", "%q is not a Shopify API version like 2025-07 (YYYY-MM, quarterly)", s.APIVersion)
	}
	tok := s.AccessToken.Reveal()
	switch {
	case strings.TrimSpace(tok) == "":
		return bad("access_token", "must not be empty (set it from the environment, e.g. ${SHOPIFY_ACCESS_TOKEN})")
	case strings.HasPrefix(tok, "${"):
		return bad("access_token", "environment variable reference was not expanded")
	}
	if s.RequestsPerSecond < 0 {
		return bad("requests_per_second", "%v must not be negative", s.RequestsPerSecond)
	}
	if s.MaxRetries < 0 {
		return bad("max_retries", "%d must not be negative", s.MaxRetries)
	}
	if s.PageLimit < 1 || s.PageLimit > maxPageLimit {
		return bad("page_limit", "%d is outside 1..%d", s.PageLimit, maxPageLimit)
	}
	return nil
}

const settingsExample = `# Shopify orders (REST Admin API): conversions, touchpoints from landing_site,
# and customers' hashed emails as identities.
type: shopify
# The shop's myshopify.com URL (not its custom domain).
base_url: https://your-shop.myshopify.com
# An Admin API access token with read_orders and read_customers
# (read_all_orders to see orders older than 60 days); keep it in the environment.
access_token: ${SHOPIFY_ACCESS_TOKEN}
# api_version: 2025-07
# requests_per_second: 2     # the standard plan's bucket leaks 2 calls a second
# max_retries: 5             # on 429, 5xx and connection errors
# page_limit: 250            # orders per page, at most 250
# landing_touchpoints: true  # false when the web analytics export has the sessions
`

func init() {
	extract.Register(extract.Kind{
		Name:     Kind,
		Summary:  "Shopify orders as purchases (net of refunds, with promo codes and new-customer flag), landing-page touchpoints and customers' hashed emails",
		Tables:   []string{transform.Conversions, transform.Touchpoints, transform.Identities},
		Settings: settingsExample,
		New:      New,
	})
}

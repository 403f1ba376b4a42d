package tiktok

import (
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strings"

	"golang.org/x/text/currency"

	"github.com/socialroi/socialroi/extract"
	"github.com/socialroi/socialroi/extract/httpx"
	"github.com/socialroi/socialroi/transform"
)

// Kind is the source kind this package registers.
const Kind = "tiktok_ads"

// MaxPageSize is TikTok's upper bound on page_size.
const MaxPageSize = 1000

// Settings is a tiktok_ads source's block in the config file.
type Settings struct {
	BaseURL string `yaml:"base_url"`
	// AdvertiserIDs are the advertiser accounts to read (digits).
	AdvertiserIDs []string     `yaml:"advertiser_ids"`
	AccessToken   httpx.Secret `yaml:"access_token"`
	// Currency is the ISO 4217 code of the advertisers' account currency.
	// Optional: the report does not carry it, but the advertiser info call
	// does; when both are set the setting wins (a mismatch is logged).
	Currency string `yaml:"currency"`
	// AdvertiserCurrencies overrides Currency per advertiser id.
	AdvertiserCurrencies map[string]string `yaml:"advertiser_currencies"`
	// PageSize is page_size, 1..1000.
	PageSize int `yaml:"page_size"`
	// RequestsPerSecond paces calls; 0 means no pacing.
	RequestsPerSecond float64 `yaml:"requests_per_second"`
	// MaxRetries after the first attempt; 0 means none.
	MaxRetries int `yaml:"max_retries"`
}

// DefaultSettings are the settings a source starts from before its config
// block is decoded over them.
func DefaultSettings() Settings {
	return Settings{
		BaseURL:           "https://business-api.tiktok.com",
		PageSize:          MaxPageSize,
		RequestsPerSecond: 5,
		MaxRetries:        httpx.DefaultMaxRetries,
	}
}

var digitsRE = regexp.MustCompile(`^\d+$`)

// isoCurrency checks an ISO 4217 code and returns it upper-cased.
func isoCurrency(code string) (string, bool) {
	c := strings.ToUpper(strings.TrimSpace(code))
	if len(c) != 3 {
		return "", false
	}
	u, err := currency.ParseISO(c)
	if err != nil {
		return "", false
	}
	return u.String(), true
}

// Validate checks the settings without touching the network, and normalizes
// currencies to upper case. Errors name the key.
func (s *Settings) Validate() error {
	bad := func(key, format string, args ...any) error {
		return fmt.Errorf("%s: %s: %s", Kind, key, fmt.Sprintf(format, args...))
	}
	u, err := url.Parse(s.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return bad("base_url", "%q is not an absolute http(s) URL", s.BaseURL)
	}
	if len(s.AdvertiserIDs) == 0 {
		return bad("advertiser_ids", "must not be empty")
	}
	seen := map[string]bool{}
	ids := make([]string, 0, len(s.AdvertiserIDs))
	for i, id := range s.AdvertiserIDs {
		d := strings.TrimSpace(id)
		if !digitsRE.MatchString(d) {
			return bad("advertiser_ids", "entry %d %q is not an advertiser id (digits)", i+1, id)
		}
		if seen[d] {
			return bad("advertiser_ids", "advertiser %s is listed twice", d)
		}
		seen[d] = true
		ids = append(ids, d)
	}
	s.AdvertiserIDs = ids
	tok := s.AccessToken.Reveal()
	switch {
	case strings.TrimSpace(tok) == "":
		return bad("access_token", "must not be empty (set it from the environment, e.g. ${TIKTOK_ACCESS_TOKEN})")
	case strings.HasPrefix(tok, "${"):
		return bad("access_token", "environment variable reference was not expanded")
	}
	if s.Currency != "" {
		c, ok := isoCurrency(s.Currency)
		if !ok {
			return bad("currency", "%q is not an ISO 4217 currency code (e.g. EUR, USD)", s.Currency)
		}
		s.Currency = c
	}
	cur := make(map[string]string, len(s.AdvertiserCurrencies))
	keys := make([]string, 0, len(s.AdvertiserCurrencies))
	for id := range s.AdvertiserCurrencies {
		keys = append(keys, id)
	}
	sort.Strings(keys)
	for _, id := range keys {
		if !seen[strings.TrimSpace(id)] {
			return bad("advertiser_currencies", "advertiser %s is not in advertiser_ids", id)
		}
		c, ok := isoCurrency(s.AdvertiserCurrencies[id])
		if !ok {
			return bad("advertiser_currencies", "advertiser %s: %q is not an ISO 4217 currency code", id, s.AdvertiserCurrencies[id])
		}
		cur[strings.TrimSpace(id)] = c
	}
	s.AdvertiserCurrencies = cur
	// An advertiser without a currency here takes the one GET
	// /advertiser/info/ reports, at run time.
	if s.PageSize < 1 || s.PageSize > MaxPageSize {
		return bad("page_size", "%d is outside 1..%d", s.PageSize, MaxPageSize)
	}
	if s.RequestsPerSecond < 0 {
		return bad("requests_per_second", "%v must not be negative", s.RequestsPerSecond)
	}
	if s.MaxRetries < 0 {
		return bad("max_retries", "%d must not be negative", s.MaxRetries)
	}
	return nil
}

// currencyOf is the advertiser's currency.
func (s *Settings) currencyOf(advertiser string) string {
	if c := s.AdvertiserCurrencies[advertiser]; c != "" {
		return c
	}
	return s.Currency
}

const settingsExample = `# TikTok API for Business: auction ads, daily per ad.
type: tiktok_ads
advertiser_ids: ["7123456789012345"]
# A long-lived access token of the Business API app; keep it in the environment.
access_token: ${TIKTOK_ACCESS_TOKEN}
# The advertisers' account currency (ISO 4217). Optional: by default it is read from
# the advertiser info call; when set it wins (a mismatch is logged as a warning).
currency: EUR
# advertiser_currencies: {"7123456789012345": EUR}   # per-advertiser override
# base_url: https://business-api.tiktok.com   # point at an emulator in tests
# page_size: 1000            # rows per report page, at most 1000
# requests_per_second: 5     # steady pacing, 0 = none
# max_retries: 5             # on code 40100, 5xx and connection errors
`

func init() {
	extract.Register(extract.Kind{
		Name:     Kind,
		Summary:  "TikTok auction ads report (integrated/get, AUCTION_AD), daily per ad",
		Tables:   []string{transform.AdPerformance},
		Settings: settingsExample,
		New:      New,
	})
}

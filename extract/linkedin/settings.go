package linkedin

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
const Kind = "linkedin_ads"

// Platform is the ad_performance platform value of every row.
const Platform = "linkedin"

// Settings is a linkedin_ads source's block in the config file.
type Settings struct {
	BaseURL string `yaml:"base_url"`
	// APIVersion is the LinkedIn-Version header, YYYYMM (or YYYYMM.NN).
	APIVersion string `yaml:"api_version"`
	// AccountIDs are ad account ids: digits, or urn:li:sponsoredAccount:<digits>.
	AccountIDs  []string     `yaml:"account_ids"`
	AccessToken httpx.Secret `yaml:"access_token"`
	// Currency is the accounts' currency (ISO 4217). Empty: read from
	// /rest/adAccounts/{id}, which also gives the account name.
	Currency string `yaml:"currency"`
	// SliceDays is the longest date range one analytics call asks for.
	SliceDays int `yaml:"slice_days"`
	// PageSize is the pageSize of campaign and creative listings.
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
		BaseURL:           "https://api.linkedin.com",
		APIVersion:        "202411",
		SliceDays:         30,
		PageSize:          100,
		RequestsPerSecond: 2,
		MaxRetries:        httpx.DefaultMaxRetries,
	}
}

var (
	apiVersionRE = regexp.MustCompile(`^\d{6}(\.\d{2})?$`)
	digitsRE     = regexp.MustCompile(`^\d+$`)
	currencyRE   = regexp.MustCompile(`^[A-Z]{3}$`)
)

// Bounds of the numeric settings.
const (
	maxSliceDays = 366
	maxPageSize  = 1000
)

// Validate checks the settings without touching the network and normalizes
// account ids to bare digits and the currency to upper case. Errors name the
// key.
func (s *Settings) Validate() error {
	bad := func(key, format string, args ...any) error {
		return fmt.Errorf("%s: %s: %s", Kind, key, fmt.Sprintf(format, args...))
	}
	u, err := url.Parse(s.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return bad("base_url", "%q is not an absolute http(s) URL", s.BaseURL)
	}
	if !apiVersionRE.MatchString(s.APIVersion) {
		return bad("api_version", "%q is not a LinkedIn-Version like 202411", s.APIVersion)
	}
	if len(s.AccountIDs) == 0 {
		return bad("account_ids", "must not be empty")
	}
	seen := map[string]bool{}
	ids := make([]string, 0, len(s.AccountIDs))
	for i, id := range s.AccountIDs {
		d := strings.TrimPrefix(strings.TrimSpace(id), "urn:li:sponsoredAccount:")
		if !digitsRE.MatchString(d) {
			return bad("account_ids", "entry %d %q is not an ad account id (digits, or urn:li:sponsoredAccount:<digits>)", i+1, id)
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
		return bad("access_token", "must not be empty (set it from the environment, e.g. ${LINKEDIN_ACCESS_TOKEN})")
	case strings.HasPrefix(tok, "${"):
		return bad("access_token", "environment variable reference was not expanded")
	}
	if s.Currency != "" {
		c := strings.ToUpper(strings.TrimSpace(s.Currency))
		if !currencyRE.MatchString(c) {
			return bad("currency", "%q is not an ISO 4217 code like USD", s.Currency)
		}
		s.Currency = c
	}
	if s.SliceDays < 1 || s.SliceDays > maxSliceDays {
		return bad("slice_days", "%d is outside 1..%d", s.SliceDays, maxSliceDays)
	}
	if s.PageSize < 1 || s.PageSize > maxPageSize {
		return bad("page_size", "%d is outside 1..%d", s.PageSize, maxPageSize)
	}
	if s.RequestsPerSecond < 0 {
		return bad("requests_per_second", "%v must not be negative", s.RequestsPerSecond)
	}
	if s.MaxRetries < 0 {
		return bad("max_retries", "%d must not be negative", s.MaxRetries)
	}
	return nil
}

const settingsExample = `# LinkedIn Marketing API (Campaign Manager sponsored content), daily per creative.
type: linkedin_ads
# Ad account ids, digits or urn:li:sponsoredAccount:<id>.
account_ids: ["508123456"]
# An OAuth token with r_ads_reporting and r_ads; keep it in the environment.
access_token: ${LINKEDIN_ACCESS_TOKEN}
# api_version: "202411"      # LinkedIn-Version header, YYYYMM
# base_url: https://api.linkedin.com   # point at an emulator in tests
# currency: USD              # default: read from the ad account (also gives its name)
# slice_days: 30             # days per analytics call; halved automatically when
#                            # a response reaches LinkedIn's 15,000-element cap
# page_size: 100             # campaigns and creatives per listing page
# requests_per_second: 2     # steady pacing, 0 = none
# max_retries: 5             # on short-term throttling, 5xx and connection errors;
#                            # the APPLICATION DAY limit fails at once (resets at midnight UTC)
`

func init() {
	extract.Register(extract.Kind{
		Name:     Kind,
		Summary:  "LinkedIn ads analytics (Campaign Manager), daily per creative, with campaign, creative and landing-page names",
		Tables:   []string{transform.AdPerformance},
		Settings: settingsExample,
		New:      New,
	})
}

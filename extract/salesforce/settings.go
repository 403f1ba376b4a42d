package salesforce

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/socialroi/socialroi/extract"
	"github.com/socialroi/socialroi/extract/httpx"
	"github.com/socialroi/socialroi/transform"
)

// Kind is the source kind this package registers.
const Kind = "salesforce"

// Conversion types a salesforce source can emit (setting conversion_types).
const (
	TypeDealWon     = "deal_won"
	TypeOpportunity = "opportunity"
)

// FieldNames are the canonical names the fields setting may map to a
// Lead/Contact API field name.
var FieldNames = []string{
	"utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term",
	"landing_page", // first page URL; its query also fills missing UTMs and the click id
	"referrer",     // first referrer URL
	"anonymous_id", // a web visitor id (first-party cookie) → identities
}

// Settings is a salesforce source's block in the config file.
type Settings struct {
	// BaseURL is the org's instance URL, e.g. https://acme.my.salesforce.com.
	BaseURL    string `yaml:"base_url"`
	APIVersion string `yaml:"api_version"`
	// AccessToken is an OAuth access token (session id) of an integration
	// user with read access to Lead, Contact and Opportunity.
	AccessToken httpx.Secret `yaml:"access_token"`
	// Fields maps canonical names (FieldNames) to the API names of the
	// fields holding them on Lead and Contact (the same name on both).
	// Keys given in the config replace the defaults one by one; map a name
	// to "" to not read it.
	Fields map[string]string `yaml:"fields"`
	// ConversionTypes says what to emit: deal_won (IsWon opportunities)
	// and/or opportunity (open ones: IsClosed false).
	ConversionTypes []string `yaml:"conversion_types"`
	// Currency of opportunity amounts (the org's corporate currency).
	Currency string `yaml:"currency"`
	// BatchSize is the Sforce-Query-Options batchSize, 200..2000.
	BatchSize int `yaml:"batch_size"`
	// RequestsPerSecond paces calls; 0 means no pacing.
	RequestsPerSecond float64 `yaml:"requests_per_second"`
	// MaxRetries after the first attempt; 0 means none.
	MaxRetries int `yaml:"max_retries"`
}

// DefaultSettings are the settings a source starts from before its config
// block is decoded over them.
func DefaultSettings() Settings {
	return Settings{
		APIVersion: "v61.0",
		Fields: map[string]string{
			"utm_source": "utm_source__c", "utm_medium": "utm_medium__c", "utm_campaign": "utm_campaign__c",
			"utm_content": "utm_content__c", "utm_term": "utm_term__c",
		},
		ConversionTypes:   []string{TypeDealWon},
		Currency:          "USD",
		BatchSize:         2000,
		RequestsPerSecond: 5,
		MaxRetries:        httpx.DefaultMaxRetries,
	}
}

var (
	// FieldRE is what an API field name in the fields setting must match;
	// nothing else is ever spliced into SOQL.
	FieldRE      = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*(__c)?$`)
	apiVersionRE = regexp.MustCompile(`^v\d+\.0$`)
	currencyRE   = regexp.MustCompile(`^[A-Z]{3}$`)
)

// Validate checks the settings without touching the network. Errors name
// the key.
func (s *Settings) Validate() error {
	bad := func(key, format string, args ...any) error {
		return fmt.Errorf("%s: %s: %s", Kind, key, fmt.Sprintf(format, args...))
	}
	if s.BaseURL == "" {
		return bad("base_url", "must be the org's instance URL, e.g. https://acme.my.salesforce.com")
	}
	u, err := url.Parse(s.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return bad("base_url", "%q is not an absolute http(s) URL", s.BaseURL)
	}
	if strings.Trim(u.Path, "/") != "" || u.RawQuery != "" {
		return bad("base_url", "%q must be the instance URL alone, without a path", s.BaseURL)
	}
	if !apiVersionRE.MatchString(s.APIVersion) {
		return bad("api_version", "%q is not a REST API version like v61.0", s.APIVersion)
	}
	tok := s.AccessToken.Reveal()
	switch {
	case strings.TrimSpace(tok) == "":
		return bad("access_token", "must not be empty (set it from the environment, e.g. ${SALESFORCE_TOKEN})")
	case strings.HasPrefix(tok, "${"):
		return bad("access_token", "environment variable reference was not expanded")
	}
	keys := make([]string, 0, len(s.Fields))
	for k := range s.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !slices.Contains(FieldNames, k) {
			return bad("fields", "key %q is not one of %v", k, FieldNames)
		}
		if v := s.Fields[k]; v != "" && !FieldRE.MatchString(v) {
			return bad("fields", "%s: %q is not a Salesforce field API name (letters, digits, _, optionally __c)", k, v)
		}
	}
	if len(s.ConversionTypes) == 0 {
		return bad("conversion_types", "must not be empty (deal_won, opportunity)")
	}
	for i, t := range s.ConversionTypes {
		if t != TypeDealWon && t != TypeOpportunity {
			return bad("conversion_types", "entry %d %q is not deal_won or opportunity", i+1, t)
		}
	}
	s.Currency = strings.ToUpper(strings.TrimSpace(s.Currency))
	if !currencyRE.MatchString(s.Currency) {
		return bad("currency", "%q is not an ISO 4217 code like USD", s.Currency)
	}
	if s.BatchSize < 200 || s.BatchSize > 2000 {
		return bad("batch_size", "%d is outside 200..2000", s.BatchSize)
	}
	if s.RequestsPerSecond < 0 {
		return bad("requests_per_second", "%v must not be negative", s.RequestsPerSecond)
	}
	if s.MaxRetries < 0 {
		return bad("max_retries", "%d must not be negative", s.MaxRetries)
	}
	return nil
}

const settingsExample = `# Salesforce: won opportunities as conversions, leads' and contacts' first
# touch (UTM fields) as touchpoints, visitor ids and hashed emails as identities.
type: salesforce
# The org's instance URL.
base_url: https://acme.my.salesforce.com
# An OAuth access token of an integration user; keep it in the environment.
access_token: ${SALESFORCE_TOKEN}
# api_version: v61.0
# API names of the Lead/Contact fields holding first-touch data (every org
# names them differently; keys you give replace the defaults one by one).
# fields:
#   utm_source: utm_source__c
#   utm_medium: utm_medium__c
#   utm_campaign: utm_campaign__c
#   utm_content: utm_content__c
#   utm_term: utm_term__c
#   landing_page: Landing_Page__c
#   referrer: Referrer__c
#   anonymous_id: Web_Visitor_Id__c
# conversion_types: [deal_won]   # add opportunity for open opportunities
# currency: USD                  # the org's corporate currency
# batch_size: 2000               # records per query batch, 200..2000
# requests_per_second: 5
# max_retries: 5                 # on 5xx and connection errors
`

func init() {
	extract.Register(extract.Kind{
		Name:     Kind,
		Summary:  "Salesforce: won (and optionally open) opportunities, leads' and contacts' first touch, visitor ids and hashed emails",
		Tables:   []string{transform.Conversions, transform.Touchpoints, transform.Identities},
		Settings: settingsExample,
		New:      New,
	})
}

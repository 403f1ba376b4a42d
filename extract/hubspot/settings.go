package hubspot

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
const Kind = "hubspot"

// Conversion types a hubspot source can emit (setting conversion_types).
const (
	TypeDealWon     = "deal_won"
	TypeOpportunity = "opportunity"
)

// UTMFields are the canonical UTM columns contact_utm_properties may map.
var UTMFields = []string{"utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term"}

// Settings is a hubspot source's block in the config file.
type Settings struct {
	BaseURL string `yaml:"base_url"`
	// AccessToken is the private app token (scopes crm.objects.deals.read
	// and crm.objects.contacts.read).
	AccessToken httpx.Secret `yaml:"access_token"`
	// WonStages are the dealstage values that mean won (internal stage ids,
	// e.g. closedwon, or the ids of a custom pipeline's won stages).
	WonStages []string `yaml:"won_stages"`
	// LostStages are the dealstage values that mean lost; deals in them are
	// never emitted.
	LostStages []string `yaml:"lost_stages"`
	// ConversionTypes says what to emit: deal_won (won deals) and/or
	// opportunity (open deals: neither won nor lost).
	ConversionTypes []string `yaml:"conversion_types"`
	// Currency is used when a deal has no deal_currency_code.
	Currency string `yaml:"currency"`
	// ContactUTMProperties maps a canonical UTM field to the contact property
	// holding the first-touch value. Keys given in the config replace the
	// defaults one by one.
	ContactUTMProperties map[string]string `yaml:"contact_utm_properties"`
	// AnonymousIDProperties are contact properties holding web visitor ids
	// (hubspotutk, a custom first-party cookie id …); each value becomes an
	// identities row.
	AnonymousIDProperties []string `yaml:"anonymous_id_properties"`
	// ContactTouchpoints, when false, emits no first/last-touch touchpoints
	// from contacts: when the web analytics export already carries the
	// sessions, they would be second copies of two of them. Nil means true.
	ContactTouchpoints *bool `yaml:"contact_touchpoints"`
	// PageLimit is the search page size, at most 200.
	PageLimit int `yaml:"page_limit"`
	// RequestsPerSecond paces calls; 0 means no pacing. Search allows about 5.
	RequestsPerSecond float64 `yaml:"requests_per_second"`
	// MaxRetries after the first attempt; 0 means none.
	MaxRetries int `yaml:"max_retries"`
}

// DefaultSettings are the settings a source starts from before its config
// block is decoded over them.
func DefaultSettings() Settings {
	return Settings{
		BaseURL:         "https://api.hubapi.com",
		WonStages:       []string{"closedwon"},
		LostStages:      []string{"closedlost"},
		ConversionTypes: []string{TypeDealWon},
		Currency:        "USD",
		ContactUTMProperties: map[string]string{
			"utm_source": "utm_source", "utm_medium": "utm_medium", "utm_campaign": "utm_campaign",
			"utm_content": "utm_content", "utm_term": "utm_term",
		},
		AnonymousIDProperties: []string{"hubspotutk"},
		PageLimit:             100,
		RequestsPerSecond:     4,
		MaxRetries:            httpx.DefaultMaxRetries,
	}
}

// contactTouchpoints reports whether contacts' first/last touches are emitted.
func (s Settings) contactTouchpoints() bool {
	return s.ContactTouchpoints == nil || *s.ContactTouchpoints
}

// maxPageLimit is HubSpot's upper bound on a search page.
const maxPageLimit = 200

var (
	// propertyRE is a HubSpot internal property name.
	propertyRE = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	currencyRE = regexp.MustCompile(`^[A-Z]{3}$`)
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
	tok := s.AccessToken.Reveal()
	switch {
	case strings.TrimSpace(tok) == "":
		return bad("access_token", "must not be empty (set it from the environment, e.g. ${HUBSPOT_TOKEN})")
	case strings.HasPrefix(tok, "${"):
		return bad("access_token", "environment variable reference was not expanded")
	}
	if err := stages("won_stages", s.WonStages, false); err != nil {
		return err
	}
	if err := stages("lost_stages", s.LostStages, true); err != nil {
		return err
	}
	for _, w := range s.WonStages {
		if slices.Contains(s.LostStages, w) {
			return bad("lost_stages", "stage %q is also in won_stages", w)
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
	keys := make([]string, 0, len(s.ContactUTMProperties))
	for k := range s.ContactUTMProperties {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !slices.Contains(UTMFields, k) {
			return bad("contact_utm_properties", "key %q is not one of %v", k, UTMFields)
		}
		if v := s.ContactUTMProperties[k]; !propertyRE.MatchString(v) {
			return bad("contact_utm_properties", "%s: %q is not a HubSpot property name (lower-case letters, digits, _)", k, v)
		}
	}
	for i, p := range s.AnonymousIDProperties {
		if !propertyRE.MatchString(p) {
			return bad("anonymous_id_properties", "entry %d %q is not a HubSpot property name", i+1, p)
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
	return nil
}

func stages(key string, v []string, mayBeEmpty bool) error {
	if len(v) == 0 && !mayBeEmpty {
		return fmt.Errorf("%s: %s: must not be empty", Kind, key)
	}
	for i, st := range v {
		if strings.TrimSpace(st) == "" {
			return fmt.Errorf("%s: %s: entry %d is empty", Kind, key, i+1)
		}
	}
	return nil
}

const settingsExample = `# HubSpot CRM: won deals as conversions, contacts' first/last touch as
# touchpoints, visitor ids and hashed emails as identities.
type: hubspot
# A private app token with crm.objects.deals.read and crm.objects.contacts.read.
access_token: ${HUBSPOT_TOKEN}
# base_url: https://api.hubapi.com   # point at an emulator in tests
# won_stages: [closedwon]            # dealstage ids that mean won
# lost_stages: [closedlost]          # never emitted
# conversion_types: [deal_won]       # add opportunity for open deals
# currency: USD                      # when a deal has no deal_currency_code
# Contact properties holding first-touch UTMs (keys you give replace the
# defaults one by one; empty values fall back to hs_analytics_first_url).
# contact_utm_properties:
#   utm_source: utm_source
#   utm_medium: utm_medium
#   utm_campaign: utm_campaign
#   utm_content: utm_content
#   utm_term: utm_term
# anonymous_id_properties: [hubspotutk]   # web visitor ids → identities
# contact_touchpoints: true               # false when the web analytics export has the sessions
# page_limit: 100            # search page size, at most 200
# requests_per_second: 4     # search allows about 5
# max_retries: 5             # on 429 SECONDLY/TEN_SECONDLY, 5xx, connection errors
`

func init() {
	extract.Register(extract.Kind{
		Name:     Kind,
		Summary:  "HubSpot CRM: won (and optionally open) deals, contacts' first/last touch, visitor ids and hashed emails",
		Tables:   []string{transform.Conversions, transform.Touchpoints, transform.Identities},
		Settings: settingsExample,
		New:      New,
	})
}

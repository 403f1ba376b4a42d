package googleads

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/shopspring/decimal"

	"github.com/socialroi/socialroi/extract/emulator"
	"github.com/socialroi/socialroi/transform"
)

// Platform is the ad_performance platform value this emulator serves; rows of
// other platforms in Config.Rows are ignored.
const Platform = "google"

// Customer is a Google Ads account as the API reports it.
type Customer struct {
	Name     string
	Currency string
	// TimeZone is customer.time_zone (IANA); DefaultTimeZone when empty.
	TimeZone string
}

// DefaultTimeZone is a customer's time_zone when neither Config.Customers
// nor the customer's rows (AccountTimezone) give one.
const DefaultTimeZone = "America/New_York"

// UTM placement: where the emulator puts a row's destination URL query
// (its UTMs), to exercise the three ways advertisers configure them.
const (
	// UTMInFinalURL keeps the whole destination URL in finalUrls (default).
	UTMInFinalURL = "final_url"
	// UTMInTrackingTemplate serves finalUrls without query and the query as
	// trackingUrlTemplate "{lpurl}?<query>".
	UTMInTrackingTemplate = "tracking_template"
	// UTMInFinalURLSuffix serves finalUrls without query and the query as
	// finalUrlSuffix.
	UTMInFinalURLSuffix = "final_url_suffix"
)

// Config is the emulator's ground truth and behaviour.
type Config struct {
	// AccessToken is the only OAuth token accepted (Authorization: Bearer).
	AccessToken string
	// DeveloperToken is the only developer-token header value accepted.
	DeveloperToken string
	// LoginCustomerID, when set (digits), must be sent as login-customer-id:
	// the customers are reached through this manager account.
	LoginCustomerID string
	// Customers by id (10 digits). When nil, taken from Rows (account name,
	// currency and AccountTimezone of each account's first row).
	Customers map[string]Customer
	// Rows are the ground truth; rows of platform "google" are served, one
	// result per row. AdsetID/AdsetName are the ad group; CreativeID and
	// CreativeName have no Google Ads counterpart (the ad is the creative)
	// and are not served.
	Rows []transform.AdPerformanceRow
	// BatchSize is the number of results per streamed batch (default 10000,
	// as the real API).
	BatchSize int
	// UTMIn is where a destination URL's query goes: UTMInFinalURL (default),
	// UTMInTrackingTemplate or UTMInFinalURLSuffix.
	UTMIn string
	// ExtraResultFields are merged into every result, to check that a
	// connector ignores fields it did not ask for (the API adds new ones).
	ExtraResultFields map[string]any
}

// Server emulates the Google Ads searchStream endpoint.
type Server struct {
	*emulator.Server
	cfg       Config
	customers map[string]Customer
	rows      map[string][]transform.AdPerformanceRow // by customer, sorted

	mu    sync.Mutex
	calls int
}

// New validates cfg and starts a Google Ads server.
func New(cfg Config) (*Server, error) {
	if cfg.AccessToken == "" || cfg.DeveloperToken == "" {
		return nil, fmt.Errorf("emulator: googleads: AccessToken and DeveloperToken are required")
	}
	if cfg.BatchSize <= 0 {
		cfg.BatchSize = 10000
	}
	switch cfg.UTMIn {
	case "":
		cfg.UTMIn = UTMInFinalURL
	case UTMInFinalURL, UTMInTrackingTemplate, UTMInFinalURLSuffix:
	default:
		return nil, fmt.Errorf("emulator: googleads: UTMIn %q is not one of final_url, tracking_template, final_url_suffix", cfg.UTMIn)
	}
	s := &Server{cfg: cfg, customers: map[string]Customer{}, rows: map[string][]transform.AdPerformanceRow{}}
	for id, c := range cfg.Customers {
		s.customers[strings.ReplaceAll(id, "-", "")] = c
	}
	for i, r := range cfg.Rows {
		if r.Platform != Platform {
			continue
		}
		id := strings.ReplaceAll(r.AccountID, "-", "")
		if _, ok := s.customers[id]; !ok {
			if cfg.Customers != nil {
				return nil, fmt.Errorf("emulator: googleads: row %d: customer %q is not in Customers", i+1, r.AccountID)
			}
			s.customers[id] = Customer{Name: r.AccountName, Currency: r.Currency, TimeZone: r.AccountTimezone}
		}
		s.rows[id] = append(s.rows[id], r)
	}
	for id, c := range s.customers {
		if c.TimeZone == "" {
			c.TimeZone = DefaultTimeZone
			s.customers[id] = c
		}
	}
	for _, rs := range s.rows {
		slices.SortStableFunc(rs, func(a, b transform.AdPerformanceRow) int {
			if c := a.Date.Compare(b.Date); c != 0 {
				return c
			}
			return strings.Compare(a.AdID, b.AdID)
		})
	}
	srv, err := emulator.Start(http.HandlerFunc(s.serve))
	if err != nil {
		return nil, err
	}
	s.Server = srv
	return s, nil
}

// Failure is one entry of a GoogleAdsFailure's errors.
type Failure struct {
	// ErrorCode is the one-key error code object, e.g.
	// {"quotaError":"RESOURCE_EXHAUSTED"}.
	ErrorCode map[string]string
	Message   string
	// RetryDelay, when set, is served as details.quotaErrorDetails.retryDelay.
	RetryDelay time.Duration
}

// ErrorBody is a Google Ads API error body: a google.rpc.Status with a
// GoogleAdsFailure detail.
func ErrorBody(code int, status, message string, failures ...Failure) string {
	var errs []map[string]any
	for _, f := range failures {
		e := map[string]any{"errorCode": f.ErrorCode, "message": f.Message}
		if f.RetryDelay > 0 {
			e["details"] = map[string]any{"quotaErrorDetails": map[string]any{
				"rateScope": "DEVELOPER", "rateName": "Number of operations for basic access",
				"retryDelay": formatDelay(f.RetryDelay)}}
		}
		errs = append(errs, e)
	}
	body := map[string]any{"code": code, "message": message, "status": status}
	if len(errs) > 0 {
		body["details"] = []map[string]any{{
			"@type":     "type.googleapis.com/google.ads.googleads.v21.errors.GoogleAdsFailure",
			"errors":    errs,
			"requestId": "emuErrReq0001",
		}}
	}
	return mustJSON(map[string]any{"error": body})
}

// formatDelay renders a protobuf Duration as JSON does: seconds with an "s"
// suffix, fractional when needed ("40591s", "1.5s").
func formatDelay(d time.Duration) string {
	return strconv.FormatFloat(d.Seconds(), 'f', -1, 64) + "s"
}

// ResourceExhausted is Google's throttling answer: HTTP 429
// RESOURCE_EXHAUSTED with quotaErrorDetails.retryDelay.
func ResourceExhausted(retryDelay time.Duration) emulator.Fault {
	secs := int64(retryDelay.Round(time.Second) / time.Second)
	return emulator.Fault{Status: http.StatusTooManyRequests, Body: ErrorBody(429, "RESOURCE_EXHAUSTED",
		"Resource has been exhausted (e.g. check quota).", Failure{
			ErrorCode:  map[string]string{"quotaError": "RESOURCE_EXHAUSTED"},
			Message:    fmt.Sprintf("Too many requests. Retry in %d seconds.", secs),
			RetryDelay: retryDelay,
		})}
}

// Unauthenticated is the answer to an expired or revoked OAuth token.
func Unauthenticated() emulator.Fault {
	return emulator.Fault{Status: http.StatusUnauthorized, Body: unauthenticatedBody}
}

const unauthenticatedBody = `{"error":{"code":401,"message":"Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.","status":"UNAUTHENTICATED"}}`

// DeveloperTokenFault is the answer when the developer token is not approved
// for the account (a test-access token used on a production account).
func DeveloperTokenFault() emulator.Fault {
	return emulator.Fault{Status: http.StatusForbidden, Body: developerTokenBody(
		"DEVELOPER_TOKEN_NOT_APPROVED", "The developer token is only approved for use with test accounts. To access non-test accounts, apply for Basic or Standard access.")}
}

func developerTokenBody(code, msg string) string {
	return ErrorBody(403, "PERMISSION_DENIED", "The caller does not have permission",
		Failure{ErrorCode: map[string]string{"authorizationError": code}, Message: msg})
}

// Internal is a transient server error.
func Internal() emulator.Fault {
	return emulator.Fault{Status: http.StatusInternalServerError, Body: ErrorBody(500, "INTERNAL",
		"Internal error encountered.", Failure{ErrorCode: map[string]string{"internalError": "INTERNAL_ERROR"},
			Message: "An internal error has occurred."})}
}

var (
	streamPath = regexp.MustCompile(`^/(v\d+)/customers/(\d+)/googleAds:searchStream$`)
	selectRE   = regexp.MustCompile(`(?is)^\s*SELECT\s+(.+?)\s+FROM\s+(\w+)\s*(.*)$`)
	betweenRE  = regexp.MustCompile(`(?i)segments\.date\s+BETWEEN\s+'(\d{4}-\d{2}-\d{2})'\s+AND\s+'(\d{4}-\d{2}-\d{2})'`)
)

// Fields is every GAQL field the emulator serves.
var Fields = []string{
	"customer.id", "customer.descriptive_name", "customer.currency_code", "customer.time_zone",
	"campaign.id", "campaign.name", "ad_group.id", "ad_group.name",
	"ad_group_ad.ad.id", "ad_group_ad.ad.name", "ad_group_ad.ad.final_urls",
	"ad_group_ad.ad.tracking_url_template", "ad_group_ad.ad.final_url_suffix",
	"segments.date", "metrics.cost_micros", "metrics.impressions", "metrics.clicks",
	"metrics.conversions", "metrics.conversions_value",
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.calls++
	reqID := fmt.Sprintf("emuReq%06d", s.calls)
	s.mu.Unlock()
	w.Header().Set("request-id", reqID)

	auth := r.Header.Get("Authorization")
	if !strings.HasPrefix(auth, "Bearer ") || strings.TrimPrefix(auth, "Bearer ") != s.cfg.AccessToken {
		writeBody(w, http.StatusUnauthorized, unauthenticatedBody)
		return
	}
	switch dt := r.Header.Get("developer-token"); {
	case dt == "":
		writeBody(w, http.StatusForbidden, developerTokenBody("DEVELOPER_TOKEN_PARAMETER_MISSING",
			"The developer token is not on the allowlist / missing: set the developer-token header."))
		return
	case dt != s.cfg.DeveloperToken:
		writeBody(w, http.StatusForbidden, developerTokenBody("DEVELOPER_TOKEN_INVALID", "The developer token is not valid."))
		return
	}
	m := streamPath.FindStringSubmatch(r.URL.Path)
	if r.Method != http.MethodPost || m == nil {
		writeBody(w, http.StatusNotFound, ErrorBody(404, "NOT_FOUND", "The emulator serves POST /vNN/customers/{id}/googleAds:searchStream only: "+r.Method+" "+r.URL.Path))
		return
	}
	cid := m[2]
	cust, ok := s.customers[cid]
	if ok && s.cfg.LoginCustomerID != "" && r.Header.Get("login-customer-id") != s.cfg.LoginCustomerID {
		ok = false
	}
	if !ok {
		writeBody(w, http.StatusForbidden, ErrorBody(403, "PERMISSION_DENIED", "The caller does not have permission",
			Failure{ErrorCode: map[string]string{"authorizationError": "USER_PERMISSION_DENIED"},
				Message: "User doesn't have permission to access customer. Note: If you're accessing a client customer, the manager's customer id must be set in the 'login-customer-id' header."}))
		return
	}
	var body struct {
		Query string `json:"query"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.Query == "" {
		badQuery(w, "requestError", "INVALID_INPUT", "The request body must be a JSON object with a query.")
		return
	}
	sm := selectRE.FindStringSubmatch(body.Query)
	if sm == nil || !strings.EqualFold(sm[2], "ad_group_ad") {
		badQuery(w, "queryError", "PROHIBITED_RESOURCE_TYPE_IN_FROM_CLAUSE", "The emulator serves SELECT … FROM ad_group_ad only.")
		return
	}
	var fields []string
	for _, f := range strings.Split(sm[1], ",") {
		f = strings.TrimSpace(f)
		if !slices.Contains(Fields, f) {
			badQuery(w, "queryError", "UNRECOGNIZED_FIELD", fmt.Sprintf("Unrecognized field in the query: '%s'.", f))
			return
		}
		fields = append(fields, f)
	}
	dm := betweenRE.FindStringSubmatch(sm[3])
	if dm == nil {
		badQuery(w, "queryError", "EXPECTED_FILTERS_ON_DATE_RANGE", "The emulator needs WHERE segments.date BETWEEN 'YYYY-MM-DD' AND 'YYYY-MM-DD'.")
		return
	}
	since, err1 := time.Parse(time.DateOnly, dm[1])
	until, err2 := time.Parse(time.DateOnly, dm[2])
	if err1 != nil || err2 != nil || until.Before(since) {
		badQuery(w, "queryError", "INVALID_VALUE_WITH_BETWEEN_OPERATOR", "Invalid date range.")
		return
	}

	var results []map[string]any
	for _, row := range s.rows[cid] {
		if !row.Date.Before(since) && !row.Date.After(until) {
			results = append(results, s.result(cid, cust, row, fields))
		}
	}
	mask := make([]string, len(fields))
	for i, f := range fields {
		mask[i] = camelPath(f)
	}
	var batches []map[string]any
	for off := 0; off < len(results) || off == 0; off += s.cfg.BatchSize {
		b := map[string]any{"fieldMask": strings.Join(mask, ","), "requestId": reqID}
		if off < len(results) {
			b["results"] = results[off:min(off+s.cfg.BatchSize, len(results))]
		}
		batches = append(batches, b)
	}
	batches[len(batches)-1]["queryResourceConsumption"] = strconv.Itoa(100 + len(results))
	writeBody(w, http.StatusOK, mustJSON(batches))
}

func badQuery(w http.ResponseWriter, kind, code, msg string) {
	writeBody(w, http.StatusBadRequest, ErrorBody(400, "INVALID_ARGUMENT", "Request contains an invalid argument.",
		Failure{ErrorCode: map[string]string{kind: code}, Message: msg}))
}

// result renders one row as a GoogleAdsRow with only the selected fields.
func (s *Server) result(cid string, cust Customer, row transform.AdPerformanceRow, fields []string) map[string]any {
	out := map[string]any{}
	for k, v := range s.cfg.ExtraResultFields {
		out[k] = v
	}
	obj := func(key, resourceName string) map[string]any {
		m, ok := out[key].(map[string]any)
		if !ok {
			m = map[string]any{}
			if resourceName != "" {
				m["resourceName"] = resourceName
			}
			out[key] = m
		}
		return m
	}
	ad := func() map[string]any {
		aga := obj("adGroupAd", fmt.Sprintf("customers/%s/adGroupAds/%s~%s", cid, row.AdsetID, row.AdID))
		a, ok := aga["ad"].(map[string]any)
		if !ok {
			a = map[string]any{"resourceName": fmt.Sprintf("customers/%s/ads/%s", cid, row.AdID)}
			aga["ad"] = a
		}
		return a
	}
	finalURL, query := row.DestinationURL, ""
	if s.cfg.UTMIn != UTMInFinalURL {
		if i := strings.IndexByte(finalURL, '?'); i >= 0 {
			finalURL, query = finalURL[:i], finalURL[i+1:]
		}
	}
	setStr := func(m map[string]any, k, v string) {
		if v != "" {
			m[k] = v
		}
	}
	setInt := func(m map[string]any, k string, v int64) {
		if v != 0 { // proto3 JSON omits defaults
			m[k] = strconv.FormatInt(v, 10)
		}
	}
	for _, f := range fields {
		switch f {
		case "customer.id":
			obj("customer", "customers/"+cid)["id"] = cid
		case "customer.descriptive_name":
			setStr(obj("customer", "customers/"+cid), "descriptiveName", cust.Name)
		case "customer.currency_code":
			obj("customer", "customers/"+cid)["currencyCode"] = cust.Currency
		case "customer.time_zone":
			obj("customer", "customers/"+cid)["timeZone"] = cust.TimeZone
		case "campaign.id":
			obj("campaign", fmt.Sprintf("customers/%s/campaigns/%s", cid, row.CampaignID))["id"] = row.CampaignID
		case "campaign.name":
			setStr(obj("campaign", fmt.Sprintf("customers/%s/campaigns/%s", cid, row.CampaignID)), "name", row.CampaignName)
		case "ad_group.id":
			obj("adGroup", fmt.Sprintf("customers/%s/adGroups/%s", cid, row.AdsetID))["id"] = row.AdsetID
		case "ad_group.name":
			setStr(obj("adGroup", fmt.Sprintf("customers/%s/adGroups/%s", cid, row.AdsetID)), "name", row.AdsetName)
		case "ad_group_ad.ad.id":
			ad()["id"] = row.AdID
		case "ad_group_ad.ad.name":
			setStr(ad(), "name", row.AdName)
		case "ad_group_ad.ad.final_urls":
			if finalURL != "" {
				ad()["finalUrls"] = []string{finalURL}
			}
		case "ad_group_ad.ad.tracking_url_template":
			if s.cfg.UTMIn == UTMInTrackingTemplate && query != "" {
				ad()["trackingUrlTemplate"] = "{lpurl}?" + query
			}
		case "ad_group_ad.ad.final_url_suffix":
			if s.cfg.UTMIn == UTMInFinalURLSuffix && query != "" {
				ad()["finalUrlSuffix"] = query
			}
		case "segments.date":
			obj("segments", "")["date"] = row.Date.Format(time.DateOnly)
		case "metrics.cost_micros":
			setInt(obj("metrics", ""), "costMicros", row.Spend.Shift(6).Round(0).IntPart())
		case "metrics.impressions":
			setInt(obj("metrics", ""), "impressions", row.Impressions)
		case "metrics.clicks":
			setInt(obj("metrics", ""), "clicks", row.Clicks)
		case "metrics.conversions":
			if row.PlatformConversions != 0 {
				obj("metrics", "")["conversions"] = row.PlatformConversions
			}
		case "metrics.conversions_value":
			if !row.PlatformConversionValue.IsZero() {
				obj("metrics", "")["conversionsValue"] = jsonNumber(row.PlatformConversionValue)
			}
		}
	}
	return out
}

// jsonNumber writes a decimal as a bare JSON number (a double on the wire).
func jsonNumber(d decimal.Decimal) json.RawMessage { return json.RawMessage(d.String()) }

// camelPath turns "ad_group_ad.ad.final_urls" into "adGroupAd.ad.finalUrls".
func camelPath(f string) string {
	parts := strings.Split(f, ".")
	for i, p := range parts {
		words := strings.Split(p, "_")
		for j := 1; j < len(words); j++ {
			if words[j] != "" {
				words[j] = strings.ToUpper(words[j][:1]) + words[j][1:]
			}
		}
		parts[i] = strings.Join(words, "")
	}
	return strings.Join(parts, ".")
}

func writeBody(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body)) // a client that hung up is the test's business
}

func mustJSON(v any) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // URLs keep their '&' readable, as Google sends them
	if err := enc.Encode(v); err != nil {
		panic(err) // only maps of plain values reach here
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// QueryURL is the searchStream path for a customer, for tests that inject
// faults by path prefix.
func QueryURL(version, customerID string) string {
	return "/" + version + "/customers/" + url.PathEscape(customerID) + "/googleAds:searchStream"
}

// CustomerIDs lists the customers served, sorted: what a connector's
// customer_ids should name (the demo wires them into its config).
func (s *Server) CustomerIDs() []string {
	ids := make([]string, 0, len(s.customers))
	for id := range s.customers {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// ThrottleFault is ResourceExhausted, under the name the other platform
// emulators use.
func ThrottleFault(retryDelay time.Duration) emulator.Fault { return ResourceExhausted(retryDelay) }

// TokenExpiredFault is Unauthenticated, under the name the other platform
// emulators use.
func TokenExpiredFault() emulator.Fault { return Unauthenticated() }

package emulator

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
	"sync"
	"time"

	"github.com/socialroi/socialroi/transform"
)

// MetaPlatforms are the publisher_platform values Meta reports; rows of
// other platforms in MetaConfig.Rows are not Meta's and are not served.
var MetaPlatforms = []string{"facebook", "instagram", "audience_network", "messenger"}

// MetaAccount is an ad account's identity as Meta reports it.
type MetaAccount struct {
	Name     string
	Currency string
	// Timezone is the account's timezone_name (IANA), served by GET
	// /act_{id}; MetaDefaultTimezone when empty.
	Timezone string
}

// MetaDefaultTimezone is an account's timezone_name when neither
// MetaConfig.Accounts nor the account's rows (AccountTimezone) give one.
const MetaDefaultTimezone = "America/Los_Angeles"

// MetaUsage is what the usage headers of one insights response report.
type MetaUsage struct {
	// AppPct and AccPct are X-FB-Ads-Insights-Throttle's app_id_util_pct and
	// acc_id_util_pct (also used for X-App-Usage and X-Ad-Account-Usage).
	AppPct, AccPct float64
	// RegainMinutes is X-Business-Use-Case-Usage's
	// estimated_time_to_regain_access.
	RegainMinutes int
}

// MetaConfig is the Meta emulator's ground truth and behaviour.
type MetaConfig struct {
	// AccessToken is the only token accepted (query access_token or
	// Authorization: Bearer).
	AccessToken string
	// Accounts by account id (digits, no act_ prefix). When nil, accounts are
	// taken from Rows (name, currency and AccountTimezone of their first row).
	Accounts map[string]MetaAccount
	// Rows are the ground truth; each becomes one insights row (level=ad,
	// time_increment=1, breakdowns=publisher_platform). Conversions appear as
	// actions/action_values of type "purchase" and video_views_3s as action
	// "video_view"; link clicks also appear as action "link_click", as Meta
	// reports them, to catch a connector that sums every action.
	Rows []transform.AdPerformanceRow
	// PageSize caps the rows per page whatever limit the client asks for
	// (0: the client's limit, default 25), to force paging in tests.
	PageSize int
	// AdsPageSize caps the ads per page of GET /act_{id}/ads (0: PageSize).
	AdsPageSize int
	// EmptyPages lists 1-based page numbers (per listing) answered with no
	// rows but a next link, as Meta sometimes does.
	EmptyPages []int
	// AsyncPolls is the status poll at which an async report run (POST
	// insights) completes; polls before it say Job Not Started, then Job
	// Started and Job Running with a rising async_percent_completion. 0 or
	// 1: the first poll finds it completed (so the demo does not wait).
	AsyncPolls int
	// AsyncFail, when set (MetaJobFailed or MetaJobSkipped), is the status a
	// report run ends in instead of Job Completed.
	AsyncFail string
	// BusinessID keys X-Business-Use-Case-Usage (default "1000000001").
	BusinessID string
	// Usage, when set, gives the usage headers for the n-th insights call
	// (1-based, counted over the server's life). Default: low, rising values.
	Usage func(call int) MetaUsage
}

// Meta emulates the Meta Marketing API: synchronous insights (GET
// /act_{id}/insights), async report runs (POST /act_{id}/insights, GET
// /{report_run_id}, GET /{report_run_id}/insights; see MetaConfig.AsyncPolls)
// the ads listing with creatives (GET /act_{id}/ads; see serveAds for how
// destination URLs are split into link and url_tags) and the ad account node
// (GET /act_{id}?fields=timezone_name,currency,name).
type Meta struct {
	*Server
	cfg      MetaConfig
	accounts map[string]MetaAccount
	rows     map[string][]transform.AdPerformanceRow // by account, sorted

	mu    sync.Mutex
	calls int
	runs  map[string]*metaRun // async report runs by id
}

// NewMeta validates cfg and starts a Meta server.
func NewMeta(cfg MetaConfig) (*Meta, error) {
	if cfg.AccessToken == "" {
		return nil, fmt.Errorf("emulator: meta: AccessToken is required")
	}
	if cfg.BusinessID == "" {
		cfg.BusinessID = "1000000001"
	}
	m := &Meta{cfg: cfg, accounts: map[string]MetaAccount{}, rows: map[string][]transform.AdPerformanceRow{}}
	for id, a := range cfg.Accounts {
		m.accounts[strings.TrimPrefix(id, "act_")] = a
	}
	for i, r := range cfg.Rows {
		if !slices.Contains(MetaPlatforms, r.Platform) {
			continue
		}
		id := strings.TrimPrefix(r.AccountID, "act_")
		if _, ok := m.accounts[id]; !ok {
			if cfg.Accounts != nil {
				return nil, fmt.Errorf("emulator: meta: row %d: account %q is not in Accounts", i+1, r.AccountID)
			}
			m.accounts[id] = MetaAccount{Name: r.AccountName, Currency: r.Currency, Timezone: r.AccountTimezone}
		}
		m.rows[id] = append(m.rows[id], r)
	}
	for id, a := range m.accounts {
		if a.Timezone == "" {
			a.Timezone = MetaDefaultTimezone
			m.accounts[id] = a
		}
	}
	for _, rs := range m.rows {
		// Meta's order is by day, then by ad; breakdown rows of one ad follow
		// each other. Stable and deterministic is what matters here.
		slices.SortStableFunc(rs, func(a, b transform.AdPerformanceRow) int {
			if c := a.Date.Compare(b.Date); c != 0 {
				return c
			}
			if c := strings.Compare(a.AdID, b.AdID); c != 0 {
				return c
			}
			return strings.Compare(a.Platform, b.Platform)
		})
	}
	srv, err := Start(http.HandlerFunc(m.serve))
	if err != nil {
		return nil, err
	}
	m.Server = srv
	return m, nil
}

// MetaErrorBody is a Graph API error body, for faults.
func MetaErrorBody(code, subcode int, message string) string {
	e := map[string]any{"message": message, "type": "OAuthException", "code": code,
		"fbtrace_id": "AbCdEfGhIjKlMnOpQrStUvW"}
	if subcode != 0 {
		e["error_subcode"] = subcode
	}
	if metaThrottleCode(code) {
		e["is_transient"] = true
	}
	b, _ := json.Marshal(map[string]any{"error": e}) // a map of plain values always marshals
	return string(b)
}

// MetaThrottleFault is Meta's throttling answer: HTTP 400 with a throttle
// code (17: user request limit; 80000: ads insights business use case).
func MetaThrottleFault(code int) Fault {
	msgs := map[int]string{
		4:     "(#4) Application request limit reached",
		17:    "(#17) User request limit reached",
		32:    "(#32) Page request limit reached",
		613:   "(#613) Calls to this api have exceeded the rate limit.",
		80000: "(#80000) There have been too many calls from this ad-account. Wait a bit and try again.",
	}
	msg, ok := msgs[code]
	if !ok {
		msg = fmt.Sprintf("(#%d) There have been too many calls. Wait a bit and try again.", code)
	}
	return Fault{Status: http.StatusBadRequest, Body: MetaErrorBody(code, 2446079, msg)}
}

// MetaTokenExpiredFault is Meta's answer to an expired token.
func MetaTokenExpiredFault() Fault {
	return Fault{Status: http.StatusBadRequest, Body: MetaErrorBody(190, 463,
		"Error validating access token: Session has expired on Friday, 20-Nov-26 12:00:00 PST.")}
}

func metaThrottleCode(code int) bool {
	return code == 4 || code == 17 || code == 32 || code == 613 || (code >= 80000 && code <= 80014)
}

var (
	metaInsightsPath = regexp.MustCompile(`^/(v\d+\.\d+)/act_(\d+)/insights$`)
	metaAdsPath      = regexp.MustCompile(`^/(v\d+\.\d+)/act_(\d+)/ads$`)
	metaAccountPath  = regexp.MustCompile(`^/(v\d+\.\d+)/act_(\d+)$`)
	metaRunPath      = regexp.MustCompile(`^/(v\d+\.\d+)/(\d+)(/insights)?$`)
	metaFieldsAll    = []string{"account_id", "account_name", "account_currency", "campaign_id", "campaign_name",
		"adset_id", "adset_name", "ad_id", "ad_name", "spend", "impressions", "reach", "clicks",
		"inline_link_clicks", "actions", "action_values"}
)

func (m *Meta) serve(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	tok := q.Get("access_token")
	if h := r.Header.Get("Authorization"); tok == "" && strings.HasPrefix(h, "Bearer ") {
		tok = strings.TrimPrefix(h, "Bearer ")
	}
	switch {
	case tok == "":
		metaError(w, http.StatusBadRequest, 104, 0, "An access token is required to request this resource.")
		return
	case tok != m.cfg.AccessToken:
		metaError(w, http.StatusBadRequest, 190, 0, "Invalid OAuth access token - Cannot parse access token")
		return
	}
	if am := metaAdsPath.FindStringSubmatch(r.URL.Path); am != nil {
		m.serveAds(w, r, q, am[2])
		return
	}
	if am := metaAccountPath.FindStringSubmatch(r.URL.Path); am != nil {
		m.serveAccount(w, r, q, am[2])
		return
	}
	if rm := metaRunPath.FindStringSubmatch(r.URL.Path); rm != nil && r.Method == http.MethodGet {
		m.serveRun(w, r, q, rm[2], rm[3] != "")
		return
	}
	pm := metaInsightsPath.FindStringSubmatch(r.URL.Path)
	if pm == nil {
		metaError(w, http.StatusBadRequest, 2500, 0, "Unknown path components: "+r.URL.Path)
		return
	}
	acct, ok := m.accounts[pm[2]]
	if !ok {
		metaError(w, http.StatusBadRequest, 100, 33, fmt.Sprintf("Unsupported get request. Object with ID 'act_%s' does not exist, cannot be loaded due to missing permissions, or does not support this operation.", pm[2]))
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		metaError(w, http.StatusBadRequest, 100, 0, "Unsupported request method for insights (GET, or POST for an async report run)")
		return
	}
	m.writeUsage(w)
	ir, msg := parseInsightsQuery(q)
	if msg != "" {
		metaError(w, http.StatusBadRequest, 100, 0, msg)
		return
	}
	if r.Method == http.MethodPost {
		m.startRun(w, pm[2], ir)
		return
	}
	m.serveInsights(w, r, q, pm[2], acct, ir)
}

// serveAccount answers GET /{version}/act_{id}?fields=… with the ad account
// node: id (act_…), account_id, name, currency, timezone_name (only the
// requested fields; id always, as the Graph API does; without fields, id and
// name).
func (m *Meta) serveAccount(w http.ResponseWriter, r *http.Request, q url.Values, acctID string) {
	acct, ok := m.accounts[acctID]
	if !ok {
		metaError(w, http.StatusBadRequest, 100, 33, fmt.Sprintf("Unsupported get request. Object with ID 'act_%s' does not exist, cannot be loaded due to missing permissions, or does not support this operation.", acctID))
		return
	}
	if r.Method != http.MethodGet {
		metaError(w, http.StatusBadRequest, 100, 0, "Unsupported request method for an ad account")
		return
	}
	fields := []string{"name"}
	if f := q.Get("fields"); f != "" {
		fields = strings.Split(f, ",")
	}
	out := map[string]any{"id": "act_" + acctID}
	for _, f := range fields {
		switch strings.TrimSpace(f) {
		case "account_id":
			out["account_id"] = acctID
		case "name":
			out["name"] = acct.Name
		case "currency":
			out["currency"] = acct.Currency
		case "timezone_name":
			out["timezone_name"] = acct.Timezone
		}
	}
	writeJSON(w, http.StatusOK, out)
}

// insightsRequest is what an insights call asks for.
type insightsRequest struct {
	since, until time.Time
	fields       []string
}

// parseInsightsQuery checks the parameters of an insights call; msg is the
// (#100) message for a bad one.
func parseInsightsQuery(q url.Values) (ir insightsRequest, msg string) {
	if q.Get("level") != "ad" || q.Get("time_increment") != "1" || q.Get("breakdowns") != "publisher_platform" {
		return ir, "(#100) The emulator serves level=ad, time_increment=1, breakdowns=publisher_platform only"
	}
	var tr struct{ Since, Until string }
	if err := json.Unmarshal([]byte(q.Get("time_range")), &tr); err != nil {
		return ir, "(#100) Param time_range must be a JSON object with since and until"
	}
	since, err1 := time.Parse(time.DateOnly, tr.Since)
	until, err2 := time.Parse(time.DateOnly, tr.Until)
	if err1 != nil || err2 != nil || until.Before(since) {
		return ir, "(#100) time_range: since and until must be dates (YYYY-MM-DD), since <= until"
	}
	ir.since, ir.until, ir.fields = since, until, metaFieldsAll
	if f := q.Get("fields"); f != "" {
		ir.fields = strings.Split(f, ",")
	}
	return ir, ""
}

// serveInsights answers one page of insights rows for ir, paged by the
// after cursor and limit of q.
func (m *Meta) serveInsights(w http.ResponseWriter, r *http.Request, q url.Values, acctID string, acct MetaAccount, ir insightsRequest) {
	since, until, fields := ir.since, ir.until, ir.fields
	limit := 25
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n <= 0 {
			metaError(w, http.StatusBadRequest, 100, 0, "(#100) Param limit must be a positive integer")
			return
		}
		limit = n
	}
	if m.cfg.PageSize > 0 && m.cfg.PageSize < limit {
		limit = m.cfg.PageSize
	}
	offset, page := 0, 1
	if a := q.Get("after"); a != "" {
		var ok bool
		if offset, page, ok = decodeCursor(a); !ok {
			metaError(w, http.StatusBadRequest, 100, 0, "(#100) Invalid cursor")
			return
		}
	}

	var all []transform.AdPerformanceRow
	for _, row := range m.rows[acctID] {
		if !row.Date.Before(since) && !row.Date.After(until) {
			all = append(all, row)
		}
	}
	end := offset
	if !slices.Contains(m.cfg.EmptyPages, page) {
		end = min(offset+limit, len(all))
	}
	data := make([]map[string]any, 0, end-offset)
	for _, row := range all[min(offset, len(all)):end] {
		data = append(data, metaRow(row, acct, fields))
	}
	body := map[string]any{"data": data}
	if len(all) > 0 {
		paging := map[string]any{"cursors": map[string]string{
			"before": encodeCursor(offset, page), "after": encodeCursor(end, page+1)}}
		if end < len(all) {
			paging["next"] = m.pageURL(r, q, "after", encodeCursor(end, page+1))
		}
		if offset > 0 {
			paging["previous"] = m.pageURL(r, q, "before", encodeCursor(offset, page))
		}
		body["paging"] = paging
	}
	writeJSON(w, http.StatusOK, body)
}

// pageURL is an absolute paging URL that repeats the request's parameters,
// the access token included (as the real API does, which is why connectors
// must redact landed bodies).
func (m *Meta) pageURL(r *http.Request, q url.Values, key, cursor string) string {
	nq := url.Values{}
	for k, v := range q {
		if k != "after" && k != "before" {
			nq[k] = v
		}
	}
	nq.Set(key, cursor)
	return "http://" + r.Host + r.URL.Path + "?" + nq.Encode()
}

func (m *Meta) writeUsage(w http.ResponseWriter) {
	m.mu.Lock()
	m.calls++
	n := m.calls
	m.mu.Unlock()
	u := MetaUsage{AppPct: float64(1 + n%10), AccPct: float64(1 + n%7)}
	if m.cfg.Usage != nil {
		u = m.cfg.Usage(n)
	}
	h := w.Header()
	h.Set("X-FB-Ads-Insights-Throttle", mustJSON(map[string]any{
		"app_id_util_pct": u.AppPct, "acc_id_util_pct": u.AccPct, "ads_api_access_tier": "standard_access"}))
	h.Set("X-Business-Use-Case-Usage", mustJSON(map[string]any{m.cfg.BusinessID: []map[string]any{{
		"type": "ads_insights", "call_count": int(u.AccPct), "total_cputime": int(u.AccPct),
		"total_time": int(u.AccPct), "estimated_time_to_regain_access": u.RegainMinutes}}}))
	h.Set("X-App-Usage", mustJSON(map[string]any{
		"call_count": int(u.AppPct), "total_cputime": int(u.AppPct), "total_time": int(u.AppPct)}))
	h.Set("X-Ad-Account-Usage", mustJSON(map[string]any{"acc_id_util_pct": u.AccPct}))
}

// metaRow renders one ground-truth row as Meta does: numbers as strings,
// absent keys for missing metrics, only the requested fields.
func metaRow(r transform.AdPerformanceRow, acct MetaAccount, fields []string) map[string]any {
	day := r.Date.Format(time.DateOnly)
	out := map[string]any{"date_start": day, "date_stop": day, "publisher_platform": r.Platform}
	var actions, values []map[string]string
	if r.PlatformConversions != 0 {
		v := strconv.FormatFloat(r.PlatformConversions, 'f', -1, 64)
		// Attribution-window keys ride along on each action element.
		actions = append(actions, map[string]string{"action_type": "purchase", "value": v, "7d_click": v, "1d_view": "0"})
		values = append(values, map[string]string{"action_type": "purchase", "value": r.PlatformConversionValue.String(),
			"7d_click": r.PlatformConversionValue.String()})
	}
	if r.LinkClicks != 0 {
		actions = append(actions, map[string]string{"action_type": "link_click", "value": strconv.FormatInt(r.LinkClicks, 10)})
	}
	if r.VideoViews3s != nil {
		actions = append(actions, map[string]string{"action_type": "video_view", "value": strconv.FormatInt(*r.VideoViews3s, 10)})
	}
	for _, f := range fields {
		switch f {
		case "account_id":
			out[f] = strings.TrimPrefix(r.AccountID, "act_")
		case "account_name":
			out[f] = acct.Name
		case "account_currency":
			out[f] = acct.Currency
		case "campaign_id":
			setNonEmpty(out, f, r.CampaignID)
		case "campaign_name":
			setNonEmpty(out, f, r.CampaignName)
		case "adset_id":
			setNonEmpty(out, f, r.AdsetID)
		case "adset_name":
			setNonEmpty(out, f, r.AdsetName)
		case "ad_id":
			out[f] = r.AdID
		case "ad_name":
			setNonEmpty(out, f, r.AdName)
		case "spend":
			out[f] = r.Spend.String()
		case "impressions":
			out[f] = strconv.FormatInt(r.Impressions, 10)
		case "reach":
			if r.Reach != nil {
				out[f] = strconv.FormatInt(*r.Reach, 10)
			}
		case "clicks":
			out[f] = strconv.FormatInt(r.Clicks, 10)
		case "inline_link_clicks":
			out[f] = strconv.FormatInt(r.LinkClicks, 10)
		case "actions":
			if len(actions) > 0 {
				out[f] = actions
			}
		case "action_values":
			if len(values) > 0 {
				out[f] = values
			}
		}
	}
	return out
}

func setNonEmpty(m map[string]any, k, v string) {
	if v != "" {
		m[k] = v
	}
}

// Cursors are opaque to clients, as Meta's are; inside they carry the row
// offset and the page number (so that EmptyPages can name pages).
func encodeCursor(offset, page int) string {
	return base64.RawURLEncoding.EncodeToString(fmt.Appendf(nil, "o%d:p%d", offset, page))
}

func decodeCursor(s string) (offset, page int, ok bool) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return 0, 0, false
	}
	if _, err := fmt.Sscanf(string(b), "o%d:p%d", &offset, &page); err != nil || offset < 0 || page < 1 {
		return 0, 0, false
	}
	return offset, page, true
}

func metaError(w http.ResponseWriter, status, code, subcode int, msg string) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(MetaErrorBody(code, subcode, msg)))
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false) // paging URLs keep their '&' readable
	_ = enc.Encode(v)        // a client that hung up is the test's business
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only plain maps of numbers and strings reach here
	}
	return string(b)
}

// MetaReduceDataFault is Meta's answer to a call that asks for more rows than
// it can compute in time: HTTP 500 "Please reduce the amount of data you're
// asking for". Give it a PathPrefix to aim it at insights.
func MetaReduceDataFault() Fault {
	return Fault{Status: http.StatusInternalServerError, Body: MetaErrorBody(1, 0,
		"Please reduce the amount of data you're asking for, then retry your request")}
}

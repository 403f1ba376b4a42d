package linkedin

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
	"time"

	"github.com/socialroi/socialroi/extract/emulator"
	"github.com/socialroi/socialroi/transform"
)

// Platform is the ad_performance platform value the emulator serves; rows of
// other platforms in Config.Rows are ignored.
const Platform = "linkedin"

// DefaultMaxElements is where LinkedIn silently truncates an analytics
// response.
const DefaultMaxElements = 15000

// Listing page sizes: the default when the client sends no pageSize, and the
// largest accepted.
const (
	defaultPageSize = 100
	maxPageSize     = 1000
)

// Account is an ad account as /rest/adAccounts/{id} reports it.
type Account struct {
	Name     string
	Currency string
}

// Config is the emulator's ground truth and behaviour.
type Config struct {
	// AccessToken is the only bearer token accepted. Required.
	AccessToken string
	// Accounts by id (digits). When nil they are taken from Rows (name and
	// currency of the account's first row).
	Accounts map[string]Account
	// Rows are the ground truth: one analytics element per row (platform
	// linkedin; others are skipped).
	Rows []transform.AdPerformanceRow
	// MaxElements is where an analytics response is cut off without notice
	// (default DefaultMaxElements). Tests set it low to force splitting.
	MaxElements int
	// PageSize caps listing pages whatever pageSize the client asks for
	// (0: the client's pageSize, default 100), to force paging in tests.
	PageSize int
}

type campaign struct {
	id, name string
}

type creative struct {
	id, name, campaignID, postID string
}

type post struct {
	id, title, url string
	video          bool
}

// Server emulates the LinkedIn Marketing API. Close it when done.
type Server struct {
	*emulator.Server
	cfg       Config
	accounts  map[string]Account
	rows      map[string][]transform.AdPerformanceRow // by account, sorted by date then creative
	campaigns map[string][]campaign                   // by account, sorted by id
	creatives map[string][]creative                   // by account, sorted by id
	posts     map[string]post                         // by share id
}

// New validates cfg, derives the listings from its rows and starts a server.
func New(cfg Config) (*Server, error) {
	if cfg.AccessToken == "" {
		return nil, fmt.Errorf("emulator: linkedin: AccessToken is required")
	}
	if cfg.MaxElements <= 0 {
		cfg.MaxElements = DefaultMaxElements
	}
	s := &Server{cfg: cfg, accounts: map[string]Account{}, rows: map[string][]transform.AdPerformanceRow{},
		campaigns: map[string][]campaign{}, creatives: map[string][]creative{}, posts: map[string]post{}}
	for id, a := range cfg.Accounts {
		s.accounts[id] = a
	}
	seenCampaign, seenCreative := map[string]bool{}, map[string]bool{}
	for i, r := range cfg.Rows {
		if r.Platform != Platform {
			continue
		}
		acct := r.AccountID
		if _, ok := s.accounts[acct]; !ok {
			if cfg.Accounts != nil {
				return nil, fmt.Errorf("emulator: linkedin: row %d: account %q is not in Accounts", i+1, acct)
			}
			s.accounts[acct] = Account{Name: r.AccountName, Currency: r.Currency}
		}
		if !digits(acct) || !digits(r.AdID) || (r.CampaignID != "" && !digits(r.CampaignID)) ||
			(r.CreativeID != "" && !digits(r.CreativeID)) {
			return nil, fmt.Errorf("emulator: linkedin: row %d: account, ad, campaign and creative ids must be digits", i+1)
		}
		s.rows[acct] = append(s.rows[acct], r)
		if r.CampaignID != "" && !seenCampaign[r.CampaignID] {
			seenCampaign[r.CampaignID] = true
			s.campaigns[acct] = append(s.campaigns[acct], campaign{id: r.CampaignID, name: r.CampaignName})
		}
		if !seenCreative[r.AdID] {
			seenCreative[r.AdID] = true
			s.creatives[acct] = append(s.creatives[acct], creative{id: r.AdID, name: r.AdName,
				campaignID: r.CampaignID, postID: r.CreativeID})
		}
		if r.CreativeID != "" {
			if _, ok := s.posts[r.CreativeID]; !ok {
				s.posts[r.CreativeID] = post{id: r.CreativeID, title: r.CreativeName, url: r.DestinationURL,
					video: r.VideoViews3s != nil}
			}
		}
	}
	for _, rs := range s.rows {
		slices.SortStableFunc(rs, func(a, b transform.AdPerformanceRow) int {
			if c := a.Date.Compare(b.Date); c != 0 {
				return c
			}
			return compareIDs(a.AdID, b.AdID)
		})
	}
	for _, cs := range s.campaigns {
		slices.SortFunc(cs, func(a, b campaign) int { return compareIDs(a.id, b.id) })
	}
	for _, cs := range s.creatives {
		slices.SortFunc(cs, func(a, b creative) int { return compareIDs(a.id, b.id) })
	}
	srv, err := emulator.Start(http.HandlerFunc(s.serve))
	if err != nil {
		return nil, err
	}
	s.Server = srv
	return s, nil
}

// compareIDs orders numeric ids by value (shorter first), then as text.
func compareIDs(a, b string) int {
	if len(a) != len(b) {
		return len(a) - len(b)
	}
	return strings.Compare(a, b)
}

func digits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// ErrorBody is a LinkedIn error body, for faults.
func ErrorBody(status, serviceErrorCode int, code, message string) string {
	b, _ := json.Marshal(map[string]any{"status": status, "serviceErrorCode": serviceErrorCode,
		"code": code, "message": message}) // plain values always marshal
	return string(b)
}

// ThrottleFault is LinkedIn's throttling answer: HTTP 429, serviceErrorCode
// 101, no Retry-After. With daily true the message names the APPLICATION DAY
// limit (which resets at midnight UTC); otherwise it is a short-term member
// limit that backing off clears.
func ThrottleFault(daily bool) emulator.Fault {
	msg := "Resource level throttle MEMBER MINUTE limit for calls to this resource is reached."
	if daily {
		msg = "Resource level throttle APPLICATION DAY limit for calls to this resource is reached."
	}
	return emulator.Fault{Status: http.StatusTooManyRequests, Body: ErrorBody(429, 101, "TOO_MANY_REQUESTS", msg)}
}

// TokenExpiredFault is LinkedIn's answer to an expired access token.
func TokenExpiredFault() emulator.Fault {
	return emulator.Fault{Status: http.StatusUnauthorized,
		Body: ErrorBody(401, 65601, "EXPIRED_ACCESS_TOKEN", "The token used in the request has expired")}
}

func writeError(w http.ResponseWriter, status, serviceErrorCode int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(ErrorBody(status, serviceErrorCode, code, msg)))
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Restli-Protocol-Version", "2.0.0")
	w.WriteHeader(http.StatusOK)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v) // a client that hung up is the test's business
}

var (
	accountPath   = regexp.MustCompile(`^/rest/adAccounts/(\d+)$`)
	campaignsPath = regexp.MustCompile(`^/rest/adAccounts/(\d+)/adCampaigns$`)
	creativesPath = regexp.MustCompile(`^/rest/adAccounts/(\d+)/creatives$`)
	versionRE     = regexp.MustCompile(`^\d{6}(\.\d{2})?$`)
)

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	auth := r.Header.Get("Authorization")
	switch {
	case auth == "":
		writeError(w, http.StatusUnauthorized, 65604, "UNAUTHORIZED", "Empty oauth2 access token")
		return
	case auth != "Bearer "+s.cfg.AccessToken:
		writeError(w, http.StatusUnauthorized, 65600, "INVALID_ACCESS_TOKEN", "Invalid access token")
		return
	}
	if v := r.Header.Get("LinkedIn-Version"); !versionRE.MatchString(v) {
		writeError(w, http.StatusBadRequest, 0, "VERSION_MISSING",
			"A version must be present. Please specify a version by adding the LinkedIn-Version header.")
		return
	}
	if r.Header.Get("X-Restli-Protocol-Version") != "2.0.0" {
		writeError(w, http.StatusBadRequest, 0, "ILLEGAL_ARGUMENT", "X-Restli-Protocol-Version 2.0.0 is required")
		return
	}
	if r.Method != http.MethodGet {
		writeError(w, http.StatusMethodNotAllowed, 0, "METHOD_NOT_ALLOWED", "The emulator serves GET only")
		return
	}
	q, err := rawQuery(r.URL.RawQuery)
	if err != nil {
		writeError(w, http.StatusBadRequest, 0, "ILLEGAL_ARGUMENT", err.Error())
		return
	}
	switch p := r.URL.Path; {
	case p == "/rest/adAnalytics":
		s.analytics(w, q)
	case p == "/rest/posts":
		s.batchPosts(w, q)
	case accountPath.MatchString(p):
		id := accountPath.FindStringSubmatch(p)[1]
		a, ok := s.accounts[id]
		if !ok {
			writeError(w, http.StatusNotFound, 0, "NOT_FOUND", "Not found: urn:li:sponsoredAccount:"+id)
			return
		}
		writeJSON(w, map[string]any{"id": json.Number(id), "name": a.Name, "currency": a.Currency,
			"reference": "urn:li:organization:2414183", "status": "ACTIVE", "type": "BUSINESS", "test": false})
	case campaignsPath.MatchString(p):
		s.campaignList(w, q, campaignsPath.FindStringSubmatch(p)[1])
	case creativesPath.MatchString(p):
		s.creativeList(w, q, creativesPath.FindStringSubmatch(p)[1])
	default:
		writeError(w, http.StatusNotFound, 0, "NOT_FOUND", "No virtual resource found: "+p)
	}
}

// rawQuery splits a query string without decoding Rest.li values: structure
// characters stay as sent, so that a client that percent-encodes "(" or ","
// is caught, as LinkedIn catches it.
func rawQuery(raw string) (map[string]string, error) {
	out := map[string]string{}
	for part := range strings.SplitSeq(raw, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		key, err := url.QueryUnescape(k)
		if err != nil {
			return nil, fmt.Errorf("bad query parameter name %q", k)
		}
		if _, dup := out[key]; dup {
			return nil, fmt.Errorf("query parameter %q given twice", key)
		}
		out[key] = v
	}
	return out, nil
}

// plain decodes a value that is not Rest.li structured (q, pageToken, …).
func plain(v string) string {
	s, err := url.QueryUnescape(v)
	if err != nil {
		return v
	}
	return s
}

// restliList parses List(a,b,c) whose items are URL-encoded (a URN's ':'
// must arrive as %3A); it returns the decoded items.
func restliList(v string) ([]string, error) {
	if !strings.HasPrefix(v, "List(") || !strings.HasSuffix(v, ")") {
		return nil, fmt.Errorf("%q is not a Rest.li List(...) (send Rest.li syntax unencoded)", v)
	}
	inner := strings.TrimSuffix(strings.TrimPrefix(v, "List("), ")")
	if inner == "" {
		return nil, nil
	}
	var out []string
	for it := range strings.SplitSeq(inner, ",") {
		if strings.ContainsAny(it, ":()") {
			return nil, fmt.Errorf("list item %q: URNs in Rest.li lists must be URL-encoded", it)
		}
		d, err := url.PathUnescape(it)
		if err != nil {
			return nil, fmt.Errorf("list item %q: bad encoding", it)
		}
		out = append(out, d)
	}
	return out, nil
}

var dateRangeRE = regexp.MustCompile(`^\(start:\(year:(\d{4}),month:(\d{1,2}),day:(\d{1,2})\),end:\(year:(\d{4}),month:(\d{1,2}),day:(\d{1,2})\)\)$`)

func parseDateRange(v string) (since, until time.Time, err error) {
	m := dateRangeRE.FindStringSubmatch(v)
	if m == nil {
		return since, until, fmt.Errorf("dateRange %q is not (start:(year:Y,month:M,day:D),end:(year:Y,month:M,day:D))", v)
	}
	mk := func(y, mo, d string) (time.Time, error) {
		yi, _ := strconv.Atoi(y)
		mi, _ := strconv.Atoi(mo)
		di, _ := strconv.Atoi(d)
		t := transform.Date(yi, time.Month(mi), di)
		if t.Year() != yi || int(t.Month()) != mi || t.Day() != di {
			return t, fmt.Errorf("dateRange: %s-%s-%s is not a calendar day", y, mo, d)
		}
		return t, nil
	}
	if since, err = mk(m[1], m[2], m[3]); err != nil {
		return
	}
	if until, err = mk(m[4], m[5], m[6]); err != nil {
		return
	}
	if until.Before(since) {
		err = fmt.Errorf("dateRange: end is before start")
	}
	return
}

// analyticsFields are the metrics the emulator knows; others are rejected
// as LinkedIn rejects unknown projections.
var analyticsFields = []string{"dateRange", "pivotValues", "impressions", "clicks", "landingPageClicks",
	"costInLocalCurrency", "externalWebsiteConversions", "conversionValueInLocalCurrency", "videoViews"}

func (s *Server) analytics(w http.ResponseWriter, q map[string]string) {
	bad := func(msg string) { writeError(w, http.StatusBadRequest, 100, "ILLEGAL_ARGUMENT", msg) }
	if plain(q["q"]) != "analytics" {
		bad("q must be analytics")
		return
	}
	if p := q["pivot"]; p != "CREATIVE" && p != "(value:CREATIVE)" {
		bad("the emulator serves pivot=CREATIVE only")
		return
	}
	if g := q["timeGranularity"]; g != "DAILY" && g != "(value:DAILY)" {
		bad("the emulator serves timeGranularity=DAILY only")
		return
	}
	since, until, err := parseDateRange(q["dateRange"])
	if err != nil {
		bad(err.Error())
		return
	}
	items, err := restliList(q["accounts"])
	if err != nil || len(items) == 0 {
		bad(fmt.Sprintf("accounts: %v", orMsg(err, "must list at least one sponsoredAccount URN")))
		return
	}
	var accts []string
	for _, it := range items {
		id, ok := strings.CutPrefix(it, "urn:li:sponsoredAccount:")
		if !ok || !digits(id) {
			bad(fmt.Sprintf("accounts: %q is not a sponsoredAccount URN", it))
			return
		}
		if _, known := s.accounts[id]; !known {
			writeError(w, http.StatusForbidden, 100, "ACCESS_DENIED",
				"Not enough permissions to access: urn:li:sponsoredAccount:"+id)
			return
		}
		accts = append(accts, id)
	}
	fields := analyticsFields
	if f := q["fields"]; f != "" {
		fields = strings.Split(plain(f), ",")
		if len(fields) > 20 {
			bad("at most 20 fields may be requested")
			return
		}
		for _, f := range fields {
			if !slices.Contains(analyticsFields, f) {
				bad(fmt.Sprintf("fields: unknown field %q", f))
				return
			}
		}
	}
	var rows []transform.AdPerformanceRow
	for _, a := range accts {
		for _, r := range s.rows[a] {
			if !r.Date.Before(since) && !r.Date.After(until) {
				rows = append(rows, r)
			}
		}
	}
	if len(accts) > 1 {
		slices.SortStableFunc(rows, func(a, b transform.AdPerformanceRow) int {
			if c := a.Date.Compare(b.Date); c != 0 {
				return c
			}
			return compareIDs(a.AdID, b.AdID)
		})
	}
	// Not paged; silently truncated.
	if len(rows) > s.cfg.MaxElements {
		rows = rows[:s.cfg.MaxElements]
	}
	elements := make([]map[string]any, 0, len(rows))
	for _, r := range rows {
		elements = append(elements, element(r, fields))
	}
	writeJSON(w, map[string]any{"paging": map[string]any{"start": 0, "count": 10, "links": []any{}}, "elements": elements})
}

func orMsg(err error, msg string) string {
	if err != nil {
		return err.Error()
	}
	return msg
}

func dateObj(t time.Time) map[string]int {
	return map[string]int{"year": t.Year(), "month": int(t.Month()), "day": t.Day()}
}

// element renders a ground-truth row as an analytics element: counts as
// JSON integers, money as decimal strings with LinkedIn's long tail of
// digits, only requested fields; videoViews is absent for rows without video.
func element(r transform.AdPerformanceRow, fields []string) map[string]any {
	out := map[string]any{}
	for _, f := range fields {
		switch f {
		case "dateRange":
			out[f] = map[string]any{"start": dateObj(r.Date), "end": dateObj(r.Date)}
		case "pivotValues":
			out[f] = []string{"urn:li:sponsoredCreative:" + r.AdID}
		case "impressions":
			out[f] = r.Impressions
		case "clicks":
			out[f] = r.Clicks
		case "landingPageClicks":
			out[f] = r.LinkClicks
		case "costInLocalCurrency":
			out[f] = longDecimal(r.Spend.String())
		case "externalWebsiteConversions":
			out[f] = int64(r.PlatformConversions)
		case "conversionValueInLocalCurrency":
			out[f] = longDecimal(r.PlatformConversionValue.String())
		case "videoViews":
			if r.VideoViews3s != nil {
				out[f] = *r.VideoViews3s
			}
		}
	}
	return out
}

// longDecimal pads a decimal the way LinkedIn's cost strings look
// ("107.5300000000000335346"): float noise past the 16th digit that a
// connector must round, never parse as float.
func longDecimal(s string) string {
	if !strings.Contains(s, ".") {
		s += "."
	}
	for len(s) < 22 {
		s += "0"
	}
	return s + "335346"
}

// page cuts one listing page by pageSize and pageToken.
func (s *Server) page(w http.ResponseWriter, q map[string]string, n int) (start, end int, next string, ok bool) {
	size := defaultPageSize
	if v := q["pageSize"]; v != "" {
		p, err := strconv.Atoi(plain(v))
		if err != nil || p < 1 || p > maxPageSize {
			writeError(w, http.StatusBadRequest, 100, "ILLEGAL_ARGUMENT", fmt.Sprintf("pageSize must be 1..%d", maxPageSize))
			return 0, 0, "", false
		}
		size = p
	}
	if s.cfg.PageSize > 0 && s.cfg.PageSize < size {
		size = s.cfg.PageSize
	}
	if t := q["pageToken"]; t != "" {
		b, err := base64.RawURLEncoding.DecodeString(plain(t))
		if err != nil {
			writeError(w, http.StatusBadRequest, 100, "ILLEGAL_ARGUMENT", "invalid pageToken")
			return 0, 0, "", false
		}
		if _, err := fmt.Sscanf(string(b), "offset=%d", &start); err != nil || start < 0 || start > n {
			writeError(w, http.StatusBadRequest, 100, "ILLEGAL_ARGUMENT", "invalid pageToken")
			return 0, 0, "", false
		}
	}
	end = min(start+size, n)
	if end < n {
		next = base64.RawURLEncoding.EncodeToString(fmt.Appendf(nil, "offset=%d", end))
	}
	return start, end, next, true
}

func listing(elements []map[string]any, next string) map[string]any {
	meta := map[string]any{}
	if next != "" {
		meta["nextPageToken"] = next
	}
	return map[string]any{"elements": elements, "metadata": meta}
}

func (s *Server) campaignList(w http.ResponseWriter, q map[string]string, acct string) {
	if plain(q["q"]) != "search" {
		writeError(w, http.StatusBadRequest, 100, "ILLEGAL_ARGUMENT", "adCampaigns: q must be search")
		return
	}
	if _, ok := s.accounts[acct]; !ok {
		writeError(w, http.StatusNotFound, 0, "NOT_FOUND", "Not found: urn:li:sponsoredAccount:"+acct)
		return
	}
	all := s.campaigns[acct]
	start, end, next, ok := s.page(w, q, len(all))
	if !ok {
		return
	}
	els := make([]map[string]any, 0, end-start)
	for _, c := range all[start:end] {
		els = append(els, map[string]any{"id": json.Number(c.id), "name": c.name,
			"account": "urn:li:sponsoredAccount:" + acct, "campaignGroup": "urn:li:sponsoredCampaignGroup:600000001",
			"status": "ACTIVE", "type": "SPONSORED_UPDATES", "costType": "CPM"})
	}
	writeJSON(w, listing(els, next))
}

func (s *Server) creativeList(w http.ResponseWriter, q map[string]string, acct string) {
	if plain(q["q"]) != "criteria" {
		writeError(w, http.StatusBadRequest, 100, "ILLEGAL_ARGUMENT", "creatives: q must be criteria")
		return
	}
	if _, ok := s.accounts[acct]; !ok {
		writeError(w, http.StatusNotFound, 0, "NOT_FOUND", "Not found: urn:li:sponsoredAccount:"+acct)
		return
	}
	all := s.creatives[acct]
	start, end, next, ok := s.page(w, q, len(all))
	if !ok {
		return
	}
	els := make([]map[string]any, 0, end-start)
	for _, c := range all[start:end] {
		e := map[string]any{"id": "urn:li:sponsoredCreative:" + c.id, "account": "urn:li:sponsoredAccount:" + acct,
			"intendedStatus": "ACTIVE", "isServing": true}
		if c.name != "" {
			e["name"] = c.name
		}
		if c.campaignID != "" {
			e["campaign"] = "urn:li:sponsoredCampaign:" + c.campaignID
		}
		if c.postID != "" {
			e["content"] = map[string]any{"reference": "urn:li:share:" + c.postID}
		}
		els = append(els, e)
	}
	writeJSON(w, listing(els, next))
}

// batchPosts answers GET /rest/posts?ids=List(...) (BATCH_GET): results by
// URN, unknown ones under errors.
func (s *Server) batchPosts(w http.ResponseWriter, q map[string]string) {
	ids, err := restliList(q["ids"])
	if err != nil || len(ids) == 0 {
		writeError(w, http.StatusBadRequest, 100, "ILLEGAL_ARGUMENT", "ids: "+orMsg(err, "must not be empty"))
		return
	}
	if len(ids) > 100 {
		writeError(w, http.StatusBadRequest, 100, "ILLEGAL_ARGUMENT", "ids: at most 100 per batch")
		return
	}
	results, errs := map[string]any{}, map[string]any{}
	for _, urn := range ids {
		id, _ := strings.CutPrefix(urn, "urn:li:share:")
		p, ok := s.posts[id]
		if !ok {
			errs[urn] = map[string]any{"status": 404, "message": "Not found: " + urn}
			continue
		}
		e := map[string]any{"id": urn, "author": "urn:li:organization:2414183", "lifecycleState": "PUBLISHED",
			"visibility": "PUBLIC", "adContext": map[string]any{"dscStatus": "ACTIVE", "isDsc": true}}
		if p.video {
			// Video ads carry their link outside the content.
			e["content"] = map[string]any{"media": map[string]any{"id": "urn:li:video:" + id, "title": p.title}}
			if p.url != "" {
				e["contentLandingPage"] = p.url
			}
		} else {
			art := map[string]any{"title": p.title}
			if p.url != "" {
				art["source"] = p.url
			}
			e["content"] = map[string]any{"article": art}
		}
		results[urn] = e
	}
	writeJSON(w, map[string]any{"results": results, "statuses": map[string]any{}, "errors": errs})
}

package tiktok

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/socialroi/socialroi/extract/emulator"
	"github.com/socialroi/socialroi/transform"
)

// Platform is the ad_performance platform value this emulator serves; rows of
// other platforms in Config.Rows are ignored.
const Platform = "tiktok"

// ReportPath is the synchronous report endpoint.
const ReportPath = "/open_api/v1.3/report/integrated/get/"

// InfoPath is the advertiser info endpoint (name, currency, time zone).
const InfoPath = "/open_api/v1.3/advertiser/info/"

// DefaultTimezone is an advertiser's timezone when neither
// Config.AdvertiserInfo nor its rows (AccountTimezone) give one.
const DefaultTimezone = "America/New_York"

// InfoFields is every field GET /advertiser/info/ serves.
var InfoFields = []string{"advertiser_id", "name", "currency", "timezone"}

// Advertiser is an advertiser account as /advertiser/info/ reports it.
type Advertiser struct {
	Name     string
	Currency string
	// Timezone as TikTok writes it ("America/New_York", "Etc/GMT+5");
	// DefaultTimezone when empty.
	Timezone string
}

// TikTok's response codes the emulator uses (HTTP 200 with code ≠ 0).
const (
	CodeOK             = 0
	CodeNoPermission   = 40001
	CodeInvalidParam   = 40002
	CodeTooManyRequest = 40100
	CodeTokenMissing   = 40104
	CodeTokenExpired   = 40105
	CodeSystemError    = 50000
)

// Metrics is every metric the emulator serves, with what it takes from a row:
// spend, impressions, clicks (destination clicks: the row's LinkClicks),
// reach, conversion and total_complete_payment_rate (the purchase value),
// video_watched_2s (VideoViews3s), video_views_p100 (VideoCompletions), and
// the attribute metrics campaign_id/name, adgroup_id/name and ad_name.
var Metrics = []string{
	"spend", "impressions", "clicks", "reach", "conversion", "total_complete_payment_rate",
	"video_watched_2s", "video_views_p100",
	"campaign_id", "campaign_name", "adgroup_id", "adgroup_name", "ad_name",
}

// Config is the emulator's ground truth and behaviour.
type Config struct {
	// AccessToken is the only Access-Token header value accepted.
	AccessToken string
	// Advertisers lists the advertiser ids served; nil means every
	// advertiser in Rows.
	Advertisers []string
	// Rows are the ground truth; rows of platform "tiktok" are served, one
	// report row per row.
	Rows []transform.AdPerformanceRow
	// MaxDays is the longest date range (inclusive days) accepted for a
	// daily report (default 30, as the real API).
	MaxDays int
	// ExtraMetrics are added to every row's metrics, to check that a
	// connector ignores keys it did not ask for.
	ExtraMetrics map[string]string
	// AdvertiserInfo overrides, by advertiser id, what /advertiser/info/
	// says; an advertiser missing from it is described by its first row
	// (AccountName, Currency, AccountTimezone).
	AdvertiserInfo map[string]Advertiser
}

// Server emulates the TikTok Business API report endpoint.
type Server struct {
	*emulator.Server
	cfg   Config
	rows  map[string][]transform.AdPerformanceRow // by advertiser, sorted
	infos map[string]Advertiser                   // by advertiser

	mu    sync.Mutex
	calls int
}

// New validates cfg and starts a TikTok server.
func New(cfg Config) (*Server, error) {
	if cfg.AccessToken == "" {
		return nil, fmt.Errorf("emulator: tiktok: AccessToken is required")
	}
	if cfg.MaxDays <= 0 {
		cfg.MaxDays = 30
	}
	s := &Server{cfg: cfg, rows: map[string][]transform.AdPerformanceRow{}}
	for _, id := range cfg.Advertisers {
		s.rows[id] = nil
	}
	for i, r := range cfg.Rows {
		if r.Platform != Platform {
			continue
		}
		if _, ok := s.rows[r.AccountID]; !ok && cfg.Advertisers != nil {
			return nil, fmt.Errorf("emulator: tiktok: row %d: advertiser %q is not in Advertisers", i+1, r.AccountID)
		}
		s.rows[r.AccountID] = append(s.rows[r.AccountID], r)
	}
	for _, rs := range s.rows {
		slices.SortStableFunc(rs, func(a, b transform.AdPerformanceRow) int {
			if c := a.Date.Compare(b.Date); c != 0 {
				return c
			}
			return strings.Compare(a.AdID, b.AdID)
		})
	}
	s.infos = map[string]Advertiser{}
	for id, rs := range s.rows {
		a, ok := cfg.AdvertiserInfo[id]
		if !ok && len(rs) > 0 {
			a = Advertiser{Name: rs[0].AccountName, Currency: rs[0].Currency, Timezone: rs[0].AccountTimezone}
		}
		if a.Timezone == "" {
			a.Timezone = DefaultTimezone
		}
		s.infos[id] = a
	}
	for id := range cfg.AdvertiserInfo {
		if _, ok := s.rows[id]; !ok {
			return nil, fmt.Errorf("emulator: tiktok: AdvertiserInfo: advertiser %q is not served", id)
		}
	}
	srv, err := emulator.Start(http.HandlerFunc(s.serve))
	if err != nil {
		return nil, err
	}
	s.Server = srv
	return s, nil
}

// ErrorBody is TikTok's error envelope: HTTP 200 with a non-zero code.
func ErrorBody(code int, message string) string {
	return mustJSON(map[string]any{"code": code, "message": message,
		"request_id": "2026112306000000000000000000ERR", "data": map[string]any{}})
}

// ErrorFault is an HTTP 200 answer with the given code.
func ErrorFault(code int, message string) emulator.Fault {
	return emulator.Fault{Status: http.StatusOK, Body: ErrorBody(code, message)}
}

// ThrottleFault is TikTok's rate limit answer: HTTP 200, code 40100.
func ThrottleFault() emulator.Fault {
	return ErrorFault(CodeTooManyRequest, "Too many requests. Please retry in some time.")
}

// TokenExpiredFault is the answer to an expired or revoked token: code 40105.
func TokenExpiredFault() emulator.Fault {
	return ErrorFault(CodeTokenExpired, "Access token is incorrect or has been revoked.")
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.calls++
	reqID := fmt.Sprintf("20261123060000%017d", s.calls)
	s.mu.Unlock()
	fail := func(code int, msg string) {
		writeBody(w, mustJSON(map[string]any{"code": code, "message": msg, "request_id": reqID, "data": map[string]any{}}))
	}
	switch tok := r.Header.Get("Access-Token"); {
	case tok == "":
		fail(CodeTokenMissing, "Access token is null, please provide a valid access token.")
		return
	case tok != s.cfg.AccessToken:
		fail(CodeTokenExpired, "Access token is incorrect or has been revoked.")
		return
	}
	if r.Method == http.MethodGet && r.URL.Path == InfoPath {
		s.info(w, r, reqID, fail)
		return
	}
	if r.Method != http.MethodGet || r.URL.Path != ReportPath {
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte("404 page not found: the emulator serves GET " + ReportPath + " and " + InfoPath))
		return
	}
	q := r.URL.Query()
	adv := q.Get("advertiser_id")
	rows, ok := s.rows[adv]
	if !ok {
		fail(CodeNoPermission, fmt.Sprintf("No permission to operate advertiser %s. Please check the advertiser_id.", adv))
		return
	}
	if q.Get("report_type") != "BASIC" || q.Get("data_level") != "AUCTION_AD" {
		fail(CodeInvalidParam, "The emulator serves report_type=BASIC, data_level=AUCTION_AD only")
		return
	}
	var dims, metrics []string
	if err := json.Unmarshal([]byte(q.Get("dimensions")), &dims); err != nil {
		fail(CodeInvalidParam, "dimensions: must be a JSON array of strings")
		return
	}
	slices.Sort(dims)
	if !slices.Equal(dims, []string{"ad_id", "stat_time_day"}) {
		fail(CodeInvalidParam, `dimensions: the emulator serves ["ad_id","stat_time_day"] only`)
		return
	}
	if err := json.Unmarshal([]byte(q.Get("metrics")), &metrics); err != nil {
		fail(CodeInvalidParam, "metrics: must be a JSON array of strings")
		return
	}
	for _, m := range metrics {
		if !slices.Contains(Metrics, m) {
			fail(CodeInvalidParam, fmt.Sprintf("metrics: invalid metric %s", m))
			return
		}
	}
	since, err1 := time.Parse(time.DateOnly, q.Get("start_date"))
	until, err2 := time.Parse(time.DateOnly, q.Get("end_date"))
	switch {
	case err1 != nil || err2 != nil:
		fail(CodeInvalidParam, "start_date, end_date: must be dates (YYYY-MM-DD)")
		return
	case until.Before(since):
		fail(CodeInvalidParam, "end_date: must not be before start_date")
		return
	case int(until.Sub(since).Hours()/24)+1 > s.cfg.MaxDays:
		fail(CodeInvalidParam, fmt.Sprintf("The time range of start_date and end_date cannot exceed %d days when the dimension is stat_time_day.", s.cfg.MaxDays))
		return
	}
	page, pageSize := 1, 10
	if v := q.Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			fail(CodeInvalidParam, "page: must be a positive integer")
			return
		}
		page = n
	}
	if v := q.Get("page_size"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			fail(CodeInvalidParam, "page_size: must be between 1 and 1000")
			return
		}
		pageSize = n
	}

	var all []transform.AdPerformanceRow
	for _, row := range rows {
		if !row.Date.Before(since) && !row.Date.After(until) {
			all = append(all, row)
		}
	}
	start := min((page-1)*pageSize, len(all))
	end := min(start+pageSize, len(all))
	list := make([]map[string]any, 0, end-start)
	for _, row := range all[start:end] {
		list = append(list, s.reportRow(row, metrics))
	}
	totalPage := (len(all) + pageSize - 1) / pageSize
	writeBody(w, mustJSON(map[string]any{
		"code": CodeOK, "message": "OK", "request_id": reqID,
		"data": map[string]any{
			"list": list,
			"page_info": map[string]any{"page": page, "page_size": pageSize,
				"total_number": len(all), "total_page": totalPage},
		},
	}))
}

// info answers GET /advertiser/info/?advertiser_ids=[…]&fields=[…] (both
// JSON arrays; fields defaults to all of InfoFields) with data.list, one
// element per advertiser. An advertiser that is not served is code 40001,
// as TikTok answers for an advertiser the token may not read.
func (s *Server) info(w http.ResponseWriter, r *http.Request, reqID string, fail func(code int, msg string)) {
	q := r.URL.Query()
	var ids, fields []string
	if err := json.Unmarshal([]byte(q.Get("advertiser_ids")), &ids); err != nil || len(ids) == 0 {
		fail(CodeInvalidParam, "advertiser_ids: must be a non-empty JSON array of strings")
		return
	}
	if len(ids) > 100 {
		fail(CodeInvalidParam, "advertiser_ids: at most 100 advertisers per call")
		return
	}
	fields = InfoFields
	if v := q.Get("fields"); v != "" {
		fields = nil // a fresh slice: decoding into InfoFields would overwrite it
		if err := json.Unmarshal([]byte(v), &fields); err != nil {
			fail(CodeInvalidParam, "fields: must be a JSON array of strings")
			return
		}
	}
	for _, f := range fields {
		if !slices.Contains(InfoFields, f) {
			fail(CodeInvalidParam, fmt.Sprintf("fields: invalid field %s", f))
			return
		}
	}
	list := make([]map[string]any, 0, len(ids))
	for _, id := range ids {
		a, ok := s.infos[id]
		if !ok {
			fail(CodeNoPermission, fmt.Sprintf("No permission to operate advertiser %s. Please check the advertiser_id.", id))
			return
		}
		e := map[string]any{"advertiser_id": id}
		for _, f := range fields {
			switch f {
			case "name":
				e[f] = a.Name
			case "currency":
				e[f] = a.Currency
			case "timezone":
				e[f] = a.Timezone
			}
		}
		list = append(list, e)
	}
	writeBody(w, mustJSON(map[string]any{"code": CodeOK, "message": "OK", "request_id": reqID,
		"data": map[string]any{"list": list}}))
}

// reportRow renders one row as TikTok does: every metric a string, "-" for a
// value that does not exist (reach or video views the row lacks, and a
// purchase value where there were no conversions).
func (s *Server) reportRow(r transform.AdPerformanceRow, metrics []string) map[string]any {
	opt := func(p *int64) string {
		if p == nil {
			return "-"
		}
		return strconv.FormatInt(*p, 10)
	}
	m := map[string]string{}
	for k, v := range s.cfg.ExtraMetrics {
		m[k] = v
	}
	for _, name := range metrics {
		switch name {
		case "spend":
			m[name] = r.Spend.String()
		case "impressions":
			m[name] = strconv.FormatInt(r.Impressions, 10)
		case "clicks":
			m[name] = strconv.FormatInt(r.LinkClicks, 10)
		case "reach":
			m[name] = opt(r.Reach)
		case "conversion":
			m[name] = strconv.FormatFloat(r.PlatformConversions, 'f', -1, 64)
		case "total_complete_payment_rate":
			if r.PlatformConversions == 0 && r.PlatformConversionValue.IsZero() {
				m[name] = "-"
			} else {
				m[name] = r.PlatformConversionValue.String()
			}
		case "video_watched_2s":
			m[name] = opt(r.VideoViews3s)
		case "video_views_p100":
			m[name] = opt(r.VideoCompletions)
		case "campaign_id":
			m[name] = r.CampaignID
		case "campaign_name":
			m[name] = r.CampaignName
		case "adgroup_id":
			m[name] = r.AdsetID
		case "adgroup_name":
			m[name] = r.AdsetName
		case "ad_name":
			m[name] = r.AdName
		}
	}
	return map[string]any{
		"dimensions": map[string]string{"ad_id": r.AdID, "stat_time_day": r.Date.Format(time.DateOnly) + " 00:00:00"},
		"metrics":    m,
	}
}

func writeBody(w http.ResponseWriter, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(body)) // a client that hung up is the test's business
}

func mustJSON(v any) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(err) // only maps of plain values reach here
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// Advertisers maps each advertiser served to the currency of its rows (empty
// when it has none): what a connector's advertiser_ids and
// advertiser_currencies may say (the demo wires them into its config;
// /advertiser/info/ serves the same currency).
func (s *Server) Advertisers() map[string]string {
	out := make(map[string]string, len(s.rows))
	for id, rs := range s.rows {
		cur := ""
		if len(rs) > 0 {
			cur = rs[0].Currency
		}
		out[id] = cur
	}
	return out
}

package salesforce

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/socialroi/socialroi/extract/emulator"
)

// Object names the emulator serves.
const (
	Opportunity = "Opportunity"
	Lead        = "Lead"
	Contact     = "Contact"
)

// standardFields are the fields every record of an object has (null when
// not set), besides the custom fields found in Data and Config.CustomFields.
var standardFields = map[string][]string{
	Opportunity: {"Id", "Name", "Amount", "CloseDate", "StageName", "IsWon", "IsClosed", "LeadSource",
		"CampaignId", "ContactId", "AccountId", "CreatedDate", "SystemModstamp"},
	Lead: {"Id", "FirstName", "LastName", "Company", "Email", "Status", "LeadSource", "IsConverted",
		"ConvertedContactId", "ConvertedOpportunityId", "CreatedDate", "SystemModstamp"},
	Contact: {"Id", "FirstName", "LastName", "Email", "AccountId", "LeadSource", "CreatedDate", "SystemModstamp"},
}

// Record is one sObject record.
type Record struct {
	ID             string
	CreatedDate    time.Time
	SystemModstamp time.Time
	// Fields holds every other field by API name: string (dates as
	// "2026-11-16"), float64, bool, time.Time (a datetime) or nil.
	Fields map[string]any
}

// Data is the emulator's org.
type Data struct {
	Opportunities []Record
	Leads         []Record
	Contacts      []Record
}

// Config is the emulator's ground truth and behaviour.
type Config struct {
	// AccessToken is the only session id accepted (required).
	AccessToken string
	Data        Data
	// CustomFields lists, by object, custom fields that exist even when no
	// record sets them (fields set in Data exist anyway).
	CustomFields map[string][]string
	// PageSize caps a batch whatever batchSize the client asks for (0: the
	// client's batchSize, default 2,000), to force paging in tests.
	PageSize int
	// APILimit is the org's daily API allowance in Sforce-Limit-Info
	// (default 15000); APIUsedBefore the calls already made today (default
	// 17): the n-th call reports APIUsedBefore+n.
	APILimit, APIUsedBefore int
	// ExtraField, when set, adds this unknown field to every record, to check
	// that connectors ignore what they do not know.
	ExtraField string
}

// Salesforce is a running emulator. Close it when done.
type Salesforce struct {
	*emulator.Server
	cfg     Config
	objects map[string][]Record
	fields  map[string]map[string]bool

	mu       sync.Mutex
	calls    int
	cursors  map[string]*cursor
	nextCur  int
	soqlSeen []string
}

// cursor is a query locator's state.
type cursor struct {
	object  string
	fields  []string
	records []Record
	batch   int
}

// New validates cfg and starts the server.
func New(cfg Config) (*Salesforce, error) {
	if cfg.AccessToken == "" {
		return nil, fmt.Errorf("emulator: salesforce: AccessToken is required")
	}
	if cfg.APILimit == 0 {
		cfg.APILimit = 15000
	}
	if cfg.APIUsedBefore == 0 {
		cfg.APIUsedBefore = 17
	}
	s := &Salesforce{cfg: cfg, cursors: map[string]*cursor{},
		objects: map[string][]Record{Opportunity: cfg.Data.Opportunities, Lead: cfg.Data.Leads, Contact: cfg.Data.Contacts},
		fields:  map[string]map[string]bool{}}
	for obj, std := range standardFields {
		s.fields[obj] = map[string]bool{}
		for _, f := range std {
			s.fields[obj][strings.ToLower(f)] = true
		}
		for _, f := range cfg.CustomFields[obj] {
			s.fields[obj][strings.ToLower(f)] = true
		}
		seen := map[string]bool{}
		for i, r := range s.objects[obj] {
			if r.ID == "" || seen[r.ID] {
				return nil, fmt.Errorf("emulator: salesforce: %s %d: id %q empty or repeated", obj, i+1, r.ID)
			}
			seen[r.ID] = true
			for f := range r.Fields {
				s.fields[obj][strings.ToLower(f)] = true
			}
		}
	}
	srv, err := emulator.Start(http.HandlerFunc(s.serve))
	if err != nil {
		return nil, err
	}
	s.Server = srv
	return s, nil
}

// Queries returns the SOQL of every query call answered, in order.
func (s *Salesforce) Queries() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.soqlSeen)
}

var (
	queryPath = regexp.MustCompile(`^/services/data/(v\d+\.\d)/query/?$`)
	morePath  = regexp.MustCompile(`^/services/data/(v\d+\.\d)/query/(01g[0-9A-Za-z]+)-(\d+)$`)
)

// DateTime formats t as Salesforce does: 2026-11-16T10:00:00.000+0000.
func DateTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000-0700") }

func (s *Salesforce) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.calls++
	used := s.cfg.APIUsedBefore + s.calls
	s.mu.Unlock()
	w.Header().Set("Sforce-Limit-Info", fmt.Sprintf("api-usage=%d/%d", used, s.cfg.APILimit))
	auth := r.Header.Get("Authorization")
	if !strings.HasPrefix(auth, "Bearer ") || strings.TrimPrefix(auth, "Bearer ") != s.cfg.AccessToken {
		writeErrors(w, http.StatusUnauthorized, "INVALID_SESSION_ID", "Session expired or invalid")
		return
	}
	if r.Method != http.MethodGet {
		writeErrors(w, http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED", "HTTP Method '"+r.Method+"' not allowed. Allowed are GET")
		return
	}
	batch := 2000
	if opt := r.Header.Get("Sforce-Query-Options"); opt != "" {
		for _, kv := range strings.Split(opt, ",") {
			k, v, _ := strings.Cut(strings.TrimSpace(kv), "=")
			if strings.EqualFold(k, "batchSize") {
				n, err := strconv.Atoi(v)
				if err != nil || n < 200 || n > 2000 {
					writeErrors(w, http.StatusBadRequest, "INVALID_QUERY_FILTER_OPERATOR", "batchSize must be an integer from 200 to 2000")
					return
				}
				batch = n
			}
		}
	}
	if s.cfg.PageSize > 0 && s.cfg.PageSize < batch {
		batch = s.cfg.PageSize
	}
	if m := queryPath.FindStringSubmatch(r.URL.Path); m != nil {
		s.query(w, m[1], r.URL.Query().Get("q"), batch)
		return
	}
	if m := morePath.FindStringSubmatch(r.URL.Path); m != nil {
		off, _ := strconv.Atoi(m[3])
		s.mu.Lock()
		c := s.cursors[m[2]]
		s.mu.Unlock()
		if c == nil || off > len(c.records) {
			writeErrors(w, http.StatusBadRequest, "INVALID_QUERY_LOCATOR", "invalid query locator")
			return
		}
		s.page(w, m[1], m[2], c, off)
		return
	}
	writeErrors(w, http.StatusNotFound, "NOT_FOUND", "The requested resource does not exist")
}

func (s *Salesforce) query(w http.ResponseWriter, version, soql string, batch int) {
	if soql == "" {
		writeErrors(w, http.StatusBadRequest, "MALFORMED_QUERY", "A query string has to be specified")
		return
	}
	q, err := ParseSOQL(soql)
	if err != nil {
		writeErrors(w, http.StatusBadRequest, "MALFORMED_QUERY", err.Error())
		return
	}
	var obj string
	for name := range standardFields {
		if strings.EqualFold(name, q.Object) {
			obj = name
		}
	}
	if obj == "" {
		writeErrors(w, http.StatusBadRequest, "INVALID_TYPE",
			fmt.Sprintf("sObject type '%s' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name.", q.Object))
		return
	}
	for _, f := range append(slices.Clone(q.Fields), orderFields(q)...) {
		if !s.fields[obj][strings.ToLower(f)] {
			writeErrors(w, http.StatusBadRequest, "INVALID_FIELD",
				fmt.Sprintf("No such column '%s' on entity '%s'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name.", f, obj))
			return
		}
	}
	if q.Where.Field != "" && !strings.EqualFold(q.Where.Field, "SystemModstamp") && !strings.EqualFold(q.Where.Field, "CreatedDate") {
		writeErrors(w, http.StatusBadRequest, "MALFORMED_QUERY", "the emulator filters on SystemModstamp or CreatedDate only")
		return
	}
	var recs []Record
	for _, r := range s.objects[obj] {
		if q.Where.Field == "" || compareTime(timeOf(r, q.Where.Field), q.Where.Op, q.Where.Value) {
			recs = append(recs, r)
		}
	}
	for _, o := range orderFields(q) {
		if !strings.EqualFold(o, "SystemModstamp") && !strings.EqualFold(o, "Id") && !strings.EqualFold(o, "CreatedDate") {
			writeErrors(w, http.StatusBadRequest, "MALFORMED_QUERY", "the emulator orders by SystemModstamp, CreatedDate or Id only")
			return
		}
	}
	slices.SortStableFunc(recs, func(a, b Record) int {
		for _, o := range q.OrderBy {
			var c int
			if strings.EqualFold(o.Field, "Id") {
				c = cmp.Compare(a.ID, b.ID)
			} else {
				c = timeOf(a, o.Field).Compare(timeOf(b, o.Field))
			}
			if o.Desc {
				c = -c
			}
			if c != 0 {
				return c
			}
		}
		return 0
	})
	if q.Limit > 0 && len(recs) > q.Limit {
		recs = recs[:q.Limit]
	}
	s.mu.Lock()
	s.nextCur++
	loc := fmt.Sprintf("01g%012dAAA", s.nextCur)
	c := &cursor{object: obj, fields: q.Fields, records: recs, batch: batch}
	s.cursors[loc] = c
	s.soqlSeen = append(s.soqlSeen, soql)
	s.mu.Unlock()
	s.page(w, version, loc, c, 0)
}

func orderFields(q Query) []string {
	out := make([]string, 0, len(q.OrderBy))
	for _, o := range q.OrderBy {
		out = append(out, o.Field)
	}
	return out
}

func timeOf(r Record, field string) time.Time {
	if strings.EqualFold(field, "CreatedDate") {
		return r.CreatedDate
	}
	return r.SystemModstamp
}

func compareTime(t time.Time, op string, v time.Time) bool {
	switch op {
	case ">=":
		return !t.Before(v)
	case ">":
		return t.After(v)
	case "<=":
		return !t.After(v)
	case "<":
		return t.Before(v)
	}
	return t.Equal(v)
}

func (s *Salesforce) page(w http.ResponseWriter, version, loc string, c *cursor, off int) {
	end := min(off+c.batch, len(c.records))
	recs := make([]map[string]any, 0, end-off)
	for _, r := range c.records[off:end] {
		m := map[string]any{"attributes": map[string]any{"type": c.object,
			"url": fmt.Sprintf("/services/data/%s/sobjects/%s/%s", version, c.object, r.ID)}}
		for _, f := range c.fields {
			m[f] = value(r, f)
		}
		if s.cfg.ExtraField != "" {
			m[s.cfg.ExtraField] = map[string]any{"unexpected": []int{1, 2}}
		}
		recs = append(recs, m)
	}
	out := map[string]any{"totalSize": len(c.records), "done": end >= len(c.records), "records": recs}
	if end < len(c.records) {
		out["nextRecordsUrl"] = fmt.Sprintf("/services/data/%s/query/%s-%d", version, loc, end)
	}
	writeJSON(w, http.StatusOK, out)
}

// value renders one field of a record as Salesforce sends it.
func value(r Record, field string) any {
	switch strings.ToLower(field) {
	case "id":
		return r.ID
	case "createddate":
		return DateTime(r.CreatedDate)
	case "systemmodstamp":
		return DateTime(r.SystemModstamp)
	}
	for k, v := range r.Fields {
		if strings.EqualFold(k, field) {
			if t, ok := v.(time.Time); ok {
				return DateTime(t)
			}
			return v
		}
	}
	return nil
}

// ErrorBody is a Salesforce REST error body: a JSON array of one error.
func ErrorBody(code, message string) string {
	b, err := json.Marshal([]map[string]string{{"message": message, "errorCode": code}})
	if err != nil {
		panic(err) // strings only
	}
	return string(b)
}

// RequestLimitFault is Salesforce's answer once the org's daily API
// allowance is spent.
func RequestLimitFault() emulator.Fault {
	return emulator.Fault{Status: http.StatusForbidden, Header: http.Header{"Sforce-Limit-Info": {"api-usage=15001/15000"}},
		Body: ErrorBody("REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")}
}

// SessionExpiredFault is Salesforce's answer to an expired or revoked token.
func SessionExpiredFault() emulator.Fault {
	return emulator.Fault{Status: http.StatusUnauthorized, Body: ErrorBody("INVALID_SESSION_ID", "Session expired or invalid")}
}

func writeErrors(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, ErrorBody(code, msg))
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v) // a client that hung up is the test's business
}

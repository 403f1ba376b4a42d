package salesforce

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/socialroi/socialroi/extract/emulator/gen"
)

const tok = "00Dtest!token"

func TestParseSOQL(t *testing.T) {
	since := time.Date(2026, 11, 16, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name    string
		q       string
		want    Query
		wantErr string
	}{
		{
			name: "connector's query",
			q:    "SELECT Id, Email, utm_source__c FROM Lead WHERE SystemModstamp >= 2026-11-16T00:00:00Z ORDER BY SystemModstamp ASC, Id ASC",
			want: func() Query {
				q := Query{Fields: []string{"Id", "Email", "utm_source__c"}, Object: "Lead",
					OrderBy: []Order{{Field: "SystemModstamp"}, {Field: "Id"}}}
				q.Where.Field, q.Where.Op, q.Where.Value = "SystemModstamp", ">=", since
				return q
			}(),
		},
		{
			name: "lower case, offset literal, desc, limit",
			q:    "select Id from Contact where CreatedDate > 2026-11-16T01:00:00+01:00 order by Id desc limit 5",
			want: func() Query {
				q := Query{Fields: []string{"Id"}, Object: "Contact", OrderBy: []Order{{Field: "Id", Desc: true}}, Limit: 5}
				q.Where.Field, q.Where.Op, q.Where.Value = "CreatedDate", ">", since
				return q
			}(),
		},
		{name: "no FROM", q: "SELECT Id Lead", wantErr: "unexpected token"},
		{name: "quoted datetime", q: "SELECT Id FROM Lead WHERE SystemModstamp >= '2026-11-16T00:00:00Z'", wantErr: "no viable alternative"},
		{name: "injection in a field", q: "SELECT Id, Name FROM User -- FROM Lead", wantErr: "unexpected token"},
		{name: "bad order", q: "SELECT Id FROM Lead ORDER BY Id SIDEWAYS", wantErr: "unexpected token: 'SIDEWAYS'"},
		{name: "empty field", q: "SELECT Id,, Email FROM Lead", wantErr: "unexpected token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseSOQL(tt.q)
			if tt.wantErr != "" {
				var se *SyntaxError
				if !errors.As(err, &se) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want a SyntaxError with %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("query (-want +got):\n%s", diff)
			}
		})
	}
}

// FuzzParseSOQL: any text parses or fails with a SyntaxError, never a panic;
// a parsed query has fields and an object.
func FuzzParseSOQL(f *testing.F) {
	f.Add("SELECT Id, Email FROM Lead WHERE SystemModstamp >= 2026-11-16T00:00:00Z ORDER BY SystemModstamp ASC, Id ASC")
	f.Add("select id from contact limit 1")
	f.Add("SELECT FROM WHERE")
	f.Fuzz(func(t *testing.T, q string) {
		got, err := ParseSOQL(q)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Errorf("error %T is not a SyntaxError", err)
			}
			return
		}
		if len(got.Fields) == 0 || got.Object == "" {
			t.Errorf("ParseSOQL(%q) = %+v", q, got)
		}
	})
}

func get(t *testing.T, s *Salesforce, path string, q url.Values, token, batch string) (int, http.Header, []byte) {
	t.Helper()
	u := s.URL + path
	if q != nil {
		u += "?" + q.Encode()
	}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if batch != "" {
		req.Header.Set("Sforce-Query-Options", "batchSize="+batch)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, b
}

func TestQueryAndPaging(t *testing.T) {
	base := time.Date(2026, 11, 16, 0, 0, 0, 0, time.UTC)
	var leads []Record
	for i := range 5 {
		leads = append(leads, Record{ID: sfID("00Q", 5-i), CreatedDate: base, SystemModstamp: base.Add(time.Duration(i) * time.Hour),
			Fields: map[string]any{"Email": "x@y.z", "IsConverted": false}})
	}
	s, err := New(Config{AccessToken: tok, Data: Data{Leads: leads}, PageSize: 2, CustomFields: map[string][]string{Lead: {"utm_source__c"}}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	q := url.Values{"q": {"SELECT Id, Email, IsConverted, utm_source__c, SystemModstamp FROM Lead WHERE SystemModstamp >= 2026-11-16T01:00:00Z ORDER BY SystemModstamp ASC, Id ASC"}}
	var ids []string
	path := "/services/data/v61.0/query"
	for page := 0; ; page++ {
		status, h, b := get(t, s, path, q, tok, "200")
		if status != 200 || h.Get("Sforce-Limit-Info") != fmt.Sprintf("api-usage=%d/15000", 18+page) {
			t.Fatalf("page %d: %d %s %v", page, status, b, h)
		}
		var pg struct {
			TotalSize      int              `json:"totalSize"`
			Done           bool             `json:"done"`
			NextRecordsURL string           `json:"nextRecordsUrl"`
			Records        []map[string]any `json:"records"`
		}
		if err := json.Unmarshal(b, &pg); err != nil {
			t.Fatal(err)
		}
		for _, r := range pg.Records {
			ids = append(ids, r["Id"].(string))
			if r["utm_source__c"] != nil || r["IsConverted"] != false || r["attributes"].(map[string]any)["type"] != "Lead" ||
				!strings.HasSuffix(r["SystemModstamp"].(string), ".000+0000") {
				t.Errorf("record %v", r)
			}
		}
		if pg.TotalSize != 4 {
			t.Errorf("totalSize %d, want 4", pg.TotalSize)
		}
		if pg.Done {
			break
		}
		path, q = pg.NextRecordsURL, nil
	}
	want := []string{sfID("00Q", 4), sfID("00Q", 3), sfID("00Q", 2), sfID("00Q", 1)}
	if diff := cmp.Diff(want, ids); diff != "" {
		t.Errorf("ids (-want +got):\n%s", diff)
	}
	if n := len(s.Queries()); n != 1 {
		t.Errorf("queries = %d, want 1", n)
	}
}

func TestQueryErrors(t *testing.T) {
	s, err := New(Config{AccessToken: tok})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	tests := []struct {
		name, path, soql, token, batch string
		wantStatus                     int
		wantCode                       string
	}{
		{"bad token", "/services/data/v61.0/query", "SELECT Id FROM Lead", "nope", "", 401, "INVALID_SESSION_ID"},
		{"unknown field", "/services/data/v61.0/query", "SELECT Id, utm_x__c FROM Lead", tok, "", 400, "INVALID_FIELD"},
		{"unknown object", "/services/data/v61.0/query", "SELECT Id FROM Widget__c", tok, "", 400, "INVALID_TYPE"},
		{"malformed", "/services/data/v61.0/query", "SELEKT Id FROM Lead", tok, "", 400, "MALFORMED_QUERY"},
		{"no query", "/services/data/v61.0/query", "", tok, "", 400, "MALFORMED_QUERY"},
		{"bad batch size", "/services/data/v61.0/query", "SELECT Id FROM Lead", tok, "5000", 400, "INVALID_QUERY_FILTER_OPERATOR"},
		{"bad locator", "/services/data/v61.0/query/01g000000000099AAA-2000", "", tok, "", 400, "INVALID_QUERY_LOCATOR"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var q url.Values
			if tt.soql != "" {
				q = url.Values{"q": {tt.soql}}
			}
			status, h, b := get(t, s, tt.path, q, tt.token, tt.batch)
			var errs []map[string]string
			if err := json.Unmarshal(b, &errs); err != nil || status != tt.wantStatus || len(errs) != 1 || errs[0]["errorCode"] != tt.wantCode {
				t.Errorf("%d %s, want %d %s", status, b, tt.wantStatus, tt.wantCode)
			}
			if h.Get("Sforce-Limit-Info") == "" {
				t.Error("no Sforce-Limit-Info")
			}
		})
	}
}

func TestFaults(t *testing.T) {
	if f := RequestLimitFault(); f.Status != 403 || !strings.Contains(f.Body, `"errorCode":"REQUEST_LIMIT_EXCEEDED"`) {
		t.Errorf("request limit fault %+v", f)
	}
	if f := SessionExpiredFault(); f.Status != 401 || !strings.Contains(f.Body, `"errorCode":"INVALID_SESSION_ID"`) {
		t.Errorf("session fault %+v", f)
	}
}

func TestFromBrand(t *testing.T) {
	b, err := gen.Generate(gen.Config{Persons: 400})
	if err != nil {
		t.Fatal(err)
	}
	d := FromBrand(b)
	if !cmp.Equal(d, FromBrand(b)) {
		t.Fatal("FromBrand is not deterministic")
	}
	if len(d.Leads) == 0 || len(d.Opportunities) == 0 || len(d.Contacts) == 0 {
		t.Fatalf("%d leads, %d contacts, %d opportunities", len(d.Leads), len(d.Contacts), len(d.Opportunities))
	}
	contacts := map[string]bool{}
	for _, c := range d.Contacts {
		contacts[c.ID] = true
	}
	converted := 0
	for _, l := range d.Leads {
		if l.Fields["IsConverted"] == true {
			converted++
			if !contacts[l.Fields["ConvertedContactId"].(string)] {
				t.Errorf("lead %s converted to a missing contact", l.ID)
			}
		}
	}
	if converted != len(d.Contacts) {
		t.Errorf("%d converted leads, %d contacts", converted, len(d.Contacts))
	}
	for _, o := range d.Opportunities {
		if !contacts[o.Fields["ContactId"].(string)] || o.SystemModstamp.Before(o.CreatedDate) {
			t.Errorf("opportunity %+v", o)
		}
	}
	if _, err := New(Config{AccessToken: tok, Data: d}); err != nil {
		t.Errorf("FromBrand data rejected: %v", err)
	}
}

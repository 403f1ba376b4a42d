package hubspot

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/socialroi/socialroi/extract/emulator/gen"
)

const tok = "pat-test"

func post(t *testing.T, h *HubSpot, path, token, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, h.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("%s: body %s: %v", path, b, err)
	}
	return resp.StatusCode, out
}

func testData() Data {
	base := time.Date(2026, 11, 16, 0, 0, 0, 0, time.UTC)
	var d Data
	for i, id := range []string{"3", "1", "2", "10"} {
		d.Contacts = append(d.Contacts, Contact{ID: id, CreatedAt: base, UpdatedAt: base.Add(time.Duration(i) * time.Hour),
			Properties: map[string]string{"email": id + "@x.test"}})
	}
	d.Deals = []Deal{{ID: "5", CreatedAt: base, UpdatedAt: base, ContactIDs: []string{"10", "2"},
		Properties: map[string]string{"amount": "10"}}, {ID: "6", CreatedAt: base, UpdatedAt: base}}
	return d
}

func TestSearch(t *testing.T) {
	h, err := New(Config{AccessToken: tok, Data: testData(), SearchCap: 3})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	search := func(after string, limit int, gte string) string {
		b, _ := json.Marshal(map[string]any{
			"filterGroups": []any{map[string]any{"filters": []any{map[string]any{"propertyName": "lastmodifieddate", "operator": "GTE", "value": gte}}}},
			"sorts":        []any{map[string]any{"propertyName": "lastmodifieddate", "direction": "ASCENDING"}},
			"properties":   []string{"email", "nothere"}, "limit": limit, "after": after})
		return string(b)
	}
	tests := []struct {
		name       string
		token      string
		body       string
		wantStatus int
		wantIDs    []string
		wantNext   string
		wantMsg    string
	}{
		{"first page", tok, search("", 2, "1794787200000"), 200, []string{"3", "1"}, "2", ""},
		{"second page", tok, search("2", 2, "1794787200000"), 200, []string{"2", "10"}, "", ""},
		{"filtered", tok, search("", 2, "1794794400000"), 200, []string{"2", "10"}, "", ""},
		{"past the cap", tok, search("3", 2, "1794787200000"), 400, nil, "", "limited to 3"},
		{"limit over 200", tok, search("", 201, "0"), 400, nil, "", "limit must be between 1 and 200"},
		{"bad token", "nope", search("", 2, "0"), 401, nil, "", "Authentication credentials not found"},
		{"bad filter value", tok, search("", 2, "2026-11-16"), 400, nil, "", "not epoch milliseconds"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, out := post(t, h, ContactsSearchPath, tt.token, tt.body)
			if status != tt.wantStatus {
				t.Fatalf("status %d, want %d: %v", status, tt.wantStatus, out)
			}
			if tt.wantMsg != "" {
				if msg, _ := out["message"].(string); !strings.Contains(msg, tt.wantMsg) || out["status"] != "error" {
					t.Errorf("error body %v, want message with %q", out, tt.wantMsg)
				}
				return
			}
			var ids []string
			for _, r := range out["results"].([]any) {
				m := r.(map[string]any)
				ids = append(ids, m["id"].(string))
				props := m["properties"].(map[string]any)
				if v, ok := props["nothere"]; !ok || v != nil {
					t.Errorf("unknown requested property must come back null: %v", props)
				}
				if props["email"] != m["id"].(string)+"@x.test" || props["lastmodifieddate"] == nil {
					t.Errorf("properties %v", props)
				}
			}
			if diff := cmp.Diff(tt.wantIDs, ids); diff != "" {
				t.Errorf("ids (-want +got):\n%s", diff)
			}
			next := ""
			if p, ok := out["paging"].(map[string]any); ok {
				next = p["next"].(map[string]any)["after"].(string)
			}
			wantTotal := float64(4)
			if tt.name == "filtered" {
				wantTotal = 2
			}
			if next != tt.wantNext || out["total"] != wantTotal {
				t.Errorf("next %q, want %q; total %v, want %v", next, tt.wantNext, out["total"], wantTotal)
			}
		})
	}
}

func TestAssociations(t *testing.T) {
	h, err := New(Config{AccessToken: tok, Data: testData()})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	status, out := post(t, h, AssociationsPath, tok, `{"inputs":[{"id":"5"},{"id":"6"}]}`)
	if status != http.StatusMultiStatus || out["numErrors"] != float64(1) {
		t.Fatalf("status %d body %v, want 207 with one error", status, out)
	}
	res := out["results"].([]any)
	if len(res) != 1 {
		t.Fatalf("results %v", res)
	}
	to := res[0].(map[string]any)["to"].([]any)
	if len(to) != 2 || to[0].(map[string]any)["toObjectId"] != float64(10) {
		t.Errorf("to = %v, want numeric ids 10 and 2", to)
	}
	if calls := h.Calls(); len(calls) != 1 || !cmp.Equal(calls[0].IDs, []string{"5", "6"}) {
		t.Errorf("calls = %+v", calls)
	}
	status, _ = post(t, h, AssociationsPath, tok, `{"inputs":[{"id":"5"}]}`)
	if status != http.StatusOK {
		t.Errorf("status %d, want 200 when every deal has contacts", status)
	}
}

func TestFaultBodies(t *testing.T) {
	for _, p := range []string{"SECONDLY", "TEN_SECONDLY_ROLLING", "DAILY"} {
		f := RateLimitFault(p)
		var body map[string]any
		if err := json.Unmarshal([]byte(f.Body), &body); err != nil || f.Status != 429 || body["policyName"] != p || body["errorType"] != "RATE_LIMIT" {
			t.Errorf("%s: %d %s", p, f.Status, f.Body)
		}
	}
	if f := TokenExpiredFault(); f.Status != 401 || !strings.Contains(f.Body, "EXPIRED_AUTHENTICATION") {
		t.Errorf("token expired fault %+v", f)
	}
}

func TestFromBrand(t *testing.T) {
	b, err := gen.Generate(gen.Config{Persons: 400})
	if err != nil {
		t.Fatal(err)
	}
	d := FromBrand(b)
	if again := FromBrand(b); !cmp.Equal(d, again) {
		t.Fatal("FromBrand is not deterministic")
	}
	leads := 0
	persons := map[string]bool{}
	for _, c := range b.Conversions {
		if c.CRMSource == "hubspot" {
			leads++
			persons[c.PersonID] = true
		}
	}
	if len(d.Deals) != leads || len(d.Contacts) != len(persons) || leads == 0 {
		t.Fatalf("%d deals, %d contacts; want %d and %d", len(d.Deals), len(d.Contacts), leads, len(persons))
	}
	contacts := map[string]Contact{}
	for _, c := range d.Contacts {
		contacts[c.ID] = c
		if !strings.HasSuffix(c.Properties["email"], "@example.com") || c.UpdatedAt.Before(c.CreatedAt) {
			t.Errorf("contact %+v", c)
		}
	}
	stages := map[string]int{}
	for _, deal := range d.Deals {
		stages[deal.Properties["dealstage"]]++
		if _, ok := contacts[deal.ContactIDs[0]]; !ok {
			t.Errorf("deal %s: contact %s missing", deal.ID, deal.ContactIDs[0])
		}
		if deal.UpdatedAt.Before(deal.CreatedAt) {
			t.Errorf("deal %s modified before it was created", deal.ID)
		}
	}
	if stages["closedwon"] == 0 {
		t.Errorf("no won deals: %v", stages)
	}
	if _, err := New(Config{AccessToken: tok, Data: d}); err != nil {
		t.Errorf("FromBrand data rejected: %v", err)
	}
}

// FuzzSearchBody: any request body gets a JSON answer, never a panic or a 5xx.
func FuzzSearchBody(f *testing.F) {
	f.Add(`{"filterGroups":[{"filters":[{"propertyName":"lastmodifieddate","operator":"GTE","value":"0"}]}],"limit":2,"after":"1"}`)
	f.Add(`{"limit":-1}`)
	f.Add(`{"inputs":[{"id":"5"}]}`)
	f.Add(`{"after":"x","sorts":[{"propertyName":"email"}]}`)
	h := &HubSpot{cfg: Config{AccessToken: tok, SearchCap: 3}, assoc: map[string][]string{"5": {"1"}}}
	for _, c := range testData().Contacts {
		h.contacts = append(h.contacts, newObject(c.ID, c.Properties, c.CreatedAt, c.UpdatedAt, "lastmodifieddate"))
	}
	f.Fuzz(func(t *testing.T, body string) {
		for _, path := range []string{ContactsSearchPath, AssociationsPath} {
			r := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
			r.Header.Set("Authorization", "Bearer "+tok)
			w := httptest.NewRecorder()
			h.serve(w, r)
			if w.Code >= 500 || !json.Valid(w.Body.Bytes()) {
				t.Errorf("%s %q: %d %s", path, body, w.Code, w.Body)
			}
		}
	})
}

package shopify

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"

	"github.com/socialroi/socialroi/extract"
	"github.com/socialroi/socialroi/extract/httpx"
	"github.com/socialroi/socialroi/transform"
)

// yamlSettings decodes strictly, as the config package does.
type yamlSettings string

func (y yamlSettings) Dir() string { return "" }

func (y yamlSettings) Decode(v any) error {
	dec := yaml.NewDecoder(strings.NewReader(string(y)))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	return nil
}

func TestNewValidatesSettings(t *testing.T) {
	const ok = "base_url: https://demo.myshopify.com\naccess_token: shpat_x\n"
	tests := []struct {
		name, yaml, wantErr string
	}{
		{"defaults", ok, ""},
		{"everything", ok + "api_version: 2025-01\nrequests_per_second: 1.5\nmax_retries: 2\npage_limit: 100\n", ""},
		{"no base_url", "access_token: x\n", "shopify: base_url: must be set"},
		{"relative base_url", "base_url: demo.myshopify.com\naccess_token: x\n", `base_url: "demo.myshopify.com" is not an absolute`},
		{"no token", "base_url: https://demo.myshopify.com\n", "shopify: access_token: must not be empty"},
		{"unexpanded token", "base_url: https://demo.myshopify.com\naccess_token: ${SHOPIFY_TOKEN}\n", "access_token: environment variable reference was not expanded"},
		{"bad version", ok + "api_version: v2025\n", `api_version: "v2025" is not a Shopify API version`},
		{"page_limit too big", ok + "page_limit: 251\n", "page_limit: 251 is outside 1..250"},
		{"page_limit zero", ok + "page_limit: 0\n", "page_limit: 0 is outside 1..250"},
		{"negative rate", ok + "requests_per_second: -1\n", "requests_per_second: -1 must not be negative"},
		{"negative retries", ok + "max_retries: -1\n", "max_retries: -1 must not be negative"},
		{"unknown key", ok + "shop: x\n", "field shop not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New("shop", yamlSettings(tt.yaml))
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("New: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("err = %v, want it to contain %q", err, tt.wantErr)
			}
		})
	}
}

func TestKindRegistered(t *testing.T) {
	k, err := extract.Lookup(Kind)
	if err != nil {
		t.Fatal(err)
	}
	if len(k.Tables) != 3 || k.Settings == "" {
		t.Errorf("kind = %+v", k)
	}
	var s Settings
	if err := yaml.Unmarshal([]byte(k.Settings), &s); err != nil {
		t.Fatalf("settings example does not parse: %v", err)
	}
}

func TestSettingsNeverPrintToken(t *testing.T) {
	s := DefaultSettings()
	s.AccessToken = token
	b, _ := json.Marshal(s)
	for _, out := range []string{fmt.Sprintf("%v %+v %#v", s, s, s), string(b)} {
		if strings.Contains(out, token) {
			t.Errorf("token printed: %s", out)
		}
	}
}

func TestParseLandingSite(t *testing.T) {
	tests := []struct {
		in   string
		want Landing
	}{
		{"", Landing{}},
		{"/", Landing{Path: "/"}},
		{"/products/x?utm_source=ig&utm_medium=social&utm_campaign=fall&utm_content=179001&utm_term=hoodie",
			Landing{Path: "/products/x", UTMSource: "ig", UTMMedium: "social", UTMCampaign: "fall", UTMContent: "179001", UTMTerm: "hoodie"}},
		{"https://shop.example.com/a/b?fbclid=IwAR1&gclid=Cj0", Landing{Path: "/a/b", ClickID: "IwAR1", ClickIDType: "fbclid"}},
		{"https://shop.example.com?gclid=Cj0", Landing{Path: "/", ClickID: "Cj0", ClickIDType: "gclid"}},
		{"/?li_fat_id=abc-def&ttclid=E.C.P.x", Landing{Path: "/", ClickID: "E.C.P.x", ClickIDType: "ttclid"}},
		{"/?li_fat_id=abc-def", Landing{Path: "/", ClickID: "abc-def", ClickIDType: "li_fat_id"}},
		{"/p?utm_source=a%20b&utm_campaign=50%25+off", Landing{Path: "/p", UTMSource: "a b", UTMCampaign: "50% off"}},
		{"/p?UTM_Source=Google&utm_source=&utm_source=bing", Landing{Path: "/p", UTMSource: "bing"}},
		{"/p?UTM_Source=Google", Landing{Path: "/p", UTMSource: "Google"}},
		{"/p?utm_source=ig&bad=%zz&utm_medium=social", Landing{Path: "/p", UTMSource: "ig", UTMMedium: "social"}},
		{"/p#frag?utm_source=no", Landing{Path: "/p"}},
		{"/p?utm_source=ig#top", Landing{Path: "/p", UTMSource: "ig"}},
		{"  /p?utm_source=ig  ", Landing{Path: "/p", UTMSource: "ig"}},
		{"%%%?utm_source=ig", Landing{Path: "%%%", UTMSource: "ig"}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, ParseLandingSite(tt.in)); diff != "" {
				t.Errorf("ParseLandingSite(%q) (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestParseLink(t *testing.T) {
	tests := []struct {
		in   string
		want map[string]string
	}{
		{"", map[string]string{}},
		{`<https://s/admin/api/2025-07/orders.json?limit=250&page_info=abc>; rel="next"`,
			map[string]string{"next": "https://s/admin/api/2025-07/orders.json?limit=250&page_info=abc"}},
		{`<https://s/o?page_info=p>; rel="previous", <https://s/o?page_info=n>; rel="next"`,
			map[string]string{"previous": "https://s/o?page_info=p", "next": "https://s/o?page_info=n"}},
		{`<https://s/o?a=1,2>; rel=next; title="a, b", <https://s/o?x>; rel="prev last"`,
			map[string]string{"next": "https://s/o?a=1,2", "prev": "https://s/o?x", "last": "https://s/o?x"}},
		{`<https://s/o>; rel="NEXT"`, map[string]string{"next": "https://s/o"}},
		{`garbage`, map[string]string{}},
		{`<unterminated; rel="next"`, map[string]string{}},
		{`<>; rel="next"`, map[string]string{}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, parseLink(tt.in)); diff != "" {
				t.Errorf("parseLink (-want +got):\n%s", diff)
			}
		})
	}
}

func TestClassify(t *testing.T) {
	resp := func(status int, h ...string) *http.Response {
		r := &http.Response{StatusCode: status, Header: http.Header{}}
		for i := 0; i+1 < len(h); i += 2 {
			r.Header.Set(h[i], h[i+1])
		}
		return r
	}
	tests := []struct {
		name string
		resp *http.Response
		body string
		want httpx.Verdict
	}{
		{"ok, bucket low", resp(200, "X-Shopify-Shop-Api-Call-Limit", "10/40"), `{}`, httpx.Verdict{}},
		{"ok, bucket at 80%", resp(200, "X-Shopify-Shop-Api-Call-Limit", "32/40"), `{}`, httpx.Verdict{Pause: 500 * time.Millisecond}},
		{"ok, Plus bucket full", resp(200, "X-Shopify-Shop-Api-Call-Limit", "80/80"), `{}`, httpx.Verdict{Pause: 4250 * time.Millisecond}},
		{"429 Retry-After 2.0", resp(429, "Retry-After", "2.0"), `{"errors":"Exceeded 2 calls per second for api client."}`,
			httpx.Verdict{Action: httpx.Retry, Wait: 2 * time.Second, Message: "Exceeded 2 calls per second for api client."}},
		{"429 without Retry-After", resp(429), `{"errors":"slow"}`, httpx.Verdict{Action: httpx.Retry, Wait: 2 * time.Second, Message: "slow"}},
		{"401 left to httpx", resp(401), `{"errors":"[API] Invalid API key"}`, httpx.Verdict{Message: "[API] Invalid API key"}},
		{"422 field errors", resp(422), `{"errors":{"limit":["must be ≤ 250"],"status":["invalid"]}}`,
			httpx.Verdict{Action: httpx.Fatal, Err: ErrAPI, Message: "limit: must be ≤ 250; status: invalid"}},
		{"503 retried by default", resp(503), `upstream`, httpx.Verdict{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := classify(tt.resp, []byte(tt.body))
			if diff := cmp.Diff(tt.want, got, cmp.Comparer(func(a, b error) bool { return errors.Is(a, b) })); diff != "" {
				t.Errorf("classify (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseOrderIgnoresUnknownFields(t *testing.T) {
	var o order
	body := `{"id":1,"name":"#1","created_at":"2026-11-16T10:00:00-05:00","total_price":199,"currency":"usd",
		"brand_new_field":{"nested":[1,2]},"discount_codes":[{"code":"MAYA15 ","amount":"5.00","type":"percentage","extra":true}],
		"refunds":[{"transactions":[{"kind":"refund","status":"success","amount":"0.10"},{"kind":"sale","status":"success","amount":"99"},
		{"kind":"refund","status":"pending","amount":"5"}],"unknown":1}]}`
	if err := json.Unmarshal([]byte(body), &o); err != nil {
		t.Fatal(err)
	}
	p, err := parseOrder(o)
	if err != nil {
		t.Fatal(err)
	}
	if p.revenue.String() != "198.9" || p.currency != "USD" || len(p.codes) != 1 || p.codes[0] != "MAYA15 " {
		t.Errorf("parsed = %+v (codes must stay exactly as typed)", p)
	}
}

// FuzzParseLandingSite: any landing_site gives a result without panicking,
// a click id always has its type, and values are trimmed.
func FuzzParseLandingSite(f *testing.F) {
	for _, s := range []string{
		"/products/x?utm_source=ig&utm_medium=social&fbclid=IwAR1",
		"https://shop.example.com/?gclid=Cj0&UTM_CAMPAIGN=x",
		"/?li_fat_id=%zz&ttclid=a#b", "%%%", "?", "#?", "/p?utm_source=%20",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		l := ParseLandingSite(s)
		if (l.ClickID == "") != (l.ClickIDType == "") {
			t.Errorf("click id %q with type %q", l.ClickID, l.ClickIDType)
		}
		for _, v := range []string{l.UTMSource, l.UTMMedium, l.UTMCampaign, l.UTMContent, l.UTMTerm, l.ClickID} {
			if v != strings.TrimSpace(v) {
				t.Errorf("untrimmed value %q", v)
			}
		}
		if strings.ContainsAny(l.Path, "?") {
			t.Errorf("path %q keeps a query", l.Path)
		}
	})
}

// FuzzParseLink: any header value parses without panicking, and every
// target came from between angle brackets.
func FuzzParseLink(f *testing.F) {
	f.Add(`<https://s/o?page_info=p>; rel="previous", <https://s/o?page_info=n>; rel="next"`)
	f.Add(`<a>; rel="next prev"; title=",<"`)
	f.Add(`<<>>;rel=next,`)
	f.Fuzz(func(t *testing.T, h string) {
		for rel, target := range parseLink(h) {
			if rel == "" || target == "" || strings.Contains(target, ">") || !strings.Contains(h, "<"+target) {
				t.Errorf("rel %q → %q from %q", rel, target, h)
			}
		}
	})
}

// FuzzParseOrder: any order body decodes into an order or an error, never a
// panic; a parsed order has an id, a time and non-negative revenue.
func FuzzParseOrder(f *testing.F) {
	f.Add(`{"id":1,"created_at":"2026-11-16T10:00:00-05:00","total_price":"199.00","currency":"USD","refunds":[{"transactions":[{"kind":"refund","status":"success","amount":"10.00"}]}]}`)
	f.Add(`{"id":2,"created_at":"2026-11-16T10:00:00Z","total_price":1e3,"currency":"EUR","cancelled_at":"2026-11-17T00:00:00Z"}`)
	f.Add(`{"id":-1}`)
	var page struct{ Orders []json.RawMessage }
	if err := json.Unmarshal(readFixture(f, "orders_page.json"), &page); err != nil {
		f.Fatal(err)
	}
	for _, o := range page.Orders {
		f.Add(string(o))
	}
	f.Fuzz(func(t *testing.T, body string) {
		var o order
		if json.Unmarshal([]byte(body), &o) != nil {
			return
		}
		p, err := parseOrder(o)
		if err != nil {
			if !errors.Is(err, ErrBadOrder) {
				t.Errorf("error %v is not ErrBadOrder", err)
			}
			return
		}
		if p.id <= 0 || p.created.IsZero() || p.revenue.IsNegative() || p.currency == "" {
			t.Errorf("parsed %+v", p)
		}
	})
}

// FuzzErrorText: Shopify error bodies of any shape never panic.
func FuzzErrorText(f *testing.F) {
	f.Add(`{"errors":"x"}`)
	f.Add(`{"errors":{"a":["b"],"c":1}}`)
	f.Add(`{"errors":["x","y"]}`)
	for _, name := range []string{"error_429.json", "error_401.json", "error_422.json"} {
		f.Add(string(readFixture(f, name)))
	}
	f.Fuzz(func(t *testing.T, body string) {
		_ = errorText([]byte(body))
		_, _, _ = parseCallLimit(body)
		_, _ = parseRetryAfter(body)
	})
}

func TestIdentities(t *testing.T) {
	// One row per customer, keyed by the customer id, naming the hash of
	// the email of their latest order; guests and orders without an email
	// give none.
	got := identities([]parsed{
		{id: 3, customer: 501, email: "Alice@Example.com "},
		{id: 1, customer: 501, email: "old@example.com"},
		{id: 2, customer: 502, email: ""},
		{id: 4, customer: 0, email: "guest@example.com"},
		{id: 5, customer: 503, email: "bob@example.com"},
	})
	want := []transform.IdentityRow{
		{AnonymousID: "shopify:customer:501", PersonID: transform.EmailKey("alice@example.com")},
		{AnonymousID: "shopify:customer:503", PersonID: transform.EmailKey("bob@example.com")},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("identities (-want +got):\n%s", d)
	}
}

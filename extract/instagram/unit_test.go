package instagram

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
)

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
	const ok = "ig_user_ids: [\"17841400000000001\"]\naccess_token: IGQ\n"
	tests := []struct{ name, yaml, wantErr string }{
		{"defaults", ok, ""},
		{"everything", ok + "base_url: http://127.0.0.1:1\napi_version: v22.0\nrequests_per_second: 1\nmax_retries: 1\nsince: 2026-09-01\npage_limit: 100\n", ""},
		{"no accounts", "access_token: x\n", "instagram_organic: ig_user_ids: must not be empty"},
		{"handle instead of id", "ig_user_ids: [\"@demobrand\"]\naccess_token: x\n", `ig_user_ids: entry 1 "@demobrand" is not an Instagram user id`},
		{"duplicate", "ig_user_ids: [\"1\", \" 1\"]\naccess_token: x\n", "ig_user_ids: 1 is listed twice"},
		{"no token", "ig_user_ids: [\"1\"]\n", "access_token: must not be empty"},
		{"unexpanded token", "ig_user_ids: [\"1\"]\naccess_token: ${IG}\n", "access_token: environment variable reference was not expanded"},
		{"bad version", ok + "api_version: 21\n", `api_version: "21" is not a Graph API version`},
		{"bad base_url", ok + "base_url: graph.facebook.com\n", "base_url:"},
		{"bad since", ok + "since: 01/09/2026\n", `since: "01/09/2026" is not a date`},
		{"page_limit", ok + "page_limit: 101\n", "page_limit: 101 is outside 1..100"},
		{"negative rate", ok + "requests_per_second: -2\n", "requests_per_second: -2 must not be negative"},
		{"negative retries", ok + "max_retries: -1\n", "max_retries: -1 must not be negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New("ig", yamlSettings(tt.yaml))
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
	var s Settings
	if err := yaml.Unmarshal([]byte(k.Settings), &s); err != nil || len(k.Tables) != 1 {
		t.Fatalf("kind %+v, example: %v", k, err)
	}
	s2 := DefaultSettings()
	s2.AccessToken = token
	b, _ := json.Marshal(s2)
	if out := fmt.Sprintf("%v %+v %#v %s", s2, s2, s2, b); strings.Contains(out, token) {
		t.Errorf("token printed: %s", out)
	}
}

func TestFormat(t *testing.T) {
	tests := []struct{ mt, pt, want string }{
		{"IMAGE", "FEED", "image"}, {"VIDEO", "FEED", "video"}, {"CAROUSEL_ALBUM", "FEED", "carousel"},
		{"VIDEO", "REELS", "reel"}, {"IMAGE", "STORY", "story"}, {"VIDEO", "STORY", "story"},
		{"IMAGE", "", "image"}, {"video", "reels", "reel"}, {"CAROUSEL_ALBUM", "AD", "carousel"},
	}
	for _, tt := range tests {
		got, err := Format(tt.mt, tt.pt)
		if err != nil || got != tt.want {
			t.Errorf("Format(%q, %q) = %q, %v; want %q", tt.mt, tt.pt, got, err, tt.want)
		}
	}
	if _, err := Format("", "FEED"); err == nil {
		t.Error("Format accepted an empty media_type")
	}
}

func TestParseTimestamp(t *testing.T) {
	for in, want := range map[string]time.Time{
		"2026-11-16T10:00:00+0000":  time.Date(2026, 11, 16, 10, 0, 0, 0, time.UTC),
		"2026-11-16T10:00:00-0500":  time.Date(2026, 11, 16, 15, 0, 0, 0, time.UTC),
		"2026-11-16T10:00:00Z":      time.Date(2026, 11, 16, 10, 0, 0, 0, time.UTC),
		"2026-11-16T10:00:00+01:00": time.Date(2026, 11, 16, 9, 0, 0, 0, time.UTC),
	} {
		got, err := ParseTimestamp(in)
		if err != nil || !got.Equal(want) {
			t.Errorf("ParseTimestamp(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "2026-11-16", "yesterday", "2026-11-16T10:00:00"} {
		if _, err := ParseTimestamp(in); err == nil {
			t.Errorf("ParseTimestamp(%q) succeeded", in)
		}
	}
}

func TestHashtags(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"New drop ✨ #Product #demobrand #TrendJack, #product", []string{"product", "demobrand", "trendjack"}},
		{"#howto\nLink in bio.", []string{"howto"}},
		{"mid#word # #!", nil},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, Hashtags(tt.in)); diff != "" {
			t.Errorf("Hashtags(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
}

func TestMapMediaInsights(t *testing.T) {
	var m media
	if err := json.Unmarshal([]byte(`{"id":"1","media_type":"VIDEO","media_product_type":"REELS","timestamp":"2026-11-16T10:00:00+0000","like_count":5,"new_field":[1]}`), &m); err != nil {
		t.Fatal(err)
	}
	var ins []insight
	if err := json.Unmarshal([]byte(`[{"name":"views","values":[{"value":100}]},{"name":"reach","total_value":{"value":80}},
		{"name":"saved","values":[]},{"name":"total_interactions","values":[{"value":9}]}]`), &ins); err != nil {
		t.Fatal(err)
	}
	row, err := mapMedia(m, "a", time.Time{}, ins)
	if err != nil {
		t.Fatal(err)
	}
	if *row.Impressions != 100 || *row.VideoViews != 100 || *row.Reach != 80 || row.Saves != nil || row.Shares != nil || *row.Likes != 5 || row.Comments != nil {
		t.Errorf("row = %+v", row)
	}
	if err := json.Unmarshal([]byte(`[{"name":"reach","values":[{"value":1.5}]}]`), &ins); err != nil {
		t.Fatal(err)
	}
	if _, err := mapMedia(m, "a", time.Time{}, ins); !errors.Is(err, ErrBadMedia) {
		t.Errorf("fractional reach: err = %v", err)
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
		name       string
		resp       *http.Response
		body       string
		wantAction httpx.Action
		wantErr    error
		wantPause  time.Duration
	}{
		{"ok", resp(200, "X-App-Usage", `{"call_count":10}`), `{}`, httpx.Default, nil, 0},
		{"ok near the limit", resp(200, "X-App-Usage", `{"call_count":96}`), `{}`, httpx.Default, nil, time.Minute},
		{"regain time", resp(200, "X-Business-Use-Case-Usage", `{"1":[{"call_count":5,"estimated_time_to_regain_access":3}]}`), `{}`, httpx.Default, nil, 3 * time.Minute},
		{"throttle 613", resp(400), `{"error":{"message":"rate","code":613}}`, httpx.Retry, nil, 0},
		{"token 190", resp(400), `{"error":{"message":"expired","code":190,"error_subcode":463}}`, httpx.Fatal, ErrTokenInvalid, 0},
		{"bad param 100", resp(400), `{"error":{"message":"bad","code":100}}`, httpx.Fatal, ErrAPI, 0},
		{"transient 500", resp(500), `{"error":{"message":"x","code":1,"is_transient":true}}`, httpx.Retry, nil, 0},
		{"not a graph error", resp(502), `bad gateway`, httpx.Default, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := classify(tt.resp, []byte(tt.body))
			if v.Action != tt.wantAction || v.Pause != tt.wantPause || (tt.wantErr != nil && !errors.Is(v.Err, tt.wantErr)) {
				t.Errorf("verdict = %+v", v)
			}
		})
	}
}

func FuzzParseTimestamp(f *testing.F) {
	f.Add("2026-11-16T10:00:00+0000")
	f.Add("2026-11-16T10:00:00Z")
	f.Fuzz(func(t *testing.T, s string) {
		if ts, err := ParseTimestamp(s); err == nil && ts.IsZero() && s != "0001-01-01T00:00:00+0000" && !strings.HasPrefix(s, "0001-01-01T00:00:00") {
			t.Errorf("%q parsed to the zero time", s)
		}
	})
}

func FuzzHashtags(f *testing.F) {
	f.Add("New drop ✨ #Product #demobrand #TrendJack, #product")
	f.Fuzz(func(t *testing.T, s string) {
		seen := map[string]bool{}
		for _, tag := range Hashtags(s) {
			if tag == "" || seen[tag] || strings.ContainsAny(tag, " \t\n") || strings.HasPrefix(tag, "#") && len(tag) == 1 {
				t.Errorf("tag %q from %q", tag, s)
			}
			seen[tag] = true
		}
	})
}

// FuzzMapMedia: any media and insights bodies map to a row or an
// ErrBadMedia, never a panic.
func FuzzMapMedia(f *testing.F) {
	f.Add(`{"id":"1","media_type":"VIDEO","media_product_type":"REELS","timestamp":"2026-11-16T10:00:00+0000","like_count":5}`,
		`[{"name":"views","values":[{"value":100}]},{"name":"reach","total_value":{"value":80}}]`)
	f.Add(`{"id":"2","media_type":"IMAGE"}`, `[]`)
	var page struct{ Data []json.RawMessage }
	var ins struct{ Data json.RawMessage }
	if json.Unmarshal(readFixture(f, "media.json"), &page) != nil || json.Unmarshal(readFixture(f, "insights_reel.json"), &ins) != nil {
		f.Fatal("fixtures do not parse")
	}
	for _, m := range page.Data {
		f.Add(string(m), string(ins.Data))
	}
	f.Fuzz(func(t *testing.T, mb, ib string) {
		var m media
		var ins []insight
		if json.Unmarshal([]byte(mb), &m) != nil || json.Unmarshal([]byte(ib), &ins) != nil {
			return
		}
		row, err := mapMedia(m, "a", time.Time{}, ins)
		if err != nil {
			if !errors.Is(err, ErrBadMedia) {
				t.Errorf("err %v is not ErrBadMedia", err)
			}
			return
		}
		if row.PostID == "" || row.Format == "" {
			t.Errorf("row %+v", row)
		}
	})
}

func FuzzClassify(f *testing.F) {
	f.Add(400, `{"error":{"message":"x","code":17}}`, `{"call_count":99}`)
	f.Add(200, `{}`, `{"1":[{"estimated_time_to_regain_access":5}]}`)
	f.Add(400, string(readFixture(f, "error_190.json")), ``)
	f.Add(400, string(readFixture(f, "error_throttle.json")), ``)
	f.Fuzz(func(t *testing.T, status int, body, usage string) {
		h := http.Header{"X-App-Usage": {usage}, "X-Business-Use-Case-Usage": {usage}}
		v := classify(&http.Response{StatusCode: status, Header: h}, []byte(body))
		if v.Pause < 0 || (v.Action == httpx.Fatal && v.Err == nil) {
			t.Errorf("verdict %+v", v)
		}
	})
}

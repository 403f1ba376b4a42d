package httpx

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"testing"
)

func TestRedactor(t *testing.T) {
	const tok = "EAAB/tok+en=="
	r := NewRedactor([]string{tok, "", "short"})
	tests := []struct {
		name, in, want string
	}{
		{"plain", "token is " + tok, "token is REDACTED"},
		{"query escaped", "https://x/y?access_token=" + url.QueryEscape(tok) + "&a=1", "https://x/y?access_token=REDACTED&a=1"},
		{"path escaped", "/p/" + url.PathEscape(tok), "/p/REDACTED"},
		{"json escaped", `{"next":"` + strings.ReplaceAll(tok, "/", `\/`) + `"}`, `{"next":"` + strings.ReplaceAll(tok, "/", `\/`) + `"}`},
		{"undeclared access_token param", "GET /x?access_token=zzz999&limit=5", "GET /x?access_token=REDACTED&limit=5"},
		{"client_secret param", "client_secret=abc", "client_secret=REDACTED"},
		{"bearer header", "Authorization: Bearer abc.def-ghi", "Authorization: Bearer REDACTED"},
		{"second secret", "a short b", "a REDACTED b"},
		{"nothing to do", "hello", "hello"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := r.String(tt.in); got != tt.want {
				t.Errorf("String(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
	// Bodies: only declared secrets, data untouched otherwise.
	body := []byte(`{"url":"https://shop/?token=keep","next":"https://g/?access_token=` + url.QueryEscape(tok) + `"}`)
	got := string(r.Bytes(body))
	if want := `{"url":"https://shop/?token=keep","next":"https://g/?access_token=REDACTED"}`; got != want {
		t.Errorf("Bytes = %s, want %s", got, want)
	}
	// Errors keep their cause reachable.
	uerr := &url.Error{Op: "Get", URL: "https://g/?access_token=" + tok, Err: errors.ErrUnsupported}
	rerr := r.Error(uerr)
	if strings.Contains(rerr.Error(), tok) || !errors.Is(rerr, errors.ErrUnsupported) {
		t.Errorf("Error() = %q, errors.Is = %v", rerr, errors.Is(rerr, errors.ErrUnsupported))
	}
	var nilR *Redactor
	if nilR.String("access_token=x") != "access_token=REDACTED" {
		t.Error("nil Redactor must still redact credential parameters")
	}
}

func TestSecretNeverPrints(t *testing.T) {
	s := struct {
		Token Secret `json:"token"`
	}{Token: "s3cr3t-value"}
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("settings", "token", s.Token, "all", s)
	js, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	for _, out := range []string{
		fmt.Sprint(s.Token), fmt.Sprintf("%s %q %v %+v %#v", s.Token, s.Token, s, s, s), string(js), buf.String(),
	} {
		if strings.Contains(out, "s3cr3t") {
			t.Errorf("secret leaked: %s", out)
		}
	}
	if s.Token.Reveal() != "s3cr3t-value" {
		t.Error("Reveal must return the value")
	}
	if Secret("").String() != "" {
		t.Error("an empty secret prints empty, so 'not set' stays visible")
	}
}

func TestPathSlug(t *testing.T) {
	for in, want := range map[string]string{
		"/v21.0/act_123/insights":      "v21.0-act_123-insights",
		"/":                            "root",
		"":                             "root",
		"/A B//c?d":                    "a-b-c-d",
		"/" + strings.Repeat("x", 100): strings.Repeat("x", maxSlug),
	} {
		if got := pathSlug(in); got != want {
			t.Errorf("pathSlug(%q) = %q, want %q", in, got, want)
		}
	}
}

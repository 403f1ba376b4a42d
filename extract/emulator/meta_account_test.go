package emulator

import (
	"net/url"
	"testing"
)

func TestMetaAccount(t *testing.T) {
	rows := metaRows()
	rows[0].AccountTimezone = "Europe/Paris"
	for _, tc := range []struct {
		name     string
		accounts map[string]MetaAccount
		fields   string
		want     string
	}{
		{"timezone from the rows", nil, "timezone_name,currency,name",
			`{"currency":"","id":"act_1","name":"","timezone_name":"Europe/Paris"}`},
		{"configured account, default zone", map[string]MetaAccount{"act_1": {Name: "Acme", Currency: "EUR"}}, "timezone_name,currency,name",
			`{"currency":"EUR","id":"act_1","name":"Acme","timezone_name":"America/Los_Angeles"}`},
		{"configured zone, default fields", map[string]MetaAccount{"1": {Name: "Acme", Currency: "EUR", Timezone: "Asia/Tokyo"}}, "",
			`{"id":"act_1","name":"Acme"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := NewMeta(MetaConfig{AccessToken: "tok", Accounts: tc.accounts, Rows: rows})
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			q := url.Values{"access_token": {"tok"}}
			if tc.fields != "" {
				q.Set("fields", tc.fields)
			}
			status, _, body := get(t, m.URL+"/v21.0/act_1?"+q.Encode())
			if status != 200 || body != tc.want+"\n" {
				t.Errorf("HTTP %d %s, want 200 %s", status, body, tc.want)
			}
			if status, _, _ := get(t, m.URL+"/v21.0/act_9?"+q.Encode()); status != 400 {
				t.Errorf("unknown account: HTTP %d, want 400", status)
			}
		})
	}
}

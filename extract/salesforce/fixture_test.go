package salesforce

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/socialroi/socialroi/transform"
)

const fixtures = "../../testdata/salesforce"

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(fixtures, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestFixtures maps the documented response shapes in testdata/salesforce.
func TestFixtures(t *testing.T) {
	var opps, leads queryPage
	if err := json.Unmarshal(readFixture(t, "query_opportunities.json"), &opps); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(readFixture(t, "query_leads.json"), &leads); err != nil {
		t.Fatal(err)
	}
	if opps.Done || opps.NextRecordsURL != "/services/data/v61.0/query/01gRO0000016PIAYA2-2000" || !leads.Done {
		t.Errorf("paging: %v %q %v", opps.Done, opps.NextRecordsURL, leads.Done)
	}
	s := DefaultSettings()
	s.BaseURL, s.AccessToken = "https://acme.my.salesforce.com", "t"
	s.ConversionTypes = []string{TypeDealWon, TypeOpportunity}
	src, err := NewSource("sfdc", s)
	if err != nil {
		t.Fatal(err)
	}
	convs, err := src.conversions(opps.Records)
	if err != nil {
		t.Fatal(err)
	}
	want := []transform.ConversionRow{
		{ConversionID: "salesforce:opportunity:0065g00000BxYZ1AAN", PersonID: "salesforce:contact:0035g00000AbCdEAAV",
			TS: at("2026-11-16T12:00:00Z"), Type: "deal_won", Revenue: decimal.RequireFromString("24000"), Currency: "USD",
			IsNewCustomer: true, DealID: "0065g00000BxYZ1AAN", CRMSource: "sfdc"},
		{ConversionID: "salesforce:opportunity:0065g00000BxYZ2AAN", TS: at("2026-11-17T09:00:00Z"), Type: "opportunity",
			Revenue: decimal.Zero, Currency: "USD", DealID: "0065g00000BxYZ2AAN", CRMSource: "sfdc"},
	}
	if diff := cmp.Diff(want, convs, decimalEqual); diff != "" {
		t.Errorf("conversions (-want +got):\n%s", diff)
	}
	tps, ids, err := src.personRows(leads.Records, nil, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	wantTPs := []transform.TouchpointRow{{TouchpointID: "salesforce:lead:00Q5g00000XyZaBEAV:first",
		PersonID: "salesforce:lead:00Q5g00000XyZaBEAV", TS: at("2026-11-16T07:45:30Z"), Interaction: "visit",
		UTMSource: "linkedin", UTMMedium: "paid_social", UTMCampaign: "ebook_q4", Source: "crm_derived"}}
	if diff := cmp.Diff(wantTPs, tps); diff != "" {
		t.Errorf("touchpoints (-want +got):\n%s", diff)
	}
	// printf '%s' max.muster@example.de | sha256sum
	wantIDs := []transform.IdentityRow{{AnonymousID: "email:a3d13de294683dc7b3d5d437b4042cb263d4b4eda51838ec31a9d9df51f3f087",
		PersonID: "salesforce:lead:00Q5g00000XyZaBEAV"}}
	if diff := cmp.Diff(wantIDs, ids); diff != "" {
		t.Errorf("identities (-want +got):\n%s", diff)
	}
	l := &limits{log: slog.New(slog.DiscardHandler)}
	for _, tt := range []struct {
		name   string
		status int
		is     error
	}{
		{"error_request_limit.json", 403, ErrDailyLimit},
		{"error_malformed_query.json", 400, ErrQuery},
		{"error_invalid_session.json", 401, nil},
	} {
		v := l.classify(&http.Response{StatusCode: tt.status, Header: http.Header{}}, readFixture(t, tt.name))
		if v.Message == "" || !errors.Is(v.Err, tt.is) {
			t.Errorf("%s: %+v", tt.name, v)
		}
	}
}

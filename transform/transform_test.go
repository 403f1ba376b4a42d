package transform

import (
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/shopspring/decimal"
)

// Every row type fills its canonical table exactly: NewBuilder checks the
// tags against the schema, so building one row per table proves the match.
func TestRowTypesMatchSchemas(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ts := time.Date(2026, 11, 17, 9, 30, 0, 0, time.UTC)
	d := Date(2026, 11, 17)
	money := decimal.RequireFromString("12.34")
	check := func(table string, build func() (arrow.RecordBatch, error)) {
		t.Helper()
		rec, err := build()
		if err != nil {
			t.Fatalf("%s: %v", table, err)
		}
		defer rec.Release()
		tb, _ := Lookup(table)
		if !rec.Schema().Equal(tb.Schema) || rec.NumRows() != 1 {
			t.Errorf("%s: schema or rows differ", table)
		}
	}
	check(AdPerformance, func() (arrow.RecordBatch, error) {
		return BuildRecord(mem, AdPerformance, []AdPerformanceRow{{Date: d, Platform: "facebook", AccountID: "1", AdID: "a",
			Currency: "USD", Spend: money, Reach: Ptr[int64](5), PlatformConversionValue: money, Source: "s", ExtractedAt: ts}})
	})
	check(OrganicPosts, func() (arrow.RecordBatch, error) {
		return BuildRecord(mem, OrganicPosts, []OrganicPostRow{{Platform: "instagram", PostID: "p", SnapshotDate: d, PublishedAt: ts, Format: "reel", Tags: []string{"a"}}})
	})
	check(CommunityMessages, func() (arrow.RecordBatch, error) {
		return BuildRecord(mem, CommunityMessages, []CommunityMessageRow{{MessageID: "m", Platform: "x", Kind: "dm", ReceivedAt: ts, FirstResponseAt: &ts, IssueType: "question"}})
	})
	check(Touchpoints, func() (arrow.RecordBatch, error) {
		return BuildRecord(mem, Touchpoints, []TouchpointRow{{TouchpointID: "t", TS: ts, Interaction: "click", Source: "web"}})
	})
	check(Conversions, func() (arrow.RecordBatch, error) {
		return BuildRecord(mem, Conversions, []ConversionRow{{ConversionID: "c", TS: ts, Type: "purchase", Revenue: money, Currency: "USD", CRMSource: "shop"}})
	})
	check(Identities, func() (arrow.RecordBatch, error) {
		return BuildRecord(mem, Identities, []IdentityRow{{AnonymousID: "a", PersonID: "p"}})
	})
	check(Influencers, func() (arrow.RecordBatch, error) {
		return BuildRecord(mem, Influencers, []InfluencerRow{{CreatorID: "c", Handle: "@c", Platform: "tiktok", ContractStart: &d}})
	})
	check(InfluencerCosts, func() (arrow.RecordBatch, error) {
		return BuildRecord(mem, InfluencerCosts, []InfluencerCostRow{{CreatorID: "c", Date: d, Kind: "fee", Amount: money, Currency: "USD"}})
	})
	check(FXRates, func() (arrow.RecordBatch, error) {
		return BuildRecord(mem, FXRates, []FXRateRow{{Date: d, Currency: "EUR", RateToReporting: decimal.RequireFromString("1.08123456")}})
	})
	check(OtherCosts, func() (arrow.RecordBatch, error) {
		return BuildRecord(mem, OtherCosts, []OtherCostRow{{Date: d, Channel: "paid_social", Description: "agency", Amount: money, Currency: "USD"}})
	})
	if len(TableNames()) != 10 {
		t.Errorf("tables: %v", TableNames())
	}
}

func TestBuilderValues(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rec, err := BuildRecord(mem, Conversions, []ConversionRow{
		{ConversionID: "c1", TS: time.Date(2026, 11, 17, 9, 0, 0, 0, time.FixedZone("EST", -5*3600)), Type: "purchase",
			Revenue: decimal.RequireFromString("199.9"), Currency: "USD", IsNewCustomer: true, PromoCodes: []string{"ANNA10"}, CRMSource: "shop"},
		{ConversionID: "c2", TS: time.Date(2026, 11, 18, 0, 0, 0, 0, time.UTC), Type: "lead", Revenue: decimal.Zero, Currency: "USD", CRMSource: "crm"},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	ts := rec.Column(2).(*array.Timestamp)
	if got := ts.Value(0).ToTime(arrow.Microsecond); !got.Equal(time.Date(2026, 11, 17, 14, 0, 0, 0, time.UTC)) {
		t.Errorf("timestamp stored as %v, want 14:00 UTC", got)
	}
	rev := rec.Column(4).(*array.Decimal128)
	if got := rev.Value(0).ToString(2); got != "199.90" {
		t.Errorf("revenue %s", got)
	}
	if !rec.Column(7).IsNull(0) || !rec.Column(9).IsNull(1) || rec.Column(9).IsNull(0) {
		t.Error("empty strings and nil lists must be NULL, set lists not")
	}
}

func TestDecimalStrictness(t *testing.T) {
	tests := []struct {
		in      string
		typ     *arrow.Decimal128Type
		want    string
		wantErr string
	}{
		{"12.34", Money2, "12.34", ""},
		{"12.345", Money2, "", "more than 2 decimals"},
		{"-0.5", Money4, "-0.5000", ""},
		{"99999999999999999.99", Money2, "", "does not fit"},
	}
	for _, tc := range tests {
		n, err := DecimalToArrow(decimal.RequireFromString(tc.in), tc.typ)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%s: err %v, want %q", tc.in, err, tc.wantErr)
			}
			continue
		}
		if err != nil || n.ToString(tc.typ.Scale) != tc.want {
			t.Errorf("%s: %s %v, want %s", tc.in, n.ToString(tc.typ.Scale), err, tc.want)
		}
	}
	// API money arrives with float noise; ParseMoney rounds it to the scale.
	d, err := ParseMoney("107.5300000000000335346", Money4)
	if err != nil || d.String() != "107.53" {
		t.Errorf("ParseMoney: %s %v", d, err)
	}
	if _, err := ParseMoney("12,34", Money4); err == nil {
		t.Error("ParseMoney accepted a comma")
	}
}

func TestBuilderRejectsMissingRequired(t *testing.T) {
	mem := memory.NewGoAllocator()
	_, err := BuildRecord(mem, Touchpoints, []TouchpointRow{{TouchpointID: "t", Interaction: "click", Source: "web"}})
	if err == nil || !strings.Contains(err.Error(), "touchpoints.ts") || !strings.Contains(err.Error(), "row 1") {
		t.Errorf("want an error naming row 1 and touchpoints.ts, got %v", err)
	}
}

func FuzzParseMoney(f *testing.F) {
	for _, s := range []string{"12.34", "107.5300000000000335346", "-0.001", "1e3", "", "abc", "99999999999999.9999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseMoney(s, Money4)
		if err != nil {
			return
		}
		if d.Exponent() < -4 {
			t.Errorf("%q parsed to %s with more than 4 decimals", s, d)
		}
	})
}

// Keys and stamps name columns of their table, and a stamp is never part of
// the key: loads match rows on the key and compare them without the stamps.
// Key columns are required, since loads match them with "=".
func TestKeysAndStamps(t *testing.T) {
	for _, name := range TableNames() {
		tb, _ := Lookup(name)
		for _, k := range tb.Key {
			i := tb.Schema.FieldIndices(k)
			if len(i) != 1 {
				t.Errorf("%s: key column %s is not in the schema", name, k)
				continue
			}
			if tb.Schema.Field(i[0]).Nullable {
				t.Errorf("%s: key column %s is nullable", name, k)
			}
		}
		for _, s := range tb.Stamps {
			if len(tb.Schema.FieldIndices(s)) != 1 {
				t.Errorf("%s: stamp %s is not in the schema", name, s)
			}
			for _, k := range tb.Key {
				if k == s {
					t.Errorf("%s: stamp %s is part of the key", name, s)
				}
			}
		}
	}
}

package registry

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/socialroi/socialroi/extract"
	"github.com/socialroi/socialroi/extract/extracttest"
	"github.com/socialroi/socialroi/transform"
)

func day(y int, m time.Month, d int) *time.Time { return transform.Ptr(transform.Date(y, m, d)) }

func money(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func checkedMem(t *testing.T) *memory.CheckedAllocator {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	t.Cleanup(func() { mem.AssertSize(t, 0) })
	return mem
}

// maya is the creator of the package doc's example.
var maya = transform.InfluencerRow{
	CreatorID: "cr_001", Handle: "@maya.makes", Platform: "instagram",
	PromoCodes: []string{"MAYA15"}, LinkKeys: []string{"maya-fall26"},
	ContractStart: day(2026, 8, 15), ContractEnd: day(2026, 11, 30), UsageRightsUntil: day(2026, 12, 5),
	WhitelistedAdIDs: []string{"120000001"},
}

const mayaYAML = `creators:
  - id: cr_001
    handle: "@maya.makes"
    platform: instagram
    promo_codes: [MAYA15]
    link_keys: [maya-fall26]
    contract: {start: 2026-08-15, end: 2026-11-30}
    usage_rights_until: 2026-12-05
    whitelisted_ad_ids: ["120000001"]
    costs:
      - {date: 2026-09-01, kind: fee, amount: "1500.00", currency: USD}
`

func TestReadYAML(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want Registry
	}{
		{
			name: "the documented example",
			in:   mayaYAML,
			want: Registry{
				Creators: []transform.InfluencerRow{maya},
				Costs:    []transform.InfluencerCostRow{{CreatorID: "cr_001", Date: transform.Date(2026, 9, 1), Kind: "fee", Amount: money("1500"), Currency: "USD"}},
			},
		},
		{
			name: "only the required keys: lists empty, dates NULL, no costs",
			in:   "creators:\n  - {id: cr_9, handle: \"@x\", platform: tiktok}\n",
			want: Registry{
				Creators: []transform.InfluencerRow{{CreatorID: "cr_9", Handle: "@x", Platform: "tiktok",
					PromoCodes: []string{}, LinkKeys: []string{}, WhitelistedAdIDs: []string{}}},
				Costs: []transform.InfluencerCostRow{},
			},
		},
		{
			name: "amounts as strings or numbers, parsed from their text",
			in: `creators:
  - id: c1
    handle: h
    platform: youtube
    costs:
      - {date: 2026-09-01, kind: fee, amount: 1500, currency: USD}
      - {date: 2026-09-01, kind: product, amount: 0.1, currency: USD}
      - {date: 2026-09-02, kind: bonus, amount: "99999999999999.99", currency: EUR}
      - {date: 2026-09-03, kind: whitelisting, amount: 12.30, currency: USD}
      - {date: 2026-09-04, kind: fee, amount: "0", currency: USD}
`,
			want: Registry{
				Creators: []transform.InfluencerRow{{CreatorID: "c1", Handle: "h", Platform: "youtube", PromoCodes: []string{}, LinkKeys: []string{}, WhitelistedAdIDs: []string{}}},
				Costs: []transform.InfluencerCostRow{
					{CreatorID: "c1", Date: transform.Date(2026, 9, 1), Kind: "fee", Amount: money("1500"), Currency: "USD"},
					{CreatorID: "c1", Date: transform.Date(2026, 9, 1), Kind: "product", Amount: money("0.10"), Currency: "USD"},
					// More digits than a float64 holds exactly.
					{CreatorID: "c1", Date: transform.Date(2026, 9, 2), Kind: "bonus", Amount: money("99999999999999.99"), Currency: "EUR"},
					{CreatorID: "c1", Date: transform.Date(2026, 9, 3), Kind: "whitelisting", Amount: money("12.3"), Currency: "USD"},
					{CreatorID: "c1", Date: transform.Date(2026, 9, 4), Kind: "fee", Amount: decimal.Zero, Currency: "USD"},
				},
			},
		},
		{
			name: "codes kept as written but trimmed, ad ids as text, kind and currency normalized, anchors",
			in: `creators:
  - id: " c1 "
    handle: h
    platform: instagram
    promo_codes: [" Maya15 ", maya-VIP]
    link_keys: [k1, k2]
    contract: {start: 2026-01-01}
    whitelisted_ad_ids: [120000001, "0042"]
    costs:
      - &fee {date: "2026-02-01", kind: Fee, amount: "10", currency: usd}
  - id: c2
    handle: h2
    platform: tiktok
    contract: ~
    usage_rights_until: 2027-01-31
    promo_codes: []
`,
			want: Registry{
				Creators: []transform.InfluencerRow{
					{CreatorID: "c1", Handle: "h", Platform: "instagram", PromoCodes: []string{"Maya15", "maya-VIP"}, LinkKeys: []string{"k1", "k2"},
						ContractStart: day(2026, 1, 1), WhitelistedAdIDs: []string{"120000001", "0042"}},
					{CreatorID: "c2", Handle: "h2", Platform: "tiktok", PromoCodes: []string{}, LinkKeys: []string{}, WhitelistedAdIDs: []string{},
						UsageRightsUntil: day(2027, 1, 31)},
				},
				Costs: []transform.InfluencerCostRow{{CreatorID: "c1", Date: transform.Date(2026, 2, 1), Kind: "fee", Amount: money("10"), Currency: "USD"}},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reg, err := ReadYAML("registry.yaml", strings.NewReader(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			checkArrow(t, reg, tt.want)
		})
	}
}

func TestReadCSV(t *testing.T) {
	const costsCSV = "creator_id,date,kind,amount,currency\ncr_001,2026-09-01,fee,1500.00,USD\n"
	wantCosts := []transform.InfluencerCostRow{{CreatorID: "cr_001", Date: transform.Date(2026, 9, 1), Kind: "fee", Amount: money("1500"), Currency: "USD"}}
	tests := []struct {
		name     string
		creators string
		costs    string
		want     Registry
	}{
		{
			name: "the documented example",
			creators: "creator_id,handle,platform,promo_codes,link_keys,contract_start,contract_end,usage_rights_until,whitelisted_ad_ids\n" +
				"cr_001,@maya.makes,instagram,MAYA15,maya-fall26,2026-08-15,2026-11-30,2026-12-05,120000001\n",
			costs: costsCSV,
			want:  Registry{Creators: []transform.InfluencerRow{maya}, Costs: wantCosts},
		},
		{
			name: "BOM, columns in any order and case, optional columns left out, both list separators, blank lines",
			creators: "\ufeffPlatform, Creator_ID ,handle,promo_codes,whitelisted_ad_ids\n" +
				"instagram,cr_001,@maya.makes,\"MAYA15 | MAYA-VIP|\",1;2 ; 3\n" +
				"\n" +
				",,,,\n" +
				"tiktok,cr_002,@tom,TOM10\n",
			costs: "amount,currency,creator_id,kind,date\n1500.50,usd,cr_001,Bonus,2026-09-01\n",
			want: Registry{
				Creators: []transform.InfluencerRow{
					{CreatorID: "cr_001", Handle: "@maya.makes", Platform: "instagram", PromoCodes: []string{"MAYA15", "MAYA-VIP"},
						LinkKeys: []string{}, WhitelistedAdIDs: []string{"1", "2", "3"}},
					{CreatorID: "cr_002", Handle: "@tom", Platform: "tiktok", PromoCodes: []string{"TOM10"}, LinkKeys: []string{}, WhitelistedAdIDs: []string{}},
				},
				Costs: []transform.InfluencerCostRow{{CreatorID: "cr_001", Date: transform.Date(2026, 9, 1), Kind: "bonus", Amount: money("1500.5"), Currency: "USD"}},
			},
		},
		{
			name:     "no costs booked yet: a header alone",
			creators: "creator_id,handle,platform\ncr_001,@m,instagram\n",
			costs:    "creator_id,date,kind,amount,currency\n",
			want: Registry{
				Creators: []transform.InfluencerRow{{CreatorID: "cr_001", Handle: "@m", Platform: "instagram", PromoCodes: []string{}, LinkKeys: []string{}, WhitelistedAdIDs: []string{}}},
				Costs:    []transform.InfluencerCostRow{},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reg, err := ReadCSV("creators.csv", strings.NewReader(tt.creators), "costs.csv", strings.NewReader(tt.costs))
			if err != nil {
				t.Fatal(err)
			}
			checkArrow(t, reg, tt.want)
		})
	}
}

// checkArrow emits reg through the source into Arrow records, reads the
// records back column by column (not through the builder) and compares them
// with want.
func checkArrow(t *testing.T, reg *Registry, want Registry) {
	t.Helper()
	mem := checkedMem(t)
	sink := &sink{}
	defer sink.release()
	src := NewSource("influencers", reg)
	if err := src.Extract(t.Context(), extract.Request{Mem: mem}, sink); err != nil {
		t.Fatal(err)
	}
	got := readBack(t, sink)
	if diff := cmp.Diff(want, got, extracttest.DecimalEqual); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
}

// sink keeps emitted records in order, retaining them as the Emitter
// contract says.
type sink struct {
	tables []string
	recs   []arrow.RecordBatch
}

func (s *sink) Emit(table string, rec arrow.RecordBatch) error {
	if table != transform.Influencers && table != transform.InfluencerCosts {
		return fmt.Errorf("unexpected table %s", table)
	}
	rec.Retain()
	s.tables = append(s.tables, table)
	s.recs = append(s.recs, rec)
	return nil
}

func (s *sink) release() {
	for _, r := range s.recs {
		r.Release()
	}
}

// readBack reads the influencers and influencer_costs records a sink kept.
func readBack(t *testing.T, s *sink) Registry {
	t.Helper()
	got := Registry{Creators: []transform.InfluencerRow{}, Costs: []transform.InfluencerCostRow{}}
	for k, rec := range s.recs {
		table := s.tables[k]
		col := func(name string) arrow.Array {
			idx := rec.Schema().FieldIndices(name)
			if len(idx) != 1 {
				t.Fatalf("%s: no column %s", table, name)
			}
			return rec.Column(idx[0])
		}
		str := func(name string, i int) string { return col(name).(*array.String).Value(i) }
		date := func(name string, i int) *time.Time {
			a := col(name).(*array.Date32)
			if a.IsNull(i) {
				return nil
			}
			return transform.Ptr(a.Value(i).ToTime().UTC())
		}
		list := func(name string, i int) []string {
			a := col(name).(*array.List)
			if a.IsNull(i) {
				t.Errorf("%s.%s row %d is NULL; lists are never NULL", table, name, i)
				return nil
			}
			vals := a.ListValues().(*array.String)
			start, end := a.ValueOffsets(i)
			out := []string{}
			for j := start; j < end; j++ {
				out = append(out, vals.Value(int(j)))
			}
			return out
		}
		for i := range int(rec.NumRows()) {
			switch table {
			case transform.Influencers:
				got.Creators = append(got.Creators, transform.InfluencerRow{
					CreatorID: str("creator_id", i), Handle: str("handle", i), Platform: str("platform", i),
					PromoCodes: list("promo_codes", i), LinkKeys: list("link_keys", i),
					ContractStart: date("contract_start", i), ContractEnd: date("contract_end", i),
					UsageRightsUntil: date("usage_rights_until", i), WhitelistedAdIDs: list("whitelisted_ad_ids", i),
				})
			case transform.InfluencerCosts:
				got.Costs = append(got.Costs, transform.InfluencerCostRow{
					CreatorID: str("creator_id", i), Date: *date("date", i), Kind: str("kind", i),
					Amount:   decimal.NewFromBigInt(col("amount").(*array.Decimal128).Value(i).BigInt(), -2),
					Currency: str("currency", i),
				})
			}
		}
	}
	return got
}

// TestErrorNamesEverything pins one whole message per format: file, line,
// creator, field and what is wrong.
func TestErrorNamesEverything(t *testing.T) {
	_, err := ReadYAML("influencers.yaml", strings.NewReader(mayaYAML+`  - id: cr_002
    handle: "@tomtries"
    platform: tiktok
    promo_codes: [TOM10, " maya15"]
`))
	want := `influencer registry: influencers.yaml line 15: creator cr_002: promo_codes: code "maya15" is also claimed by creator cr_001 (line 5, as "MAYA15"): orders match codes case-insensitively, so a code must belong to one creator`
	if err == nil || err.Error() != want {
		t.Errorf("YAML error:\n got %v\nwant %s", err, want)
	}
	var e *Error
	if !errors.As(err, &e) || e.File != "influencers.yaml" || e.Line != 15 || e.Creator != "cr_002" || e.Field != "promo_codes" || !errors.Is(err, ErrInvalid) {
		t.Errorf("error = %#v, want a *Error wrapping ErrInvalid", e)
	}

	_, err = ReadCSV("creators.csv", strings.NewReader("creator_id,handle,platform\ncr_001,@m,instagram\n"),
		"costs.csv", strings.NewReader("creator_id,date,kind,amount,currency\ncr_001,2026-09-01,fee,12.5,USD\ncr_001,2026-09-02,fees,1,USD\n"))
	want = `influencer registry: costs.csv line 3: creator cr_001: kind: "fees" is not a cost kind (one of fee, product, bonus, whitelisting)`
	if err == nil || err.Error() != want {
		t.Errorf("CSV error:\n got %v\nwant %s", err, want)
	}
}

func TestYAMLErrors(t *testing.T) {
	// head is a valid first creator the cases add to.
	const head = "creators:\n  - {id: cr_001, handle: \"@maya\", platform: instagram, promo_codes: [MAYA15], link_keys: [maya-fall], whitelisted_ad_ids: [\"111\"]}\n"
	tests := []struct {
		name string
		in   string
		want []string // fragments of the error, each must appear
	}{
		{"unknown creator key", head + "  - {id: cr_002, handle: h, platform: p, promo_code: [X]}\n",
			[]string{"registry.yaml line 3: creator cr_002: promo_code: unknown key (known: id, handle"}},
		{"unknown root key", "creator:\n  - {id: a}\n", []string{"line 1: ", "creator: unknown key (known: creators)", "creators: is missing"}},
		{"unknown contract key", head + "  - {id: cr_002, handle: h, platform: p, contract: {begin: 2026-01-01}}\n",
			[]string{"creator cr_002: contract.begin: unknown key (known: start, end)"}},
		{"unknown cost key", head + "  - {id: cr_002, handle: h, platform: p, costs: [{date: 2026-01-01, kind: fee, amount: 1, currency: USD, note: x}]}\n",
			[]string{"creator cr_002: costs[0].note: unknown key (known: date, kind, amount, currency)"}},
		{"key twice", head + "  - id: cr_002\n    handle: h\n    platform: p\n    handle: h2\n",
			[]string{"line 6: creator cr_002: handle: appears twice (first at line 4)"}},
		{"missing id", head + "  - {handle: h, platform: p}\n", []string{"line 3: creators[1].id: is missing"}},
		{"missing handle and platform", head + "  - {id: cr_002, handle: \"\"}\n",
			[]string{"creator cr_002: handle: is empty", "creator cr_002: platform: is missing"}},
		{"duplicate id", head + "  - {id: cr_001, handle: h, platform: p}\n",
			[]string{"line 3: creator cr_001: id: already used by the creator at line 2"}},
		{"bad contract date", head + "  - {id: cr_002, handle: h, platform: p, contract: {start: 2026-02-30}}\n",
			[]string{"creator cr_002: contract.start: \"2026-02-30\" is not a date (YYYY-MM-DD)"}},
		{"timestamp is not a date", head + "  - {id: cr_002, handle: h, platform: p, usage_rights_until: \"2026-01-01T00:00:00Z\"}\n",
			[]string{"creator cr_002: usage_rights_until: \"2026-01-01T00:00:00Z\" is not a date"}},
		{"bad cost date", head + "  - {id: cr_002, handle: h, platform: p, costs: [{date: 01/09/2026, kind: fee, amount: 1, currency: USD}]}\n",
			[]string{"creator cr_002: costs[0].date: \"01/09/2026\" is not a date"}},
		{"contract ends before it starts", head + "  - id: cr_002\n    handle: h\n    platform: p\n    contract: {start: 2026-08-15, end: 2026-08-14}\n",
			[]string{"line 6: creator cr_002: contract.end: the contract ends (2026-08-14) before it starts (2026-08-15)"}},
		{"cost kind", head + "  - {id: cr_002, handle: h, platform: p, costs: [{date: 2026-01-01, kind: travel, amount: 1, currency: USD}]}\n",
			[]string{"creator cr_002: costs[0].kind: \"travel\" is not a cost kind (one of fee, product, bonus, whitelisting)"}},
		{"amount not a decimal", head + "  - {id: cr_002, handle: h, platform: p, costs: [{date: 2026-01-01, kind: fee, amount: \"1,500.00\", currency: USD}]}\n",
			[]string{"creator cr_002: costs[0].amount: \"1,500.00\" is not a decimal amount"}},
		{"amount not a number", head + "  - {id: cr_002, handle: h, platform: p, costs: [{date: 2026-01-01, kind: fee, amount: .nan, currency: USD}]}\n",
			[]string{"costs[0].amount: \".nan\" is not a decimal amount"}},
		{"amount finer than cents", head + "  - {id: cr_002, handle: h, platform: p, costs: [{date: 2026-01-01, kind: fee, amount: 10.005, currency: USD}]}\n",
			[]string{"costs[0].amount: \"10.005\": 10.005 has more than 2 decimals"}},
		{"negative amount", head + "  - {id: cr_002, handle: h, platform: p, costs: [{date: 2026-01-01, kind: fee, amount: -5, currency: USD}]}\n",
			[]string{"costs[0].amount: \"-5\" is negative"}},
		{"missing amount and currency", head + "  - {id: cr_002, handle: h, platform: p, costs: [{date: 2026-01-01, kind: fee}]}\n",
			[]string{"costs[0].amount: is missing", "costs[0].currency: is missing"}},
		{"bad currency", head + "  - {id: cr_002, handle: h, platform: p, costs: [{date: 2026-01-01, kind: fee, amount: 1, currency: dollars}]}\n",
			[]string{"costs[0].currency: \"dollars\" is not a three-letter currency code"}},
		{"same cost booked twice", head + "  - id: cr_002\n    handle: h\n    platform: p\n    costs:\n      - {date: 2026-01-01, kind: fee, amount: 1, currency: USD}\n      - {date: 2026-01-01, kind: Fee, amount: 2, currency: USD}\n",
			[]string{"line 8: creator cr_002: costs[1]: a fee on 2026-01-01 is already booked at line 7"}},
		{"promo code claimed twice, case and space aside", head + "  - {id: cr_002, handle: h, platform: p, promo_codes: [\" maya15 \"]}\n",
			[]string{`creator cr_002: promo_codes: code "maya15" is also claimed by creator cr_001 (line 2, as "MAYA15")`}},
		{"promo code claimed twice, same spelling", head + "  - {id: cr_002, handle: h, platform: p, promo_codes: [MAYA15]}\n",
			[]string{`creator cr_002: promo_codes: code "MAYA15" is also claimed by creator cr_001 (line 2):`}},
		{"promo code listed twice by one creator", head + "  - {id: cr_002, handle: h, platform: p, promo_codes: [TOM, tom]}\n",
			[]string{`creator cr_002: promo_codes: code "tom" is listed twice`}},
		{"link key claimed twice", head + "  - {id: cr_002, handle: h, platform: p, link_keys: [Maya-Fall]}\n",
			[]string{`creator cr_002: link_keys: link key "Maya-Fall" is also claimed by creator cr_001`}},
		{"ad whitelisted for two creators", head + "  - {id: cr_002, handle: h, platform: p, whitelisted_ad_ids: [111]}\n",
			[]string{`creator cr_002: whitelisted_ad_ids: ad id "111" is also claimed by creator cr_001`}},
		{"list written as a value", head + "  - {id: cr_002, handle: h, platform: p, promo_codes: TOM10}\n",
			[]string{"creator cr_002: promo_codes: must be a list, e.g. [TOM10]"}},
		{"empty list item", head + "  - {id: cr_002, handle: h, platform: p, link_keys: [a, \"\"]}\n",
			[]string{"creator cr_002: link_keys[1]: is empty"}},
		{"handle as a list", head + "  - {id: cr_002, handle: [h], platform: p}\n",
			[]string{"creator cr_002: handle: must be a single value, not a list"}},
		{"not YAML", "creators:\n  - id: [\n", []string{"registry.yaml line 2: not valid YAML"}},
		{"empty file", "", []string{"registry.yaml: the file is empty"}},
		{"no creators", "creators: []\n", []string{"line 1: creators: the list is empty"}},
		{"two documents", head + "---\ncreators: []\n", []string{"a second YAML document"}},
		{"every problem at once", head + "  - {id: cr_002, handle: h, platform: p, promo_codes: [maya15], contract: {start: 2026-13-01}}\n  - {handle: x}\n",
			[]string{"4 problems", "code \"maya15\" is also claimed", "contract.start", "creators[2].id: is missing"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reg, err := ReadYAML("registry.yaml", strings.NewReader(tt.in))
			if err == nil {
				t.Fatalf("no error, got %+v", reg)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("error does not wrap ErrInvalid: %v", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error:\n%v\nwant it to contain %q", err, w)
				}
			}
		})
	}
}

func TestCSVErrors(t *testing.T) {
	const (
		creatorsHead = "creator_id,handle,platform,promo_codes,link_keys,contract_start,contract_end\n"
		maya         = "cr_001,@maya,instagram,MAYA15,maya-fall,2026-08-15,2026-11-30\n"
		costsHead    = "creator_id,date,kind,amount,currency\n"
	)
	tests := []struct {
		name     string
		creators string
		costs    string
		want     []string
	}{
		{"unknown column", "creator_id,handle,platform,promo_code\n", costsHead,
			[]string{"creators.csv line 1: promo_code: unknown column (known: creator_id, handle, platform, promo_codes"}},
		{"missing required column", "creator_id,platform\ncr_001,x\n", costsHead,
			[]string{"creators.csv line 1: handle: required column is missing"}},
		{"column twice", creatorsHead + maya, "creator_id,date,kind,amount,currency,Amount\n",
			[]string{"costs.csv line 1: amount: column appears twice (columns 4 and 6)"}},
		{"missing id", creatorsHead + maya + ",@tom,tiktok\n", costsHead,
			[]string{"creators.csv line 3: creator_id: is empty"}},
		{"missing handle", creatorsHead + maya + "cr_002,,tiktok\n", costsHead,
			[]string{"creators.csv line 3: creator cr_002: handle: is empty"}},
		{"duplicate id", creatorsHead + maya + "cr_001,@maya2,tiktok\n", costsHead,
			[]string{"creators.csv line 3: creator cr_001: creator_id: already used by the creator at line 2"}},
		{"bad date", creatorsHead + "cr_001,@maya,instagram,,,15/08/2026\n", costsHead,
			[]string{"creators.csv line 2: creator cr_001: contract_start: \"15/08/2026\" is not a date (YYYY-MM-DD)"}},
		{"contract ends before it starts", creatorsHead + "cr_001,@maya,instagram,,,2026-08-15,2026-08-01\n", costsHead,
			[]string{"creators.csv line 2: creator cr_001: contract_end: the contract ends (2026-08-01) before it starts (2026-08-15)"}},
		{"promo code claimed twice", creatorsHead + maya + "cr_002,@tom,tiktok,TOM10| maya15 \n", costsHead,
			[]string{`creators.csv line 3: creator cr_002: promo_codes: code "maya15" is also claimed by creator cr_001 (line 2, as "MAYA15")`}},
		{"bad cost date", creatorsHead + maya, costsHead + "cr_001,2026-9-1,fee,1,USD\n",
			[]string{"costs.csv line 2: creator cr_001: date: \"2026-9-1\" is not a date"}},
		{"bad kind", creatorsHead + maya, costsHead + "cr_001,2026-09-01,,1,USD\n",
			[]string{"costs.csv line 2: creator cr_001: kind: is required (one of fee, product, bonus, whitelisting)"}},
		{"amount not a decimal", creatorsHead + maya, costsHead + "cr_001,2026-09-01,fee,$1500,USD\n",
			[]string{"costs.csv line 2: creator cr_001: amount: \"$1500\" is not a decimal amount"}},
		{"unknown creator", creatorsHead + maya, costsHead + "cr_001,2026-09-01,fee,1,USD\ncr_099,2026-09-01,fee,1,USD\n",
			[]string{"costs.csv line 3: creator cr_099: creator_id: \"cr_099\" is not a creator in creators.csv"}},
		{"same cost booked twice", creatorsHead + maya, costsHead + "cr_001,2026-09-01,fee,1,USD\ncr_001,2026-09-01,fee,2,EUR\n",
			[]string{"costs.csv line 3: creator cr_001: a fee on 2026-09-01 is already booked at line 2"}},
		{"not CSV", creatorsHead + maya + "cr_002,\"@tom,tiktok\n", costsHead,
			[]string{"creators.csv line 3: not valid CSV"}},
		{"row longer than the header", creatorsHead + maya + "cr_002,@tom,tiktok,,,,,extra\n", costsHead,
			[]string{"creators.csv line 3: the row has 8 cells but the header names 7 columns"}},
		{"empty files", "", "", []string{"creators.csv: the file is empty", "costs.csv: the file is empty"}},
		{"no creators", creatorsHead, costsHead, []string{"creators.csv: lists no creators"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reg, err := ReadCSV("creators.csv", strings.NewReader(tt.creators), "costs.csv", strings.NewReader(tt.costs))
			if err == nil {
				t.Fatalf("no error, got %+v", reg)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("error does not wrap ErrInvalid: %v", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error:\n%v\nwant it to contain %q", err, w)
				}
			}
		})
	}
}

func TestProblemsAreCapped(t *testing.T) {
	var b strings.Builder
	b.WriteString("creators:\n")
	for range maxProblems + 5 {
		b.WriteString("  - {handle: h, platform: p}\n")
	}
	_, err := ReadYAML("r.yaml", strings.NewReader(b.String()))
	var ve *ValidationError
	if !errors.As(err, &ve) || len(ve.Problems) != maxProblems || ve.More != 5 {
		t.Fatalf("err = %v", err)
	}
	if !strings.Contains(err.Error(), "25 problems") || !strings.Contains(err.Error(), "… and 5 more") {
		t.Errorf("message: %v", err)
	}
}

func TestYAMLRoundTrip(t *testing.T) {
	reg := &Registry{
		Creators: []transform.InfluencerRow{
			maya,
			{CreatorID: "cr_002", Handle: "tom: tries", Platform: "tiktok", PromoCodes: []string{"TOM10", "yes", "007"}, LinkKeys: []string{"#tag"},
				ContractEnd: day(2026, 12, 31), WhitelistedAdIDs: []string{}},
			{CreatorID: "123", Handle: "@n", Platform: "youtube", PromoCodes: []string{}, LinkKeys: []string{}, WhitelistedAdIDs: []string{"1e3", "null"}},
		},
		Costs: []transform.InfluencerCostRow{
			{CreatorID: "cr_002", Date: transform.Date(2026, 9, 2), Kind: "product", Amount: money("0.5"), Currency: "EUR"},
			{CreatorID: "cr_001", Date: transform.Date(2026, 9, 1), Kind: "fee", Amount: money("1500"), Currency: "USD"},
			{CreatorID: "cr_001", Date: transform.Date(2026, 10, 1), Kind: "fee", Amount: money("1500"), Currency: "USD"},
		},
	}
	out, err := reg.YAML()
	if err != nil {
		t.Fatal(err)
	}
	back, err := ReadYAML("out.yaml", strings.NewReader(string(out)))
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	// Costs come back grouped by creator, in creator order.
	want := *reg
	want.Costs = []transform.InfluencerCostRow{reg.Costs[1], reg.Costs[2], reg.Costs[0]}
	if diff := cmp.Diff(want, *back, extracttest.DecimalEqual); diff != "" {
		t.Errorf("round trip (-want +got):\n%s\n%s", diff, out)
	}
	if !strings.HasPrefix(string(out), "creators:\n  - id: cr_001\n    handle: \"@maya.makes\"\n") ||
		!strings.Contains(string(out), `      - {date: 2026-09-01, kind: fee, amount: "1500.00", currency: USD}`) {
		t.Errorf("not in the documented shape:\n%s", out)
	}

	orphan := &Registry{Costs: []transform.InfluencerCostRow{{CreatorID: "x"}}}
	if _, err := orphan.YAML(); err == nil {
		t.Error("a cost of an unknown creator was written")
	}
}

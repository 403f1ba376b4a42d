package files

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
	"gopkg.in/yaml.v3"

	"github.com/socialroi/socialroi/extract"
	"github.com/socialroi/socialroi/transform"
)

// Regenerate the UTF-16 Google Ads sample with
//
//	go test ./extract/files -run TestGoogleUTF16Sample -update
const exportsDir = "../../testdata/exports"

// googleUTF16Text is the Google Ads "Ad group report" download as UTF-8: a
// report name and date-range preamble, tab-separated columns, thousands
// separators and a currency symbol in values, and two Total rows.
const googleUTF16Text = "Ad group report\r\n" +
	"November 16, 2026 - November 17, 2026\r\n" +
	"Day\tCustomer ID\tCampaign\tCampaign ID\tAd group\tAd group ID\tAd ID\tFinal URL\tCurrency code\tImpr.\tClicks\tCost\tConversions\tConv. value\r\n" +
	"2026-11-16\t456-789-0123\tsearch_pr_us_brand\t21000000101\tbrand_exact\t131000000101\t650000000101\thttps://shop.example.com/?utm_source=google&utm_medium=cpc\tUSD\t1,310\t122\t208.50\t9.00\t1,180.00\r\n" +
	"2026-11-16\t456-789-0123\tsearch_pr_us_generic\t21000000102\tgeneric_hoodies\t131000000102\t650000000102\thttps://shop.example.com/products/hoodie?utm_source=google\tUSD\t2,045\t101\t$1,204.50\t4.50\t540.25\r\n" +
	"2026-11-17\t456-789-0123\tsearch_pr_us_brand\t21000000101\tbrand_exact\t131000000101\t650000000101\thttps://shop.example.com/?utm_source=google&utm_medium=cpc\tUSD\t1,290\t117\t199.99\t8.00\t1,020.00\r\n" +
	"Total: Account\t--\t--\t--\t--\t--\t--\t--\tUSD\t4,645\t340\t1,612.99\t21.50\t2,740.25\r\n" +
	"Total: Search\t--\t--\t--\t--\t--\t--\t--\tUSD\t4,645\t340\t1,612.99\t21.50\t2,740.25\r\n"

// utf16Bytes encodes s as UTF-16 with a byte-order mark.
func utf16Bytes(s string, order binary.ByteOrder) []byte {
	var buf bytes.Buffer
	if order == binary.LittleEndian {
		buf.Write([]byte{0xFF, 0xFE})
	} else {
		buf.Write([]byte{0xFE, 0xFF})
	}
	for _, u := range utf16.Encode([]rune(s)) {
		_ = binary.Write(&buf, order, u) // a bytes.Buffer does not fail
	}
	return buf.Bytes()
}

// TestGoogleUTF16Sample keeps the committed UTF-16 sample in step with its
// text above.
func TestGoogleUTF16Sample(t *testing.T) {
	path := filepath.Join(exportsDir, "google_ads_utf16_tab.csv")
	want := utf16Bytes(googleUTF16Text, binary.LittleEndian)
	if *update {
		if err := os.WriteFile(path, want, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s is not the UTF-16 encoding of googleUTF16Text (run with -update)", path)
	}
}

// exportRow is what the tests compare: the fields an export fills.
type wantRow struct {
	Date                                                  string
	Platform, Account, Campaign, Adset, AdID, AdName, Cur string
	Spend                                                 string
	Impressions, Clicks, LinkClicks                       int64
	Reach, Video3s, Completions                           *int64
	Conversions                                           float64
	Value                                                 string
	URL                                                   string
}

func rowsOf(t *testing.T, recs []arrow.RecordBatch) []wantRow {
	t.Helper()
	var out []wantRow
	for _, rec := range recs {
		col := func(name string) arrow.Array {
			idx := rec.Schema().FieldIndices(name)
			if len(idx) != 1 {
				t.Fatalf("no column %s", name)
			}
			return rec.Column(idx[0])
		}
		str := func(name string, i int) string { return col(name).(*array.String).Value(i) }
		i64 := func(name string, i int) int64 { return col(name).(*array.Int64).Value(i) }
		opt := func(name string, i int) *int64 {
			if col(name).IsNull(i) {
				return nil
			}
			return transform.Ptr(i64(name, i))
		}
		dec := func(name string, i int) string {
			return decimal.NewFromBigInt(col(name).(*array.Decimal128).Value(i).BigInt(), -4).String()
		}
		for i := range int(rec.NumRows()) {
			if s := str("source", i); s != "ads_exports" {
				t.Errorf("source = %q", s)
			}
			out = append(out, wantRow{
				Date: col("date").(*array.Date32).Value(i).ToTime().Format(time.DateOnly), Platform: str("platform", i),
				Account: str("account_id", i), Campaign: str("campaign_name", i), Adset: str("adset_name", i),
				AdID: str("ad_id", i), AdName: str("ad_name", i), Cur: str("currency", i), Spend: dec("spend", i),
				Impressions: i64("impressions", i), Clicks: i64("clicks", i), LinkClicks: i64("link_clicks", i),
				Reach: opt("reach", i), Video3s: opt("video_views_3s", i), Completions: opt("video_completions", i),
				Conversions: col("platform_conversions").(*array.Float64).Value(i), Value: dec("platform_conversion_value", i),
				URL: str("destination_url", i),
			})
		}
	}
	return out
}

func p(n int64) *int64 { return &n }

func TestReadExportSamples(t *testing.T) {
	at := time.Date(2026, 11, 23, 6, 0, 0, 0, time.UTC)
	tests := []struct {
		file   string
		opts   ExportOptions
		format ExportFormat
		want   []wantRow
	}{
		{
			file: "meta_ads_daily.csv", format: MetaAdsExport,
			want: []wantRow{
				{"2026-11-16", "facebook", "1000001", "conv_pr_us_free-shipping", "pr_us_broad_25-44", "120210000002101", "video_ugc-unboxing_shop-now_cr012", "USD",
					"1204.5", 12150, 241, 123, p(9720), p(3612), nil, 12, "1450", "https://shop.example.com/products/hoodie?utm_source=facebook&utm_medium=paid_social"},
				{"2026-11-16", "instagram", "1000001", "conv_pr_us_free-shipping", "pr_us_broad_25-44", "120210000002101", "video_ugc-unboxing_shop-now_cr012", "USD",
					"612.37", 8004, 97, 51, p(6101), p(2001), nil, 4, "380.1", "https://shop.example.com/products/hoodie?utm_source=instagram&utm_medium=paid_social"},
				{"2026-11-17", "facebook", "1000001", "conv_pr_us_free-shipping", "pr_us_broad_25-44", "120210000002102", "image_before-after_learn-more_cr014", "USD",
					"15.05", 950, 12, 9, p(800), nil, nil, 0, "0", "https://shop.example.com/pages/sale?utm_source=facebook&utm_medium=paid_social"},
				{"2026-11-17", "audience_network", "1000001", "conv_pr_us_free-shipping", "pr_us_broad_25-44", "120210000002102", "image_before-after_learn-more_cr014", "USD",
					"0", 0, 0, 0, p(0), nil, nil, 0, "0", "https://shop.example.com/pages/sale"},
			},
		},
		{
			// No ids and no account column: ids derived from the names,
			// the account from the settings, EUR from the header.
			file: "meta_ads_no_ids.csv", format: MetaAdsExport, opts: ExportOptions{AccountID: "2000002"},
			want: []wantRow{
				{"2026-11-16", "facebook", "2000002", "conv_pr_fr_free-shipping", "pr_fr_broad", DerivedAdID("conv_pr_fr_free-shipping", "pr_fr_broad", "video_before-after_shop-now_cr017"),
					"video_before-after_shop-now_cr017", "EUR", "1017.25", 21034, 0, 310, p(15200), nil, nil, 0, "0", ""},
				{"2026-11-16", "facebook", "2000002", "conv_pr_fr_free-shipping", "pr_fr_broad", DerivedAdID("conv_pr_fr_free-shipping", "pr_fr_broad", "video_ugc-unboxing_shop-now_cr012"),
					"video_ugc-unboxing_shop-now_cr012", "EUR", "88.1", 3400, 0, 42, p(3001), nil, nil, 0, "0", ""},
				{"2026-11-17", "facebook", "2000002", "conv_pr_fr_free-shipping", "pr_fr_broad", DerivedAdID("conv_pr_fr_free-shipping", "pr_fr_broad", "video_before-after_shop-now_cr017"),
					"video_before-after_shop-now_cr017", "EUR", "998", 19999, 0, 288, p(14870), nil, nil, 0, "0", ""},
			},
		},
		{
			file: "google_ads_utf16_tab.csv", format: GoogleAdsExport,
			want: []wantRow{
				{"2026-11-16", "google", "4567890123", "search_pr_us_brand", "brand_exact", "650000000101", "", "USD",
					"208.5", 1310, 122, 122, nil, nil, nil, 9, "1180", "https://shop.example.com/?utm_source=google&utm_medium=cpc"},
				{"2026-11-16", "google", "4567890123", "search_pr_us_generic", "generic_hoodies", "650000000102", "", "USD",
					"1204.5", 2045, 101, 101, nil, nil, nil, 4.5, "540.25", "https://shop.example.com/products/hoodie?utm_source=google"},
				{"2026-11-17", "google", "4567890123", "search_pr_us_brand", "brand_exact", "650000000101", "", "USD",
					"199.99", 1290, 117, 117, nil, nil, nil, 8, "1020", "https://shop.example.com/?utm_source=google&utm_medium=cpc"},
			},
		},
		{
			// Campaign-level download: no ad or ad group, ids derived from
			// the campaign name; "--" is zero.
			file: "google_ads_campaigns.csv", format: GoogleAdsExport, opts: ExportOptions{AccountID: "4567890123"},
			want: []wantRow{
				{"2026-11-16", "google", "4567890123", "search_pr_us_brand", "", DerivedAdID("search_pr_us_brand", "", ""), "", "USD",
					"208.5", 1310, 122, 122, nil, nil, nil, 9, "1180", ""},
				{"2026-11-16", "google", "4567890123", "search_pr_us_generic", "", DerivedAdID("search_pr_us_generic", "", ""), "", "USD",
					"1204.5", 2045, 101, 101, nil, nil, nil, 4.5, "540.25", ""},
				{"2026-11-17", "google", "4567890123", "search_pr_us_brand", "", DerivedAdID("search_pr_us_brand", "", ""), "", "USD",
					"199.99", 1290, 117, 117, nil, nil, nil, 8, "1020", ""},
				{"2026-11-17", "google", "4567890123", "search_pr_us_generic", "", DerivedAdID("search_pr_us_generic", "", ""), "", "USD",
					"0", 0, 0, 0, nil, nil, nil, 0, "0", ""},
			},
		},
		{
			file: "linkedin_campaign_manager.csv", format: LinkedInExport, opts: ExportOptions{AccountID: "508123456", Format: LinkedInExport},
			want: []wantRow{
				{"2026-11-16", "linkedin", "508123456", "lead_pr_us_wholesale", "", "614000101", "image_wholesale_learn-more_cr025", "USD",
					"70.12", 1842, 14, 11, nil, nil, nil, 2, "240", ""},
				{"2026-11-16", "linkedin", "508123456", "lead_pr_us_wholesale", "", "614000102", "text_wholesale-guide_sign-up_cr026", "USD",
					"1039.88", 1050, 9, 6, nil, nil, nil, 0, "0", ""},
				{"2026-11-17", "linkedin", "508123456", "lead_pr_us_wholesale", "", "614000101", "image_wholesale_learn-more_cr025", "USD",
					"72.4", 1911, 17, 13, nil, nil, nil, 1, "120", ""},
				{"2026-11-17", "linkedin", "508123456", "lead_eng_us_wholesale", "", "614000103", "video_case-study_learn-more_cr027", "USD",
					"27.9", 620, 8, 5, nil, p(188), nil, 0, "0", ""},
			},
		},
		{
			file: "tiktok_ads_manager.csv", format: TikTokExport,
			want: []wantRow{
				{"2026-11-16", "tiktok", "7123456789012345", "conv_pr_fr_free-shipping", "pr_fr_broad", "1780000000002101", "video_before-after_shop-now_cr017", "EUR",
					"1093.17", 198402, 1590, 1590, p(152611), nil, p(4120), 31, "2790", ""},
				{"2026-11-16", "tiktok", "7123456789012345", "conv_pr_fr_free-shipping", "pr_fr_broad", "1780000000002102", "video_ugc-unboxing_shop-now_cr012", "EUR",
					"56.2", 10215, 84, 84, p(0), nil, p(0), 0, "0", ""},
				{"2026-11-17", "tiktok", "7123456789012345", "conv_pr_fr_free-shipping", "pr_fr_broad", "1780000000002101", "video_before-after_shop-now_cr017", "EUR",
					"1101.03", 201993, 1602, 1602, p(149002), nil, p(4305), 29, "2610.5", ""},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			mem := checkedMem(t)
			tt.opts.Source, tt.opts.ExtractedAt = "ads_exports", at
			recs, format, err := ReadExportFile(t.Context(), filepath.Join(exportsDir, tt.file), mem, tt.opts)
			defer release(recs)
			if err != nil {
				t.Fatal(err)
			}
			if format != tt.format {
				t.Errorf("format = %s, want %s", format, tt.format)
			}
			if diff := cmp.Diff(tt.want, rowsOf(t, recs)); diff != "" {
				t.Errorf("rows (-want +got):\n%s", diff)
			}
		})
	}
}

func TestReadExportErrors(t *testing.T) {
	tests := []struct {
		name   string
		file   string // a sample, or
		data   string // inline text
		opts   ExportOptions
		wantIs error
		want   []string
	}{
		{name: "range rows are refused", file: "bad_meta_ads_range.csv", opts: ExportOptions{AccountID: "1"},
			wantIs: ErrBadValue, want: []string{"bad_meta_ads_range.csv line 2: column Reporting ends: the row covers 2026-11-16 to 2026-11-22, not one day: export with a daily breakdown"}},
		{name: "unknown file lists the formats", file: "bad_unknown.csv", wantIs: ErrUnknownExport,
			want: []string{`bad_unknown.csv: not a known ad-manager export: no header row of any known ad-manager export format in its first 30 lines (first line: "order_id,customer,total")`,
				`meta_ads_export: a header row with "reporting starts", "reporting ends", "amount spent"`,
				`google_ads_export: a header row with "campaign", "impr.", "cost", and a day column ("day", "date")`,
				`linkedin_export: a header row with "campaign name", "impressions", "total spent"`,
				`tiktok_export: a header row with "ad group name", "impressions", "cost"`}},
		{name: "forced format that does not match", file: "tiktok_ads_manager.csv", opts: ExportOptions{Format: GoogleAdsExport},
			wantIs: ErrUnknownExport, want: []string{"no header row of google_ads_export"}},
		{name: "no account", file: "linkedin_campaign_manager.csv", want: []string{"line 7: no account id: the file has no account id column", "set account_id"}},
		{name: "no currency", data: "Day,Campaign,Impr.,Clicks,Cost\n2026-11-16,c,1,1,1.00\n", opts: ExportOptions{AccountID: "1"},
			want: []string{"x.csv line 2: no currency"}},
		{name: "currency disagrees with settings", file: "meta_ads_no_ids.csv", opts: ExportOptions{AccountID: "1", Currency: "USD"},
			want: []string{"line 1: the header says EUR but the settings say currency USD"}},
		{name: "currency column disagrees with header", data: "Reporting starts,Reporting ends,Ad name,Impressions,Amount spent (USD),Currency\n2026-11-16,2026-11-16,a,1,1,EUR\n",
			opts: ExportOptions{AccountID: "1"}, wantIs: ErrBadValue, want: []string{"line 2: column Currency: EUR, but the header says USD"}},
		{name: "no day column", data: "Campaign,Impr.,Cost,Currency code\nc,1,1,USD\n", opts: ExportOptions{AccountID: "1"},
			want: []string{"google_ads_export has no day column: export it with a daily breakdown"}},
		{name: "bad number names line and column", data: "By Day,Ad group name,Ad name,Impressions,Cost,Currency\n2026-11-16,g,a,12x,1,EUR\n",
			opts: ExportOptions{AccountID: "1"}, wantIs: ErrBadValue, want: []string{"x.csv line 2: column Impressions: \"12x\" is not a number"}},
		{name: "fractional impressions", data: "By Day,Ad group name,Ad name,Impressions,Cost,Currency\n2026-11-16,g,a,1.5,1,EUR\n",
			opts: ExportOptions{AccountID: "1"}, wantIs: ErrBadValue, want: []string{"not a whole, non-negative count"}},
		{name: "bad date", data: "By Day,Ad group name,Ad name,Impressions,Cost,Currency\n16.11.2026,g,a,1,1,EUR\n",
			opts: ExportOptions{AccountID: "1"}, wantIs: ErrBadValue, want: []string{"column By Day: \"16.11.2026\" is not a date"}},
		{name: "breakdown duplicates an ad-day", data: "By Day,Ad group name,Ad name,Age,Impressions,Cost,Currency\n2026-11-16,g,a,18-24,1,1,EUR\n2026-11-16,g,a,25-34,1,1,EUR\n",
			opts: ExportOptions{AccountID: "1"}, wantIs: ErrFormat, want: []string{"line 3: unreadable file: the same ad and day as line 2"}},
		{name: "no names to derive an id", data: "By Day,Ad group name,Impressions,Cost,Currency\n2026-11-16,,1,1,EUR\n",
			opts: ExportOptions{AccountID: "1"}, want: []string{"line 2: neither an ad id"}},
		{name: "latin-1 bytes", data: "Day,Campaign,Impr.,Cost\n2026-11-16,caf\xe9,1,1\n", wantIs: ErrFormat, want: []string{"not UTF-8"}},
		{name: "negative spend", data: "By Day,Ad group name,Ad name,Impressions,Cost,Currency\n2026-11-16,g,a,1,-5,EUR\n",
			opts: ExportOptions{AccountID: "1"}, wantIs: ErrBadValue, want: []string{"column Cost: -5 is negative"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mem := checkedMem(t)
			var recs []arrow.RecordBatch
			var err error
			if tt.file != "" {
				recs, _, err = ReadExportFile(t.Context(), filepath.Join(exportsDir, tt.file), mem, tt.opts)
			} else {
				recs, _, err = ReadExport(t.Context(), strings.NewReader(tt.data), "x.csv", mem, tt.opts)
			}
			release(recs)
			if err == nil {
				t.Fatal("no error")
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("err = %v, want errors.Is %v", err, tt.wantIs)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\ndoes not contain %q", err, w)
				}
			}
		})
	}
}

func TestExportEncodings(t *testing.T) {
	const text = "Reporting starts\tReporting ends\tAd name\tImpressions\tAmount spent (USD)\n2026-11-16\t2026-11-16\tünï\t1,000\t$1,204.50\n"
	for name, data := range map[string][]byte{
		"utf-8":           []byte(text),
		"utf-8 bom":       append([]byte{0xEF, 0xBB, 0xBF}, text...),
		"utf-16le bom":    utf16Bytes(text, binary.LittleEndian),
		"utf-16be bom":    utf16Bytes(text, binary.BigEndian),
		"semicolon comma": []byte(strings.NewReplacer("\t", ";", "$1,204.50", "1.204,50 €", "1,000", "1.000").Replace(text)),
	} {
		t.Run(name, func(t *testing.T) {
			rows, format, err := parseExport(data, "x", ExportOptions{AccountID: "1"})
			if err != nil {
				t.Fatal(err)
			}
			if format != MetaAdsExport || len(rows) != 1 || rows[0].AdName != "ünï" || rows[0].Spend.String() != "1204.5" ||
				rows[0].Impressions != 1000 || rows[0].Currency != "USD" {
				t.Errorf("got %s %+v", format, rows)
			}
		})
	}
}

func TestExportNumber(t *testing.T) {
	tests := []struct {
		in, want string
		bad      bool
	}{
		{"1,204.50", "1204.5", false},
		{"$1,204.50", "1204.5", false},
		{"US$ 1,204.50", "1204.5", false},
		{"1.204,50 €", "1204.5", false},
		{"USD 12.00", "12", false},
		{"12.00 EUR", "12", false},
		{"1,204", "1204", false},
		{"1,204,500", "1204500", false},
		{"12,5", "12.5", false},
		{"1 204,50", "1204.5", false},
		{"1\u00a0204,50", "1204.5", false},
		{"(5.00)", "-5", false},
		{"--", "0", false},
		{"-", "0", false},
		{"", "0", false},
		{".5", "0.5", false},
		{"1,2,3", "", true},
		{"12x", "", true},
		{"1e5", "", true},
		{"0.76%", "", true},
		{strings.Repeat("9", 41), "", true},
	}
	for _, tt := range tests {
		got, err := exportNumber(tt.in)
		if tt.bad {
			if err == nil {
				t.Errorf("exportNumber(%q) = %s, want an error", tt.in, got)
			}
			continue
		}
		if err != nil || got.String() != tt.want {
			t.Errorf("exportNumber(%q) = %s, %v; want %s", tt.in, got, err, tt.want)
		}
	}
}

func TestExportDate(t *testing.T) {
	for in, want := range map[string]string{
		"2026-11-16": "2026-11-16", "11/16/2026": "2026-11-16", "1/2/2026": "2026-01-02", "Nov 16, 2026": "2026-11-16",
		"November 16, 2026": "2026-11-16", "2026/11/16": "2026-11-16", "2026-11-16 00:00:00": "2026-11-16",
	} {
		got, err := exportDate(in)
		if err != nil || got.Format(time.DateOnly) != want {
			t.Errorf("exportDate(%q) = %s, %v; want %s", in, got, err, want)
		}
	}
	for _, in := range []string{"16/11/2026", "2026-02-30", "yesterday", ""} {
		if _, err := exportDate(in); err == nil {
			t.Errorf("exportDate(%q): want an error", in)
		}
	}
}

func TestDerivedAdIDStable(t *testing.T) {
	a := DerivedAdID("c", "s", "ad")
	if a != DerivedAdID("c", "s", "ad") || a == DerivedAdID("c", "sad", "") || len(a) != 17 || !strings.HasPrefix(a, "x") {
		t.Errorf("DerivedAdID = %s", a)
	}
}

func TestParseExportFormat(t *testing.T) {
	for in, want := range map[string]ExportFormat{"": ExportAuto, "AUTO": ExportAuto, "meta_ads_export": MetaAdsExport, " tiktok_export ": TikTokExport} {
		if got, err := ParseExportFormat(in); err != nil || got != want {
			t.Errorf("ParseExportFormat(%q) = %s, %v", in, got, err)
		}
	}
	if _, err := ParseExportFormat("meta"); err == nil || !strings.Contains(err.Error(), "known: auto, meta_ads_export, google_ads_export, linkedin_export, tiktok_export") {
		t.Errorf("err = %v", err)
	}
}

// yamlDir decodes YAML strictly, as the config package does, from a config
// file in dir.
type yamlDir struct{ text, dir string }

func (y yamlDir) Dir() string { return y.dir }

func (y yamlDir) Decode(v any) error {
	dec := yaml.NewDecoder(strings.NewReader(y.text))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	return nil
}

func TestExportsSource(t *testing.T) {
	mem := checkedMem(t)
	kind, err := extract.Lookup(Kind)
	if err != nil {
		t.Fatal(err)
	}
	// The documented example decodes strictly and validates.
	example := strings.SplitN(kind.Settings, "\n", 2)[1]
	example = strings.ReplaceAll(strings.ReplaceAll(example, "\n  ", "\n"), "type: files\n", "")
	if _, err := kind.New("crm_export", yamlDir{text: strings.TrimPrefix(example, "  ")}); err != nil {
		t.Fatalf("settings example: %v", err)
	}

	// Paths relative to the config file's folder; one entry per platform.
	cfg := `exports:
  - files: meta_ads_*.csv
    account_id: "1000001"
  - files: google_ads_*.csv
    format: google_ads_export
    account_id: "4567890123"
  - files: linkedin_*.csv
    account_id: "508123456"
  - files: tiktok_*.csv
`
	src, err := kind.New("ads_exports", yamlDir{text: cfg, dir: exportsDir})
	if err != nil {
		t.Fatal(err)
	}
	c := &collector{recs: map[string][]arrow.RecordBatch{}}
	defer c.release()
	if err := src.Extract(t.Context(), extract.Request{Mem: mem}, c); err != nil {
		t.Fatal(err)
	}
	type tot struct {
		Rows               int
		Spend              string
		Impressions, Click int64
	}
	got := map[string]tot{}
	sums := map[string]decimal.Decimal{}
	for _, r := range rowsOf(t, c.recs[transform.AdPerformance]) {
		g := got[r.Platform+"/"+r.Cur]
		g.Rows++
		g.Impressions += r.Impressions
		g.Click += r.Clicks
		sums[r.Platform+"/"+r.Cur] = sums[r.Platform+"/"+r.Cur].Add(decimal.RequireFromString(r.Spend))
		got[r.Platform+"/"+r.Cur] = g
	}
	for k, g := range got {
		g.Spend = sums[k].String()
		got[k] = g
	}
	want := map[string]tot{
		// meta_ads_daily (facebook 2, instagram 1, audience_network 1) + meta_ads_no_ids (facebook, EUR, 3)
		"facebook/USD":         {2, "1219.55", 13100, 253},
		"instagram/USD":        {1, "612.37", 8004, 97},
		"audience_network/USD": {1, "0", 0, 0},
		"facebook/EUR":         {3, "2103.35", 44433, 0},
		// google_ads_campaigns (4) + google_ads_utf16_tab (3)
		"google/USD":   {7, "3225.98", 9290, 680},
		"linkedin/USD": {4, "1210.3", 5423, 48},
		"tiktok/EUR":   {3, "2250.4", 410610, 3276},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("totals by platform/currency (-want +got):\n%s", diff)
	}

	for _, tc := range []struct {
		name, cfg, want string
	}{
		{"empty files", "exports:\n  - format: auto\n", "exports[0].files: path or glob is empty"},
		{"bad format", "exports:\n  - files: x.csv\n    format: facebook\n", `exports[0].format: "facebook" is not an export format (known: auto, meta_ads_export`},
		{"bad currency", "exports:\n  - files: x.csv\n    currency: dollars\n", "exports[0].currency:"},
		{"unknown key", "exports:\n  - files: x.csv\n    acount_id: 1\n", "acount_id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := kind.New("x", yamlDir{text: tc.cfg})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want %q", err, tc.want)
			}
		})
	}
	// A file that fails names the entry and the file; nothing is kept.
	src, err = kind.New("ads_exports", yamlDir{text: "exports:\n  - files: bad_*.csv\n    account_id: '1'\n", dir: exportsDir})
	if err != nil {
		t.Fatal(err)
	}
	bad := &collector{recs: map[string][]arrow.RecordBatch{}}
	defer bad.release()
	err = src.Extract(t.Context(), extract.Request{Mem: mem}, bad)
	if !errors.Is(err, ErrBadValue) || !strings.Contains(err.Error(), "ads_exports: exports[0]: bad_meta_ads_range.csv line 2") {
		t.Errorf("err = %v", err)
	}
	src, _ = kind.New("ads_exports", yamlDir{text: "exports:\n  - files: none_*.csv\n", dir: exportsDir})
	if err := src.Extract(t.Context(), extract.Request{Mem: mem}, bad); !errors.Is(err, ErrNoFiles) {
		t.Errorf("no files: err = %v", err)
	}
}

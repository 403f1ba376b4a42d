// Package extracttest holds what connector tests share: a Sink that keeps
// emitted records and reads them back as canonical rows, a Sleeps that
// records the waits httpx asked for, AssertNoSecret that checks errors, logs
// and raw landing files for a token, and strict YAML settings.
package extracttest

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
	"gopkg.in/yaml.v3"

	"github.com/socialroi/socialroi/transform"
)

// Sink collects emitted records by table; it retains them as the Emitter
// contract says. Tables, when set, lists the tables a source may emit.
type Sink struct {
	Tables []string
	recs   map[string][]arrow.RecordBatch
}

// Emit keeps rec under table.
func (s *Sink) Emit(table string, rec arrow.RecordBatch) error {
	if len(s.Tables) > 0 && !slices.Contains(s.Tables, table) {
		return fmt.Errorf("unexpected table %s", table)
	}
	if s.recs == nil {
		s.recs = map[string][]arrow.RecordBatch{}
	}
	rec.Retain()
	s.recs[table] = append(s.recs[table], rec)
	return nil
}

// Release releases every record kept.
func (s *Sink) Release() {
	for _, rs := range s.recs {
		for _, r := range rs {
			r.Release()
		}
	}
}

// Out is everything one extraction produced, read back from Arrow.
type Out struct {
	Conversions []transform.ConversionRow
	Touchpoints []transform.TouchpointRow
	Identities  []transform.IdentityRow
}

type colReader struct {
	t   *testing.T
	rec arrow.RecordBatch
}

func (c colReader) col(name string) arrow.Array {
	idx := c.rec.Schema().FieldIndices(name)
	if len(idx) != 1 {
		c.t.Fatalf("no column %s", name)
	}
	return c.rec.Column(idx[0])
}

func (c colReader) str(name string, i int) string {
	a := c.col(name).(*array.String)
	if a.IsNull(i) {
		return ""
	}
	return a.Value(i)
}

func (c colReader) ts(name string, i int) time.Time {
	return c.col(name).(*array.Timestamp).Value(i).ToTime(arrow.Microsecond).UTC()
}

// Out reads the conversions, touchpoints and identities kept.
func (s *Sink) Out(t *testing.T) Out {
	t.Helper()
	var o Out
	for _, rec := range s.recs[transform.Conversions] {
		c := colReader{t, rec}
		for i := range int(rec.NumRows()) {
			n := c.col("revenue").(*array.Decimal128).Value(i)
			var promos []string
			if pl := c.col("promo_codes").(*array.List); !pl.IsNull(i) {
				promos = []string{}
			}
			o.Conversions = append(o.Conversions, transform.ConversionRow{
				ConversionID:  c.str("conversion_id", i),
				PersonID:      c.str("person_id", i),
				TS:            c.ts("ts", i),
				Type:          c.str("type", i),
				Revenue:       decimal.NewFromBigInt(n.BigInt(), -2),
				Currency:      c.str("currency", i),
				IsNewCustomer: c.col("is_new_customer").(*array.Boolean).Value(i),
				OrderID:       c.str("order_id", i),
				DealID:        c.str("deal_id", i),
				PromoCodes:    promos,
				CRMSource:     c.str("crm_source", i),
			})
		}
	}
	for _, rec := range s.recs[transform.Touchpoints] {
		c := colReader{t, rec}
		for i := range int(rec.NumRows()) {
			o.Touchpoints = append(o.Touchpoints, transform.TouchpointRow{
				TouchpointID: c.str("touchpoint_id", i), PersonID: c.str("person_id", i),
				AnonymousID: c.str("anonymous_id", i), TS: c.ts("ts", i), Interaction: c.str("interaction", i),
				UTMSource: c.str("utm_source", i), UTMMedium: c.str("utm_medium", i),
				UTMCampaign: c.str("utm_campaign", i), UTMContent: c.str("utm_content", i),
				UTMTerm: c.str("utm_term", i), ClickID: c.str("click_id", i), ClickIDType: c.str("click_id_type", i),
				LandingPage: c.str("landing_page", i), Referrer: c.str("referrer", i), Source: c.str("source", i),
			})
		}
	}
	for _, rec := range s.recs[transform.Identities] {
		c := colReader{t, rec}
		for i := range int(rec.NumRows()) {
			o.Identities = append(o.Identities, transform.IdentityRow{
				AnonymousID: c.str("anonymous_id", i), PersonID: c.str("person_id", i)})
		}
	}
	return o
}

// DecimalEqual compares decimals by value, for cmp.Diff.
var DecimalEqual = cmp.Comparer(func(a, b decimal.Decimal) bool { return a.Equal(b) })

// Sleeps records injected sleeps (httpx.Options.Sleep) without waiting.
type Sleeps struct {
	mu sync.Mutex
	D  []time.Duration
}

// Sleep records d and returns at once (or the context's error).
func (s *Sleeps) Sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.D = append(s.D, d)
	s.mu.Unlock()
	return ctx.Err()
}

// AssertNoSecret checks the error, the logs and every landed file (gunzipped).
func AssertNoSecret(t *testing.T, secret string, err error, logs string, rawDir string) {
	t.Helper()
	if err != nil && strings.Contains(err.Error(), secret) {
		t.Errorf("token in error: %v", err)
	}
	if strings.Contains(logs, secret) {
		t.Errorf("token in logs:\n%s", logs)
	}
	files, _ := filepath.Glob(filepath.Join(rawDir, "*"))
	if len(files) == 0 {
		t.Error("no raw files landed")
	}
	for _, f := range files {
		if !strings.HasSuffix(f, ".json.gz") {
			t.Errorf("unexpected raw file %s", f)
			continue
		}
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		zr, err := gzip.NewReader(fh)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		b, err := io.ReadAll(zr)
		fh.Close()
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if bytes.Contains(b, []byte(secret)) {
			t.Errorf("token in raw file %s", filepath.Base(f))
		}
	}
}

// YAMLSettings is an extract.Settings decoded strictly, as the config
// package does, with no config folder.
type YAMLSettings string

// Dir is empty: paths stay as written.
func (y YAMLSettings) Dir() string { return "" }

// Decode decodes the YAML into v, rejecting unknown keys.
func (y YAMLSettings) Decode(v any) error {
	dec := yaml.NewDecoder(strings.NewReader(string(y)))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	return nil
}

// AdRows reads the kept ad_performance records back into canonical rows.
func (s *Sink) AdRows(t *testing.T) []transform.AdPerformanceRow {
	t.Helper()
	var out []transform.AdPerformanceRow
	for _, rec := range s.recs[transform.AdPerformance] {
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
		dec := func(name string, i int) decimal.Decimal {
			return decimal.NewFromBigInt(col(name).(*array.Decimal128).Value(i).BigInt(), -4)
		}
		for i := range int(rec.NumRows()) {
			out = append(out, transform.AdPerformanceRow{
				Date:                    col("date").(*array.Date32).Value(i).ToTime().UTC(),
				Platform:                str("platform", i),
				AccountID:               str("account_id", i),
				AccountName:             str("account_name", i),
				AccountTimezone:         str("account_timezone", i),
				CampaignID:              str("campaign_id", i),
				CampaignName:            str("campaign_name", i),
				AdsetID:                 str("adset_id", i),
				AdsetName:               str("adset_name", i),
				AdID:                    str("ad_id", i),
				AdName:                  str("ad_name", i),
				CreativeID:              str("creative_id", i),
				CreativeName:            str("creative_name", i),
				DestinationURL:          str("destination_url", i),
				Currency:                str("currency", i),
				Spend:                   dec("spend", i),
				Impressions:             i64("impressions", i),
				Reach:                   opt("reach", i),
				Clicks:                  i64("clicks", i),
				LinkClicks:              i64("link_clicks", i),
				VideoViews3s:            opt("video_views_3s", i),
				VideoCompletions:        opt("video_completions", i),
				PlatformConversions:     col("platform_conversions").(*array.Float64).Value(i),
				PlatformConversionValue: dec("platform_conversion_value", i),
				Source:                  str("source", i),
				ExtractedAt:             col("extracted_at").(*array.Timestamp).Value(i).ToTime(arrow.Microsecond).UTC(),
			})
		}
	}
	return out
}

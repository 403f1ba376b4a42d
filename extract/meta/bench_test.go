package meta

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/socialroi/socialroi/transform"
)

// insightsBody builds one insights response of n rows shaped as Meta sends
// them: numbers as strings, actions with attribution-window keys, a paging
// block with cursors and a next URL.
func insightsBody(n int) []byte {
	platforms := []string{"facebook", "instagram", "audience_network", "messenger"}
	var b bytes.Buffer
	b.WriteString(`{"data":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		ad := 120210000000000000 + i/len(platforms)%5000
		fmt.Fprintf(&b, `{"account_id":"1234567890","account_name":"Acme EU","account_currency":"EUR",`+
			`"campaign_id":"%[1]d","campaign_name":"prospecting_broad_fr_offer%[2]d","adset_id":"%[3]d","adset_name":"lookalike_%[2]d",`+
			`"ad_id":"%[4]d","ad_name":"video_hook%[2]d_shop","spend":"%[5]d.%04[6]d","impressions":"%[7]d","reach":"%[8]d",`+
			`"clicks":"%[9]d","inline_link_clicks":"%[10]d",`+
			`"actions":[{"action_type":"link_click","value":"%[10]d"},{"action_type":"video_view","value":"%[11]d"},`+
			`{"action_type":"purchase","value":"3","1d_click":"2","7d_click":"3"},{"action_type":"offsite_conversion.fb_pixel_purchase","value":"3","7d_click":"3"}],`+
			`"action_values":[{"action_type":"purchase","value":"149.97","7d_click":"149.97"},{"action_type":"offsite_conversion.fb_pixel_purchase","value":"149.97"}],`+
			`"date_start":"2026-11-%02[12]d","date_stop":"2026-11-%02[12]d","publisher_platform":"%[13]s"}`,
			120200000000000000+i%50, i%50, 120205000000000000+i%500, ad, 10+i%900, i%10000, 1000+i, 800+i, 10+i%90, 7+i%80,
			300+i%700, 1+i%28, platforms[i%len(platforms)])
	}
	b.WriteString(`],"paging":{"cursors":{"before":"MAZDZD","after":"MjQZD"},` +
		`"next":"https://graph.facebook.com/v21.0/act_1234567890/insights?access_token=x&limit=50000&after=MjQZD"}}`)
	return b.Bytes()
}

// BenchmarkDecodeInsights decodes and maps a 50,000-row insights response
// into ad_performance records, creative fields and destination URLs
// included: go test -bench=DecodeInsights -run=^$ ./extract/meta
func BenchmarkDecodeInsights(b *testing.B) {
	const rows = 50000
	body := insightsBody(rows)
	src, err := NewSource("m", Settings{BaseURL: "http://x", APIVersion: "v21.0", AccountIDs: []string{"1234567890"},
		AccessToken: "t", ConversionActionTypes: []string{"purchase"}, PageLimit: 500,
		AsyncAfterDays: 31, AsyncPollInterval: time.Second, AsyncPollMax: time.Second, AsyncTimeout: time.Minute})
	if err != nil {
		b.Fatal(err)
	}
	ads := map[string]adCreative{}
	for i := range 5000 {
		ads[fmt.Sprint(120210000000000000+i)] = adCreative{creativeID: fmt.Sprint(9000 + i), creativeName: "ugc",
			link:    "https://shop.example.com/p/hoodie?ref=meta",
			urlTags: "utm_source={{site_source_name}}&utm_medium=paid_social&utm_campaign={{campaign.id}}&utm_content={{ad.id}}"}
	}
	mem := memory.NewGoAllocator()
	at := time.Unix(0, 0)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		bld, err := transform.NewBuilder[transform.AdPerformanceRow](mem, transform.AdPerformance)
		if err != nil {
			b.Fatal(err)
		}
		a := &account{s: src, b: bld, id: "1234567890", ads: ads, noCreative: map[string]bool{}, unknownTags: map[string]bool{}}
		var page insightsPage
		if err := json.Unmarshal(body, &page); err != nil {
			b.Fatal(err)
		}
		for _, raw := range page.Data {
			row, err := src.mapRow(raw, a.id, at)
			if err != nil {
				b.Fatal(err)
			}
			a.addCreative(&row, raw)
			if err := bld.Append(row); err != nil {
				b.Fatal(err)
			}
		}
		n := bld.Len()
		bld.NewRecord().Release()
		bld.Release()
		if n != rows || len(a.noCreative) != 0 || page.Paging.Next == "" {
			b.Fatalf("decoded %d rows, %d ads without creative", n, len(a.noCreative))
		}
	}
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

package tiktok

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/socialroi/socialroi/transform"
)

// reportPages builds n rows of report responses in pages of 1,000, shaped as
// TikTok sends them.
func reportPages(n int) [][]byte {
	var pages [][]byte
	for start := 0; start < n; start += 1000 {
		var b bytes.Buffer
		b.WriteString(`{"code":0,"message":"OK","request_id":"2026112306000000000000000000001","data":{"list":[`)
		for i := start; i < min(start+1000, n); i++ {
			if i > start {
				b.WriteByte(',')
			}
			reach := fmt.Sprint(800 + i)
			if i%3 == 0 {
				reach = "-"
			}
			fmt.Fprintf(&b, `{"dimensions":{"ad_id":"%[1]d","stat_time_day":"2026-11-%02[2]d 00:00:00"},"metrics":{"spend":"%[3]d.%02[4]d",`+
				`"impressions":"%[5]d","clicks":"%[6]d","reach":"%[7]s","conversion":"%[8]d","total_complete_payment_rate":"%[8]d49.99",`+
				`"video_watched_2s":"%[6]d0","video_views_p100":"%[6]d","campaign_id":"17%[9]d","campaign_name":"conv_pr_de_20off",`+
				`"adgroup_id":"18%[9]d","adgroup_name":"pr_de_interest-fashion","ad_name":"video_ugc-unboxing_shop-now_cr012"}}`,
				1900000+i, 1+i%28, 10+i%90, i%100, 1000+i, 10+i%50, reach, i%4, i%20)
		}
		fmt.Fprintf(&b, `],"page_info":{"page":%d,"page_size":1000,"total_number":%d,"total_page":%d}}}`, start/1000+1, n, (n+999)/1000)
		pages = append(pages, b.Bytes())
	}
	return pages
}

// BenchmarkDecodeReport decodes and maps 50,000 report rows (50 pages) into
// ad_performance records: go test -bench=Decode -run=^$ ./extract/tiktok
func BenchmarkDecodeReport(b *testing.B) {
	const rows = 50000
	pages := reportPages(rows)
	size := 0
	for _, p := range pages {
		size += len(p)
	}
	src := newTestSource(b)
	mem := memory.NewGoAllocator()
	at := time.Unix(0, 0)
	b.SetBytes(int64(size))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		bld, err := transform.NewBuilder[transform.AdPerformanceRow](mem, transform.AdPerformance)
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for _, body := range pages {
			var p page
			if err := json.Unmarshal(body, &p); err != nil {
				b.Fatal(err)
			}
			for i := range p.Data.List {
				row, err := src.mapRow(&p.Data.List[i], "1", at)
				if err != nil {
					b.Fatal(err)
				}
				if err := bld.Append(row); err != nil {
					b.Fatal(err)
				}
			}
			n += bld.Len()
			bld.NewRecord().Release()
		}
		bld.Release()
		if n != rows {
			b.Fatalf("decoded %d rows", n)
		}
	}
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

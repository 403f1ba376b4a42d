package googleads

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/socialroi/socialroi/transform"
)

// streamBody builds a searchStream response of n results in batches of
// 10,000, shaped as the API sends them.
func streamBody(n int) []byte {
	var b bytes.Buffer
	b.WriteByte('[')
	for i := range n {
		if i%10000 == 0 {
			if i > 0 {
				b.WriteString(`],"fieldMask":"customer.id,campaign.id","requestId":"bench"},`)
			}
			b.WriteString(`{"results":[`)
		} else {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"customer":{"resourceName":"customers/1111111111","id":"1111111111","descriptiveName":"Acme","currencyCode":"USD"},`+
			`"campaign":{"resourceName":"customers/1111111111/campaigns/%[1]d","id":"%[1]d","name":"search_pr_us_generic_%[1]d"},`+
			`"adGroup":{"resourceName":"customers/1111111111/adGroups/%[2]d","id":"%[2]d","name":"generic_hoodies"},`+
			`"adGroupAd":{"resourceName":"customers/1111111111/adGroupAds/%[2]d~%[3]d","ad":{"resourceName":"customers/1111111111/ads/%[3]d","id":"%[3]d",`+
			`"finalUrls":["https://shop.example.com/products/hoodie"],"trackingUrlTemplate":"{lpurl}?utm_source=google&utm_medium=cpc&utm_campaign={campaignid}"}},`+
			`"metrics":{"costMicros":"%[4]d","impressions":"%[5]d","clicks":"%[6]d","conversions":1.5,"conversionsValue":123.45},"segments":{"date":"2026-11-%02[7]d"}}`,
			100+i%50, 1000+i%500, 100000+i, 1234567+i*10000, 1000+i, 10+i%90, 1+i%28)
	}
	b.WriteString(`],"fieldMask":"customer.id,campaign.id","requestId":"bench"}]`)
	return b.Bytes()
}

// BenchmarkDecodeSearchStream decodes and maps a 50,000-row searchStream
// response into ad_performance records: go test -bench=Decode -run=^$ ./extract/googleads
func BenchmarkDecodeSearchStream(b *testing.B) {
	const rows = 50000
	body := streamBody(rows)
	src, err := NewSource("g", Settings{BaseURL: "http://x", APIVersion: "v21", CustomerIDs: []string{"1111111111"},
		AccessToken: "a", DeveloperToken: "d", MaxRetryDelay: time.Minute})
	if err != nil {
		b.Fatal(err)
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
		n := 0
		err = decodeStream(bytes.NewReader(body), streamVisitor{
			Row: func(_, _ int, r *result) error {
				row, err := src.mapRow(r, "1111111111", at)
				if err != nil {
					return err
				}
				return bld.Append(row)
			},
			EndBatch: func(int) error {
				n += bld.Len()
				bld.NewRecord().Release()
				return nil
			},
		})
		bld.Release()
		if err != nil || n != rows {
			b.Fatalf("decoded %d rows: %v", n, err)
		}
	}
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

package emulator

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/socialroi/socialroi/transform"
)

func post(t *testing.T, u string) (int, string) {
	t.Helper()
	resp, err := http.Post(u, "application/x-www-form-urlencoded", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

func TestMetaAsyncRun(t *testing.T) {
	for _, tc := range []struct {
		name       string
		fail       string
		wantStatus []string
		wantPct    []float64
	}{
		{"completes", "", []string{MetaJobNotStarted, MetaJobStarted, MetaJobRunning, MetaJobCompleted}, []float64{0, 25, 50, 100}},
		{"fails", MetaJobFailed, []string{MetaJobNotStarted, MetaJobStarted, MetaJobRunning, MetaJobFailed}, []float64{0, 25, 50, 75}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := NewMeta(MetaConfig{AccessToken: "tok", Rows: metaRows(), AsyncPolls: 4, AsyncFail: tc.fail, PageSize: 2})
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			q := url.Values{"access_token": {"tok"}, "level": {"ad"}, "time_increment": {"1"}, "breakdowns": {"publisher_platform"},
				"time_range": {`{"since":"2026-11-16","until":"2026-11-18"}`}, "fields": {"ad_id,spend"}}
			status, body := post(t, m.URL+"/v21.0/act_1/insights?"+q.Encode())
			var started struct {
				ID string `json:"report_run_id"`
			}
			if status != 200 || json.Unmarshal([]byte(body), &started) != nil || started.ID == "" {
				t.Fatalf("POST: %d %s", status, body)
			}
			tok := url.Values{"access_token": {"tok"}}.Encode()
			// Results before completion are refused.
			if status, _, body := get(t, m.URL+"/v21.0/"+started.ID+"/insights?"+tok); status != 400 || !strings.Contains(body, "not completed") {
				t.Errorf("early results: %d %s", status, body)
			}
			for i, want := range tc.wantStatus {
				_, _, body := get(t, m.URL+"/v21.0/"+started.ID+"?"+tok)
				var st struct {
					Status  string  `json:"async_status"`
					Percent float64 `json:"async_percent_completion"`
				}
				if err := json.Unmarshal([]byte(body), &st); err != nil {
					t.Fatal(err)
				}
				if st.Status != want || st.Percent != tc.wantPct[i] {
					t.Errorf("poll %d: %s %v%%, want %s %v%%", i+1, st.Status, st.Percent, want, tc.wantPct[i])
				}
			}
			if tc.fail != "" {
				return
			}
			// Results: four rows in range, pages of two, parameters of the POST.
			status, _, body = get(t, m.URL+"/v21.0/"+started.ID+"/insights?"+tok)
			var page struct {
				Data   []map[string]any
				Paging struct{ Next string }
			}
			if status != 200 || json.Unmarshal([]byte(body), &page) != nil || len(page.Data) != 2 || page.Paging.Next == "" {
				t.Fatalf("results page 1: %d %s", status, body)
			}
			if _, ok := page.Data[0]["impressions"]; ok {
				t.Errorf("fields of the POST not applied: %v", page.Data[0])
			}
			if !strings.Contains(page.Paging.Next, "/v21.0/"+started.ID+"/insights?") {
				t.Errorf("next = %s", page.Paging.Next)
			}
			_, _, body = get(t, page.Paging.Next)
			page.Data, page.Paging.Next = nil, ""
			if json.Unmarshal([]byte(body), &page) != nil || len(page.Data) != 2 || page.Paging.Next != "" {
				t.Errorf("results page 2: %s", body)
			}
		})
	}
	m, err := NewMeta(MetaConfig{AccessToken: "tok", Rows: metaRows()})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if status, _, body := get(t, m.URL+"/v21.0/6120000000000099?access_token=tok"); status != 400 || !strings.Contains(body, `"code":100`) {
		t.Errorf("unknown run: %d %s", status, body)
	}
}

func TestMetaAdsListing(t *testing.T) {
	rows := []transform.AdPerformanceRow{
		{Date: transform.Date(2026, 11, 16), Platform: "facebook", AccountID: "1", AccountName: "A", Currency: "EUR",
			CampaignID: "c1", AdsetID: "s1", AdID: "a1", AdName: "ad one", CreativeID: "cr1", CreativeName: "creative one",
			DestinationURL: "https://x.com/p?utm_campaign=c1&utm_content=a1"},
		{Date: transform.Date(2026, 11, 16), Platform: "instagram", AccountID: "1", AdID: "a1"},
		{Date: transform.Date(2026, 11, 16), Platform: "facebook", AccountID: "1", AdID: "a2", CampaignID: "c1",
			CreativeID: "cr2", DestinationURL: "https://x.com/q?ref=1&utm_campaign=c1"},
		{Date: transform.Date(2026, 11, 16), Platform: "facebook", AccountID: "1", AdID: "a3"},
	}
	m, err := NewMeta(MetaConfig{AccessToken: "tok", Rows: rows, AdsPageSize: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	q := url.Values{"access_token": {"tok"}, "fields": {"id,name,campaign_id,creative{id,name,url_tags,object_story_spec}"}}
	status, _, body := get(t, m.URL+"/v21.0/act_1/ads?"+q.Encode())
	for _, want := range []string{
		`"id":"a1"`, `"name":"ad one"`, `"campaign_id":"c1"`, `"link":"https://x.com/p"`,
		`"url_tags":"utm_campaign={{campaign.id}}&utm_content={{ad.id}}"`, // ad 0: link_data, templated
		`"video_data":`, `"link":"https://x.com/q?ref=1"`, `"url_tags":"utm_campaign=c1"`, // ad 1: video CTA, first param kept
		`"next":`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("ads page 1 lacks %s: %s", want, body)
		}
	}
	if status != 200 || strings.Contains(body, `"adset_id"`) {
		t.Errorf("status %d or unrequested adset_id: %s", status, body)
	}
	var page struct{ Paging struct{ Next string } }
	if err := json.Unmarshal([]byte(body), &page); err != nil {
		t.Fatal(err)
	}
	_, _, body = get(t, page.Paging.Next)
	if !strings.Contains(body, `"id":"a3"`) || strings.Contains(body, `"creative"`) || strings.Contains(body, `"next"`) {
		t.Errorf("ads page 2 (an ad without creative, last): %s", body)
	}
}

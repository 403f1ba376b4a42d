package instagram

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/socialroi/socialroi/extract/emulator/gen"
	"github.com/socialroi/socialroi/transform"
)

func get(t *testing.T, u string) (int, string) {
	t.Helper()
	resp, err := http.Get(u)
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

func TestEndpoints(t *testing.T) {
	n := func(v int64) *int64 { return &v }
	at := time.Date(2026, 11, 16, 10, 0, 0, 0, time.UTC)
	s, err := New(Config{AccessToken: "tok", Posts: []transform.OrganicPostRow{
		{AccountID: "1", PostID: "m1", PublishedAt: at, Format: "reel", Caption: "#a", Impressions: n(10), Reach: n(8), Likes: n(2), Saves: n(1)},
		{AccountID: "1", PostID: "m2", PublishedAt: at.Add(time.Hour), Format: "story"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	tests := []struct {
		name, path string
		status     int
		want       []string
		notWant    []string
	}{
		{"no token", "/v21.0/1/media", 400, []string{`"code":104`}, nil},
		{"bad token", "/v21.0/1/media?access_token=x", 400, []string{`"code":190`}, nil},
		{"media newest first, paged", "/v21.0/1/media?access_token=tok&limit=1", 200,
			[]string{`"id":"m2"`, `"media_product_type":"STORY"`, `"timestamp":"2026-11-16T11:00:00+0000"`, `"next":"http://`}, []string{`"like_count"`}},
		{"insights", "/v21.0/m1/insights?access_token=tok&metric=reach,saved,shares,views,total_interactions", 200,
			[]string{`"name":"reach"`, `"value":8`, `"name":"views"`, `"value":10`, `"name":"total_interactions","period":"lifetime","title":"total_interactions","values":[{"value":3}]`}, []string{`"name":"shares"`}},
		{"unavailable insights are an empty array", "/v21.0/m2/insights?access_token=tok&metric=reach", 200, []string{`{"data":[]}`}, nil},
		{"deprecated metric refused", "/v21.0/m1/insights?access_token=tok&metric=impressions", 400, []string{`"code":100`}, nil},
		{"unknown user", "/v21.0/2/media?access_token=tok", 400, []string{"Object with ID '2' does not exist"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := get(t, s.URL+tt.path)
			if status != tt.status {
				t.Fatalf("status %d, want %d: %s", status, tt.status, body)
			}
			for _, w := range tt.want {
				if !strings.Contains(body, w) {
					t.Errorf("body lacks %s:\n%s", w, body)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(body, w) {
					t.Errorf("body has %s:\n%s", w, body)
				}
			}
		})
	}
	// Page to the end by following next.
	u, ids := s.URL+"/v21.0/1/media?access_token=tok&limit=1", []string{}
	for u != "" {
		_, body := get(t, u)
		var page struct {
			Data   []struct{ ID string }
			Paging struct{ Next string }
		}
		if err := json.Unmarshal([]byte(body), &page); err != nil {
			t.Fatal(err)
		}
		for _, d := range page.Data {
			ids = append(ids, d.ID)
		}
		u = page.Paging.Next
	}
	if strings.Join(ids, ",") != "m2,m1" {
		t.Errorf("paged ids = %v", ids)
	}
}

func TestFromBrand(t *testing.T) {
	b, err := gen.Generate(gen.Config{Persons: 100})
	if err != nil {
		t.Fatal(err)
	}
	cfg := FromBrand(b)
	if len(cfg.Posts) == 0 {
		t.Fatal("no posts")
	}
	for _, p := range cfg.Posts {
		if p.Platform != "instagram" {
			t.Fatalf("post %+v", p)
		}
	}
	cfg.AccessToken = "x"
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
}

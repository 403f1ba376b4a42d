package instagram

import (
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/socialroi/socialroi/extract/httpx"
	"github.com/socialroi/socialroi/transform"
)

const fixtures = "../../testdata/instagram"

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(fixtures, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestFixtureMedia maps the documented shapes in testdata/instagram: the
// reel with full insights (views from total_value), the carousel with
// hidden likes and empty insights, the story without a caption.
func TestFixtureMedia(t *testing.T) {
	var page mediaPage
	if err := json.Unmarshal(readFixture(t, "media.json"), &page); err != nil {
		t.Fatal(err)
	}
	var full, empty struct{ Data []insight }
	if err := json.Unmarshal(readFixture(t, "insights_reel.json"), &full); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(readFixture(t, "insights_empty.json"), &empty); err != nil {
		t.Fatal(err)
	}
	if p, err := nextPath(page.Paging.Next); err != nil || p != "https://graph.facebook.com/v21.0/17841400000000001/media?after=QVFIUnpw&fields=id&limit=3" {
		t.Errorf("nextPath = %q, %v", p, err)
	}
	snap := transform.Date(2026, 11, 19)
	var got []transform.OrganicPostRow
	for i, m := range page.Data {
		ins := empty.Data
		if i == 0 {
			ins = full.Data
		}
		row, err := mapMedia(m, "17841400000000001", snap, ins)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, row)
	}
	n := func(v int64) *int64 { return &v }
	want := []transform.OrganicPostRow{
		{Platform: "instagram", AccountID: "17841400000000001", PostID: "17900000000000001", SnapshotDate: snap,
			PublishedAt: time.Date(2026, 11, 18, 20, 0, 0, 0, time.UTC), Format: "reel", Caption: "New drop ✨ #Product #demobrand #TrendJack",
			Permalink: "https://www.instagram.com/reel/DemoReel1/", Tags: []string{"product", "demobrand", "trendjack"},
			Impressions: n(12000), Reach: n(9000), Likes: n(450), Comments: n(30), Shares: n(12), Saves: n(60), VideoViews: n(12000)},
		{Platform: "instagram", AccountID: "17841400000000001", PostID: "17900000000000002", SnapshotDate: snap,
			PublishedAt: time.Date(2026, 11, 17, 9, 30, 0, 0, time.UTC), Format: "carousel", Caption: "Swipe for sizes #howto",
			Permalink: "https://www.instagram.com/p/DemoCarousel/", Tags: []string{"howto"}, Comments: n(4)},
		{Platform: "instagram", AccountID: "17841400000000001", PostID: "17900000000000003", SnapshotDate: snap,
			PublishedAt: time.Date(2026, 11, 16, 12, 0, 0, 0, time.UTC), Format: "story",
			Permalink: "https://instagram.com/stories/demobrand/17900000000000003"},
	}
	if diff := cmp.Diff(want, got, cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
}

func TestFixtureErrors(t *testing.T) {
	v := classify(&http.Response{StatusCode: 400, Header: http.Header{}}, readFixture(t, "error_190.json"))
	if v.Action != httpx.Fatal || !errors.Is(v.Err, ErrTokenInvalid) {
		t.Errorf("190: %+v", v)
	}
	v = classify(&http.Response{StatusCode: 400, Header: http.Header{}}, readFixture(t, "error_throttle.json"))
	if v.Action != httpx.Retry || v.Message != "(#4) Application request limit reached" {
		t.Errorf("throttle: %+v", v)
	}
}

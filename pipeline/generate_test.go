package pipeline

import (
	"path/filepath"
	"testing"

	"github.com/socialroi/socialroi/config"
	"github.com/socialroi/socialroi/models"
)

// The generated datasets load and run: the demo brand (S) and a tiny
// synthetic one made by the same SQL as M and L, whose rows must fit the
// canonical schemas and join (paid touchpoints carry real ad ids).
func TestGenerate(t *testing.T) {
	tiny := Scale{Name: "tiny", Persons: 300, Touchpoints: 3000, Conversions: 200, Ads: 25}
	for _, tc := range []struct {
		name  string
		write func(dir string) (*Generated, error)
	}{
		{"S", func(dir string) (*Generated, error) { return Generate(t.Context(), "S", dir) }},
		{"synthetic", func(dir string) (*Generated, error) { return generate(t.Context(), tiny, dir) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			g, err := tc.write(dir)
			if err != nil {
				t.Fatal(err)
			}
			cfg, err := config.Load(g.Config)
			if err != nil {
				t.Fatal(err)
			}
			res := Run(t.Context(), Options{Config: cfg, Week: g.Week, AllowQAFailures: true})
			if res.ExitCode != ExitOK {
				t.Fatalf("run on the generated data: exit %d: %v", res.ExitCode, res.Err)
			}
			wh, err := models.Open(t.Context(), filepath.Join(dir, "socialroi.duckdb"), models.Options{ReadOnly: true})
			if err != nil {
				t.Fatal(err)
			}
			defer wh.Close()
			var touchpoints, credited, impossible int64
			if err := wh.Conn().QueryRowContext(t.Context(), `SELECT (SELECT count(*) FROM touchpoints),
				(SELECT count(*) FROM mart_ad_weekly WHERE attributed_revenue > 0 AND spend > 0),
				(SELECT count(*) FROM ad_performance WHERE clicks > impressions OR link_clicks > clicks)`).
				Scan(&touchpoints, &credited, &impossible); err != nil {
				t.Fatal(err)
			}
			if impossible > 0 {
				t.Errorf("%d generated ad-days have more clicks than impressions or link clicks than clicks", impossible)
			}
			if tc.name == "synthetic" && touchpoints != int64(tiny.Touchpoints) {
				t.Errorf("%d touchpoints loaded, generated %d", touchpoints, tiny.Touchpoints)
			}
			if credited == 0 {
				t.Error("no ad has both spend and attributed revenue: paid touchpoints do not join their ads")
			}
			if len(res.Timings) != 5 {
				t.Errorf("timings %+v, want extract, load, models, tests, reports", res.Timings)
			}
		})
	}
}

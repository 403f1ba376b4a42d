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
			if len(res.Timings) != 6 {
				t.Errorf("timings %+v, want extract, load, models, tests, commit, reports", res.Timings)
			}
		})
	}
}

// PriorWeeks is the dataset a week earlier, sharing its warehouse: a run on
// it reports the week before and holds nothing dated in the report week;
// the run on the whole dataset then brings exactly that week.
func TestPriorWeeks(t *testing.T) {
	ctx := t.Context()
	tiny := Scale{Name: "tiny", Persons: 300, Touchpoints: 3000, Conversions: 200, Ads: 25}
	dir := t.TempDir()
	g, err := generate(ctx, tiny, dir)
	if err != nil {
		t.Fatal(err)
	}
	prior, err := g.PriorWeeks(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := g.Week.Start.AddDate(0, 0, -7); !prior.Week.Start.Equal(want) {
		t.Errorf("prior week starts %s, want %s", prior.Week.Start, want)
	}
	type counts struct{ touchpoints, inWeek, influencers, adDays int64 }
	read := func() counts {
		t.Helper()
		wh, err := models.Open(ctx, filepath.Join(dir, "socialroi.duckdb"), models.Options{ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		defer wh.Close()
		var c counts
		if err := wh.Conn().QueryRowContext(ctx, `SELECT (SELECT count(*) FROM touchpoints),
			(SELECT count(*) FROM touchpoints WHERE ts >= ?) + (SELECT count(*) FROM ad_performance WHERE date >= ?)
				+ (SELECT count(*) FROM conversions WHERE ts >= ?),
			(SELECT count(*) FROM influencers), (SELECT count(*) FROM ad_performance)`,
			g.Week.Start, g.Week.Start, g.Week.Start).Scan(&c.touchpoints, &c.inWeek, &c.influencers, &c.adDays); err != nil {
			t.Fatal(err)
		}
		return c
	}
	for i, gg := range []*Generated{prior, g} {
		cfg, err := config.Load(gg.Config)
		if err != nil {
			t.Fatal(err)
		}
		if res := Run(ctx, Options{Config: cfg, Week: gg.Week, AllowQAFailures: true}); res.ExitCode != ExitOK {
			t.Fatalf("run %d: exit %d: %v", i, res.ExitCode, res.Err)
		}
		c := read()
		switch i {
		case 0:
			if c.inWeek != 0 {
				t.Errorf("the prior weeks hold %d rows dated in the report week", c.inWeek)
			}
			if c.touchpoints == 0 || c.touchpoints >= int64(tiny.Touchpoints) {
				t.Errorf("the prior weeks hold %d of %d touchpoints", c.touchpoints, tiny.Touchpoints)
			}
			if c.influencers == 0 {
				t.Error("the creator registry (no date) was not copied")
			}
			// 12 weeks of 7 days, less the report week: 77 days per ad
			if want := int64(tiny.Ads * 77); c.adDays != want {
				t.Errorf("the prior weeks hold %d ad-days, want %d (%d ads × 77 days)", c.adDays, want, tiny.Ads)
			}
		case 1:
			if c.inWeek == 0 || c.touchpoints != int64(tiny.Touchpoints) || c.adDays != int64(tiny.Ads*84) {
				t.Errorf("after the new week: %+v, want all %d touchpoints and %d ad-days", c, tiny.Touchpoints, tiny.Ads*84)
			}
		}
	}
}

package excel

import (
	"time"

	"github.com/shopspring/decimal"

	"github.com/socialroi/socialroi/reports"
)

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func date(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

// kpiMetrics are the mart_kpi_summary measures, each followed by prev_<it>.
var kpiMetrics = []reports.Column{
	{Name: "spend", Kind: reports.Money},
	{Name: "total_cost", Kind: reports.Money},
	{Name: "revenue", Kind: reports.Money},
	{Name: "paid_revenue", Kind: reports.Money},
	{Name: "roas", Kind: reports.Ratio},
	{Name: "conversions", Kind: reports.Integer},
	{Name: "new_customers", Kind: reports.Integer},
	{Name: "paid_social_cac", Kind: reports.Money},
	{Name: "blended_cac", Kind: reports.Money},
}

// kpiWeek is one week of one model, in kpiMetrics order.
type kpiWeek struct {
	week   string
	model  string
	values []any
}

// kpiTable builds mart_kpi_summary as the warehouse would: prev_<m> holds
// the same model's value of the week before, NULL for its first week.
func kpiTable(weeks []kpiWeek) *reports.Table {
	t := &reports.Table{Name: "mart_kpi_summary", Columns: []reports.Column{
		{Name: "week_start", Kind: reports.Date}, {Name: "model", Kind: reports.Text},
	}}
	t.Columns = append(t.Columns, kpiMetrics...)
	for _, m := range kpiMetrics {
		t.Columns = append(t.Columns, reports.Column{Name: "prev_" + m.Name, Kind: m.Kind})
	}
	for _, w := range weeks {
		row := []any{date(w.week), w.model}
		row = append(row, w.values...)
		prev := make([]any, len(kpiMetrics))
		for _, p := range weeks {
			if p.model == w.model && date(p.week).Equal(date(w.week).AddDate(0, 0, -7)) {
				copy(prev, p.values)
			}
		}
		t.Rows = append(t.Rows, append(row, prev...))
	}
	return t
}

// sampleKPI: three weeks of position_based ending with 2026-W47, plus one
// week of linear that must not reach the Summary.
//
// W47 against W46, worked by hand (change = (this − prev) / prev):
//
//	spend            1200.00 vs 1000.00  → +20.0%  ▲ red (cost: up is bad)
//	paid_revenue     4200.00 vs 3500.00  → +20.0%  ▲ green
//	roas                3.50 vs 3.50     →   0.0%  ■ grey
//	paid_social_cac    18.00 vs 20.00    → −10.0%  ▼ green (CAC: down is good)
//	blended_cac        37.50 vs 26.00    → +44.2%  ▲ red (11.5 / 26 = 0.442307…)
//	new_customers         40 vs 50       → −20.0%  ▼ red
//	conversions          120 vs 100      → +20.0%  ▲ green
func sampleKPI() *reports.Table {
	return kpiTable([]kpiWeek{
		{"2026-11-02", "position_based", []any{d("800.00"), d("1000.00"), d("4000.00"), d("2400.00"), 3.0, int64(90), int64(45), d("17.78"), d("22.22")}},
		{"2026-11-09", "position_based", []any{d("1000.00"), d("1300.00"), d("5000.00"), d("3500.00"), 3.5, int64(100), int64(50), d("20.00"), d("26.00")}},
		{"2026-11-16", "position_based", []any{d("1200.00"), d("1500.00"), d("6000.00"), d("4200.00"), 3.5, int64(120), int64(40), d("18.00"), d("37.50")}},
		{"2026-11-16", "linear", []any{d("1200.00"), d("1500.00"), d("6000.00"), d("3000.00"), 2.5, int64(120), int64(40), d("99.00"), d("37.50")}},
	})
}

// sampleChannels is mart_channel_weekly for W47 and the primary model.
// Targets are ROAS 3.0 and CAC 30.00: facebook's ROAS 2.40 is below target
// and its CAC 40.00 above; organic has no spend, so NULL ROAS, CPA and CAC
// must not be flagged.
func sampleChannels() *reports.Table {
	wk := date("2026-11-16")
	return &reports.Table{
		Name: "mart_channel_weekly",
		Columns: []reports.Column{
			{Name: "week_start", Kind: reports.Date}, {Name: "model", Kind: reports.Text},
			{Name: "channel", Kind: reports.Text}, {Name: "platform", Kind: reports.Text},
			{Name: "spend", Kind: reports.Money}, {Name: "attributed_conversions", Kind: reports.Number},
			{Name: "attributed_revenue", Kind: reports.Money}, {Name: "attributed_new_customers", Kind: reports.Number},
			{Name: "roas", Kind: reports.Ratio}, {Name: "cpa", Kind: reports.Money}, {Name: "cac", Kind: reports.Money},
			{Name: "click_share", Kind: reports.Percent},
		},
		Rows: [][]any{
			{wk, "position_based", "paid_social", "facebook", d("600.00"), 30.5, d("1440.00"), 15.0, 2.4, d("19.67"), d("40.00"), 0.45},
			{wk, "position_based", "paid_social", "tiktok", d("600.00"), 42.0, d("2760.00"), 25.0, 4.6, d("14.29"), d("24.00"), 0.3},
			{wk, "position_based", "organic_social", "instagram", nil, 12.25, d("800.50"), 4.0, nil, nil, nil, 0.25},
		},
	}
}

func sampleAttribution() *reports.Table {
	return &reports.Table{
		Name: "attribution_channels",
		Columns: []reports.Column{
			{Name: "model", Kind: reports.Text}, {Name: "channel", Kind: reports.Text},
			{Name: "conversions", Kind: reports.Number}, {Name: "revenue", Kind: reports.Money},
		},
		Rows: [][]any{
			{"last_touch", "paid_social", 70.0, d("3900.00")},
			{"last_touch", "direct", 50.0, d("2100.00")},
			{"position_based", "paid_social", 72.5, d("4200.00")},
			{"position_based", "direct", 47.5, d("1800.00")},
		},
	}
}

// sampleLedger is a long table: n rows of attribution_ledger.
func sampleLedger(n int) *reports.Table {
	t := &reports.Table{
		Name: "attribution_ledger",
		Columns: []reports.Column{
			{Name: "conversion_id", Kind: reports.Text}, {Name: "conversion_ts", Kind: reports.Timestamp},
			{Name: "touchpoint_id", Kind: reports.Text}, {Name: "model", Kind: reports.Text},
			{Name: "channel", Kind: reports.Text}, {Name: "credit", Kind: reports.Number},
			{Name: "revenue_credit", Kind: reports.Money},
		},
	}
	ts := time.Date(2026, 11, 17, 9, 30, 0, 0, time.UTC)
	for i := range n {
		t.Rows = append(t.Rows, []any{
			"c" + string(rune('a'+i%26)) + string(rune('0'+i/26%10)), ts.Add(time.Duration(i) * time.Hour),
			"t" + string(rune('a'+i%26)), "linear", "paid_social", 0.5, d("12.34"),
		})
	}
	return t
}

func sampleWorkbook() Workbook {
	week, err := ParseWeek("2026-W47")
	if err != nil {
		panic(err)
	}
	return Workbook{
		Week:         week,
		Currency:     "USD",
		PrimaryModel: "position_based",
		Targets:      Targets{ROAS: 3.0, CAC: d("30.00")},
		KPI:          sampleKPI(),
		Sheets: []Sheet{
			{Name: "Channels", Title: "Channels — position_based", Table: sampleChannels(),
				Notes: []string{"Week 2026-W47, primary model position_based."}},
			{Name: "Attribution", Title: "Attribution by model and channel", Table: sampleAttribution()},
			{Name: "Ledger", Title: "Attribution ledger", Table: sampleLedger(30),
				FullTableAt: "out/2026-W47/attribution_ledger.parquet"},
		},
		Run:    [][2]string{{"run_id", "20261123T060000Z-ab12"}, {"version", "v0.1.0"}},
		RowCap: 20,
	}
}

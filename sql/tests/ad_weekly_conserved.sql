-- description: the ad-level figures (ad_results_weekly, which mart_ad_weekly labels and every paid roll-up sums) hold every ad's spend once per model (the platforms' spend, to the cent) and exactly the ledger's paid revenue credits, per week (every week the data has)
-- severity: error
WITH mart AS (
    SELECT week_start, model, sum(spend) AS spend, sum(attributed_revenue) AS revenue
    FROM ad_results_weekly
    GROUP BY week_start, model
),

delivered AS (
    SELECT week_start, sum(spend_reporting) AS spend
    FROM stg_ad_performance
    GROUP BY week_start
),

credited AS (
    SELECT week_start, model, sum(revenue_credit) AS revenue
    FROM attribution_ledger
    WHERE list_contains(getvariable('paid_channels'), channel)
    GROUP BY week_start, model
),

expected AS (
    SELECT w.week_start, m.model, coalesce(d.spend, 0) AS spend, coalesce(c.revenue, 0) AS revenue
    FROM (SELECT week_start FROM delivered UNION SELECT week_start FROM credited) AS w
    CROSS JOIN (SELECT unnest(getvariable('models')::VARCHAR[]) AS model) AS m
    LEFT JOIN delivered AS d USING (week_start)
    LEFT JOIN credited AS c USING (week_start, model)
)

SELECT
    coalesce(e.week_start, t.week_start) AS week_start,
    coalesce(e.model, t.model) AS model,
    e.spend AS platform_spend,
    t.spend AS mart_spend,
    e.revenue AS ledger_paid_revenue,
    t.revenue AS mart_revenue
FROM expected AS e
FULL JOIN mart AS t USING (week_start, model)
-- a week and model with neither spend nor paid credit may have no rows
WHERE coalesce(e.spend, 0) <> coalesce(t.spend, 0) OR coalesce(e.revenue, 0) <> coalesce(t.revenue, 0)

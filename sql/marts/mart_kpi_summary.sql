-- The week's headline figures per model, with the previous week's beside
-- them for week-over-week change. Weeks run from the first week with data to
-- the report week, with no gaps, so "previous week" is always the week before.
--   spend          all ad spend
--   total_cost     spend + influencer and other costs
--   revenue        revenue of all conversions of the configured types
--   paid_revenue   revenue credited to the paid channels (parameter paid_channels)
--   roas           paid_revenue / spend
--   new_customers  conversions flagged is_new_customer
--   paid_social_cac  paid-social spend / new customers credited to paid social
--                    (paid social = parameter paid_social_channels)
--   blended_cac    total_cost / new_customers
WITH bounds AS (
    SELECT least(
        (SELECT min(week_start) FROM stg_ad_performance),
        (SELECT min(week_start) FROM stg_conversions),
        getvariable('week_start')::DATE
    ) AS first_week
),

weeks AS (
    SELECT unnest(generate_series(first_week, getvariable('week_start')::DATE, INTERVAL 7 DAY))::DATE AS week_start
    FROM bounds
),

models AS (
    SELECT unnest(getvariable('models')::VARCHAR[]) AS model
),

spend AS (
    SELECT
        week_start,
        sum(spend_reporting) AS spend,
        sum(CASE WHEN list_contains(getvariable('paid_social_channels'), channel) THEN spend_reporting ELSE 0 END) AS paid_social_spend
    FROM stg_ad_performance
    GROUP BY ALL
),

other_cost AS (
    SELECT week_start, sum(amount_reporting) AS cost
    FROM stg_costs
    GROUP BY ALL
),

outcomes AS (
    SELECT
        week_start,
        sum(revenue_reporting) AS revenue,
        count(*) AS conversions,
        count(*) FILTER (WHERE is_new_customer) AS new_customers
    FROM stg_conversions
    GROUP BY ALL
),

credited AS (
    SELECT
        week_start,
        model,
        sum(revenue_credit) FILTER (WHERE list_contains(getvariable('paid_channels'), channel)) AS paid_revenue,
        sum(credit::DECIMAL(38, 18)) FILTER (WHERE is_new_customer AND list_contains(getvariable('paid_social_channels'), channel))::DOUBLE AS paid_social_new_customers
    FROM attribution_ledger
    GROUP BY ALL
),

weekly AS (
    SELECT
        w.week_start,
        m.model,
        coalesce(s.spend, 0)::DECIMAL(18, 2) AS spend,
        (coalesce(s.spend, 0) + coalesce(o.cost, 0))::DECIMAL(18, 2) AS total_cost,
        coalesce(x.revenue, 0)::DECIMAL(18, 2) AS revenue,
        coalesce(c.paid_revenue, 0)::DECIMAL(18, 2) AS paid_revenue,
        CASE WHEN s.spend > 0 THEN coalesce(c.paid_revenue, 0) / s.spend END::DOUBLE AS roas,
        coalesce(x.conversions, 0) AS conversions,
        coalesce(x.new_customers, 0) AS new_customers,
        CASE WHEN c.paid_social_new_customers > 0
            THEN round(s.paid_social_spend / c.paid_social_new_customers, 2) END::DECIMAL(18, 2) AS paid_social_cac,
        CASE WHEN x.new_customers > 0
            THEN round((coalesce(s.spend, 0) + coalesce(o.cost, 0)) / x.new_customers, 2) END::DECIMAL(18, 2) AS blended_cac
    FROM weeks AS w
    CROSS JOIN models AS m
    LEFT JOIN spend AS s ON s.week_start = w.week_start
    LEFT JOIN other_cost AS o ON o.week_start = w.week_start
    LEFT JOIN outcomes AS x ON x.week_start = w.week_start
    LEFT JOIN credited AS c ON c.week_start = w.week_start AND c.model = m.model
)

SELECT
    cur.*,
    prev.spend AS prev_spend,
    prev.total_cost AS prev_total_cost,
    prev.revenue AS prev_revenue,
    prev.paid_revenue AS prev_paid_revenue,
    prev.roas AS prev_roas,
    prev.conversions AS prev_conversions,
    prev.new_customers AS prev_new_customers,
    prev.paid_social_cac AS prev_paid_social_cac,
    prev.blended_cac AS prev_blended_cac
FROM weekly AS cur
LEFT JOIN weekly AS prev ON prev.week_start = cur.week_start - INTERVAL 7 DAY AND prev.model = cur.model
ORDER BY cur.week_start, cur.model

-- Spend and attributed results per week, model, channel and platform.
-- Spend does not depend on the model, so each model's rows carry the same
-- spend; attributed figures are the ledger's credits for conversions in the
-- week (by the conversion's local date).
--
-- Every week the data has, kept from run to run: a week and model are
-- recomputed when their credit or the week's delivery changed (see
-- ad_results_weekly).
-- materialized: incremental
-- incremental_partition: week_start, model
-- incremental_input: int_attribution_ledger, stg_ad_performance(week_start)
WITH spend AS (
    SELECT week_start, channel, platform, sum(spend_reporting) AS spend
    FROM stg_ad_performance
    GROUP BY ALL
),

credited AS (
    SELECT
        week_start,
        model,
        channel,
        coalesce(platform, '') AS platform,
        sum(credit::DECIMAL(38, 18))::DOUBLE AS attributed_conversions,
        sum(revenue_credit) AS attributed_revenue,
        sum(CASE WHEN is_new_customer THEN credit ELSE 0 END::DECIMAL(38, 18))::DOUBLE AS attributed_new_customers
    FROM int_attribution_ledger
    GROUP BY ALL
),

models AS (
    SELECT unnest(getvariable('models')::VARCHAR[]) AS model
),

spend_by_model AS (
    SELECT s.week_start, m.model, s.channel, s.platform, s.spend
    FROM spend AS s
    CROSS JOIN models AS m
),

joined AS (
    SELECT
        coalesce(s.week_start, c.week_start) AS week_start,
        coalesce(s.model, c.model) AS model,
        coalesce(s.channel, c.channel) AS channel,
        coalesce(s.platform, c.platform) AS platform,
        coalesce(s.spend, 0)::DECIMAL(18, 2) AS spend,
        coalesce(c.attributed_conversions, 0) AS attributed_conversions,
        coalesce(c.attributed_revenue, 0)::DECIMAL(18, 2) AS attributed_revenue,
        coalesce(c.attributed_new_customers, 0) AS attributed_new_customers
    FROM spend_by_model AS s
    FULL OUTER JOIN credited AS c
        ON c.week_start = s.week_start
        AND c.model = s.model
        AND c.channel = s.channel
        AND c.platform = s.platform
)

SELECT
    week_start,
    model,
    channel,
    nullif(platform, '') AS platform,
    spend,
    attributed_conversions,
    attributed_revenue,
    attributed_new_customers,
    CASE WHEN spend > 0 THEN attributed_revenue / spend END::DOUBLE AS roas,
    CASE WHEN spend > 0 AND attributed_conversions > 0
        THEN round(spend / attributed_conversions, 2) END::DECIMAL(18, 2) AS cpa,
    CASE WHEN spend > 0 AND attributed_new_customers > 0
        THEN round(spend / attributed_new_customers, 2) END::DECIMAL(18, 2) AS cac
FROM joined

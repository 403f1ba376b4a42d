-- Per week, model, platform and audience segment (the {segment} field of
-- campaign names, mapped through naming.segments; 'unknown' when a name
-- does not parse): spend, CPA, CAC and ROAS — which segments to cut or
-- expand.
--
-- A view, like mart_adset_weekly: reports read a week and a model at a
-- time, so a run does not roll up all history to show one week.
-- materialized: view
WITH rolled AS (
    SELECT
        week_start,
        model,
        platform,
        coalesce(audience_segment, 'unknown') AS audience_segment,
        sum(spend) AS spend,
        sum(impressions)::BIGINT AS impressions,
        sum(clicks)::BIGINT AS clicks,
        sum(attributed_conversions::DECIMAL(38, 18))::DOUBLE AS attributed_conversions,
        sum(attributed_revenue)::DECIMAL(18, 2) AS attributed_revenue,
        sum(attributed_new_customers::DECIMAL(38, 18))::DOUBLE AS attributed_new_customers
    FROM mart_ad_weekly
    GROUP BY ALL
)

SELECT
    * REPLACE (spend::DECIMAL(18, 2) AS spend),
    CASE WHEN attributed_conversions > 0 THEN round(spend / attributed_conversions, 2) END::DECIMAL(18, 2) AS cpa,
    CASE WHEN attributed_new_customers > 0 THEN round(spend / attributed_new_customers, 2) END::DECIMAL(18, 2) AS cac,
    CASE WHEN spend > 0 THEN attributed_revenue / spend END::DOUBLE AS roas
FROM rolled

-- Per week, model, platform, campaign and ad set: spend, attributed results,
-- ROAS, CPA and CAC — the grain audiences are usually bought at. Rolled up
-- from mart_ad_weekly (four-decimal spend, rounded once here).
--
-- A view: reports read it a week and a model at a time, and DuckDB pushes
-- that filter through the GROUP BY into mart_ad_weekly, so a run no longer
-- rolls up every week of history (at L, 5.8M rows, 22 s for ad sets) to
-- show one.
-- materialized: view
WITH rolled AS (
    SELECT
        week_start,
        model,
        platform,
        -- labels from the ad set's first ad, so a re-run shows the same ones
        -- should its ads disagree (any_value may pick another)
        min(channel) AS channel,
        campaign_id,
        arg_min(campaign_name, ad_id) AS campaign_name,
        adset_id,
        arg_min(adset_name, ad_id) AS adset_name,
        arg_min(audience_segment, ad_id) AS audience_segment,
        -- distinct through a list: count(DISTINCT) made this aggregate a
        -- second hash table and cost half the model's time
        len(list_distinct(list(ad_id))) AS ads,
        sum(spend) AS spend,
        sum(impressions)::BIGINT AS impressions,
        sum(clicks)::BIGINT AS clicks,
        sum(attributed_conversions::DECIMAL(38, 18))::DOUBLE AS attributed_conversions,
        sum(attributed_revenue)::DECIMAL(18, 2) AS attributed_revenue,
        sum(attributed_new_customers::DECIMAL(38, 18))::DOUBLE AS attributed_new_customers
    FROM mart_ad_weekly
    WHERE adset_id IS NOT NULL
    GROUP BY week_start, model, platform, campaign_id, adset_id
)

SELECT
    * REPLACE (spend::DECIMAL(18, 2) AS spend),
    CASE WHEN impressions > 0 THEN clicks / impressions END::DOUBLE AS ctr,
    CASE WHEN spend > 0 THEN attributed_revenue / spend END::DOUBLE AS roas,
    CASE WHEN attributed_conversions > 0 THEN round(spend / attributed_conversions, 2) END::DECIMAL(18, 2) AS cpa,
    CASE WHEN attributed_new_customers > 0 THEN round(spend / attributed_new_customers, 2) END::DECIMAL(18, 2) AS cac
FROM rolled

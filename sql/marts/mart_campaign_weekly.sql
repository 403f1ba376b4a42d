-- Per week, model, platform and campaign: spend, delivery, attributed and
-- platform-reported results, ROAS, CPA, CAC and the reconciliation gap.
--   roas                attributed_revenue / spend
--   platform_roas       platform-reported conversion value / spend
--   reconciliation_gap  platform-reported conversions / attributed conversions − 1
--                       (positive: the platform claims more than the CRM credits it)
--   cac                 spend / attributed new customers
-- Rows with a NULL campaign hold paid credit whose touchpoints named no
-- known ad or campaign.
--
-- A view, like mart_adset_weekly: reports read a week and a model at a
-- time, so a run does not roll up all history to show one week.
-- materialized: view
WITH campaigns AS (
    SELECT DISTINCT ON (campaign_id)
        campaign_id, campaign_name, audience_segment, objective, offer
    FROM int_ads
    ORDER BY campaign_id, ad_id
),

rolled AS (
    SELECT
        week_start,
        model,
        platform,
        min(channel) AS channel, -- not any_value: a re-run shows the same
        campaign_id,
        sum(spend) AS spend,
        sum(impressions)::BIGINT AS impressions,
        sum(clicks)::BIGINT AS clicks,
        sum(link_clicks)::BIGINT AS link_clicks,
        sum(platform_conversions::DECIMAL(38, 18))::DOUBLE AS platform_conversions,
        sum(platform_conversion_value) AS platform_conversion_value,
        sum(attributed_conversions::DECIMAL(38, 18))::DOUBLE AS attributed_conversions,
        sum(attributed_revenue)::DECIMAL(18, 2) AS attributed_revenue,
        sum(attributed_new_customers::DECIMAL(38, 18))::DOUBLE AS attributed_new_customers
    FROM mart_ad_weekly
    GROUP BY week_start, model, platform, campaign_id
)

SELECT
    r.week_start,
    r.model,
    r.platform,
    r.channel,
    r.campaign_id,
    c.campaign_name,
    c.audience_segment,
    c.objective,
    c.offer,
    r.spend::DECIMAL(18, 2) AS spend,
    r.impressions,
    r.clicks,
    r.link_clicks,
    CASE WHEN r.impressions > 0 THEN r.clicks / r.impressions END::DOUBLE AS ctr,
    r.platform_conversions,
    r.platform_conversion_value::DECIMAL(18, 2) AS platform_conversion_value,
    r.attributed_conversions,
    r.attributed_revenue,
    r.attributed_new_customers,
    CASE WHEN r.spend > 0 THEN r.attributed_revenue / r.spend END::DOUBLE AS roas,
    CASE WHEN r.spend > 0 THEN r.platform_conversion_value / r.spend END::DOUBLE AS platform_roas,
    CASE WHEN r.attributed_conversions > 0 THEN r.platform_conversions / r.attributed_conversions - 1 END AS reconciliation_gap,
    CASE WHEN r.attributed_conversions > 0 THEN round(r.spend / r.attributed_conversions, 2) END::DECIMAL(18, 2) AS cpa,
    CASE WHEN r.attributed_new_customers > 0 THEN round(r.spend / r.attributed_new_customers, 2) END::DECIMAL(18, 2) AS cac
FROM rolled AS r
LEFT JOIN campaigns AS c USING (campaign_id)

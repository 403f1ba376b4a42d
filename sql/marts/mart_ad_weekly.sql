-- Delivery, cost and attributed results per week, model and ad (with its
-- platform, campaign, ad set, creative key and parsed name fields): the
-- finest grain of paid media, from which the campaign, audience and
-- creative marts roll up. The figures are ad_results_weekly's (see there
-- how delivery and credit meet); the names and fields are int_ads'.
--   roas           attributed_revenue / spend
--   platform_roas  platform-reported conversion value / spend
--   cpa            spend / attributed conversions
--   cac            spend / attributed new customers
--
-- A view: labelling every row of every model in a table was more than half
-- of writing it, and reports and the roll-ups read a week and a model at a
-- time, a filter DuckDB pushes through the join into ad_results_weekly.
-- materialized: view
SELECT
    r.week_start,
    r.model,
    r.platform,
    r.channel,
    r.campaign_id,
    a.campaign_name,
    r.adset_id,
    a.adset_name,
    r.ad_id,
    a.ad_name,
    a.creative_key,
    a.audience_segment,
    a.objective,
    a.offer,
    a.format,
    a.hook,
    a.cta,
    r.spend,
    r.impressions,
    r.reach,
    r.clicks,
    r.link_clicks,
    r.video_views_3s,
    r.platform_conversions,
    r.platform_conversion_value,
    r.attributed_conversions,
    r.attributed_revenue,
    r.attributed_new_customers,
    CASE WHEN r.spend > 0 THEN r.attributed_revenue / r.spend END::DOUBLE AS roas,
    CASE WHEN r.spend > 0 THEN r.platform_conversion_value / r.spend END::DOUBLE AS platform_roas,
    CASE WHEN r.attributed_conversions > 0 THEN round(r.spend / r.attributed_conversions, 2) END::DECIMAL(18, 2) AS cpa,
    CASE WHEN r.attributed_new_customers > 0 THEN round(r.spend / r.attributed_new_customers, 2) END::DECIMAL(18, 2) AS cac
FROM ad_results_weekly AS r
LEFT JOIN int_ads AS a ON a.ad_id = r.ad_id

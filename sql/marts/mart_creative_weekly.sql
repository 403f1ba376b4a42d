-- Creative-level return: per week, model and creative key (the same asset
-- across ads and platforms, see int_ads), delivery, cost, attributed
-- results and fatigue.
--   ctr              clicks / impressions
--   cpc, cpm         spend / clicks, spend / impressions × 1000
--   thumb_stop_rate  3-second video views / impressions of the rows that
--                    report video views (NULL for still images)
--   weeks_active, fatigued, fatigued_in  see int_creative_activity
--
-- A view, like mart_adset_weekly: reports read a week and a model at a
-- time, so a run does not roll up all history to show one week.
-- materialized: view
WITH rolled AS (
    SELECT
        week_start,
        model,
        creative_key,
        -- distinct through lists (see mart_adset_weekly)
        nullif(array_to_string(list_sort(list_distinct(list(platform))), ', '), '') AS platforms,
        len(list_distinct(list(ad_id))) AS ads,
        -- the first ad's (any_value differed between runs when a key's
        -- ads differ in format)
        arg_min(format, ad_id) AS format,
        arg_min(hook, ad_id) AS hook,
        sum(spend) AS spend,
        sum(impressions)::BIGINT AS impressions,
        sum(clicks)::BIGINT AS clicks,
        sum(link_clicks)::BIGINT AS link_clicks,
        sum(video_views_3s)::BIGINT AS video_views_3s,
        (sum(impressions) FILTER (WHERE video_views_3s IS NOT NULL))::BIGINT AS video_impressions,
        sum(attributed_conversions::DECIMAL(38, 18))::DOUBLE AS attributed_conversions,
        sum(attributed_revenue)::DECIMAL(18, 2) AS attributed_revenue
    FROM mart_ad_weekly
    WHERE creative_key IS NOT NULL
    GROUP BY week_start, model, creative_key
)

SELECT
    r.week_start,
    r.model,
    r.creative_key,
    r.platforms,
    r.ads,
    r.format,
    r.hook,
    r.spend::DECIMAL(18, 2) AS spend,
    r.impressions,
    r.clicks,
    r.link_clicks,
    CASE WHEN r.impressions > 0 THEN r.clicks / r.impressions END::DOUBLE AS ctr,
    CASE WHEN r.clicks > 0 THEN round(r.spend / r.clicks, 2) END::DECIMAL(18, 2) AS cpc,
    CASE WHEN r.impressions > 0 THEN round(r.spend / r.impressions * 1000, 2) END::DECIMAL(18, 2) AS cpm,
    CASE WHEN r.video_impressions > 0 THEN r.video_views_3s / r.video_impressions END::DOUBLE AS thumb_stop_rate,
    r.attributed_conversions,
    r.attributed_revenue,
    CASE WHEN r.spend > 0 THEN r.attributed_revenue / r.spend END::DOUBLE AS roas,
    CASE WHEN r.attributed_conversions > 0 THEN round(r.spend / r.attributed_conversions, 2) END::DECIMAL(18, 2) AS cpa,
    coalesce(a.weeks_active, 0) AS weeks_active,
    coalesce(f.fatigued, false) AS fatigued,
    f.fatigued_in
FROM rolled AS r
LEFT JOIN int_creative_activity AS f
    ON f.week_start = r.week_start AND f.creative_key = r.creative_key
-- a week without delivery (credit for earlier touches only) has run as
-- many weeks as the last week that delivered
ASOF LEFT JOIN int_creative_activity AS a
    ON a.creative_key = r.creative_key AND a.week_start <= r.week_start

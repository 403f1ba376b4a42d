-- Creative-level return: per week, model and creative key (the same asset
-- across ads and platforms, see int_ads), delivery, cost, attributed
-- results and fatigue.
--   ctr              clicks / impressions
--   cpc, cpm         spend / clicks, spend / impressions × 1000
--   thumb_stop_rate  3-second video views / impressions of the rows that
--                    report video views (NULL for still images)
--   weeks_active     weeks with delivery from its first week through this one
--   fatigued         on some delivery line (platform × ad set: one audience),
--                    CTR fell by more than creative.fatigue_ctr_drop against
--                    the line's first active week while frequency
--                    (impressions / reach) exceeded creative.fatigue_frequency.
--                    Fatigue is judged per audience: the same asset shown to a
--                    fresh audience is not worn out. fatigued_in names them.
WITH lines AS (
    SELECT
        week_start,
        creative_key,
        platform,
        adset_id,
        any_value(adset_name) AS adset_name,
        sum(impressions)::BIGINT AS impressions,
        sum(clicks)::BIGINT AS clicks,
        sum(reach)::BIGINT AS reach
    FROM mart_ad_weekly
    WHERE model = getvariable('primary_model') AND impressions > 0
    GROUP BY ALL
),

line_fatigue AS (
    SELECT
        *,
        clicks / impressions AS ctr,
        impressions / nullif(reach, 0) AS frequency,
        first_value(clicks / impressions) OVER (
            PARTITION BY creative_key, platform, adset_id ORDER BY week_start
        ) AS first_ctr
    FROM lines
),

fatigue AS (
    SELECT
        week_start,
        creative_key,
        bool_or(coalesce(ctr < (1 - getvariable('fatigue_ctr_drop')) * first_ctr
            AND frequency > getvariable('fatigue_frequency'), false)) AS fatigued,
        string_agg(
            CASE WHEN ctr < (1 - getvariable('fatigue_ctr_drop')) * first_ctr
                AND frequency > getvariable('fatigue_frequency')
                THEN platform || ' ' || coalesce(adset_name, adset_id) END,
            ', ' ORDER BY platform, adset_id
        ) AS fatigued_in
    FROM line_fatigue
    GROUP BY ALL
),

rolled AS (
    SELECT
        week_start,
        model,
        creative_key,
        -- distinct through lists (see mart_adset_weekly)
        nullif(array_to_string(list_sort(list_distinct(list(platform))), ', '), '') AS platforms,
        len(list_distinct(list(ad_id))) AS ads,
        any_value(format) AS format,
        any_value(hook) AS hook,
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
),

activity AS (
    SELECT
        week_start,
        model,
        creative_key,
        count(*) FILTER (WHERE impressions > 0) OVER (
            PARTITION BY model, creative_key ORDER BY week_start
        ) AS weeks_active
    FROM rolled
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
    a.weeks_active,
    coalesce(f.fatigued, false) AS fatigued,
    f.fatigued_in
FROM rolled AS r
JOIN activity AS a USING (week_start, model, creative_key)
LEFT JOIN fatigue AS f USING (week_start, creative_key)
-- No ORDER BY: a table has no order, and sorting all weeks and models of
-- this grain was a large share of building it. Outputs order what they
-- show (the workbook by its own keys, Parquet by all columns).

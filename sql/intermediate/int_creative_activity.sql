-- Per week and creative key with delivery (impressions > 0): how many weeks
-- it has run through this one, and whether it is fatigued.
--   weeks_active  weeks with impressions from its first week through this one
--   fatigued      on some delivery line (platform × ad set: one audience),
--                 CTR fell by more than creative.fatigue_ctr_drop against
--                 the line's first active week while frequency
--                 (impressions / reach) exceeded creative.fatigue_frequency.
--                 Fatigue is judged per audience: the same asset shown to a
--                 fresh audience is not worn out. fatigued_in names them.
-- Both are delivery, the same under every attribution model, and both look
-- back over all history; mart_creative_weekly, a view read a week at a
-- time, takes them from here.
WITH lines AS (
    SELECT
        d.week_start,
        a.creative_key,
        d.platform,
        d.adset_id,
        arg_min(a.adset_name, a.ad_id) AS adset_name,
        sum(d.impressions)::BIGINT AS impressions,
        sum(d.clicks)::BIGINT AS clicks,
        sum(d.reach)::BIGINT AS reach
    FROM stg_ad_performance AS d
    JOIN int_ads AS a USING (ad_id)
    WHERE d.week_start <= getvariable('week_start')::DATE
    GROUP BY d.week_start, a.creative_key, d.platform, d.adset_id
    HAVING sum(d.impressions) > 0
),

line_fatigue AS (
    SELECT
        *,
        coalesce(
            clicks / impressions < (1 - getvariable('fatigue_ctr_drop')) * first_value(clicks / impressions) OVER (
                PARTITION BY creative_key, platform, adset_id ORDER BY week_start
            )
            AND impressions / nullif(reach, 0) > getvariable('fatigue_frequency'),
            false
        ) AS fatigued
    FROM lines
),

by_week AS (
    SELECT
        week_start,
        creative_key,
        bool_or(fatigued) AS fatigued,
        string_agg(
            CASE WHEN fatigued THEN platform || ' ' || coalesce(adset_name, adset_id) END,
            ', ' ORDER BY platform, adset_id
        ) AS fatigued_in
    FROM line_fatigue
    GROUP BY week_start, creative_key
)

SELECT
    week_start,
    creative_key,
    count(*) OVER (PARTITION BY creative_key ORDER BY week_start) AS weeks_active,
    fatigued,
    fatigued_in
FROM by_week

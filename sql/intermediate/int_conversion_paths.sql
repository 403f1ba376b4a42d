-- Each conversion's path: the person's touchpoints with
-- conversion time − lookback_days ≤ ts < conversion time, ordered by ts then
-- touchpoint_id. A person who converts twice has two paths, which may share
-- touchpoints. A conversion with no touchpoint gets one synthetic `direct`
-- step (touchpoint_id NULL), so every conversion is credited somewhere.
WITH touched AS (
    SELECT
        c.conversion_id,
        c.ts AS conversion_ts,
        c.week_start AS conversion_week,
        c.revenue_reporting,
        c.is_new_customer,
        c.order_id,
        c.promo_codes,
        t.touchpoint_id,
        t.ts AS touchpoint_ts,
        t.channel,
        t.platform,
        t.campaign_id,
        t.ad_id,
        t.creator_id,
        t.utm_source,
        t.utm_medium,
        t.utm_campaign,
        t.utm_content
    FROM stg_conversions AS c
    JOIN int_touchpoints_classified AS t
        ON t.person_id = c.person_id
        AND t.ts >= c.ts - to_days(getvariable('lookback_days')::INTEGER)
        AND t.ts < c.ts
),

untouched AS (
    SELECT
        c.conversion_id,
        c.ts AS conversion_ts,
        c.week_start AS conversion_week,
        c.revenue_reporting,
        c.is_new_customer,
        c.order_id,
        c.promo_codes,
        NULL::VARCHAR AS touchpoint_id,
        NULL::TIMESTAMPTZ AS touchpoint_ts,
        'direct' AS channel,
        NULL::VARCHAR AS platform,
        NULL::VARCHAR AS campaign_id,
        NULL::VARCHAR AS ad_id,
        NULL::VARCHAR AS creator_id,
        NULL::VARCHAR AS utm_source,
        NULL::VARCHAR AS utm_medium,
        NULL::VARCHAR AS utm_campaign,
        NULL::VARCHAR AS utm_content
    FROM stg_conversions AS c
    WHERE NOT EXISTS (SELECT 1 FROM touched AS t WHERE t.conversion_id = c.conversion_id)
),

steps AS (
    SELECT * FROM touched
    UNION ALL
    SELECT * FROM untouched
),

positioned AS (
    SELECT
        *,
        row_number() OVER (
            PARTITION BY conversion_id ORDER BY touchpoint_ts NULLS FIRST, touchpoint_id NULLS FIRST
        ) AS position,
        count(*) OVER (PARTITION BY conversion_id) AS path_length
    FROM steps
)

SELECT
    *,
    -- the position of the last non-direct step; NULL when all are direct
    max(CASE WHEN channel <> 'direct' THEN position END) OVER (PARTITION BY conversion_id) AS last_non_direct_position,
    epoch(conversion_ts - touchpoint_ts) / 86400.0 AS days_before_conversion
FROM positioned

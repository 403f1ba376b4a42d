-- Each conversion's path: the person's touchpoints with
-- conversion time − lookback_days ≤ ts < conversion time, ordered by ts then
-- touchpoint_id. A person who converts twice has two paths, which may share
-- touchpoints. A conversion with no touchpoint keeps one `direct` step with
-- no touchpoint (the outer join's empty side), so every conversion is
-- credited somewhere.
--
-- Time arithmetic is done once per conversion, or on integer microseconds:
-- arithmetic on TIMESTAMPTZ goes through ICU's calendar, and in the join
-- condition it ran once per candidate pair (25 of 38 s at L).
--
-- Incremental by conversion: a path follows from its conversion's row and
-- the person's touchpoints in its window. A run recomputes the paths of
-- new, restated or gone conversions, and those a recomputed touchpoint was
-- on or is now on (incremental_follows): a week's conversions and the
-- paths late or restated touchpoints reach, not all history's.
-- materialized: incremental
-- unique_key: conversion_id
-- incremental_input: stg_conversions
-- incremental_follows: int_touchpoints_classified
WITH conversion_windows AS (
    SELECT
        *,
        ts - to_days(getvariable('lookback_days')::INTEGER) AS window_start
    FROM stg_conversions
),

steps AS (
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
        coalesce(t.channel, 'direct') AS channel,
        t.platform,
        t.campaign_id,
        t.ad_id,
        t.creator_id,
        t.utm_source,
        t.utm_medium,
        t.utm_campaign,
        t.utm_content
    FROM conversion_windows AS c
    LEFT JOIN int_touchpoints_classified AS t
        ON t.person_id = c.person_id
        AND t.ts >= c.window_start
        AND t.ts < c.ts
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
    (epoch_us(conversion_ts) - epoch_us(touchpoint_ts)) / 86400e6 AS days_before_conversion
FROM positioned

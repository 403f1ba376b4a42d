-- Website sessions that came from an organic post: organic-social
-- touchpoints whose utm_content is a post id (DESIGN §4 Organic: link clicks
-- tie to sessions by utm_content = post id). One row per touchpoint, so a
-- session counts for one post only: when the same id exists on two
-- platforms, the post on the touchpoint's own platform wins.
--
-- A session is a click or a visit: view-throughs and promo-code uses at
-- checkout are not visits. Sessions after the report week's end are left
-- out, so re-running a past week gives the same numbers.
WITH posts AS (
    SELECT DISTINCT platform, post_id
    FROM organic_posts
),

organic_touches AS (
    SELECT touchpoint_id, ts, local_date, week_start, platform AS touch_platform, utm_content, landing_page
    FROM int_touchpoints_classified
    WHERE channel = 'organic_social'
        AND utm_content IS NOT NULL
        AND coalesce(interaction, '') NOT IN ('view', 'promo_code')
        AND local_date <= getvariable('week_end')::DATE
)

SELECT
    t.touchpoint_id,
    p.platform,
    p.post_id,
    t.ts,
    t.local_date,
    t.week_start AS session_week,
    t.landing_page
FROM organic_touches AS t
JOIN posts AS p ON p.post_id = t.utm_content
QUALIFY row_number() OVER (
    PARTITION BY t.touchpoint_id
    ORDER BY (p.platform IS NOT DISTINCT FROM t.touch_platform) DESC, p.platform
) = 1

-- Organic posts, one row per post, as they stood at the end of the report
-- week, with the week they were published in, their content pillar, the
-- trend flag and the sessions their links brought.
--
-- organic_posts keeps one snapshot per post and day with lifetime counters,
-- so a post's figures are its latest snapshot on or before week_end (never
-- a sum of snapshots). Posts belong to the local week (reporting time zone)
-- they were published in; posts published after the report week are left
-- out.
--
-- Tags are compared case-insensitively and without a leading '#'
-- ("#HowTo" = "howto"), and pillar names are reported in that form:
--   pillar    the post's first tag that is one of organic_pillars; when
--             organic_pillars is empty, its first tag; 'untagged' when none
--   is_trend  the post carries one of organic_trend_tags (agile/trend posts,
--             reported apart)
-- engagements = likes + comments + shares + saves, a counter the platform
-- does not report counting as 0; NULL when it reports none of the four
-- (Instagram stories after they expire).
WITH settings AS (
    SELECT
        list_filter(
            list_transform(getvariable('organic_pillars')::VARCHAR[], lambda p: lower(ltrim(trim(p), '#'))),
            lambda p: p <> ''
        ) AS pillars,
        list_filter(
            list_transform(getvariable('organic_trend_tags')::VARCHAR[], lambda p: lower(ltrim(trim(p), '#'))),
            lambda p: p <> ''
        ) AS trend_tags
),

latest AS (
    SELECT *
    FROM organic_posts
    WHERE snapshot_date <= getvariable('week_end')::DATE
    QUALIFY row_number() OVER (PARTITION BY platform, post_id ORDER BY snapshot_date DESC) = 1
),

normalized AS (
    SELECT
        *,
        date_trunc('week', (published_at AT TIME ZONE getvariable('timezone'))::DATE)::DATE AS week_start,
        list_filter(
            list_transform(coalesce(tags, []::VARCHAR[]), lambda t: lower(ltrim(trim(t), '#'))),
            lambda t: t <> ''
        ) AS norm_tags
    FROM latest
),

classified AS (
    SELECT
        p.*,
        coalesce(
            CASE
                WHEN len(s.pillars) = 0 THEN p.norm_tags[1]
                ELSE list_filter(p.norm_tags, lambda t: list_contains(s.pillars, t))[1]
            END,
            'untagged'
        ) AS pillar,
        list_has_any(p.norm_tags, s.trend_tags) AS is_trend
    FROM normalized AS p
    CROSS JOIN settings AS s
    WHERE p.week_start <= getvariable('week_start')::DATE
),

sessions_per_post AS (
    SELECT platform, post_id, count(*) AS sessions
    FROM int_organic_sessions
    GROUP BY ALL
)

SELECT
    p.week_start,
    p.platform,
    p.account_id,
    p.post_id,
    p.snapshot_date,
    p.published_at,
    p.format,
    p.pillar,
    p.is_trend,
    p.tags,
    p.caption,
    p.permalink,
    p.impressions,
    p.reach,
    p.likes,
    p.comments,
    p.shares,
    p.saves,
    CASE
        WHEN p.likes IS NOT NULL OR p.comments IS NOT NULL OR p.shares IS NOT NULL OR p.saves IS NOT NULL
        THEN coalesce(p.likes, 0) + coalesce(p.comments, 0) + coalesce(p.shares, 0) + coalesce(p.saves, 0)
    END AS engagements,
    p.video_views,
    p.link_clicks,
    coalesce(s.sessions, 0) AS sessions
FROM classified AS p
LEFT JOIN sessions_per_post AS s USING (platform, post_id)

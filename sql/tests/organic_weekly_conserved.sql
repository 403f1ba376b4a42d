-- description: every organic post published through the report week is counted once in mart_organic_weekly, and every organic session tied to a post once
-- severity: error
WITH expected AS (
    SELECT
        (SELECT count(*) FROM int_organic_posts) AS posts,
        (SELECT count(*) FROM (
            SELECT DISTINCT platform, post_id
            FROM organic_posts
            WHERE snapshot_date <= getvariable('week_end')::DATE
                AND (published_at AT TIME ZONE getvariable('timezone'))::DATE < getvariable('week_start')::DATE + 7
        )) AS distinct_posts,
        (SELECT count(*) FROM int_organic_sessions AS s
            SEMI JOIN int_organic_posts AS p USING (platform, post_id)) AS sessions,
        (SELECT count(DISTINCT touchpoint_id) FROM int_organic_sessions AS s
            SEMI JOIN int_organic_posts AS p USING (platform, post_id)) AS distinct_sessions
),

reported AS (
    SELECT coalesce(sum(posts), 0) AS posts, coalesce(sum(sessions), 0) AS sessions
    FROM mart_organic_weekly
)

SELECT 'posts' AS what, e.distinct_posts AS expected, e.posts AS in_int_organic_posts, r.posts AS in_mart
FROM expected AS e, reported AS r
WHERE r.posts <> e.distinct_posts OR e.posts <> e.distinct_posts
UNION ALL
SELECT 'sessions', e.distinct_sessions, e.sessions, r.sessions
FROM expected AS e, reported AS r
WHERE r.sessions <> e.distinct_sessions OR e.sessions <> e.distinct_sessions

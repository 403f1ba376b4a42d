-- Every organic post published through the report week, one row each, with
-- its latest snapshot on or before the week's end (int_organic_posts) and
-- what its links earned: sessions tied by utm_content = post id, and the
-- primary model's credit (conversions) and revenue credit to those sessions
-- for conversions through the report week. mart_organic_weekly and
-- mart_organic_top_posts read it, so both count a post the same way.
WITH credits_per_post AS (
    SELECT
        s.platform,
        s.post_id,
        sum(l.credit::DECIMAL(38, 18)) AS conversions,
        sum(l.revenue_credit) AS revenue
    FROM attribution_ledger AS l
    JOIN int_organic_sessions AS s USING (touchpoint_id)
    WHERE l.model = getvariable('primary_model')
        AND l.week_start <= getvariable('week_start')::DATE
    GROUP BY ALL
)

SELECT
    p.*,
    getvariable('primary_model')::VARCHAR AS model,
    coalesce(c.conversions, 0)::DOUBLE AS conversions,
    coalesce(c.revenue, 0)::DECIMAL(18, 2) AS revenue
FROM int_organic_posts AS p
LEFT JOIN credits_per_post AS c USING (platform, post_id)
ORDER BY p.week_start, p.platform, p.post_id

-- Organic content per week, platform, format and content pillar, with
-- trend posts (is_trend) apart: what the brand's own posts earned in
-- engagement and what their links brought to the website.
--
-- Posts come from mart_organic_posts (int_organic_posts with their credit): each post once, with its latest
-- snapshot on or before the report week's end (lifetime counters), in the
-- local week it was published in. So a week's row is the cohort of posts
-- published that week, measured as of the report week's end. Weeks run from
-- the first week with posts to the report week; a combination without posts
-- has no row.
--   engagements               likes + comments + shares + saves
--   engagement_rate           engagements / impressions (NULL without impressions)
--   engagement_rate_by_reach  engagements / reach
--   counters                  NULL when no post of the row reports them
--                             (Instagram reports no link clicks, expired
--                             stories no insights)
--   sessions                  organic-social sessions whose utm_content is one
--                             of the posts' ids (int_organic_sessions), through
--                             the report week's end
--   conversions, revenue      the primary model's credit (sum of credit
--                             fractions) and revenue credit that the
--                             attribution ledger gives those sessions, for
--                             conversions through the report week, whatever
--                             week they fell in
-- The model column names the primary model the credits come from.
WITH weekly AS (
    SELECT
        week_start,
        platform,
        format,
        pillar,
        is_trend,
        count(*) AS posts,
        sum(impressions)::BIGINT AS impressions,
        sum(reach)::BIGINT AS reach,
        sum(likes)::BIGINT AS likes,
        sum(comments)::BIGINT AS comments,
        sum(shares)::BIGINT AS shares,
        sum(saves)::BIGINT AS saves,
        sum(engagements)::BIGINT AS engagements,
        sum(link_clicks)::BIGINT AS link_clicks,
        sum(sessions)::BIGINT AS sessions,
        coalesce(sum(conversions), 0)::DOUBLE AS conversions,
        coalesce(sum(revenue), 0)::DECIMAL(18, 2) AS revenue
    FROM mart_organic_posts
    GROUP BY ALL
)

SELECT
    week_start,
    getvariable('primary_model')::VARCHAR AS model,
    platform,
    format,
    pillar,
    is_trend,
    posts,
    impressions,
    reach,
    likes,
    comments,
    shares,
    saves,
    engagements,
    CASE WHEN impressions > 0 THEN engagements / impressions END::DOUBLE AS engagement_rate,
    CASE WHEN reach > 0 THEN engagements / reach END::DOUBLE AS engagement_rate_by_reach,
    link_clicks,
    sessions,
    conversions,
    revenue
FROM weekly
ORDER BY week_start, platform, format, pillar, is_trend

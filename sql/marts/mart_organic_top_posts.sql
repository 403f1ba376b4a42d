-- The report week's top organic posts: the ten posts published in the
-- report week with the most engagements, for the "which posts drove
-- business outcomes" question. A separate table rather than a flag on
-- mart_organic_weekly, whose rows are groups of posts: a post needs its own
-- row to carry its permalink and caption.
--
-- Figures come from mart_organic_posts, as in mart_organic_weekly (latest snapshot on or before the
-- report week's end; engagements = likes + comments + shares + saves;
-- sessions tied by utm_content = post id; conversions and revenue are the
-- primary model's credit to those sessions). Ties rank by impressions, then
-- platform and post id. The caption is on one line, cut to 80 characters.
WITH week_posts AS (
    SELECT
        p.*,
        regexp_replace(trim(coalesce(p.caption, '')), '\s+', ' ', 'g') AS one_line_caption,
        row_number() OVER (
            ORDER BY coalesce(p.engagements, 0) DESC, coalesce(p.impressions, 0) DESC, p.platform, p.post_id
        ) AS rank
    FROM mart_organic_posts AS p
    WHERE p.week_start = getvariable('week_start')::DATE
)

SELECT
    p.week_start,
    getvariable('primary_model')::VARCHAR AS model,
    p.rank,
    p.platform,
    p.post_id,
    p.published_at,
    p.format,
    p.pillar,
    p.is_trend,
    p.permalink,
    CASE
        WHEN length(p.one_line_caption) > 80 THEN left(p.one_line_caption, 79) || '…'
        ELSE nullif(p.one_line_caption, '')
    END AS caption,
    p.impressions,
    p.reach,
    p.engagements,
    CASE WHEN p.impressions > 0 THEN p.engagements / p.impressions END::DOUBLE AS engagement_rate,
    p.link_clicks,
    p.sessions,
    p.conversions,
    p.revenue
FROM week_posts AS p
WHERE p.rank <= 10
ORDER BY p.rank

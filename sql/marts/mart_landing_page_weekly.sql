-- Landing pages per week and channel: sessions, the sessions that ended in
-- a conversion, and the revenue the primary model credits to them — so
-- pages that leak (many sessions, low conversion rate against the channel's
-- own rate) stand out. A session belongs to the local week it happened in;
-- weeks run from the first week with sessions to the report week.
--   sessions              touchpoints with a landing page that are visits or
--                         clicks (view-throughs and the shop's promo-code
--                         records at checkout are not sessions), from
--                         int_touchpoints_classified
--   landing_page          the page's path: scheme, host, query string and
--                         fragment removed, lower case, no trailing '/'
--                         ('/' for the home page)
--   converting_sessions   sessions that are the last session on some
--                         conversion's path (int_conversion_paths; the last
--                         session rather than the last touchpoint, so a
--                         promo-code record just before the order does not
--                         hide the visit that made it), for conversions
--                         through the report week
--   conversions           those conversions (a session can end two paths
--                         when the person converts twice)
--   conversion_rate       converting_sessions / sessions
--   channel_conversion_rate  the same over all pages of the channel and week,
--                         the yardstick a leaking page falls short of
--   attributed_conversions, attributed_revenue  the primary model's credit
--                         and revenue credit to the sessions, any position on
--                         the path (attribution_ledger)
--
-- Sessions are read twice, for the paths they end and for the weekly
-- counts: NOT MATERIALIZED, because keeping every session in a CTE between
-- the two reads cost more than reading the touchpoints twice (at L the
-- model took 7.2–7.8 s with the CTE kept, 5.0–5.3 s without). They are
-- counted per raw path first and the paths normalized after, once each.
WITH sessions AS NOT MATERIALIZED (
    SELECT
        touchpoint_id,
        week_start,
        channel,
        -- the page up to its query string or fragment, which the
        -- normalization (pages, below) drops anyway: pages repeat where
        -- query strings (click ids) need not
        split_part(split_part(trim(landing_page), '?', 1), '#', 1) AS page_path
    FROM int_touchpoints_classified
    WHERE nullif(trim(landing_page), '') IS NOT NULL
        AND coalesce(interaction, '') NOT IN ('view', 'promo_code')
        AND week_start <= getvariable('week_start')::DATE
),

last_sessions AS (
    SELECT p.conversion_id, p.touchpoint_id
    -- the sessions, then the paths: on the right, the side DuckDB builds its
    -- hash table on when it cannot tell the sizes (influencer_ledger)
    FROM sessions AS s
    JOIN int_conversion_paths AS p USING (touchpoint_id)
    WHERE p.conversion_week <= getvariable('week_start')::DATE
    QUALIFY row_number() OVER (PARTITION BY p.conversion_id ORDER BY p.position DESC) = 1
),

conversions_per_session AS (
    SELECT touchpoint_id, count(*) AS conversions
    FROM last_sessions
    GROUP BY ALL
),

credits_per_session AS (
    SELECT
        touchpoint_id,
        sum(credit::DECIMAL(38, 18)) AS attributed_conversions,
        sum(revenue_credit) AS attributed_revenue
    FROM attribution_ledger
    WHERE model = getvariable('primary_model')
        AND week_start <= getvariable('week_start')::DATE
        AND touchpoint_id IS NOT NULL
    GROUP BY ALL
),

per_path AS (
    SELECT
        s.week_start,
        s.page_path,
        s.channel,
        count(*) AS sessions,
        count(c.touchpoint_id) AS converting_sessions,
        sum(c.conversions) AS conversions,
        sum(a.attributed_conversions) AS attributed_conversions,
        sum(a.attributed_revenue) AS attributed_revenue
    FROM sessions AS s
    LEFT JOIN conversions_per_session AS c USING (touchpoint_id)
    LEFT JOIN credits_per_session AS a USING (touchpoint_id)
    GROUP BY ALL
),

pages AS (
    SELECT
        page_path,
        CASE WHEN starts_with(page, '/') THEN page ELSE '/' || page END AS landing_page
    FROM (
        SELECT
            page_path,
            coalesce(nullif(regexp_replace(
                lower(regexp_replace(regexp_replace(page_path,
                    '^[a-zA-Z][a-zA-Z0-9+.-]*://[^/?#]*', ''),
                    '[?#].*$', '')),
                '/+$', ''), ''), '/') AS page
        FROM (SELECT DISTINCT page_path FROM per_path)
    )
),

-- paths that normalize to one page (case, scheme and host, trailing '/')
-- add up; the sums are of integers and DECIMALs, so adding in two steps
-- changes nothing
weekly AS (
    SELECT
        w.week_start,
        p.landing_page,
        w.channel,
        sum(w.sessions)::BIGINT AS sessions,
        sum(w.converting_sessions)::BIGINT AS converting_sessions,
        coalesce(sum(w.conversions), 0)::BIGINT AS conversions,
        coalesce(sum(w.attributed_conversions), 0)::DOUBLE AS attributed_conversions,
        coalesce(sum(w.attributed_revenue), 0)::DECIMAL(18, 2) AS attributed_revenue
    FROM per_path AS w
    JOIN pages AS p USING (page_path)
    GROUP BY ALL
)

SELECT
    week_start,
    getvariable('primary_model')::VARCHAR AS model,
    landing_page,
    channel,
    sessions,
    converting_sessions,
    conversions,
    (converting_sessions / sessions)::DOUBLE AS conversion_rate,
    (sum(converting_sessions) OVER per_channel / sum(sessions) OVER per_channel)::DOUBLE AS channel_conversion_rate,
    attributed_conversions,
    attributed_revenue
FROM weekly
WINDOW per_channel AS (PARTITION BY week_start, channel)
ORDER BY week_start, channel, sessions DESC, landing_page

-- Every touchpoint gets a channel and a platform.
--
-- A channel the source already gave (an analytics export's channel
-- grouping) is kept. Otherwise influencer link keys from the registry win (a creator's link is an
-- influencer touch whatever its UTMs say); then the ordered channel rules
-- from config, first match wins; the platform comes from the matching rule,
-- else from the platform patterns over utm_source, click id type and referrer.
-- Paid touchpoints carry the campaign and ad ids from utm_campaign and
-- utm_content, which is the convention the ad platforms' URL templates use.
--
-- It keeps the columns later models read; the click id, referrer, term and
-- anonymous id stay in touchpoints (join on touchpoint_id). Writing them
-- here too was 30% of writing this table, and it is written every run.
--
-- The touchpoints are read twice, for their distinct signatures and to
-- classify them: NOT MATERIALIZED, because keeping every touchpoint in a CTE
-- between the two reads cost more than reading them twice.
--
-- Incremental: a touchpoint's classification depends on its own staged row
-- and on what is read whole (channel_rules, platform_patterns, influencers,
-- paid_channels). A run classifies again only the touchpoints whose staged
-- row changed (new, restated, re-stitched to another person, or gone), and
-- all of them when anything read whole changed. At L a weekly run wrote all
-- 20M rows again for 20k new ones, and writing was two thirds of its time.
--
-- A staged touchpoint is compared by its canonical row and its resolved
-- person (incremental_check): every other staged column follows from those,
-- the staging SQL and the time zone, which the fingerprint covers. Hashing
-- every normalized column of every touchpoint to compare them took 9 of
-- the 14 s spent finding the changed ones at L. The changed ones are then
-- staged again from just their rows of touchpoints (incremental_narrow):
-- filtered by key through the staging view, DuckDB staged every touchpoint
-- first (8 s at L); read from the table, it is a scan of the keys (3 s).
-- materialized: incremental
-- unique_key: touchpoint_id
-- incremental_input: stg_touchpoints
-- incremental_check: source_row_hash, person_id
-- incremental_narrow: touchpoints
WITH touch AS NOT MATERIALIZED (
    SELECT
        *,
        coalesce(utm_source, '') AS m_source,
        coalesce(utm_medium, '') AS m_medium,
        coalesce(click_id_type, '') AS m_click_id_type,
        -- rules see the referrer's host: that is what identifies a site, and
        -- it keeps the number of distinct signatures small
        lower(coalesce(regexp_extract(referrer, '^(?:[a-zA-Z][a-zA-Z0-9+.-]*://)?([^/?#]*)', 1), '')) AS m_referrer,
        coalesce(interaction, '') AS m_interaction
    FROM stg_touchpoints
),

-- Rules are matched once per distinct signature, not per touchpoint: the
-- regexes come from config (a table, not literals), and a few hundred
-- signatures stand for millions of touchpoints.
signatures AS (
    SELECT DISTINCT m_source, m_medium, m_click_id_type, m_referrer, m_interaction
    FROM touch
),

by_rule AS (
    SELECT s.*, r.channel, nullif(r.platform, '') AS rule_platform
    FROM signatures AS s
    JOIN channel_rules AS r
        ON (r.utm_source = '' OR regexp_matches(s.m_source, r.utm_source, 'i'))
        AND (r.utm_medium = '' OR regexp_matches(s.m_medium, r.utm_medium, 'i'))
        AND (r.click_id_type = '' OR regexp_matches(s.m_click_id_type, r.click_id_type, 'i'))
        AND (r.referrer = '' OR regexp_matches(s.m_referrer, r.referrer, 'i'))
        AND (r.interaction = '' OR regexp_matches(s.m_interaction, r.interaction, 'i'))
    QUALIFY row_number() OVER (
        PARTITION BY s.m_source, s.m_medium, s.m_click_id_type, s.m_referrer, s.m_interaction
        ORDER BY r.rule_order
    ) = 1
),

by_pattern AS (
    -- utm_source says the platform most directly, then the click id (an
    -- fbclid also comes from Instagram), then the referrer.
    SELECT s.*, p.platform
    FROM signatures AS s
    JOIN platform_patterns AS p
        ON regexp_matches(s.m_source, p.pattern, 'i')
        OR regexp_matches(s.m_click_id_type, p.pattern, 'i')
        OR regexp_matches(s.m_referrer, p.pattern, 'i')
    QUALIFY row_number() OVER (
        PARTITION BY s.m_source, s.m_medium, s.m_click_id_type, s.m_referrer, s.m_interaction
        ORDER BY
            CASE
                WHEN regexp_matches(s.m_source, p.pattern, 'i') THEN 1
                WHEN s.m_source = '' AND regexp_matches(s.m_click_id_type, p.pattern, 'i') THEN 2
                WHEN s.m_source = '' AND regexp_matches(s.m_referrer, p.pattern, 'i') THEN 3
                ELSE 4
            END,
            p.pattern_order
    ) = 1
),

-- rule and pattern per signature, so the touchpoints join one small table
signature_class AS (
    SELECT s.*, r.channel AS rule_channel, r.rule_platform, p.platform AS pattern_platform
    FROM signatures AS s
    LEFT JOIN by_rule AS r USING (m_source, m_medium, m_click_id_type, m_referrer, m_interaction)
    LEFT JOIN by_pattern AS p USING (m_source, m_medium, m_click_id_type, m_referrer, m_interaction)
),

-- one row per link key (the registry makes keys unique across creators)
creator_links AS (
    SELECT link_key, min(creator_id) AS creator_id, min(platform) AS platform
    FROM (SELECT creator_id, platform, unnest(link_keys) AS link_key FROM influencers)
    GROUP BY link_key
),

classified AS (
    SELECT
        t.touchpoint_id,
        t.person_id,
        t.ts,
        t.local_date,
        t.week_start,
        t.interaction,
        t.utm_source,
        t.utm_medium,
        t.utm_campaign,
        t.utm_content,
        t.landing_page,
        t.source,
        CASE
            WHEN t.given_channel IS NOT NULL THEN t.given_channel
            WHEN coalesce(by_campaign.creator_id, by_content.creator_id) IS NOT NULL THEN 'influencer'
            ELSE coalesce(k.rule_channel, 'other')
        END AS channel,
        -- a creator's link key in utm_campaign or utm_content (least ignores NULL)
        coalesce(k.rule_platform, k.pattern_platform, least(by_campaign.platform, by_content.platform)) AS platform,
        least(by_campaign.creator_id, by_content.creator_id) AS creator_id
    FROM touch AS t
    -- two lookups of one small table rather than a join on IN (…) or a pass
    -- over every touchpoint per column: each is a hash join
    LEFT JOIN creator_links AS by_campaign ON by_campaign.link_key = t.utm_campaign
    LEFT JOIN creator_links AS by_content ON by_content.link_key = t.utm_content
    LEFT JOIN signature_class AS k USING (m_source, m_medium, m_click_id_type, m_referrer, m_interaction)
)

SELECT
    *,
    CASE WHEN list_contains(getvariable('paid_channels'), channel) THEN utm_campaign END AS campaign_id,
    CASE WHEN list_contains(getvariable('paid_channels'), channel) THEN utm_content END AS ad_id
FROM classified

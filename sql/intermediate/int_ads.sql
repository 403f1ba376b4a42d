-- One row per ad: its names and creative from the latest delivery day, the
-- fields its campaign, ad set and ad names carry under the naming
-- conventions (config naming, loaded as the naming_fields table), the
-- audience segment and the creative key. Ledgers and marts use it to label
-- touchpoints that carry only ids.
--
-- A field is taken from the first level whose template has it and whose
-- name parses (campaign, then ad set, then ad). Names that do not follow
-- their level's template keep NULL fields and are counted by tracking QA
-- (names_parsed = false), never dropped.
WITH latest AS (
    SELECT
        ad_id,
        arg_max(platform, date) AS platform,
        arg_max(campaign_id, date) AS campaign_id,
        arg_max(campaign_name, date) AS campaign_name,
        arg_max(adset_id, date) AS adset_id,
        arg_max(adset_name, date) AS adset_name,
        arg_max(ad_name, date) AS ad_name,
        arg_max(creative_id, date) AS creative_id,
        arg_max(creative_name, date) AS creative_name
    FROM stg_ad_performance
    GROUP BY ad_id
),

names AS (
    SELECT ad_id, 'campaign' AS level, 1 AS level_order, campaign_name AS name FROM latest
    UNION ALL
    SELECT ad_id, 'adset', 2, adset_name FROM latest
    UNION ALL
    SELECT ad_id, 'ad', 3, ad_name FROM latest
),

-- whether each name follows its level's template (levels without a
-- template are not checked)
compliance AS (
    SELECT n.ad_id, n.level, regexp_full_match(coalesce(n.name, ''), f.pattern) AS parsed
    FROM names AS n
    JOIN naming_fields AS f ON f.level = n.level AND f.field = ''
),

fields AS (
    SELECT
        n.ad_id,
        f.field,
        arg_min(nullif(regexp_extract(n.name, f.pattern, 1), ''), n.level_order) AS value
    FROM names AS n
    JOIN naming_fields AS f ON f.level = n.level AND f.field <> ''
    WHERE regexp_full_match(coalesce(n.name, ''), f.pattern)
    GROUP BY n.ad_id, f.field
),

parsed AS (
    SELECT
        ad_id,
        max(value) FILTER (WHERE field = 'objective') AS objective,
        max(value) FILTER (WHERE field = 'segment') AS segment,
        max(value) FILTER (WHERE field = 'geo') AS geo,
        max(value) FILTER (WHERE field = 'offer') AS offer,
        max(value) FILTER (WHERE field = 'format') AS format,
        max(value) FILTER (WHERE field = 'hook') AS hook,
        max(value) FILTER (WHERE field = 'cta') AS cta,
        max(value) FILTER (WHERE field = 'creative') AS creative
    FROM fields
    GROUP BY ad_id
),

checked AS (
    SELECT
        ad_id,
        bool_and(parsed) AS names_parsed,
        string_agg(level, ', ' ORDER BY level) FILTER (WHERE NOT parsed) AS unparsed_levels
    FROM compliance
    GROUP BY ad_id
)

SELECT
    l.*,
    p.objective,
    p.segment,
    p.geo,
    p.offer,
    p.format,
    p.hook,
    p.cta,
    p.creative,
    coalesce(s.segment, 'unknown') AS audience_segment,
    -- The brand's own asset key from the name first: platform creative ids
    -- differ per platform (and Meta often mints one per ad), so only the
    -- name groups one asset across ads and platforms.
    coalesce(p.creative, l.creative_id, l.ad_id) AS creative_key,
    coalesce(c.names_parsed, true) AS names_parsed,
    c.unparsed_levels
FROM latest AS l
LEFT JOIN parsed AS p USING (ad_id)
LEFT JOIN checked AS c USING (ad_id)
LEFT JOIN audience_segments AS s ON s.code = lower(p.segment)

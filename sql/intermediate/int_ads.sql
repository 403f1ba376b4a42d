-- One row per ad: its names and creative from the latest delivery day, the
-- fields its campaign, ad set and ad names carry under the naming
-- conventions (config naming, as naming_<level>_pattern variables), the
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

-- Each level's name split by its template in one regex (a struct with
-- every naming field, '' where the template lacks it). The patterns are
-- variables, so DuckDB compiles each once, not once per row.
split AS (
    SELECT
        ad_id,
        CASE WHEN list_contains(getvariable('naming_checked_levels'), 'campaign')
            THEN regexp_full_match(coalesce(campaign_name, ''), getvariable('naming_campaign_pattern')) END AS campaign_parsed,
        CASE WHEN list_contains(getvariable('naming_checked_levels'), 'adset')
            THEN regexp_full_match(coalesce(adset_name, ''), getvariable('naming_adset_pattern')) END AS adset_parsed,
        CASE WHEN list_contains(getvariable('naming_checked_levels'), 'ad')
            THEN regexp_full_match(coalesce(ad_name, ''), getvariable('naming_ad_pattern')) END AS ad_parsed,
        regexp_extract(campaign_name, getvariable('naming_campaign_pattern'), getvariable('naming_campaign_fields')) AS campaign_fields,
        regexp_extract(adset_name, getvariable('naming_adset_pattern'), getvariable('naming_adset_fields')) AS adset_fields,
        regexp_extract(ad_name, getvariable('naming_ad_pattern'), getvariable('naming_ad_fields')) AS ad_fields
    FROM latest
),

-- the fields of the levels whose names parse (NULL for the others)
levels AS (
    SELECT
        *,
        CASE WHEN campaign_parsed THEN campaign_fields END AS c,
        CASE WHEN adset_parsed THEN adset_fields END AS s,
        CASE WHEN ad_parsed THEN ad_fields END AS a
    FROM split
),

-- a field from the first level (campaign, ad set, ad) whose name parses
-- and whose template has it
parsed AS (
    SELECT
        ad_id,
        coalesce(nullif(c.objective, ''), nullif(s.objective, ''), nullif(a.objective, '')) AS objective,
        coalesce(nullif(c.segment, ''), nullif(s.segment, ''), nullif(a.segment, '')) AS segment,
        coalesce(nullif(c.geo, ''), nullif(s.geo, ''), nullif(a.geo, '')) AS geo,
        coalesce(nullif(c.offer, ''), nullif(s.offer, ''), nullif(a.offer, '')) AS offer,
        coalesce(nullif(c.format, ''), nullif(s.format, ''), nullif(a.format, '')) AS format,
        coalesce(nullif(c.hook, ''), nullif(s.hook, ''), nullif(a.hook, '')) AS hook,
        coalesce(nullif(c.cta, ''), nullif(s.cta, ''), nullif(a.cta, '')) AS cta,
        coalesce(nullif(c.creative, ''), nullif(s.creative, ''), nullif(a.creative, '')) AS creative,
        -- levels without a template are not checked (NULL)
        coalesce(campaign_parsed, true) AND coalesce(adset_parsed, true) AND coalesce(ad_parsed, true) AS names_parsed,
        nullif(concat_ws(', ',
            CASE WHEN NOT ad_parsed THEN 'ad' END,
            CASE WHEN NOT adset_parsed THEN 'adset' END,
            CASE WHEN NOT campaign_parsed THEN 'campaign' END
        ), '') AS unparsed_levels
    FROM levels
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
    p.names_parsed,
    p.unparsed_levels
FROM latest AS l
JOIN parsed AS p USING (ad_id)
LEFT JOIN audience_segments AS s ON s.code = lower(p.segment)

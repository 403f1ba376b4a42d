-- Assisted conversions per week, level (channel, platform, campaign,
-- creative) and key. A conversion is a last interaction for the entity that
-- holds its last non-direct touchpoint (the last touchpoint when all are
-- direct); it is assisted by every other entity on its path. Value is the
-- conversion's revenue. The ratios are assisted / last interaction.
--
-- Every week the data has, kept from run to run: a week is recomputed when
-- its conversions' paths changed, or the ad or campaign of one of their
-- steps did (its creative or name).
-- materialized: incremental
-- incremental_partition: week_start
-- incremental_input: int_conversion_paths(conversion_week AS week_start)
-- incremental_lookup: int_ads.ad_id, int_ads.campaign_id
WITH campaigns AS (
    -- the campaign's first ad's name (as mart_campaign_weekly), not
    -- any_value: a re-run shows the same label
    SELECT campaign_id, arg_min(campaign_name, ad_id) AS campaign_name
    FROM int_ads
    WHERE campaign_id IS NOT NULL
    GROUP BY campaign_id
),

steps AS (
    SELECT
        p.conversion_week AS week_start,
        p.conversion_id,
        p.revenue_reporting,
        p.position = coalesce(p.last_non_direct_position, p.path_length) AS is_last,
        p.channel,
        p.platform,
        p.campaign_id,
        cm.campaign_name,
        cr.creative_id,
        cr.creative_name
    FROM int_conversion_paths AS p
    LEFT JOIN int_ads AS cr ON cr.ad_id = p.ad_id
    LEFT JOIN campaigns AS cm ON cm.campaign_id = p.campaign_id
),

keyed AS (
    SELECT week_start, conversion_id, revenue_reporting, is_last, 'channel' AS level, channel AS key, channel AS label
    FROM steps
    UNION ALL
    SELECT week_start, conversion_id, revenue_reporting, is_last, 'platform', platform, platform
    FROM steps WHERE platform IS NOT NULL
    UNION ALL
    SELECT week_start, conversion_id, revenue_reporting, is_last, 'campaign', campaign_id, coalesce(campaign_name, campaign_id)
    FROM steps WHERE campaign_id IS NOT NULL
    UNION ALL
    SELECT week_start, conversion_id, revenue_reporting, is_last, 'creative', creative_id, coalesce(creative_name, creative_id)
    FROM steps WHERE creative_id IS NOT NULL
),

per_conversion AS (
    -- an entity with several steps on one path counts once per conversion
    SELECT week_start, level, key, min(label) AS label, conversion_id,
        any_value(revenue_reporting) AS revenue, bool_or(is_last) AS is_last
    FROM keyed
    GROUP BY week_start, level, key, conversion_id
)

SELECT
    week_start,
    level,
    key,
    min(label) AS label,
    count(*) FILTER (WHERE is_last) AS last_interaction_conversions,
    coalesce(sum(revenue) FILTER (WHERE is_last), 0)::DECIMAL(18, 2) AS last_interaction_value,
    count(*) FILTER (WHERE NOT is_last) AS assisted_conversions,
    coalesce(sum(revenue) FILTER (WHERE NOT is_last), 0)::DECIMAL(18, 2) AS assisted_value,
    (count(*) FILTER (WHERE NOT is_last) / nullif(count(*) FILTER (WHERE is_last), 0))::DOUBLE AS assist_ratio,
    (sum(revenue) FILTER (WHERE NOT is_last) / nullif(sum(revenue) FILTER (WHERE is_last), 0))::DOUBLE AS assist_value_ratio
FROM per_conversion
GROUP BY week_start, level, key

-- Touchpoints with the person resolved through identities, UTMs trimmed and
-- lower-cased, and the local day and week in the reporting time zone.
WITH resolved AS (
    SELECT
        t.*,
        coalesce(t.person_id, i.person_id, 'anon:' || t.anonymous_id) AS resolved_person_id,
        (t.ts AT TIME ZONE getvariable('timezone'))::DATE AS local_day
    FROM touchpoints AS t
    LEFT JOIN identities AS i ON i.anonymous_id = t.anonymous_id
)

SELECT
    touchpoint_id,
    resolved_person_id AS person_id,
    anonymous_id,
    ts,
    local_day AS local_date,
    date_trunc('week', local_day)::DATE AS week_start,
    lower(interaction) AS interaction,
    nullif(lower(trim(utm_source)), '') AS utm_source,
    nullif(lower(trim(utm_medium)), '') AS utm_medium,
    nullif(trim(utm_campaign), '') AS utm_campaign,
    nullif(trim(utm_content), '') AS utm_content,
    nullif(trim(utm_term), '') AS utm_term,
    nullif(trim(click_id), '') AS click_id,
    nullif(lower(trim(click_id_type)), '') AS click_id_type,
    landing_page,
    nullif(trim(referrer), '') AS referrer,
    -- a channel given by the source, normalised ("Paid Social" → paid_social)
    nullif(lower(regexp_replace(trim(channel), '[\s-]+', '_', 'g')), '') AS given_channel,
    source
FROM resolved
WHERE resolved_person_id IS NOT NULL

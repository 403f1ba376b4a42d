-- Touchpoints with the person resolved to the canonical person of
-- stg_identity_map (identity stitching), UTMs trimmed and lower-cased, and
-- the local day and week in the reporting time zone.
--
-- The person: the canonical person of the touchpoint's person_id when the map
-- knows it, else that of its anonymous_id, else the person_id as given, else
-- 'anon:<anonymous_id>' (a visitor never identified is a person of their
-- own). person_id wins over anonymous_id when both are mapped to different
-- persons, as the source named the person explicitly.
--
-- Ephemeral: int_touchpoints_classified is its only reader, and writing
-- every touchpoint to the warehouse once more cost more than this whole
-- query.
-- materialized: ephemeral
WITH resolved AS (
    SELECT
        t.*,
        coalesce(by_person.person_id, by_anon.person_id, t.person_id, 'anon:' || t.anonymous_id) AS resolved_person_id,
        (t.ts AT TIME ZONE getvariable('timezone'))::DATE AS local_day,
        -- the canonical row as loaded: with the resolved person, what the
        -- incremental classification compares a touchpoint by
        hash(t) AS source_row_hash
    FROM touchpoints AS t
    LEFT JOIN stg_identity_map AS by_person ON by_person.id = trim(t.person_id)
    LEFT JOIN stg_identity_map AS by_anon ON by_anon.id = trim(t.anonymous_id)
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
    source,
    source_row_hash
FROM resolved
WHERE resolved_person_id IS NOT NULL

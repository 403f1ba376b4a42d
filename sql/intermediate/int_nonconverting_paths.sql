-- Paths that led to no conversion, for the Markov chain: each person's
-- touchpoints up to the report week's end that are on no conversion's path,
-- cut into spans of at most lookback_days from the span's first touchpoint
-- (the same horizon a converting path has).
WITH on_a_path AS (
    SELECT DISTINCT touchpoint_id FROM int_conversion_paths WHERE touchpoint_id IS NOT NULL
),

free AS (
    SELECT t.person_id, t.touchpoint_id, t.ts, t.channel
    FROM int_touchpoints_classified AS t
    ANTI JOIN on_a_path USING (touchpoint_id)
    WHERE t.local_date <= getvariable('week_end')::DATE
),

spans AS (
    SELECT
        *,
        floor(
            epoch(ts - min(ts) OVER (PARTITION BY person_id))
            / (getvariable('lookback_days')::DOUBLE * 86400)
        )::BIGINT AS span
    FROM free
)

SELECT
    'nc:' || person_id || ':' || span AS path_id,
    person_id,
    touchpoint_id,
    ts,
    channel,
    row_number() OVER (PARTITION BY person_id, span ORDER BY ts, touchpoint_id) AS position,
    count(*) OVER (PARTITION BY person_id, span) AS path_length
FROM spans

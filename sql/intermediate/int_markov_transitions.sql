-- First-order transition counts over channel paths: (start) → channels →
-- (conversion) for converting paths and → (null) for the others. The Go
-- model int_markov_removal_effects solves the chain these counts define.
--
-- Non-converting paths: each person's touchpoints up to the report week's
-- end that are on no conversion's path, cut into spans of at most
-- lookback_days from the span's first touchpoint (the horizon a converting
-- path has). Only their transitions are needed, so they are counted here
-- with lag/lead rather than materialized as paths.
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
        channel,
        ts,
        touchpoint_id,
        'nc:' || person_id || ':' || floor(
            epoch(ts - min(ts) OVER (PARTITION BY person_id))
            / (getvariable('lookback_days')::DOUBLE * 86400)
        )::BIGINT AS path_id
    FROM free
),

nonconverting_edges AS (
    SELECT
        coalesce(lag(channel) OVER w, '(start)') AS from_state,
        channel AS to_state,
        lead(channel) OVER w IS NULL AS is_last
    FROM spans
    WINDOW w AS (PARTITION BY path_id ORDER BY ts, touchpoint_id)
),

converting_edges AS (
    SELECT
        coalesce(lag(channel) OVER (PARTITION BY conversion_id ORDER BY position), '(start)') AS from_state,
        channel AS to_state,
        position = path_length AS is_last
    FROM int_conversion_paths
),

edges AS (
    SELECT from_state, to_state FROM converting_edges
    UNION ALL
    SELECT to_state, '(conversion)' FROM converting_edges WHERE is_last
    UNION ALL
    SELECT from_state, to_state FROM nonconverting_edges
    UNION ALL
    SELECT to_state, '(null)' FROM nonconverting_edges WHERE is_last
)

SELECT from_state, to_state, count(*) AS transitions
FROM edges
GROUP BY ALL
ORDER BY from_state, to_state

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

-- a person's span number: whole lookbacks since their first free touchpoint
-- (integers, and a hash join for the first touchpoint, rather than a string
-- path id and a second window: this model runs over every touchpoint)
first_touch AS (
    SELECT person_id, min(ts) AS first_ts
    FROM free
    GROUP BY person_id
),

spans AS (
    SELECT
        f.person_id,
        f.channel,
        f.ts,
        f.touchpoint_id,
        floor(
            epoch(f.ts - p.first_ts) / (getvariable('lookback_days')::DOUBLE * 86400)
        )::BIGINT AS span
    FROM free AS f
    JOIN first_touch AS p USING (person_id)
),

nonconverting_edges AS (
    SELECT
        coalesce(lag(channel) OVER w, '(start)') AS from_state,
        channel AS to_state,
        lead(channel) OVER w IS NULL AS is_last
    FROM spans
    WINDOW w AS (PARTITION BY person_id, span ORDER BY ts, touchpoint_id)
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

-- First-order transition counts over channel paths: (start) → channels →
-- (conversion) for converting paths and → (null) for the others. The Go
-- model int_markov_removal_effects solves the chain these counts define.
WITH steps AS (
    SELECT conversion_id AS path_id, position, path_length, channel, '(conversion)' AS outcome
    FROM int_conversion_paths
    UNION ALL
    SELECT path_id, position, path_length, channel, '(null)' AS outcome
    FROM int_nonconverting_paths
),

edges AS (
    SELECT
        coalesce(lag(channel) OVER (PARTITION BY path_id ORDER BY position), '(start)') AS from_state,
        channel AS to_state
    FROM steps
    UNION ALL
    SELECT channel AS from_state, outcome AS to_state
    FROM steps
    WHERE position = path_length
)

SELECT from_state, to_state, count(*) AS transitions
FROM edges
GROUP BY ALL
ORDER BY from_state, to_state

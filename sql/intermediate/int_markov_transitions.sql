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

-- Channels travel through the window below as their position in this
-- sorted list, an integer, and are named again after it: a string there
-- is compared and carried by each of the 18.6M rows at L. By hand the
-- query took 8.1–9.8 s with names and 6.3–7.0 s with positions; in
-- weekly runs side by side, 8.8 s against 7.4 s (medians of three). The
-- list is sorted, so positions order as the names do.
channel_names AS (
    SELECT list(DISTINCT channel ORDER BY channel) AS names
    FROM int_touchpoints_classified
),

free AS (
    SELECT
        t.person_id,
        t.ts,
        list_position((SELECT names FROM channel_names), t.channel) AS channel_code
    FROM int_touchpoints_classified AS t
    ANTI JOIN on_a_path USING (touchpoint_id)
    WHERE t.local_date <= getvariable('week_end')::DATE
),

-- One ordered pass over each person's free touchpoints: a touchpoint's span
-- is the whole lookbacks since the person's first free touchpoint, and the
-- previous and next touchpoints' spans say where a span starts and ends.
-- Every window function shares one partitioning and order, so DuckDB sorts
-- the touchpoints once (a GROUP BY for the first touchpoint, a join back and
-- a second window over (person, span) cost a third more at L).
--
-- Touchpoints at the same instant are taken in channel order. Only the
-- channels and times of a span count, so that order is as definite as the
-- paths' (ts, touchpoint_id) and leaves the counts independent of ids; and
-- without touchpoint_id the window sorts and carries 16 bytes less a row,
-- which at L took this query from 14 to 10 s by hand.
ordered AS (
    SELECT
        channel_code,
        lag(channel_code) OVER w AS prev_channel_code,
        ts,
        lag(ts) OVER w AS prev_ts,
        lead(ts) OVER w AS next_ts,
        first_value(ts) OVER w AS first_ts
    FROM free
    WINDOW w AS (PARTITION BY person_id ORDER BY ts, channel_code)
),

-- Spans in integer microseconds: subtracting TIMESTAMPTZ values goes through
-- ICU's calendar arithmetic, which cost 10 of 12 s at M.
spans AS (
    SELECT
        channel_code,
        prev_channel_code,
        (epoch_us(ts) - epoch_us(first_ts)) // lookback_us AS span,
        (epoch_us(prev_ts) - epoch_us(first_ts)) // lookback_us AS prev_span,
        (epoch_us(next_ts) - epoch_us(first_ts)) // lookback_us AS next_span
    FROM ordered, (SELECT getvariable('lookback_days')::BIGINT * 86400 * 1000000 AS lookback_us)
),

nonconverting_edges AS (
    SELECT
        CASE WHEN prev_span = span THEN n.names[prev_channel_code] ELSE '(start)' END AS from_state,
        n.names[channel_code] AS to_state,
        next_span IS DISTINCT FROM span AS is_last
    FROM spans, channel_names AS n
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

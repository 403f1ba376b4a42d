-- Credit fractions per conversion, step and model (DESIGN §4). Each model's
-- credits sum to exactly 1 per conversion (tests/ledger_credit_sums_to_one).
--   first_touch      1 to position 1
--   last_touch       1 to the last position
--   last_non_direct  1 to the last non-direct step, else the last step
--   linear           1/n to each of n steps
--   time_decay       2^(−Δ/h) normalized, Δ in fractional days, h = half_life_days
--   position_based   first/last shares to the ends, the rest split by the middle;
--                    one step gets 1, two steps split first:last
--   markov           the path's channels share the credit in proportion to
--                    their removal effects (int_markov_removal_effects), each
--                    channel's share split equally among its steps; a path
--                    whose channels all have zero effect is split linearly
--   shapley          the game v(S) = conversions whose channel set lies in S
--                    is a sum of one unanimity game per conversion, so its
--                    exact Shapley value gives each channel on a path 1/k
--                    (k distinct channels), split equally among its steps;
--                    the channel totals are the game's Shapley values exactly
-- Sums of DOUBLEs go through DECIMAL(38,18), which adds exactly: DuckDB sums in
-- parallel in no fixed order, and a re-run must give the same bits.
--
-- Ephemeral: int_attribution_ledger is its only reader and keeps every row with
-- the cents allocated, so writing this table too was a second copy of the
-- ledger.
--
-- Narrow on purpose: a step's key (which is also the ledger's tie-break)
-- and the conversion's revenue, and nothing the ledger can join back from
-- int_conversion_paths afterwards. Every column carried here is carried
-- through the ledger's sort of 9M rows at L; with the path's 18 columns
-- that sort was most of the ledger's time. The per-path figures are GROUP
-- BYs joined back rather than window functions over the path, which sort
-- (at L about 2.5 s of CPU against 6.8 s).
-- materialized: ephemeral
WITH channel_steps AS (
    SELECT conversion_id, channel, count(*) AS channel_steps
    FROM int_conversion_paths
    GROUP BY conversion_id, channel
),

steps AS (
    SELECT
        p.conversion_id,
        p.position,
        p.path_length,
        p.last_non_direct_position,
        p.revenue_reporting,
        pow(2.0, -coalesce(p.days_before_conversion, 0) / getvariable('half_life_days')) AS decay_weight,
        cs.channel_steps,
        coalesce(re.removal_effect, 0) AS removal_effect
    FROM int_conversion_paths AS p
    JOIN channel_steps AS cs USING (conversion_id, channel)
    LEFT JOIN int_markov_removal_effects AS re USING (channel)
),

per_path AS (
    SELECT
        conversion_id,
        sum(decay_weight::DECIMAL(38, 18))::DOUBLE AS decay_total,
        -- each distinct channel of the path counted once
        sum((removal_effect / channel_steps)::DECIMAL(38, 18))::DOUBLE AS path_removal_effect
    FROM steps
    GROUP BY conversion_id
),

path_channels AS (
    SELECT conversion_id, count(*) AS path_channels
    FROM channel_steps
    GROUP BY conversion_id
),

weighted AS (
    SELECT
        s.*,
        s.decay_weight / pp.decay_total AS decay_share,
        pp.path_removal_effect,
        pc.path_channels
    FROM steps AS s
    JOIN per_path AS pp USING (conversion_id)
    JOIN path_channels AS pc USING (conversion_id)
),

models AS (
    SELECT unnest(getvariable('models')::VARCHAR[]) AS model
),

credits AS (
    SELECT
        w.conversion_id,
        w.position,
        w.revenue_reporting,
        m.model,
        CASE m.model
            WHEN 'first_touch' THEN CASE WHEN w.position = 1 THEN 1.0 ELSE 0.0 END
            WHEN 'last_touch' THEN CASE WHEN w.position = w.path_length THEN 1.0 ELSE 0.0 END
            WHEN 'last_non_direct' THEN
                CASE WHEN w.position = coalesce(w.last_non_direct_position, w.path_length) THEN 1.0 ELSE 0.0 END
            WHEN 'linear' THEN 1.0 / w.path_length
            WHEN 'time_decay' THEN w.decay_share
            WHEN 'position_based' THEN
                CASE
                    WHEN w.path_length = 1 THEN 1.0
                    WHEN w.path_length = 2 THEN
                        CASE WHEN w.position = 1 THEN getvariable('position_first') ELSE getvariable('position_last') END
                        / (getvariable('position_first') + getvariable('position_last'))
                    WHEN w.position = 1 THEN getvariable('position_first')
                    WHEN w.position = w.path_length THEN getvariable('position_last')
                    ELSE (1.0 - getvariable('position_first') - getvariable('position_last')) / (w.path_length - 2)
                END
            WHEN 'markov' THEN
                CASE
                    WHEN w.path_removal_effect > 0 THEN w.removal_effect / w.path_removal_effect / w.channel_steps
                    ELSE 1.0 / w.path_length
                END
            WHEN 'shapley' THEN 1.0 / w.path_channels / w.channel_steps
        END::DOUBLE AS credit
    FROM weighted AS w
    CROSS JOIN models AS m
)

SELECT * FROM credits
WHERE credit > 0

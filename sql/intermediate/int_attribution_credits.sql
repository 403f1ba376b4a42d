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
-- Ephemeral: attribution_ledger is its only reader and keeps every row with
-- the cents allocated, so writing this table too was a second copy of the
-- ledger.
-- materialized: ephemeral
WITH paths AS (
    SELECT
        p.*,
        pow(2.0, -coalesce(p.days_before_conversion, 0) / getvariable('half_life_days')) AS decay_weight,
        count(*) OVER (PARTITION BY p.conversion_id, p.channel) AS channel_steps,
        coalesce(re.removal_effect, 0) AS removal_effect
    FROM int_conversion_paths AS p
    LEFT JOIN int_markov_removal_effects AS re USING (channel)
),

weighted AS (
    SELECT
        *,
        decay_weight / sum(decay_weight::DECIMAL(38, 18)) OVER (PARTITION BY conversion_id)::DOUBLE AS decay_share,
        -- each distinct channel of the path counted once
        sum((removal_effect / channel_steps)::DECIMAL(38, 18)) OVER (PARTITION BY conversion_id)::DOUBLE AS path_removal_effect,
        count(DISTINCT channel) OVER (PARTITION BY conversion_id) AS path_channels
    FROM paths
),

models AS (
    SELECT unnest(getvariable('models')::VARCHAR[]) AS model
),

credits AS (
    SELECT
        w.*,
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

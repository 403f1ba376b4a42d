-- Credit fractions per conversion, step and model (DESIGN §4). Each model's
-- credits sum to exactly 1 per conversion (tests/ledger_credit_sums_to_one).
--   first_touch      1 to position 1
--   last_touch       1 to the last position
--   last_non_direct  1 to the last non-direct step, else the last step
--   linear           1/n to each of n steps
--   time_decay       2^(−Δ/h) normalized, Δ in fractional days, h = half_life_days
--   position_based   first/last shares to the ends, the rest split by the middle;
--                    one step gets 1, two steps split first:last
WITH paths AS (
    SELECT
        *,
        pow(2.0, -coalesce(days_before_conversion, 0) / getvariable('half_life_days')) AS decay_weight
    FROM int_conversion_paths
),

weighted AS (
    SELECT
        *,
        decay_weight / sum(decay_weight) OVER (PARTITION BY conversion_id) AS decay_share
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
        END::DOUBLE AS credit
    FROM weighted AS w
    CROSS JOIN models AS m
)

SELECT * FROM credits
WHERE credit > 0

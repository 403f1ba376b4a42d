-- Credited conversions and revenue per week, model and channel. For every
-- model but Markov these are the ledger's sums. Markov follows its usual
-- convention instead: the week's conversions (and revenue) × RE(c) / Σ RE,
-- which is not the sum of its per-conversion ledger credits. Its revenue is
-- split in cents by the largest-remainder method, as the ledger splits a
-- conversion's: each channel gets the floor of its exact share, and the
-- cents left over go one each to the largest remainders (ties by channel),
-- so a week's Markov revenue adds up to the week's revenue to the cent.
-- (Rounded channel by channel, it was 2 cents over at L.)
WITH ledger_totals AS (
    SELECT week_start, model, channel, sum(credit::DECIMAL(38, 18))::DOUBLE AS conversions, sum(revenue_credit) AS revenue
    FROM attribution_ledger
    WHERE model <> 'markov'
    GROUP BY ALL
),

weekly_outcomes AS (
    SELECT week_start, count(*) AS conversions, sum(revenue_reporting) AS revenue
    FROM stg_conversions
    GROUP BY ALL
),

shares AS (
    SELECT channel, removal_effect / sum(removal_effect::DECIMAL(38, 18)) OVER ()::DOUBLE AS share
    FROM int_markov_removal_effects
    WHERE removal_effect > 0
),

markov_floored AS (
    SELECT
        o.week_start,
        s.channel,
        o.conversions * s.share AS conversions,
        (o.revenue * 100)::BIGINT AS revenue_cents,
        revenue_cents * s.share AS exact_cents,
        floor(exact_cents)::BIGINT AS floor_cents
    FROM weekly_outcomes AS o
    CROSS JOIN shares AS s
    WHERE list_contains(getvariable('models')::VARCHAR[], 'markov')
),

markov_totals AS (
    SELECT
        week_start,
        'markov' AS model,
        channel,
        conversions,
        (floor_cents + CASE
            WHEN row_number() OVER (
                PARTITION BY week_start ORDER BY exact_cents - floor_cents DESC, channel
            ) <= revenue_cents - sum(floor_cents) OVER (PARTITION BY week_start) THEN 1
            ELSE 0
        END) / 100 AS revenue
    FROM markov_floored
)

SELECT week_start, model, channel, conversions, revenue::DECIMAL(18, 2) AS revenue
FROM (
    SELECT * FROM ledger_totals
    UNION ALL
    SELECT * FROM markov_totals
)
WHERE week_start <= getvariable('week_start')::DATE
ORDER BY week_start, model, revenue DESC, channel

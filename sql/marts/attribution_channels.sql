-- Credited conversions and revenue per week, model and channel. For every
-- model but Markov these are the ledger's sums. Markov follows its usual
-- convention instead: the week's conversions (and revenue) × RE(c) / Σ RE,
-- which is not the sum of its per-conversion ledger credits.
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

markov_totals AS (
    SELECT
        o.week_start,
        'markov' AS model,
        s.channel,
        o.conversions * s.share AS conversions,
        round(o.revenue * s.share, 2) AS revenue
    FROM weekly_outcomes AS o
    CROSS JOIN shares AS s
    WHERE list_contains(getvariable('models')::VARCHAR[], 'markov')
)

SELECT week_start, model, channel, conversions, revenue::DECIMAL(18, 2) AS revenue
FROM (
    SELECT * FROM ledger_totals
    UNION ALL
    SELECT * FROM markov_totals
)
WHERE week_start <= getvariable('week_start')::DATE
ORDER BY week_start, model, revenue DESC, channel

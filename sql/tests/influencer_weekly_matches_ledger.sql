-- description: mart_influencer_weekly.attributed_revenue equals the sum of influencer_ledger amounts per creator and week
-- severity: error
WITH ledger AS (
    SELECT week_start, creator_id, sum(amount) AS amount
    FROM influencer_ledger
    WHERE week_start <= getvariable('week_start')::DATE
    GROUP BY ALL
)

SELECT
    coalesce(m.week_start, l.week_start) AS week_start,
    coalesce(m.creator_id, l.creator_id) AS creator_id,
    m.attributed_revenue,
    l.amount AS ledger_amount
FROM mart_influencer_weekly AS m
FULL OUTER JOIN ledger AS l ON l.week_start = m.week_start AND l.creator_id = m.creator_id
WHERE m.creator_id IS NULL OR m.attributed_revenue <> coalesce(l.amount, 0)

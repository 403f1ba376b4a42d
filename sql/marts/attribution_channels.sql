-- Credited conversions and revenue per model and channel, for the report week.
SELECT
    week_start,
    model,
    channel,
    sum(credit) AS conversions,
    sum(revenue_credit)::DECIMAL(18, 2) AS revenue
FROM attribution_ledger
WHERE week_start = getvariable('week_start')
GROUP BY ALL
ORDER BY model, revenue DESC, channel

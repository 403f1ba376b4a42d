-- Non-media costs in the reporting currency: influencer fees, product and
-- bonuses (whitelisting spend is ad spend and already in ad_performance),
-- and other costs such as agencies and tools.
WITH rates AS (
    SELECT date, currency, rate_to_reporting FROM fx_rates
),

costs AS (
    SELECT date, 'influencer' AS channel, 'influencer ' || kind || ' ' || creator_id AS description,
        kind, amount, currency, creator_id
    FROM influencer_costs
    WHERE kind <> 'whitelisting'
    UNION ALL
    SELECT date, channel, description, 'other' AS kind, amount, currency, NULL AS creator_id
    FROM other_costs
)

SELECT
    c.date,
    date_trunc('week', c.date)::DATE AS week_start,
    c.channel,
    c.description,
    c.kind,
    c.creator_id,
    c.amount,
    c.currency,
    CASE
        WHEN c.currency = getvariable('reporting_currency') THEN 1::DECIMAL(18, 8)
        ELSE r.rate_to_reporting
    END AS fx_rate,
    round(c.amount * fx_rate, 2)::DECIMAL(18, 2) AS amount_reporting
FROM costs AS c
LEFT JOIN rates AS r ON r.date = c.date AND r.currency = c.currency

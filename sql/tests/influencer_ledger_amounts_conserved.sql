-- description: influencer ledger amounts per conversion never exceed its revenue, promo-code rows add up to it to the cent, and one rule credits a conversion
-- severity: error
SELECT
    conversion_id,
    any_value(conversion_revenue) AS revenue,
    sum(amount) AS credited,
    sum(credit) AS total_credit,
    string_agg(DISTINCT rule, ', ') AS rules
FROM influencer_ledger
GROUP BY conversion_id
HAVING abs(sum(amount)) > abs(any_value(conversion_revenue))
    OR sum(credit) > 1 + 1e-9
    OR count(DISTINCT rule) > 1
    OR (any_value(rule) = 'promo_code' AND sum(amount) <> any_value(conversion_revenue))

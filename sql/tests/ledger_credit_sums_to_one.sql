-- description: every conversion's credits add up to 1 under every model
-- severity: error
SELECT conversion_id, model, sum(credit) AS total_credit
FROM attribution_ledger
GROUP BY conversion_id, model
HAVING abs(sum(credit) - 1) > 1e-9

-- description: revenue credits add up to each conversion's revenue to the cent
-- severity: error
SELECT conversion_id, model, any_value(conversion_revenue) AS revenue, sum(revenue_credit) AS credited
FROM attribution_ledger
GROUP BY conversion_id, model
HAVING sum(revenue_credit) <> any_value(conversion_revenue)

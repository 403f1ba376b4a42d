-- description: every conversion of the configured types is credited under every model
-- severity: error
--
-- The rows of attribution_ledger, read where they are kept (see
-- ledger_credit_sums_to_one): at L 1.6–2.0 s through the view, 1.5–1.6 s
-- here.
SELECT c.conversion_id, m.model
FROM stg_conversions AS c
CROSS JOIN (SELECT unnest(getvariable('models')::VARCHAR[]) AS model) AS m
ANTI JOIN int_attribution_ledger AS l ON l.conversion_id = c.conversion_id AND l.model = m.model

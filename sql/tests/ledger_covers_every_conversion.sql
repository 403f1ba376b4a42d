-- description: every conversion of the configured types is credited under every model
-- severity: error
SELECT c.conversion_id, m.model
FROM stg_conversions AS c
CROSS JOIN (SELECT unnest(getvariable('models')::VARCHAR[]) AS model) AS m
ANTI JOIN attribution_ledger AS l ON l.conversion_id = c.conversion_id AND l.model = m.model

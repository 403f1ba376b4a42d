-- description: every amount in a foreign currency has a rate for its day
-- severity: error
SELECT 'ad_performance' AS source_table, date, currency, count(*) AS rows
FROM stg_ad_performance WHERE fx_rate IS NULL GROUP BY ALL
UNION ALL
SELECT 'conversions', local_date, currency, count(*)
FROM stg_conversions WHERE fx_rate IS NULL GROUP BY ALL
UNION ALL
SELECT 'costs', date, currency, count(*)
FROM stg_costs WHERE fx_rate IS NULL GROUP BY ALL

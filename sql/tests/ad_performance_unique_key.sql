-- description: one ad_performance row per platform, account, ad and day
-- severity: error
SELECT platform, account_id, ad_id, date, count(*) AS rows
FROM ad_performance
GROUP BY ALL
HAVING count(*) > 1

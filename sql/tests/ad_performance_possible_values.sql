-- description: no negative spend or counts, and no more clicks than impressions
-- severity: warn
SELECT platform, account_id, ad_id, date, spend, impressions, clicks, link_clicks
FROM ad_performance
WHERE spend < 0 OR impressions < 0 OR clicks < 0 OR clicks > impressions OR link_clicks > clicks

-- One row per ad: its names and creative, from the latest delivery day, so
-- ledgers and marts can label touchpoints that carry only ids.
SELECT
    ad_id,
    arg_max(platform, date) AS platform,
    arg_max(campaign_id, date) AS campaign_id,
    arg_max(campaign_name, date) AS campaign_name,
    arg_max(adset_name, date) AS adset_name,
    arg_max(ad_name, date) AS ad_name,
    arg_max(creative_id, date) AS creative_id,
    arg_max(creative_name, date) AS creative_name
FROM stg_ad_performance
GROUP BY ad_id

-- Ad delivery, typed and converted to the reporting currency, with the
-- channel the spend belongs to and the reporting week.
--
-- Ephemeral: computing it is cheap (0.5 s for 5M ad-days at L, the regex
-- included), writing it was not (9–14 s), and each reader reads only the
-- columns it needs.
-- materialized: ephemeral
WITH rates AS (
    SELECT date, currency, rate_to_reporting FROM fx_rates
),

ads AS (
    SELECT
        a.*,
        CASE
            WHEN a.currency = getvariable('reporting_currency') THEN 1::DECIMAL(18, 8)
            ELSE r.rate_to_reporting
        END AS fx_rate
    FROM ad_performance AS a
    LEFT JOIN rates AS r ON r.date = a.date AND r.currency = a.currency
)

SELECT
    date,
    date_trunc('week', date)::DATE AS week_start,
    platform,
    CASE
        WHEN platform IN ('google', 'bing', 'youtube_search') THEN 'paid_search'
        WHEN regexp_matches(coalesce(campaign_name, ''), '(^|[_ -])(rt|retargeting|remarketing)([_ -]|$)', 'i') THEN 'retargeting'
        ELSE 'paid_social'
    END AS channel,
    account_id,
    account_name,
    account_timezone,
    campaign_id,
    campaign_name,
    adset_id,
    adset_name,
    ad_id,
    ad_name,
    creative_id,
    creative_name,
    destination_url,
    currency,
    fx_rate,
    spend,
    round(spend * fx_rate, 4)::DECIMAL(18, 4) AS spend_reporting,
    impressions,
    reach,
    clicks,
    link_clicks,
    video_views_3s,
    video_completions,
    platform_conversions,
    platform_conversion_value,
    round(platform_conversion_value * fx_rate, 4)::DECIMAL(18, 4) AS platform_conversion_value_reporting,
    source
-- Not extracted_at: no model reads when a row was fetched, and the weekly
-- marts digest these rows to find the weeks that changed (a row fetched
-- again unchanged must leave its week as it was).
FROM ads

-- Which creative pattern to repeat: per week, model and the parsed format,
-- hook, offer and call to action of ad and campaign names, the spend and
-- attributed return of every ad that shares the pattern. Fields of names
-- that do not follow the conventions show as '(unparsed)'.
--
-- A view, like mart_adset_weekly: reports read a week and a model at a
-- time, so a run does not roll up all history to show one week.
-- materialized: view
WITH rolled AS (
    SELECT
        week_start,
        model,
        coalesce(format, '(unparsed)') AS format,
        coalesce(hook, '(unparsed)') AS hook,
        coalesce(offer, '(unparsed)') AS offer,
        coalesce(cta, '(unparsed)') AS cta,
        -- distinct through lists (see mart_adset_weekly)
        len(list_distinct(list(creative_key))) AS creatives,
        len(list_distinct(list(ad_id))) AS ads,
        sum(spend) AS spend,
        sum(impressions)::BIGINT AS impressions,
        sum(clicks)::BIGINT AS clicks,
        sum(attributed_conversions::DECIMAL(38, 18))::DOUBLE AS attributed_conversions,
        sum(attributed_revenue)::DECIMAL(18, 2) AS attributed_revenue
    FROM mart_ad_weekly
    WHERE ad_id IS NOT NULL
    GROUP BY ALL
)

SELECT
    * REPLACE (spend::DECIMAL(18, 2) AS spend),
    CASE WHEN impressions > 0 THEN clicks / impressions END::DOUBLE AS ctr,
    CASE WHEN spend > 0 THEN attributed_revenue / spend END::DOUBLE AS roas,
    CASE WHEN attributed_conversions > 0 THEN round(spend / attributed_conversions, 2) END::DECIMAL(18, 2) AS cpa
FROM rolled

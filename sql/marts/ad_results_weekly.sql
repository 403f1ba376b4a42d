-- Delivery, cost and attributed results per week, model and ad, by id:
-- the facts of mart_ad_weekly, which labels them with int_ads' names and
-- fields. Spend does not depend on the model, so each model's rows carry
-- the same delivery figures. Spend keeps the four decimals of
-- ad_performance, so the marts that roll up from here round once, after
-- summing, and their totals equal the platforms' to the cent.
-- Sums are cast back here and in the roll-ups, counts to BIGINT and amounts
-- to DECIMAL(18, _): DuckDB widens sums to 128-bit HUGEINT and DECIMAL(38, _),
-- which Parquet gets as 16-byte decimals and which scan far slower.
--
-- The labels are not written here: ten strings on every row of every
-- model were more than half of writing this table (5.8M rows at L).
--
-- Every week the data has, not only those through the report week: a week
-- and model are computed from their own ledger rows and the week's
-- delivery alone, so a weekly run recomputes those whose rows changed (the
-- new week, any week restated, and Markov's rows, whose credit changes
-- every week) and keeps the others, and a run for an earlier week does not
-- drop the later ones. Readers filter the weeks they show.
-- output: none
-- materialized: incremental
-- incremental_partition: week_start, model
-- incremental_input: int_attribution_ledger, stg_ad_performance(week_start)
-- incremental_lookup: int_ads.ad_id
WITH
-- Attributed results of paid touchpoints. A touchpoint's ad comes from
-- utm_content; its campaign from the ad (int_ads), else from utm_campaign,
-- so a campaign launched without utm_campaign still gets its credit through
-- its ads. Credit without a known ad or campaign stays, with NULL ids: the
-- marts show it rather than lose it.
--
-- Both sides are one row per week, (model,) platform and ad, so the join
-- below pairs each ad's delivery with its credit once. A known ad's credit
-- is one row whatever channels its touchpoints were classified in, and its
-- delivery one row even when its campaign was renamed into another channel
-- mid-week: two rows on either side would count the other side's spend or
-- credit twice (tests/ad_weekly_conserved).
credits AS (
    SELECT
        l.week_start,
        l.model,
        coalesce(l.platform, a.platform) AS platform,
        -- credit without a known ad is kept apart per channel
        CASE WHEN a.ad_id IS NULL THEN l.channel END AS unknown_ad_channel,
        min(l.channel) AS channel,
        coalesce(a.campaign_id, l.campaign_id) AS campaign_id,
        a.adset_id,
        a.ad_id,
        sum(l.credit::DECIMAL(38, 18))::DOUBLE AS attributed_conversions,
        sum(l.revenue_credit) AS attributed_revenue,
        sum(CASE WHEN l.is_new_customer THEN l.credit ELSE 0 END::DECIMAL(38, 18))::DOUBLE AS attributed_new_customers
    FROM int_attribution_ledger AS l
    LEFT JOIN int_ads AS a ON a.ad_id = l.ad_id
    WHERE list_contains(getvariable('paid_channels'), l.channel)
    GROUP BY l.week_start, l.model, 3, 4, 6, 7, 8
),

delivery AS (
    SELECT
        week_start,
        platform,
        -- as of the ad's latest delivery day in the week
        arg_max(channel, date) AS channel,
        arg_max(campaign_id, date) AS campaign_id,
        arg_max(adset_id, date) AS adset_id,
        ad_id,
        sum(spend_reporting) AS spend,
        sum(impressions)::BIGINT AS impressions,
        sum(reach)::BIGINT AS reach,
        sum(clicks)::BIGINT AS clicks,
        sum(link_clicks)::BIGINT AS link_clicks,
        sum(video_views_3s)::BIGINT AS video_views_3s,
        sum(platform_conversions::DECIMAL(38, 18))::DOUBLE AS platform_conversions,
        sum(platform_conversion_value_reporting) AS platform_conversion_value
    FROM stg_ad_performance
    GROUP BY week_start, platform, ad_id
),

models AS (
    SELECT unnest(getvariable('models')::VARCHAR[]) AS model
),

delivery_by_model AS (
    SELECT d.*, m.model
    FROM delivery AS d
    CROSS JOIN models AS m
),

joined AS (
    SELECT
        coalesce(d.week_start, c.week_start) AS week_start,
        coalesce(d.model, c.model) AS model,
        coalesce(d.platform, c.platform) AS platform,
        coalesce(d.channel, c.channel) AS channel,
        coalesce(d.campaign_id, c.campaign_id) AS campaign_id,
        coalesce(d.adset_id, c.adset_id) AS adset_id,
        coalesce(d.ad_id, c.ad_id) AS ad_id,
        coalesce(d.spend, 0)::DECIMAL(18, 4) AS spend,
        coalesce(d.impressions, 0) AS impressions,
        d.reach,
        coalesce(d.clicks, 0) AS clicks,
        coalesce(d.link_clicks, 0) AS link_clicks,
        d.video_views_3s,
        coalesce(d.platform_conversions, 0) AS platform_conversions,
        coalesce(d.platform_conversion_value, 0)::DECIMAL(18, 4) AS platform_conversion_value,
        coalesce(c.attributed_conversions, 0) AS attributed_conversions,
        coalesce(c.attributed_revenue, 0)::DECIMAL(18, 2) AS attributed_revenue,
        coalesce(c.attributed_new_customers, 0) AS attributed_new_customers
    FROM delivery_by_model AS d
    FULL OUTER JOIN credits AS c
        ON c.week_start = d.week_start
        AND c.model = d.model
        AND c.platform = d.platform
        AND c.ad_id = d.ad_id
)

SELECT
    week_start,
    model,
    platform,
    channel,
    campaign_id,
    adset_id,
    ad_id,
    spend,
    impressions,
    reach,
    clicks,
    link_clicks,
    video_views_3s,
    platform_conversions,
    platform_conversion_value,
    attributed_conversions,
    attributed_revenue,
    attributed_new_customers
FROM joined
-- No ORDER BY: a table has no order, and sorting all weeks and models of
-- this grain was a large share of building it. Outputs order what they
-- show (the workbook by its own keys, Parquet by all columns).

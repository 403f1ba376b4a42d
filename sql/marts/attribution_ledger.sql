-- The credit ledger finance audits: one row per conversion, credited
-- touchpoint and model, with the credit fraction (DOUBLE) and the revenue
-- it carries (DECIMAL(18, 2), allocated to the cent: see
-- int_attribution_ledger, which holds the rows).
--
-- A view, so that an ad's creative is the one int_ads knows now: the rows
-- are kept from run to run (a conversion's rows are computed once), and
-- the creative is the one label of a row that changes with later data.
-- Reading it costs a join of 60k ads at L (0.02 s over 9M rows).
-- materialized: view
SELECT
    l.conversion_id,
    l.conversion_ts,
    l.week_start,
    l.touchpoint_id,
    l.touchpoint_ts,
    l.model,
    l.channel,
    l.platform,
    l.campaign_id,
    l.ad_id,
    ads.creative_id,
    l.creator_id,
    l.position,
    l.path_length,
    l.credit,
    l.revenue_credit,
    l.conversion_revenue,
    l.is_new_customer
FROM int_attribution_ledger AS l
LEFT JOIN int_ads AS ads ON ads.ad_id = l.ad_id

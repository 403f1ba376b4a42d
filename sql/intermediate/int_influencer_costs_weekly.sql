-- What each creator cost per week, in the reporting currency (DESIGN §4:
-- creator cost = fees + product + bonuses + whitelisting spend).
--
-- Fees, product and bonuses come from stg_costs, which converts
-- influencer_costs to the reporting currency and is what mart_kpi_summary's
-- total_cost adds up. stg_costs leaves out influencer_costs rows of kind
-- 'whitelisting', because whitelisting is ad spend and already in
-- ad_performance; we do the same: whitelisting_spend is the spend of the ads
-- whose ad_id is in the creator's whitelisted_ad_ids (stg_ad_performance,
-- reporting currency), and 'whitelisting' cost rows are never added, so no
-- dollar is counted twice. Kinds other than fee, product and bonus still count in other_cost (as
-- they do in mart_kpi_summary's total_cost).
--
-- An ad whitelisted by two creators counts toward both.
--
-- spend_after_rights is whitelisted spend on days after the creator's
-- usage_rights_until: running their content without the rights.
WITH creator_costs AS (
    SELECT
        creator_id,
        week_start,
        kind,
        amount_reporting
    FROM stg_costs
    WHERE creator_id IS NOT NULL
),

fees_weekly AS (
    SELECT
        creator_id,
        week_start,
        coalesce(sum(amount_reporting) FILTER (WHERE kind = 'fee'), 0) AS fees,
        coalesce(sum(amount_reporting) FILTER (WHERE kind = 'product'), 0) AS product,
        coalesce(sum(amount_reporting) FILTER (WHERE kind = 'bonus'), 0) AS bonus,
        coalesce(sum(amount_reporting) FILTER (WHERE kind NOT IN ('fee', 'product', 'bonus')), 0) AS other_cost
    FROM creator_costs
    GROUP BY creator_id, week_start
),

whitelisted_ads AS (
    SELECT DISTINCT creator_id, usage_rights_until, ad_id
    FROM (SELECT creator_id, usage_rights_until, unnest(whitelisted_ad_ids) AS ad_id FROM influencers)
    WHERE ad_id IS NOT NULL
),

whitelisting_weekly AS (
    SELECT
        w.creator_id,
        a.week_start,
        sum(a.spend_reporting) AS whitelisting_spend,
        coalesce(sum(a.spend_reporting) FILTER (WHERE a.date > w.usage_rights_until), 0) AS spend_after_rights
    FROM whitelisted_ads AS w
    JOIN stg_ad_performance AS a ON a.ad_id = w.ad_id
    GROUP BY w.creator_id, a.week_start
)

SELECT
    coalesce(f.creator_id, w.creator_id) AS creator_id,
    coalesce(f.week_start, w.week_start) AS week_start,
    coalesce(f.fees, 0)::DECIMAL(18, 2) AS fees,
    coalesce(f.product, 0)::DECIMAL(18, 2) AS product,
    coalesce(f.bonus, 0)::DECIMAL(18, 2) AS bonus,
    coalesce(f.other_cost, 0)::DECIMAL(18, 2) AS other_cost,
    coalesce(w.whitelisting_spend, 0)::DECIMAL(18, 2) AS whitelisting_spend,
    coalesce(w.spend_after_rights, 0)::DECIMAL(18, 2) AS spend_after_rights
FROM fees_weekly AS f
FULL OUTER JOIN whitelisting_weekly AS w
    ON w.creator_id = f.creator_id
    AND w.week_start = f.week_start

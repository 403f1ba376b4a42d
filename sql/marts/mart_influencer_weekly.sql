-- Cost, credited results and usage-rights status per week and creator (the
-- Influencers sheet; DESIGN §4 "Influencers", "CAC").
--
-- Every creator in the registry gets a row for every week from the first
-- week with any creator data (a cost, whitelisted spend, a credit or an
-- assist) through the report week, with no gaps, so a creator who cost money
-- and sold nothing shows up, and so does a week without activity.
--   fees, product, bonus  influencer_costs in reporting currency (stg_costs)
--   whitelisting_spend    spend of the creator's whitelisted ads; cost rows
--                         of kind 'whitelisting' are not added (stg_costs
--                         leaves them out: that spend is in ad_performance)
--   total_cost            fees + product + bonus + whitelisting_spend (+ cost
--                         rows of any other kind, as in mart_kpi_summary)
--   promo_code_conversions, tracked_link_conversions, attributed_conversions
--                         credit sums from influencer_ledger by rule
--   attributed_revenue    sum of influencer_ledger amounts, to the cent
--                         (tests/influencer_weekly_matches_ledger)
--   attributed_new_customers  credit on conversions with is_new_customer
--   assisted_conversions  conversions with the creator's touchpoint on the
--                         path but no ledger row for the creator
--   roi                   (attributed_revenue − total_cost) / total_cost
--   cac                   total_cost / attributed_new_customers
--   usage_rights_status   NULL without usage_rights_until; 'expired' when the
--                         whitelisted ads spent in the week on a day after
--                         usage_rights_until; 'expiring' when the rights end
--                         within usage_rights_warning_days days after the
--                         week's Sunday; else 'ok' (rights that ended with
--                         no spend after them need no action)
-- model is the primary model, which tracked_link credit follows; promo_code
-- credit is rule-based and the same under every model.
WITH assists AS (
    SELECT p.conversion_week AS week_start, p.creator_id, count(DISTINCT p.conversion_id) AS assisted_conversions
    FROM int_conversion_paths AS p
    ANTI JOIN influencer_ledger AS l ON l.conversion_id = p.conversion_id AND l.creator_id = p.creator_id
    WHERE p.creator_id IS NOT NULL
    GROUP BY ALL
),

credited AS (
    SELECT
        week_start,
        creator_id,
        coalesce(sum(credit::DECIMAL(38, 18)) FILTER (WHERE rule = 'promo_code'), 0)::DOUBLE AS promo_code_conversions,
        coalesce(sum(credit::DECIMAL(38, 18)) FILTER (WHERE rule = 'tracked_link'), 0)::DOUBLE AS tracked_link_conversions,
        sum(credit::DECIMAL(38, 18))::DOUBLE AS attributed_conversions,
        sum(amount) AS attributed_revenue,
        coalesce(sum(credit::DECIMAL(38, 18)) FILTER (WHERE is_new_customer), 0)::DOUBLE AS attributed_new_customers
    FROM influencer_ledger
    GROUP BY ALL
),

bounds AS (
    SELECT least(
        (SELECT min(week_start) FROM int_influencer_costs_weekly),
        (SELECT min(week_start) FROM credited),
        (SELECT min(week_start) FROM assists),
        getvariable('week_start')::DATE
    ) AS first_week
),

weeks AS (
    SELECT unnest(generate_series(first_week, getvariable('week_start')::DATE, INTERVAL 7 DAY))::DATE AS week_start
    FROM bounds
),

weekly AS (
    SELECT
        w.week_start,
        i.creator_id,
        i.handle,
        i.platform,
        coalesce(k.fees, 0)::DECIMAL(18, 2) AS fees,
        coalesce(k.product, 0)::DECIMAL(18, 2) AS product,
        coalesce(k.bonus, 0)::DECIMAL(18, 2) AS bonus,
        coalesce(k.whitelisting_spend, 0)::DECIMAL(18, 2) AS whitelisting_spend,
        (coalesce(k.fees, 0) + coalesce(k.product, 0) + coalesce(k.bonus, 0) + coalesce(k.other_cost, 0)
            + coalesce(k.whitelisting_spend, 0))::DECIMAL(18, 2) AS total_cost,
        coalesce(c.promo_code_conversions, 0) AS promo_code_conversions,
        coalesce(c.tracked_link_conversions, 0) AS tracked_link_conversions,
        coalesce(c.attributed_conversions, 0) AS attributed_conversions,
        coalesce(c.attributed_revenue, 0)::DECIMAL(18, 2) AS attributed_revenue,
        coalesce(c.attributed_new_customers, 0) AS attributed_new_customers,
        coalesce(a.assisted_conversions, 0) AS assisted_conversions,
        i.contract_end,
        i.usage_rights_until,
        coalesce(k.spend_after_rights, 0) AS spend_after_rights
    FROM weeks AS w
    CROSS JOIN influencers AS i
    LEFT JOIN int_influencer_costs_weekly AS k ON k.week_start = w.week_start AND k.creator_id = i.creator_id
    LEFT JOIN credited AS c ON c.week_start = w.week_start AND c.creator_id = i.creator_id
    LEFT JOIN assists AS a ON a.week_start = w.week_start AND a.creator_id = i.creator_id
)

SELECT
    week_start,
    creator_id,
    handle,
    platform,
    getvariable('primary_model')::VARCHAR AS model,
    fees,
    product,
    bonus,
    whitelisting_spend,
    total_cost,
    promo_code_conversions,
    tracked_link_conversions,
    attributed_conversions,
    attributed_revenue,
    attributed_new_customers,
    assisted_conversions,
    CASE WHEN total_cost > 0 THEN (attributed_revenue - total_cost) / total_cost END::DOUBLE AS roi,
    CASE WHEN total_cost > 0 AND attributed_new_customers > 0
        THEN round(total_cost / attributed_new_customers, 2) END::DECIMAL(18, 2) AS cac,
    contract_end,
    usage_rights_until,
    CASE
        WHEN usage_rights_until IS NULL THEN NULL
        WHEN spend_after_rights > 0 THEN 'expired'
        WHEN usage_rights_until >= week_start + 6
            AND usage_rights_until <= week_start + 6 + getvariable('usage_rights_warning_days')::INTEGER THEN 'expiring'
        ELSE 'ok'
    END AS usage_rights_status
FROM weekly
ORDER BY week_start, creator_id

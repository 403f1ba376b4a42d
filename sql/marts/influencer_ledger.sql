-- The influencer ledger: one row per credited conversion and creator, with
-- the rule that credited it and the evidence, so a creator's payout or ROI
-- can be audited order by order (DESIGN §4 "Influencers"). Rules in order:
--   promo_code    a creator's code is on the order: that creator gets 100%,
--                 codes of k creators split it 1/k each, amounts by largest
--                 remainder (int_influencer_promo_credits). Evidence: the
--                 code as typed. Rule-based, so model is NULL.
--   tracked_link  otherwise, the creator's link touchpoints on the path keep
--                 the credit the primary model gave them in attribution_ledger:
--                 credit = sum of their credit, amount = sum of their
--                 revenue_credit, so the cents are exactly the attribution
--                 ledger's. Evidence: each credited touchpoint's id and UTMs,
--                 e.g. "t123 utm_source=instagram utm_medium=social
--                 utm_campaign=maya-fall26" ("; " between touchpoints).
-- A creator touchpoint whose creator gets no row here (credit 0 under the
-- primary model, or another creator's code took the order) is an assist:
-- mart_influencer_weekly counts it, the ledger does not list it.
-- Weeks are the conversion's week (local date), like attribution_ledger.
WITH promo AS (
    SELECT conversion_id, creator_id, 'promo_code' AS rule, evidence, credit, amount
    FROM int_influencer_promo_credits
),

creator_steps AS (
    SELECT
        l.conversion_id,
        l.creator_id,
        l.position,
        l.credit,
        l.revenue_credit,
        concat_ws(' ',
            l.touchpoint_id,
            'utm_source=' || t.utm_source,
            'utm_medium=' || t.utm_medium,
            'utm_campaign=' || t.utm_campaign,
            'utm_content=' || t.utm_content
        ) AS touch_evidence
    -- every touchpoint, then the few credited ones: DuckDB builds its hash
    -- table on the join's right side when it cannot tell the sizes (a run's
    -- first build of these tables), and 20M touchpoints on that side took
    -- 13 s at L
    FROM int_touchpoints_classified AS t
    JOIN attribution_ledger AS l ON l.touchpoint_id = t.touchpoint_id
    WHERE l.model = getvariable('primary_model')
        AND l.creator_id IS NOT NULL
),

tracked AS (
    SELECT
        conversion_id,
        creator_id,
        'tracked_link' AS rule,
        string_agg(touch_evidence, '; ' ORDER BY position) FILTER (WHERE credit > 0) AS evidence,
        sum(credit::DECIMAL(38, 18))::DOUBLE AS credit,
        sum(revenue_credit) AS amount
    FROM creator_steps
    -- a creator's code on the order settles it (rule promo_code)
    WHERE conversion_id NOT IN (SELECT conversion_id FROM int_influencer_promo_credits)
    GROUP BY conversion_id, creator_id
    HAVING sum(credit::DECIMAL(38, 18)) > 0
),

credited AS (
    SELECT * FROM promo
    UNION ALL BY NAME
    SELECT * FROM tracked
)

SELECT
    c.week_start,
    x.conversion_id,
    c.ts AS conversion_ts,
    c.order_id,
    x.creator_id,
    i.handle,
    x.rule,
    x.evidence,
    CASE WHEN x.rule = 'tracked_link' THEN getvariable('primary_model')::VARCHAR END AS model,
    x.credit::DOUBLE AS credit,
    x.amount::DECIMAL(18, 2) AS amount,
    c.revenue_reporting AS conversion_revenue,
    c.is_new_customer
FROM credited AS x
JOIN stg_conversions AS c USING (conversion_id)
JOIN influencers AS i USING (creator_id)
ORDER BY c.week_start, x.conversion_id, x.creator_id

-- The credit ledger finance audits: one row per conversion, credited
-- touchpoint and model, with the credit fraction and the revenue it carries.
--
-- Revenue is allocated by the largest-remainder method, in cents: every row
-- gets the floor of revenue × credit, and the cents left over go one each to
-- the rows with the largest fractional remainders (ties by touchpoint id).
-- So per conversion and model the revenue credits add up to the revenue to
-- the cent (tests/ledger_revenue_conserved).
WITH raw AS (
    SELECT
        c.*,
        cr.creative_id,
        (c.revenue_reporting * 100)::BIGINT AS revenue_cents,
        (c.revenue_reporting * 100)::BIGINT * c.credit AS exact_cents
    FROM int_attribution_credits AS c
    LEFT JOIN int_ads AS cr USING (ad_id)
),

floored AS (
    SELECT
        *,
        floor(exact_cents)::BIGINT AS floor_cents,
        exact_cents - floor(exact_cents) AS remainder
    FROM raw
),

ranked AS (
    SELECT
        *,
        revenue_cents - sum(floor_cents) OVER per_conversion AS cents_left,
        row_number() OVER (
            PARTITION BY conversion_id, model ORDER BY remainder DESC, touchpoint_id NULLS FIRST
        ) AS remainder_rank
    FROM floored
    WINDOW per_conversion AS (PARTITION BY conversion_id, model)
)

SELECT
    conversion_id,
    conversion_ts,
    conversion_week AS week_start,
    touchpoint_id,
    touchpoint_ts,
    model,
    channel,
    platform,
    campaign_id,
    ad_id,
    creative_id,
    creator_id,
    position,
    path_length,
    credit,
    ((floor_cents + CASE WHEN remainder_rank <= cents_left THEN 1 ELSE 0 END) / 100)::DECIMAL(18, 2) AS revenue_credit,
    revenue_reporting AS conversion_revenue,
    is_new_customer
FROM ranked
-- No ORDER BY: a table has no order, and sorting all weeks and models of
-- this grain was a large share of building it. Outputs order what they
-- show (the workbook by its own keys, Parquet by all columns).

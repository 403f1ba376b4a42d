-- The credit ledger's rows (attribution_ledger adds each ad's creative):
-- one row per conversion, credited touchpoint and model, with the credit
-- fraction and the revenue it carries.
--
-- Revenue is allocated by the largest-remainder method, in cents: every row
-- gets the floor of revenue × credit, and the cents left over go one each to
-- the rows with the largest fractional remainders, and between equal
-- remainders to the earlier step on the path. So per conversion and model
-- the revenue credits add up to the revenue to the cent
-- (tests/ledger_revenue_conserved).
--
-- The allocation sorts every row of the ledger (9M at L), so it runs on the
-- narrow credits, and the path's descriptive columns are joined back after
-- it by the step's key (conversion, position). Carried through the sort,
-- they made it 23 s of CPU against 8–11 s; the whole INSERT at L took 28 s
-- against 21 s with the join. The tie-break is the position for the same
-- reason: the touchpoint id, a string, was the one column sorted and
-- carried for nothing else.
--
-- Incremental by conversion: a conversion's rows follow from its path
-- alone, so a run recomputes the conversions whose paths it recomputed
-- (int_conversion_paths is incremental on the same key) — a week's, not
-- all history's. The Markov rows are the exception: the removal effects
-- are the whole chain's, and change with every week, so those rows are
-- computed whole every run, and only they read the effects.
-- materialized: incremental
-- unique_key: conversion_id
-- incremental_input: int_conversion_paths
-- incremental_refresh: model = 'markov'
-- incremental_refresh_reads: int_markov_removal_effects
WITH floored AS (
    SELECT
        conversion_id,
        position,
        model,
        credit,
        (revenue_reporting * 100)::BIGINT AS revenue_cents,
        revenue_cents * credit AS exact_cents,
        floor(exact_cents)::BIGINT AS floor_cents
    FROM int_attribution_credits
),

allocated AS (
    SELECT
        conversion_id,
        position,
        model,
        credit,
        floor_cents + CASE
            WHEN row_number() OVER (
                PARTITION BY conversion_id, model ORDER BY exact_cents - floor_cents DESC, position
            ) <= revenue_cents - sum(floor_cents) OVER (PARTITION BY conversion_id, model) THEN 1
            ELSE 0
        END AS credit_cents
    FROM floored
)

SELECT
    p.conversion_id,
    p.conversion_ts,
    p.conversion_week AS week_start,
    p.touchpoint_id,
    p.touchpoint_ts,
    a.model,
    p.channel,
    p.platform,
    p.campaign_id,
    p.ad_id,
    p.creator_id,
    p.position,
    p.path_length,
    a.credit,
    (a.credit_cents / 100)::DECIMAL(18, 2) AS revenue_credit,
    p.revenue_reporting AS conversion_revenue,
    p.is_new_customer
FROM allocated AS a
JOIN int_conversion_paths AS p USING (conversion_id, position)
-- No ORDER BY: a table has no order, and sorting all weeks and models of
-- this grain was a large share of building it. Outputs order what they
-- show (the workbook by its own keys, Parquet by all columns).

-- Conversions of the configured types, revenue in the reporting currency
-- (rounded to the cent once, here, so every later sum adds up), with the
-- local day and week. The person is the canonical person of stg_identity_map
-- (identity stitching: a Shopify customer and the web visitor who bought are
-- one person), else the person_id as given, else 'conversion:<id>' (a guest
-- checkout is a person of its own).
WITH rates AS (
    SELECT date, currency, rate_to_reporting FROM fx_rates
),

typed AS (
    SELECT
        c.*,
        (c.ts AT TIME ZONE getvariable('timezone'))::DATE AS local_date
    FROM conversions AS c
    WHERE list_contains(getvariable('conversion_types'), c.type)
)

SELECT
    c.conversion_id,
    coalesce(m.person_id, c.person_id, 'conversion:' || c.conversion_id) AS person_id,
    c.ts,
    c.local_date,
    date_trunc('week', c.local_date)::DATE AS week_start,
    c.type,
    c.revenue,
    c.currency,
    CASE
        WHEN c.currency = getvariable('reporting_currency') THEN 1::DECIMAL(18, 8)
        ELSE r.rate_to_reporting
    END AS fx_rate,
    round(c.revenue * fx_rate, 2)::DECIMAL(18, 2) AS revenue_reporting,
    c.is_new_customer,
    c.order_id,
    c.deal_id,
    c.promo_codes,
    c.crm_source
FROM typed AS c
LEFT JOIN rates AS r ON r.date = c.local_date AND r.currency = c.currency
LEFT JOIN stg_identity_map AS m ON m.id = trim(c.person_id)

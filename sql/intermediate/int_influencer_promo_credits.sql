-- Promo-code credit per conversion and creator: the first influencer rule of
-- DESIGN §4 (rule `promo_code`), which influencer_ledger builds on.
--
-- A conversion of the configured types (stg_conversions) whose promo codes
-- contain a creator's code credits that creator. Codes are compared as
-- upper(trim(code)) on both sides, so "maya15 " on the order matches MAYA15
-- in the registry; codes that belong to no creator (a site-wide discount)
-- are ignored. When codes of k different creators are on one order each gets
-- credit 1/k, and the revenue is split in cents by the largest-remainder
-- method (every creator gets the floor of revenue / k, the cents left over go
-- one each in creator_id order), so the amounts add up to the conversion's
-- revenue to the cent (tests/influencer_ledger_amounts_conserved).
-- evidence is the code(s) exactly as the customer typed them.
WITH creator_codes AS (
    SELECT DISTINCT creator_id, upper(trim(code)) AS code
    FROM (SELECT creator_id, unnest(promo_codes) AS code FROM influencers)
    WHERE nullif(trim(code), '') IS NOT NULL
),

typed_codes AS (
    SELECT conversion_id, typed_code
    FROM (SELECT conversion_id, unnest(promo_codes) AS typed_code FROM stg_conversions)
    WHERE nullif(trim(typed_code), '') IS NOT NULL
),

matches AS (
    -- one row per conversion and creator, however many of the creator's
    -- codes the order carries
    SELECT
        t.conversion_id,
        k.creator_id,
        string_agg(DISTINCT t.typed_code, ', ' ORDER BY t.typed_code) AS evidence
    FROM typed_codes AS t
    JOIN creator_codes AS k ON k.code = upper(trim(t.typed_code))
    GROUP BY t.conversion_id, k.creator_id
),

split AS (
    SELECT
        m.*,
        count(*) OVER (PARTITION BY m.conversion_id) AS creators_on_order,
        (c.revenue_reporting * 100)::BIGINT AS revenue_cents
    FROM matches AS m
    JOIN stg_conversions AS c USING (conversion_id)
),

floored AS (
    SELECT
        *,
        floor(revenue_cents / creators_on_order)::BIGINT AS floor_cents
    FROM split
),

ranked AS (
    SELECT
        *,
        revenue_cents - sum(floor_cents) OVER (PARTITION BY conversion_id) AS cents_left,
        -- every creator's remainder is the same, so ties go by creator_id
        row_number() OVER (PARTITION BY conversion_id ORDER BY creator_id) AS remainder_rank
    FROM floored
)

SELECT
    conversion_id,
    creator_id,
    evidence,
    creators_on_order,
    (1.0 / creators_on_order)::DOUBLE AS credit,
    ((floor_cents + CASE WHEN remainder_rank <= cents_left THEN 1 ELSE 0 END) * 0.01)::DECIMAL(18, 2) AS amount
FROM ranked

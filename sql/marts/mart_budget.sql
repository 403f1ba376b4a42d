-- Budget recommendations for the report week, per platform (campaign_id
-- NULL, level 'platform') and per platform × campaign (level 'campaign'):
-- the 90-day stage gate, a marginal ROAS from the trailing weekly
-- spend/revenue curve, the action against the targets, and the next-dollar
-- ranking of platforms. Revenue is paid credit under the primary model.
--
-- Stage gate, by days since the entity's first spend through the week's end:
-- 1–30 validate (tracking and baseline CAC), 31–60 iterate (creative and
-- audience), 61–90 scale_or_cut, beyond 90 mature.
--
-- Marginal ROAS. Each entity's weekly revenue follows a power curve
-- R = a_e · S^b with diminishing returns (0 < b ≤ 1). Over the trailing
-- budget_trailing_weeks weeks with spend and revenue, b is the pooled
-- within-entity slope of ln R on ln S (a fixed-effects regression: one
-- elasticity for all entities at a level, because a single entity's weekly
-- spend rarely varies enough to fit its own), clamped to [0.1, 1];
-- a_e = exp(mean ln R − b · mean ln S) puts the curve through the entity's
-- own points. Marginal ROAS = dR/dS at the week's spend = b · a_e · S^(b−1).
-- With too few points (under 3 entity-weeks varying in spend) b is 1 and
-- marginal ROAS is the average ROAS; elasticity_basis says which.
--
-- Action: in the validate stage always hold (too early to judge); else
-- scale when marginal ROAS ≥ target_roas × (1 + budget_hold_band) and CAC is
-- within target_cac (or unknown); cut when marginal ROAS < target_roas ×
-- (1 − budget_hold_band) or CAC is above target_cac × (1 + band); hold otherwise.
WITH weekly AS (
    SELECT
        week_start,
        platform,
        campaign_id,
        sum(spend) AS spend,
        sum(attributed_revenue) AS revenue,
        sum(attributed_new_customers::DECIMAL(38, 18))::DOUBLE AS new_customers,
        grouping(campaign_id) AS is_platform_total
    FROM mart_ad_weekly
    WHERE model = getvariable('primary_model')
      AND week_start > getvariable('week_start')::DATE - to_weeks(getvariable('budget_trailing_weeks')::INTEGER)
      AND week_start <= getvariable('week_start')::DATE
    GROUP BY GROUPING SETS ((week_start, platform), (week_start, platform, campaign_id))
),

entities AS (
    SELECT
        * EXCLUDE (is_platform_total),
        CASE WHEN is_platform_total = 1 THEN 'platform' ELSE 'campaign' END AS level
    FROM weekly
    -- credit that named no campaign counts in its platform's total only
    WHERE is_platform_total = 1 OR campaign_id IS NOT NULL
),

points AS (
    SELECT
        level, platform, campaign_id,
        ln(spend::DOUBLE) AS x,
        ln(revenue::DOUBLE) AS y
    FROM entities
    WHERE spend > 0 AND revenue > 0
),

-- Sums of doubles depend on the order rows arrive in, which a parallel
-- load or build does not fix: every sum and mean below adds in DECIMAL, so
-- the same data gives the same figures to the last digit every run.
centered AS (
    SELECT
        level,
        x - avg(x::DECIMAL(38, 18)) OVER entity AS dx,
        y - avg(y::DECIMAL(38, 18)) OVER entity AS dy
    FROM points
    WINDOW entity AS (PARTITION BY level, platform, campaign_id)
),

elasticity AS (
    SELECT
        level,
        count(*) FILTER (WHERE abs(dx) > 1e-9) AS varying_points,
        sum((dx * dy)::DECIMAL(38, 18))::DOUBLE / nullif(sum((dx * dx)::DECIMAL(38, 18))::DOUBLE, 0) AS raw_b
    FROM centered
    GROUP BY level
),

slope AS (
    SELECT
        level,
        raw_b,
        CASE WHEN varying_points >= 3 AND raw_b IS NOT NULL THEN least(greatest(raw_b, 0.1), 1.0) ELSE 1.0 END AS b,
        CASE
            WHEN varying_points < 3 OR raw_b IS NULL THEN 'too few points: average ROAS'
            WHEN raw_b > 1 THEN 'pooled fit ' || round(raw_b, 2) || ', capped at 1'
            WHEN raw_b < 0.1 THEN 'pooled fit ' || round(raw_b, 2) || ', floored at 0.1'
            ELSE 'pooled fit'
        END AS elasticity_basis
    FROM elasticity
),

curve AS (
    SELECT p.level, p.platform, p.campaign_id, avg(p.x::DECIMAL(38, 18)) AS mean_x, avg(p.y::DECIMAL(38, 18)) AS mean_y, count(*) AS fit_weeks
    FROM points AS p
    GROUP BY ALL
),

age AS (
    SELECT
        platform,
        campaign_id,
        min(date) FILTER (WHERE spend_reporting > 0) AS first_spend
    FROM stg_ad_performance
    WHERE date <= getvariable('week_end')::DATE
    GROUP BY GROUPING SETS ((platform), (platform, campaign_id))
),

trailing_totals AS (
    SELECT
        level,
        platform,
        campaign_id,
        sum(spend) AS trailing_spend,
        sum(revenue) AS trailing_revenue,
        sum(new_customers) AS trailing_new_customers,
        sum(spend) FILTER (WHERE week_start = getvariable('week_start')::DATE) AS week_spend,
        sum(revenue) FILTER (WHERE week_start = getvariable('week_start')::DATE) AS week_revenue
    FROM entities
    GROUP BY ALL
),

assessed AS (
    SELECT
        t.level,
        t.platform,
        t.campaign_id,
        date_diff('day', a.first_spend, getvariable('week_end')::DATE) + 1 AS days_live,
        CASE
            WHEN days_live <= 30 THEN 'validate'
            WHEN days_live <= 60 THEN 'iterate'
            WHEN days_live <= 90 THEN 'scale_or_cut'
            ELSE 'mature'
        END AS stage,
        coalesce(t.week_spend, 0)::DECIMAL(18, 2) AS spend,
        coalesce(t.week_revenue, 0)::DECIMAL(18, 2) AS attributed_revenue,
        t.trailing_spend::DECIMAL(18, 2) AS trailing_spend,
        t.trailing_revenue::DECIMAL(18, 2) AS trailing_revenue,
        CASE WHEN t.trailing_spend > 0 THEN t.trailing_revenue / t.trailing_spend END::DOUBLE AS trailing_roas,
        CASE WHEN t.trailing_new_customers > 0
            THEN round(t.trailing_spend / t.trailing_new_customers, 2) END::DECIMAL(18, 2) AS trailing_cac,
        c.fit_weeks,
        s.b AS elasticity,
        s.elasticity_basis,
        CASE WHEN t.week_spend > 0 AND c.fit_weeks > 0
            THEN s.b * exp(c.mean_y - s.b * c.mean_x) * pow(t.week_spend::DOUBLE, s.b - 1)
        END AS marginal_roas
    FROM trailing_totals AS t
    LEFT JOIN age AS a ON a.platform = t.platform AND a.campaign_id IS NOT DISTINCT FROM t.campaign_id
    LEFT JOIN curve AS c ON c.level = t.level AND c.platform = t.platform AND c.campaign_id IS NOT DISTINCT FROM t.campaign_id
    LEFT JOIN slope AS s ON s.level = t.level
    WHERE t.week_spend > 0
),

decided AS (
    SELECT
        *,
        getvariable('target_roas')::DOUBLE AS target_roas,
        nullif(getvariable('target_cac')::DECIMAL(18, 2), 0) AS target_cac,
        getvariable('budget_hold_band')::DOUBLE AS band,
        CASE
            WHEN stage = 'validate' THEN 'hold'
            WHEN marginal_roas IS NULL THEN 'hold'
            WHEN marginal_roas < target_roas * (1 - band)
                OR (target_cac IS NOT NULL AND trailing_cac > target_cac * (1 + band)) THEN 'cut'
            WHEN marginal_roas >= target_roas * (1 + band)
                AND (target_cac IS NULL OR trailing_cac IS NULL OR trailing_cac <= target_cac) THEN 'scale'
            ELSE 'hold'
        END AS action,
        CASE
            WHEN stage = 'validate' THEN 'live ' || days_live || ' days: validating tracking and baseline CAC'
            WHEN marginal_roas IS NULL THEN 'no attributed revenue to fit'
            WHEN marginal_roas < target_roas * (1 - band) THEN 'marginal ROAS ' || round(marginal_roas, 2) || ' below target ' || target_roas
            WHEN target_cac IS NOT NULL AND trailing_cac > target_cac * (1 + band) THEN 'CAC ' || trailing_cac || ' above target ' || target_cac
            WHEN marginal_roas >= target_roas * (1 + band) THEN 'marginal ROAS ' || round(marginal_roas, 2) || ' above target ' || target_roas
            ELSE 'marginal ROAS ' || round(marginal_roas, 2) || ' near target ' || target_roas
        END AS reason
    FROM assessed
),

campaign_names AS (
    SELECT DISTINCT ON (campaign_id) campaign_id, campaign_name
    FROM int_ads
    ORDER BY campaign_id, ad_id
)

SELECT
    getvariable('week_start')::DATE AS week_start,
    d.level,
    d.platform,
    d.campaign_id,
    n.campaign_name,
    d.days_live,
    d.stage,
    d.spend,
    d.attributed_revenue,
    d.trailing_spend,
    d.trailing_revenue,
    d.trailing_roas,
    d.trailing_cac,
    d.fit_weeks,
    d.elasticity,
    d.elasticity_basis,
    d.marginal_roas,
    d.target_roas,
    d.target_cac,
    d.action,
    d.reason,
    CASE WHEN d.level = 'platform' THEN rank() OVER (
        PARTITION BY d.level ORDER BY d.marginal_roas DESC NULLS LAST
    ) END AS next_dollar_rank
FROM decided AS d
LEFT JOIN campaign_names AS n USING (campaign_id)
ORDER BY d.level DESC, d.marginal_roas DESC NULLS LAST, d.platform, d.campaign_id

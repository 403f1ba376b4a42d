-- Tracking QA for the report week (DESIGN §4): one row per check (and per
-- platform or source where the check is per platform or source), with its
-- severity, measured value, threshold and status. Checks of severity error
-- that fail stop the run's outputs (tests/tracking_qa_errors.sql) unless
-- --allow-qa-failures.
WITH week_ads AS (
    SELECT * FROM stg_ad_performance WHERE week_start = getvariable('week_start')::DATE
),

tagged AS (
    SELECT
        *,
        regexp_matches(coalesce(destination_url, ''), '[?&]utm_source=[^&#]')
        AND regexp_matches(coalesce(destination_url, ''), '[?&]utm_medium=[^&#]')
        AND regexp_matches(coalesce(destination_url, ''), '[?&]utm_campaign=[^&#]') AS has_utms
    FROM week_ads
),

utm_coverage AS (
    SELECT
        'utm_coverage' AS check_name,
        NULL::VARCHAR AS subject,
        'warn' AS severity,
        (coalesce(sum(spend_reporting) FILTER (WHERE has_utms), 0) / nullif(sum(spend_reporting), 0))::DOUBLE AS value,
        getvariable('qa_utm_coverage_min')::DOUBLE AS threshold,
        value IS NULL OR value >= threshold AS passed,
        count(DISTINCT ad_id) FILTER (WHERE NOT has_utms) || ' ads without utm_source, utm_medium and utm_campaign in their destination URL' AS detail
    FROM tagged
),

naming AS (
    -- names that do not follow the naming templates (config naming): their
    -- spend still counts everywhere, but audience and creative-pattern marts
    -- cannot place it
    SELECT
        'naming_convention',
        NULL,
        'warn',
        count(*)::DOUBLE AS value,
        0::DOUBLE AS threshold,
        count(*) = 0,
        CASE WHEN count(*) = 0 THEN 'every ad with spend this week follows the naming templates'
            ELSE count(*) || ' ads with spend this week have names that do not parse (' || string_agg(DISTINCT unparsed_levels, '; ' ORDER BY unparsed_levels) || '): '
                -- three examples are enough to find the habit; the rest are counted
                || array_to_string(list(coalesce(ad_name, ad_id) || ' / ' || coalesce(campaign_name, campaign_id) ORDER BY ad_id)[1:3], ', ')
                || CASE WHEN count(*) > 3 THEN ' and ' || (count(*) - 3) || ' more' ELSE '' END
        END
    FROM int_ads
    WHERE NOT names_parsed
      AND ad_id IN (SELECT ad_id FROM week_ads WHERE spend_reporting > 0)
),

other_share AS (
    SELECT
        'touchpoints_classified_other',
        NULL,
        'warn',
        avg(CASE WHEN channel = 'other' THEN 1.0 ELSE 0.0 END)::DOUBLE AS value,
        getvariable('qa_other_share_max')::DOUBLE AS threshold,
        value IS NULL OR value <= threshold,
        count(*) FILTER (WHERE channel = 'other') || ' of ' || count(*) || ' touchpoints matched no channel rule'
    FROM int_touchpoints_classified
    WHERE week_start = getvariable('week_start')::DATE
),

credited AS (
    SELECT platform, sum(credit::DECIMAL(38, 18))::DOUBLE AS conversions
    FROM attribution_ledger
    WHERE week_start = getvariable('week_start')::DATE
      AND model = getvariable('primary_model')
      AND list_contains(getvariable('paid_channels'), channel)
    GROUP BY platform
),

reconciliation AS (
    -- gap = platform-reported conversions / CRM-attributed conversions − 1
    SELECT
        'reconciliation_gap',
        a.platform,
        'warn',
        (sum(a.platform_conversions) / nullif(any_value(c.conversions), 0) - 1)::DOUBLE AS value,
        getvariable('qa_reconciliation_tolerance')::DOUBLE AS threshold,
        value IS NOT NULL AND abs(value) <= threshold,
        round(sum(a.platform_conversions), 2) || ' reported by the platform, '
            || round(coalesce(any_value(c.conversions), 0), 2) || ' attributed by the primary model'
    FROM week_ads AS a
    LEFT JOIN credited AS c USING (platform)
    GROUP BY a.platform
    HAVING sum(a.platform_conversions) > 0 OR any_value(c.conversions) > 0
),

fx_missing AS (
    SELECT
        'fx_rate_missing',
        NULL,
        'error',
        count(*)::DOUBLE AS value,
        0::DOUBLE,
        count(*) = 0,
        coalesce(string_agg(DISTINCT currency || ' on ' || day, ', ' ORDER BY currency || ' on ' || day), 'every amount has its rate')
    FROM (
        SELECT currency, date AS day FROM stg_ad_performance WHERE fx_rate IS NULL
        UNION ALL
        SELECT currency, local_date FROM stg_conversions WHERE fx_rate IS NULL
        UNION ALL
        SELECT currency, date FROM stg_costs WHERE fx_rate IS NULL
    )
    WHERE day <= getvariable('week_end')::DATE
),

duplicate_keys AS (
    SELECT
        'duplicate_natural_keys',
        'ad_performance',
        'error',
        count(*)::DOUBLE,
        0::DOUBLE,
        count(*) = 0,
        count(*) || ' (platform, account, ad, date) keys appear more than once'
    FROM (SELECT 1 FROM ad_performance GROUP BY platform, account_id, ad_id, date HAVING count(*) > 1)
),

negative_values AS (
    SELECT
        'negative_values',
        'ad_performance',
        'error',
        count(*)::DOUBLE,
        0::DOUBLE,
        count(*) = 0,
        count(*) || ' ad-days with negative spend, impressions or clicks'
    FROM ad_performance
    WHERE spend < 0 OR impressions < 0 OR clicks < 0
),

impossible_values AS (
    SELECT
        'impossible_values',
        'ad_performance',
        'warn',
        count(*)::DOUBLE,
        0::DOUBLE,
        count(*) = 0,
        count(*) || ' ad-days with more clicks than impressions or more link clicks than clicks'
    FROM week_ads
    WHERE clicks > impressions OR link_clicks > clicks
),

stale_sources AS (
    SELECT
        'stale_source',
        source,
        'warn',
        date_diff('day', extracted_until, getvariable('week_end')::DATE)::DOUBLE,
        0::DOUBLE,
        extracted_until >= getvariable('week_end')::DATE,
        'extracted through ' || extracted_until
    FROM source_state
)

SELECT
    getvariable('week_start')::DATE AS week_start,
    check_name,
    subject,
    severity,
    CASE WHEN passed THEN 'pass' ELSE 'fail' END AS status,
    value,
    threshold,
    detail
FROM (
    SELECT * FROM utm_coverage
    UNION ALL SELECT * FROM naming
    UNION ALL SELECT * FROM other_share
    UNION ALL SELECT * FROM reconciliation
    UNION ALL SELECT * FROM fx_missing
    UNION ALL SELECT * FROM duplicate_keys
    UNION ALL SELECT * FROM negative_values
    UNION ALL SELECT * FROM impossible_values
    UNION ALL SELECT * FROM stale_sources
)
ORDER BY severity, check_name, subject

-- description: in mart_landing_page_weekly converting sessions never exceed sessions or conversions, and every session through the report week is counted once
-- severity: error
SELECT week_start, landing_page, channel, sessions, converting_sessions, conversions
FROM mart_landing_page_weekly
WHERE NOT (converting_sessions <= sessions AND converting_sessions <= conversions AND sessions > 0)
UNION ALL
SELECT NULL, 'all', 'all', m.sessions, t.sessions, NULL
FROM (SELECT coalesce(sum(sessions), 0) AS sessions FROM mart_landing_page_weekly) AS m,
    (SELECT count(*) AS sessions FROM int_touchpoints_classified
        WHERE nullif(trim(landing_page), '') IS NOT NULL
            AND coalesce(interaction, '') NOT IN ('view', 'promo_code')
            AND week_start <= getvariable('week_start')::DATE) AS t
WHERE m.sessions <> t.sessions

-- description: mart_community_weekly counts nest (within_sla ≤ responded ≤ messages, resolved, buying_intent and leads ≤ messages, median ≤ p90) and cover every message through the report week
-- severity: error
SELECT week_start, platform, issue_type, messages, responded, within_sla, resolved, buying_intent, leads,
    median_first_response_minutes, p90_first_response_minutes
FROM mart_community_weekly
WHERE NOT (
    within_sla <= responded AND responded <= messages
    AND resolved <= messages AND buying_intent <= messages AND leads <= messages
    AND coalesce(median_first_response_minutes <= p90_first_response_minutes, responded = 0)
)
UNION ALL
SELECT NULL, 'all', 'all', m.messages, c.messages, NULL, NULL, NULL, NULL, NULL, NULL
FROM (SELECT coalesce(sum(messages), 0) AS messages FROM mart_community_weekly) AS m,
    (SELECT count(*) AS messages FROM community_messages
        WHERE (received_at AT TIME ZONE getvariable('timezone'))::DATE < getvariable('week_start')::DATE + 7) AS c
WHERE m.messages <> c.messages

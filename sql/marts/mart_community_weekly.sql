-- Community management per week, platform and issue type: how fast and how
-- well the brand answers comments, DMs, mentions and reviews, and the
-- buying-intent conversations, leads and pipeline they bring. A message
-- belongs to the local week (reporting time zone) it was received in; weeks
-- run from the first week with messages to the report week.
--   responded                      messages with a first response
--   median_first_response_minutes  quantile_cont(0.5) — the continuous
--   p90_first_response_minutes     quantile (linear interpolation between
--                                  the two nearest values), over responded
--                                  messages only
--   within_sla                     responded within community_sla_minutes
--                                  (inclusive)
--   within_sla_share               within_sla / messages: an unanswered
--                                  message counts as outside the SLA
--   resolution_rate                resolved / messages
--   buying_intent                  messages of issue_type buying_intent
--   leads                          distinct lead_id named by the messages
--   pipeline                       revenue (reporting currency, converted with
--                                  the day's FX rate as stg_conversions does)
--                                  of the conversions of any type that the
--                                  leads made from the message's receipt to
--                                  lookback_days after it, through the report
--                                  week's end
-- lead_id is the CRM person id (the demo brand names the person of the lead
-- or purchase that followed the conversation), so conversions join on
-- person_id = lead_id. A conversion that follows several messages of the
-- same person is pipeline of the latest of them only, so no revenue counts
-- twice.
WITH messages AS (
    SELECT
        message_id,
        platform,
        issue_type,
        received_at,
        first_response_at,
        resolved_at,
        nullif(trim(lead_id), '') AS lead_id,
        date_trunc('week', (received_at AT TIME ZONE getvariable('timezone'))::DATE)::DATE AS week_start,
        epoch(first_response_at - received_at) / 60.0 AS first_response_minutes
    FROM community_messages
),

reported AS (
    SELECT *
    FROM messages
    WHERE week_start <= getvariable('week_start')::DATE
),

rates AS (
    SELECT date, currency, rate_to_reporting FROM fx_rates
),

lead_conversions AS (
    SELECT
        c.conversion_id,
        c.person_id,
        c.ts,
        round(c.revenue * CASE
            WHEN c.currency = getvariable('reporting_currency') THEN 1::DECIMAL(18, 8)
            ELSE r.rate_to_reporting
        END, 2)::DECIMAL(18, 2) AS revenue_reporting
    FROM conversions AS c
    LEFT JOIN rates AS r
        ON r.date = (c.ts AT TIME ZONE getvariable('timezone'))::DATE
        AND r.currency = c.currency
    WHERE c.person_id IN (SELECT lead_id FROM reported WHERE lead_id IS NOT NULL)
        AND (c.ts AT TIME ZONE getvariable('timezone'))::DATE <= getvariable('week_end')::DATE
),

pipeline_per_message AS (
    SELECT message_id, sum(revenue_reporting) AS pipeline
    FROM (
        SELECT c.conversion_id, c.revenue_reporting, m.message_id
        FROM lead_conversions AS c
        JOIN reported AS m
            ON m.lead_id = c.person_id
            AND c.ts >= m.received_at
            AND c.ts < m.received_at + to_days(getvariable('lookback_days')::INTEGER)
        QUALIFY row_number() OVER (
            PARTITION BY c.conversion_id ORDER BY m.received_at DESC, m.message_id DESC
        ) = 1
    )
    GROUP BY ALL
),

weekly AS (
    SELECT
        m.week_start,
        m.platform,
        m.issue_type,
        count(*) AS messages,
        count(m.first_response_at) AS responded,
        quantile_cont(m.first_response_minutes, 0.5) AS median_first_response_minutes,
        quantile_cont(m.first_response_minutes, 0.9) AS p90_first_response_minutes,
        count(*) FILTER (
            WHERE m.first_response_minutes <= getvariable('community_sla_minutes')::INTEGER
        ) AS within_sla,
        count(m.resolved_at) AS resolved,
        count(*) FILTER (WHERE m.issue_type = 'buying_intent') AS buying_intent,
        count(DISTINCT m.lead_id) AS leads,
        coalesce(sum(p.pipeline), 0)::DECIMAL(18, 2) AS pipeline
    FROM reported AS m
    LEFT JOIN pipeline_per_message AS p USING (message_id)
    GROUP BY ALL
)

SELECT
    week_start,
    platform,
    issue_type,
    messages,
    responded,
    median_first_response_minutes::DOUBLE AS median_first_response_minutes,
    p90_first_response_minutes::DOUBLE AS p90_first_response_minutes,
    within_sla,
    (within_sla / messages)::DOUBLE AS within_sla_share,
    resolved,
    (resolved / messages)::DOUBLE AS resolution_rate,
    buying_intent,
    leads,
    pipeline
FROM weekly
ORDER BY week_start, platform, issue_type

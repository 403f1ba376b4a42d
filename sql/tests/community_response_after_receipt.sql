-- description: no community message is answered or resolved before it was received
-- severity: warn
SELECT message_id, platform, received_at, first_response_at, resolved_at
FROM community_messages
WHERE first_response_at < received_at
    OR resolved_at < received_at

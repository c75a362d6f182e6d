-- name: sms-settings-get
SELECT value, secret FROM sms_settings WHERE workspace_id = $1;

-- name: sms-settings-put
INSERT INTO sms_settings (workspace_id, value, secret, updated_at) VALUES ($1, $2, $3, $4)
ON CONFLICT (workspace_id) DO UPDATE SET value = excluded.value, secret = excluded.secret, updated_at = excluded.updated_at;

-- name: sms-message-sent
INSERT INTO sms_messages (message_id, workspace_id, provider, provider_id, segments, delivery, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (message_id) DO UPDATE SET provider = excluded.provider, provider_id = excluded.provider_id,
    segments = excluded.segments, updated_at = excluded.updated_at;

-- name: sms-message-by-provider-id
-- A receipt names the provider's id; the workspace comes from the URL, so
-- a receipt can only touch its own workspace's texts.
SELECT message_id FROM sms_messages WHERE provider = $1 AND provider_id = $2 AND workspace_id = $3;

-- name: sms-message-delivery
UPDATE sms_messages SET delivery = $3, delivery_code = $4, updated_at = $5 WHERE workspace_id = $1 AND message_id = $2;

-- name: sms-message-get
SELECT message_id, provider, provider_id, segments, delivery, delivery_code, updated_at
FROM sms_messages WHERE workspace_id = $1 AND message_id = $2;

-- name: sms-contacts-by-phone
-- Live contacts whose stored phone is one of the ways the number may have
-- been written (E.164, without +, national with and without the 0).
SELECT id FROM contacts
WHERE workspace_id = $1 AND merged_into = '' AND phone IN ($2, $3, $4, $5)
UNION
SELECT contact_id FROM identities WHERE workspace_id = $1 AND kind = 'phone' AND value IN ($2, $3, $4, $5);

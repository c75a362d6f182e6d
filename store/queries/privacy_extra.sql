-- Erasure of what issues 15 and 16 keep per person: scores, campaign
-- recipients, SMS receipts and bounce reports. (The suppression list is
-- kept on purpose: it is what stops the address being mailed again.)

-- name: erase-contact-scores
DELETE FROM contact_scores WHERE workspace_id = $1 AND contact_id = $2;

-- name: erase-contact-campaign-recipients
DELETE FROM campaign_recipients
WHERE contact_id = $2 AND campaign_id IN (SELECT id FROM campaigns WHERE workspace_id = $1);

-- name: erase-contact-sms-messages
DELETE FROM sms_messages
WHERE workspace_id = $1 AND message_id IN (SELECT id FROM messages WHERE workspace_id = $1 AND contact_id = $2);

-- name: erase-contact-email-feedback
DELETE FROM email_feedback
WHERE workspace_id = $1 AND message_id IN (SELECT id FROM messages WHERE workspace_id = $1 AND contact_id = $2);

-- name: erase-workspace-scores
DELETE FROM contact_scores WHERE workspace_id = $1;

-- name: erase-workspace-score-models
DELETE FROM score_models WHERE workspace_id = $1;

-- name: erase-workspace-campaign-recipients
DELETE FROM campaign_recipients WHERE campaign_id IN (SELECT id FROM campaigns WHERE workspace_id = $1);

-- name: erase-workspace-sms-messages
DELETE FROM sms_messages WHERE workspace_id = $1;

-- name: erase-workspace-email-feedback
DELETE FROM email_feedback WHERE workspace_id = $1;

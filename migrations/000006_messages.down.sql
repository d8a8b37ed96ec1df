ALTER TABLE outbox DROP COLUMN IF EXISTS org_message_id;
DROP TABLE IF EXISTS org_messages;
ALTER TABLE events DROP COLUMN IF EXISTS reminder_days;

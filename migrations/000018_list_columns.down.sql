DELETE FROM schema_compatibility WHERE version = 18;
-- The older schema has no word for a message to picked people: such
-- messages go (their mails stay in the outbox, no longer linked).
DELETE FROM org_messages WHERE audience = 'selected';
ALTER TABLE org_messages DROP CONSTRAINT org_messages_audience_check,
    ADD CONSTRAINT org_messages_audience_check
        CHECK (audience IN ('all', 'workshop', 'waitlist', 'confirmed'));
DROP TABLE list_columns;

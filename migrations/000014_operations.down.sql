DROP INDEX outbox_sent_at_idx;
ALTER TABLE outbox DROP COLUMN deferred_since;
DROP TABLE schema_compatibility;

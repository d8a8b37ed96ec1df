DROP INDEX idempotency_keys_created_idx;
DROP INDEX idempotency_keys_event_idx;
ALTER TABLE idempotency_keys DROP COLUMN event_id;

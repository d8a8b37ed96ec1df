-- An idempotency record names its event, so that retention deletes an
-- event's records by id, without knowing how booking builds a key's scope.
-- Records are written in the transaction of the registration they answer
-- (internal/booking/idempotency.go).
ALTER TABLE idempotency_keys ADD COLUMN event_id bigint REFERENCES events (id) ON DELETE CASCADE;
UPDATE idempotency_keys k SET event_id = e.id FROM events e WHERE k.scope = 'register:' || e.slug;
CREATE INDEX idempotency_keys_event_idx ON idempotency_keys (event_id);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);

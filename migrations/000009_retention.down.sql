DROP INDEX IF EXISTS events_retention_due_idx;
ALTER TABLE events DROP COLUMN IF EXISTS anonymised_at;

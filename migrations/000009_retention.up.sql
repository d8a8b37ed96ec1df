-- Retention: a configured number of days (retention_days) after an event
-- ends, its participants' personal data is anonymised; anonymised_at
-- records that this has happened, so it happens once. The partial index
-- keeps the scheduler's hourly look for due events cheap.
ALTER TABLE events ADD COLUMN anonymised_at timestamptz;
CREATE INDEX events_retention_due_idx ON events (ends_at) WHERE anonymised_at IS NULL;

DELETE FROM schema_compatibility WHERE version = 15;
ALTER TABLE registrations DROP COLUMN allocation_outcomes;

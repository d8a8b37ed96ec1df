ALTER TABLE registrations DROP COLUMN allocation_outcomes;

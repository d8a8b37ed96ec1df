-- What each wish-phase participant got from the published allocation per
-- slot (rank, and why it was not the first wish), decided once at
-- publication so that the mail and the personal page say the same.
ALTER TABLE registrations ADD COLUMN allocation_outcomes jsonb;

-- A nullable column: binaries of version 14 never read or write it.
INSERT INTO schema_compatibility (version, compatible) VALUES (15, true);

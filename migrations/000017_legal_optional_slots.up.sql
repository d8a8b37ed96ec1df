-- An event's own privacy notice and imprint (text or address; empty: the
-- installation's defaults apply), and slots a first_come sign-up may leave
-- without a workshop.
ALTER TABLE events
    ADD COLUMN privacy_text text NOT NULL DEFAULT '',
    ADD COLUMN privacy_url  text NOT NULL DEFAULT '',
    ADD COLUMN imprint_text text NOT NULL DEFAULT '',
    ADD COLUMN imprint_url  text NOT NULL DEFAULT '';
ALTER TABLE slots ADD COLUMN optional boolean NOT NULL DEFAULT false;

-- Columns with defaults: binaries of the versions before never need to write them.
INSERT INTO schema_compatibility (version, compatible) VALUES (17, true);

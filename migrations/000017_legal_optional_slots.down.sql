DELETE FROM schema_compatibility WHERE version = 17;
ALTER TABLE slots DROP COLUMN optional;
ALTER TABLE events
    DROP COLUMN privacy_text,
    DROP COLUMN privacy_url,
    DROP COLUMN imprint_text,
    DROP COLUMN imprint_url;

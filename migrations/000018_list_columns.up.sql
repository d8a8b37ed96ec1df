-- The columns an organiser chose for an event's registration list (keys
-- as in the list's URL: email, status, slot:KEY, wish:KEY, q:KEY, …); no
-- row: the list's defaults.
CREATE TABLE list_columns (
    user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    event_id   bigint NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    columns    text[] NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, event_id)
);
CREATE INDEX list_columns_event_idx ON list_columns (event_id);

-- A message to the people an organiser ticked in the list: its mails
-- (outbox rows) name the people; the message row says "selected".
ALTER TABLE org_messages DROP CONSTRAINT org_messages_audience_check,
    ADD CONSTRAINT org_messages_audience_check
        CHECK (audience IN ('all', 'workshop', 'waitlist', 'confirmed', 'selected'));

-- A new table and a wider CHECK: binaries of the versions before never
-- touch the table nor write the new audience (they list such a message
-- with the audience's key as its text).
INSERT INTO schema_compatibility (version, compatible) VALUES (18, true);

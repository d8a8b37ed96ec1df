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

-- A new table: binaries of the versions before never touch it.
INSERT INTO schema_compatibility (version, compatible) VALUES (18, true);

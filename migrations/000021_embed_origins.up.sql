-- The websites an event's registration form may be embedded in (the
-- frame-ancestors of its embeddable pages): normalised origins such as
-- https://www.example.org or http://localhost:8000, in the organiser's order.
CREATE TABLE embed_origins (
    event_id bigint NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    position int    NOT NULL CHECK (position > 0),
    origin   text   NOT NULL CHECK (origin ~ '^https?://[a-z0-9.-]+(:[0-9]{1,5})?$'),
    PRIMARY KEY (event_id, origin),
    UNIQUE (event_id, position)
);

-- A new table: binaries of the versions before never touch it.
INSERT INTO schema_compatibility (version, compatible) VALUES (21, true);

-- Rolling deploys: every migration from this one on records here whether
-- binaries built for the version before it keep working on the schema it
-- leaves (README.md in this folder). /readyz of an older binary accepts a
-- newer schema when every version above its own is recorded as compatible.
CREATE TABLE schema_compatibility (
    version    bigint PRIMARY KEY,
    compatible boolean NOT NULL
);

-- SMTP outages: when a mail was first deferred by a temporary failure, and
-- the newest sends, so that "mails stall since …" is one cheap query.
ALTER TABLE outbox ADD COLUMN deferred_since timestamptz;
CREATE INDEX outbox_sent_at_idx ON outbox (sent_at) WHERE status = 'sent';

-- A new table, a nullable column and an index: version 13 binaries never
-- see them.
INSERT INTO schema_compatibility (version, compatible) VALUES (14, true);

-- Check-in on the day, and the indexes of the organiser's lists.
--
-- checkin_code is what a participant's QR code carries: 80 bits taken from
-- the SHA-256 of two random UUIDs (gen_random_uuid draws from the server's
-- strong random source), upper-case hex. It is stored in clear on purpose:
-- it grants nothing by itself (looking it up needs a check-in account of
-- the event), and the participant's page must be able to show it again.
-- The volatile default gives every existing row its own code.
ALTER TABLE registrations
    ADD COLUMN checkin_code text NOT NULL
        DEFAULT upper(substr(encode(sha256(convert_to(gen_random_uuid()::text || gen_random_uuid()::text, 'UTF8')), 'hex'), 1, 20)),
    ADD COLUMN checked_in_at timestamptz,
    ADD COLUMN checked_in_by bigint REFERENCES users (id) ON DELETE SET NULL;
CREATE UNIQUE INDEX registrations_checkin_code_key ON registrations (checkin_code);

-- The list pages: sort keys within one event, and substring search over
-- name, e-mail and organisation (trigram index; the query uses the same
-- expression).
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX registrations_event_name_idx ON registrations (event_id, lower(name), seq);
CREATE INDEX registrations_event_org_idx ON registrations (event_id, lower(organisation), seq);
CREATE INDEX registrations_event_seq_idx ON registrations (event_id, seq);
CREATE INDEX registrations_event_checkin_idx ON registrations (event_id, checked_in_at);
CREATE INDEX registrations_search_trgm_idx ON registrations
    USING gin (lower(name || ' ' || email || ' ' || organisation) gin_trgm_ops);

-- A participant's history: the audit entries that name them.
CREATE INDEX audit_log_registration_idx ON audit_log ((detail ->> 'registration_id'))
    WHERE detail ? 'registration_id';

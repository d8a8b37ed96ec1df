-- Attendance certificates. certificate_settings holds an event's own text,
-- logo, hours and signer (one row per event, written by the certificates
-- page); certificates holds one issued certificate per registration: its
-- verification code and what it certifies (name, workshops, hours), fixed
-- when issued so that /v/{code} and every download say the same, and when
-- it was last mailed.
--
-- The code is stored in clear on purpose: it is printed on the PDF and
-- grants nothing beyond what the verification page shows (name, event,
-- date). Retention deletes the certificate with the participant's data.
CREATE TABLE certificate_settings (
    event_id     bigint PRIMARY KEY REFERENCES events (id) ON DELETE CASCADE,
    body         text NOT NULL DEFAULT '',
    hours        numeric(4, 2) CHECK (hours IS NULL OR (hours > 0 AND hours <= 24)),
    signer_name  text NOT NULL DEFAULT '',
    signer_role  text NOT NULL DEFAULT '',
    logo         bytea,
    logo_type    text NOT NULL DEFAULT '' CHECK (logo_type IN ('', 'image/png', 'image/jpeg')),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT certificate_settings_logo_typed CHECK ((logo IS NULL) = (logo_type = ''))
);

CREATE TABLE certificates (
    registration_id  uuid PRIMARY KEY REFERENCES registrations (id) ON DELETE CASCADE,
    event_id         bigint NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    code             text NOT NULL UNIQUE CHECK (length(code) >= 10),
    name             text NOT NULL,
    workshops        text[] NOT NULL DEFAULT '{}',
    hours            numeric(4, 2) NOT NULL CHECK (hours > 0 AND hours <= 24),
    issued_at        timestamptz NOT NULL DEFAULT now(),
    mailed_at        timestamptz,
    mails            integer NOT NULL DEFAULT 0
);
CREATE INDEX certificates_event_idx ON certificates (event_id);

-- New tables only: binaries of the versions before never touch them.
INSERT INTO schema_compatibility (version, compatible) VALUES (20, true);

-- Organiser accounts and what hangs off them: event memberships,
-- server-side sessions, API tokens, password resets, login throttling and
-- the audit log. Every secret (session id, token, reset link) is stored
-- only as its SHA-256; the raw value exists only in the client's hands.
CREATE TABLE users (
    id             bigserial PRIMARY KEY,
    email          text NOT NULL,
    role           text NOT NULL CHECK (role IN ('admin', 'organiser', 'checkin')),
    password_hash  text NOT NULL,
    must_change    boolean NOT NULL DEFAULT false,
    failed_logins  integer NOT NULL DEFAULT 0 CHECK (failed_logins >= 0),
    locked_until   timestamptz,
    created_at     timestamptz NOT NULL DEFAULT now(),
    password_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

CREATE TABLE event_members (
    user_id     bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    event_id    bigint NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, event_id)
);
CREATE INDEX event_members_event_idx ON event_members (event_id);

-- expires_at is the absolute end; last_seen_at drives the idle timeout.
CREATE TABLE sessions (
    hash          bytea PRIMARY KEY,
    user_id       bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_seen_at  timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NOT NULL
);
CREATE INDEX sessions_user_idx ON sessions (user_id);
CREATE INDEX sessions_expires_idx ON sessions (expires_at);

CREATE TABLE api_tokens (
    id            bigserial PRIMARY KEY,
    user_id       bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name          text NOT NULL DEFAULT '',
    hash          bytea NOT NULL UNIQUE,
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_used_at  timestamptz,
    revoked_at    timestamptz
);
CREATE INDEX api_tokens_user_idx ON api_tokens (user_id);

CREATE TABLE password_resets (
    hash        bytea PRIMARY KEY,
    user_id     bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz
);
CREATE INDEX password_resets_user_idx ON password_resets (user_id);

-- Failed logins per client address, in a sliding window; shared by every
-- replica, unlike an in-memory limiter.
CREATE TABLE login_throttle (
    client        text PRIMARY KEY,
    failures      integer NOT NULL DEFAULT 0,
    window_start  timestamptz NOT NULL DEFAULT now(),
    locked_until  timestamptz
);

CREATE TABLE audit_log (
    id          bigserial PRIMARY KEY,
    user_id     bigint REFERENCES users (id) ON DELETE SET NULL,
    actor       text NOT NULL DEFAULT '',
    action      text NOT NULL,
    event_id    bigint REFERENCES events (id) ON DELETE SET NULL,
    detail      jsonb NOT NULL DEFAULT '{}',
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_event_idx ON audit_log (event_id, created_at);
CREATE INDEX audit_log_user_idx ON audit_log (user_id, created_at);

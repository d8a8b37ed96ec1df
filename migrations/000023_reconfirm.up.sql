-- Reconfirmation ("Kommen Sie?"): per event, N days before the start every
-- confirmed participant is asked whether they still come; "no" frees the
-- seat through the waiting lists, unanswered seats may be released at a
-- deadline. Settings, one row per event that uses it:
CREATE TABLE reconfirm_settings (
    event_id        bigint PRIMARY KEY REFERENCES events (id) ON DELETE CASCADE,
    enabled         boolean NOT NULL DEFAULT false,
    send_days       integer NOT NULL CHECK (send_days BETWEEN 1 AND 60),
    -- the answer deadline, in hours before the start; after the send time
    deadline_hours  integer NOT NULL CHECK (deadline_hours BETWEEN 1 AND 1416),
    remind          boolean NOT NULL DEFAULT true,
    release_unanswered boolean NOT NULL DEFAULT false,
    -- when each step first ran (set once by a guarded update)
    sent_at         timestamptz,
    reminded_at     timestamptz,
    released_at     timestamptz,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CHECK (deadline_hours < send_days * 24)
);

-- One question per registration: asked once, reminded at most once,
-- answered yes or no, or released at the deadline.
CREATE TABLE reconfirm_requests (
    registration_id uuid PRIMARY KEY REFERENCES registrations (id) ON DELETE CASCADE,
    event_id        bigint NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    asked_at        timestamptz NOT NULL,
    reminded_at     timestamptz,
    answer          text CHECK (answer IN ('yes', 'no', 'released')),
    answered_at     timestamptz,
    CHECK ((answer IS NULL) = (answered_at IS NULL))
);
CREATE INDEX reconfirm_requests_event_idx ON reconfirm_requests (event_id, answer);

-- The answer links: 256 random bits each, stored as SHA-256, one purpose
-- (a question mail and its reminder each carry their own).
CREATE TABLE reconfirm_tokens (
    hash            bytea PRIMARY KEY,
    registration_id uuid NOT NULL REFERENCES reconfirm_requests (registration_id) ON DELETE CASCADE,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX reconfirm_tokens_registration_idx ON reconfirm_tokens (registration_id);

-- New tables only: binaries of the version before never touch them.
INSERT INTO schema_compatibility (version, compatible) VALUES (23, true);

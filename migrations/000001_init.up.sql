-- Events, their slots and workshops. Seat counters live on the rows they
-- limit, guarded by CHECK constraints so that no code path can oversell.
CREATE TABLE events (
    id               bigserial PRIMARY KEY,
    slug             text NOT NULL UNIQUE,
    title            text NOT NULL,
    description      text NOT NULL DEFAULT '',
    organiser_name   text NOT NULL DEFAULT '',
    organiser_email  text NOT NULL DEFAULT '',
    timezone         text NOT NULL DEFAULT 'Europe/Berlin',
    starts_at        timestamptz NOT NULL,
    ends_at          timestamptz NOT NULL,
    venue_name       text NOT NULL DEFAULT '',
    venue_address    text NOT NULL DEFAULT '',
    capacity         integer NOT NULL CHECK (capacity > 0),
    confirmed        integer NOT NULL DEFAULT 0,
    languages        text[] NOT NULL DEFAULT '{de}',
    reg_mode         text NOT NULL CHECK (reg_mode IN ('first_come', 'preferences')),
    opens_at         timestamptz,
    closes_at        timestamptz,
    max_preferences  integer NOT NULL DEFAULT 3,
    allow_unlisted   boolean NOT NULL DEFAULT false,
    retention_days   integer NOT NULL DEFAULT 90,
    status           text NOT NULL DEFAULT 'draft'
                     CHECK (status IN ('draft', 'open', 'closed', 'archived')),
    programme        jsonb NOT NULL DEFAULT '[]',
    questions        jsonb NOT NULL DEFAULT '[]',
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT events_confirmed_within_capacity CHECK (confirmed >= 0 AND confirmed <= capacity),
    CONSTRAINT events_times_ordered CHECK (starts_at < ends_at)
);

CREATE TABLE slots (
    id         bigserial PRIMARY KEY,
    event_id   bigint NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    key        text NOT NULL,
    title      text NOT NULL DEFAULT '',
    starts_at  timestamptz NOT NULL,
    ends_at    timestamptz NOT NULL,
    position   integer NOT NULL DEFAULT 0,
    UNIQUE (event_id, key)
);

CREATE TABLE workshops (
    id                bigserial PRIMARY KEY,
    event_id          bigint NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    slot_id           bigint NOT NULL REFERENCES slots (id) ON DELETE RESTRICT,
    key               text NOT NULL,
    title             text NOT NULL,
    description       text NOT NULL DEFAULT '',
    hosts             text[] NOT NULL DEFAULT '{}',
    room              text NOT NULL DEFAULT '',
    capacity          integer NOT NULL CHECK (capacity > 0),
    min_participants  integer NOT NULL DEFAULT 0 CHECK (min_participants >= 0),
    topic             text NOT NULL,
    taken             integer NOT NULL DEFAULT 0,
    position          integer NOT NULL DEFAULT 0,
    UNIQUE (event_id, key),
    CONSTRAINT workshops_taken_within_capacity CHECK (taken >= 0 AND taken <= capacity)
);
CREATE INDEX workshops_slot_idx ON workshops (slot_id);

-- A registration is one person at one event. status: confirmed (holds an
-- event seat), waitlisted (event full), received (wish phase), cancelled.
CREATE TABLE registrations (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    event_id         bigint NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    seq              bigserial NOT NULL,
    name             text NOT NULL,
    email            text NOT NULL,
    organisation     text NOT NULL DEFAULT '',
    role             text NOT NULL DEFAULT '',
    language         text NOT NULL DEFAULT 'de' CHECK (language IN ('de', 'en')),
    answers          jsonb NOT NULL DEFAULT '{}',
    consent_privacy  timestamptz NOT NULL,
    consent_photos   boolean NOT NULL DEFAULT false,
    choices          jsonb NOT NULL DEFAULT '{}',
    preferences      jsonb NOT NULL DEFAULT '{}',
    status           text NOT NULL CHECK (status IN ('confirmed', 'waitlisted', 'received', 'cancelled')),
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    cancelled_at     timestamptz
);
CREATE UNIQUE INDEX registrations_one_per_email ON registrations (event_id, lower(email))
    WHERE status <> 'cancelled';
CREATE INDEX registrations_event_waitlist_idx ON registrations (event_id, seq)
    WHERE status = 'waitlisted';

-- Personal links. Only the SHA-256 of the token is stored.
CREATE TABLE tokens (
    hash             bytea PRIMARY KEY,
    registration_id  uuid NOT NULL REFERENCES registrations (id) ON DELETE CASCADE,
    purpose          text NOT NULL CHECK (purpose IN ('manage')),
    created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX tokens_registration_idx ON tokens (registration_id);

-- A booking is a registration's seat (confirmed) or queue place
-- (waitlisted) in one workshop. queue_seq orders waiting lists FIFO.
CREATE TABLE bookings (
    id               bigserial PRIMARY KEY,
    registration_id  uuid NOT NULL REFERENCES registrations (id) ON DELETE CASCADE,
    event_id         bigint NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    slot_id          bigint NOT NULL REFERENCES slots (id) ON DELETE CASCADE,
    workshop_id      bigint NOT NULL REFERENCES workshops (id) ON DELETE CASCADE,
    topic            text NOT NULL,
    status           text NOT NULL CHECK (status IN ('confirmed', 'waitlisted')),
    queue_seq        bigserial NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (registration_id, workshop_id)
);
CREATE UNIQUE INDEX bookings_one_seat_per_slot ON bookings (registration_id, slot_id)
    WHERE status = 'confirmed';
CREATE UNIQUE INDEX bookings_one_queue_per_slot ON bookings (registration_id, slot_id)
    WHERE status = 'waitlisted';
CREATE UNIQUE INDEX bookings_topic_once ON bookings (registration_id, topic)
    WHERE status = 'confirmed';
CREATE INDEX bookings_waitlist_idx ON bookings (workshop_id, queue_seq)
    WHERE status = 'waitlisted';
CREATE INDEX bookings_workshop_idx ON bookings (workshop_id, status);

-- Mails to send, written in the same transaction as the change they report.
CREATE TABLE outbox (
    id               bigserial PRIMARY KEY,
    kind             text NOT NULL,
    registration_id  uuid REFERENCES registrations (id) ON DELETE SET NULL,
    recipient        text NOT NULL,
    language         text NOT NULL DEFAULT 'de',
    payload          jsonb NOT NULL DEFAULT '{}',
    message_id       text NOT NULL UNIQUE,
    status           text NOT NULL DEFAULT 'pending'
                     CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
    attempts         integer NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    lease_until      timestamptz,
    last_error       text NOT NULL DEFAULT '',
    created_at       timestamptz NOT NULL DEFAULT now(),
    sent_at          timestamptz
);
CREATE INDEX outbox_due_idx ON outbox (next_attempt_at, id) WHERE status = 'pending';
CREATE INDEX outbox_lease_idx ON outbox (lease_until) WHERE status = 'sending';
CREATE INDEX outbox_registration_idx ON outbox (registration_id);

-- Idempotency-Key replay store for public POSTs.
CREATE TABLE idempotency_keys (
    scope         text NOT NULL,
    key           text NOT NULL,
    request_hash  bytea NOT NULL,
    status_code   integer NOT NULL DEFAULT 0,
    response      bytea,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (scope, key)
);

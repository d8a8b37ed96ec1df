-- Webhooks: per event, endpoints that receive signed JSON deliveries of
-- chosen event types. Deliveries are a durable queue beside the outbox,
-- written in the transaction of the change they report and claimed by
-- workers with FOR UPDATE SKIP LOCKED and a lease; every attempt is kept
-- for the organisers' delivery log.
CREATE TABLE webhook_endpoints (
    id               bigserial PRIMARY KEY,
    event_id         bigint NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    url              text NOT NULL CHECK (length(url) BETWEEN 1 AND 2000),
    types            text[] NOT NULL CHECK (cardinality(types) > 0),
    -- "whsec_" and the base64 of the key: it must sign, so it is kept as is.
    secret           text NOT NULL CHECK (secret LIKE 'whsec\_%'),
    -- After a rotation the old secret signs too, until old_secret_until,
    -- so the receiver can switch without refusing deliveries.
    old_secret       text,
    old_secret_until timestamptz,
    enabled          boolean NOT NULL DEFAULT true,
    disabled_at      timestamptz,
    last_success_at  timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    secret_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_endpoints_event_idx ON webhook_endpoints (event_id);

CREATE TABLE webhook_deliveries (
    id                bigserial PRIMARY KEY,
    -- The webhook-id header: the same for every attempt of a delivery.
    msg_id            text NOT NULL UNIQUE DEFAULT 'msg_' || replace(gen_random_uuid()::text, '-', ''),
    endpoint_id       bigint NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    event_type        text NOT NULL,
    payload           text NOT NULL, -- the exact body that is signed and sent
    status            text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'delivered', 'failed')),
    attempts          integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at   timestamptz NOT NULL DEFAULT now(),
    lease_until       timestamptz,
    first_attempt_at  timestamptz,
    finished_at       timestamptz,
    created_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at, id) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_lease_idx ON webhook_deliveries (lease_until) WHERE status = 'sending';
CREATE INDEX webhook_deliveries_endpoint_idx ON webhook_deliveries (endpoint_id, id);
CREATE INDEX webhook_deliveries_finished_idx ON webhook_deliveries (finished_at) WHERE finished_at IS NOT NULL;

CREATE TABLE webhook_attempts (
    id           bigserial PRIMARY KEY,
    delivery_id  bigint NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    attempt      integer NOT NULL,
    started_at   timestamptz NOT NULL,
    duration_ms  integer NOT NULL,
    status_code  integer, -- NULL: no HTTP answer (refused, timeout, TLS)
    error        text NOT NULL DEFAULT '',
    response     text NOT NULL DEFAULT '' -- the answer's body, cut short
);
CREATE INDEX webhook_attempts_delivery_idx ON webhook_attempts (delivery_id, attempt);

-- New tables only: binaries of the versions before never touch them.
INSERT INTO schema_compatibility (version, compatible) VALUES (22, true);

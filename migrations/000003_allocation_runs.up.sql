-- Allocation runs of the wish phase: the organiser's pins (hard
-- assignments the solver must keep) and every stored run, so a run can be
-- shown, compared and published later. fingerprint is the SHA-256 of the
-- solver input the run saw; publishing recomputes it under locks and
-- refuses a run whose input has changed since.
CREATE TABLE allocation_pins (
    event_id         bigint NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    registration_id  uuid NOT NULL REFERENCES registrations (id) ON DELETE CASCADE,
    slot_id          bigint NOT NULL REFERENCES slots (id) ON DELETE CASCADE,
    workshop_id      bigint NOT NULL REFERENCES workshops (id) ON DELETE CASCADE,
    created_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (registration_id, slot_id)
);
CREATE INDEX allocation_pins_event_idx ON allocation_pins (event_id);
CREATE INDEX allocation_pins_workshop_idx ON allocation_pins (workshop_id);

CREATE TABLE allocation_runs (
    id            bigserial PRIMARY KEY,
    event_id      bigint NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    options       jsonb NOT NULL,
    fingerprint   bytea NOT NULL,
    result        jsonb NOT NULL,
    closed        text[] NOT NULL DEFAULT '{}',
    status        text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published')),
    created_at    timestamptz NOT NULL DEFAULT now(),
    published_at  timestamptz
);
CREATE INDEX allocation_runs_event_idx ON allocation_runs (event_id, id);
CREATE UNIQUE INDEX allocation_runs_one_published ON allocation_runs (event_id)
    WHERE status = 'published';

-- A wish (status received) can only be stored while its event is in the
-- wish phase. Publishing holds the event row (FOR NO KEY UPDATE) while it
-- turns the wishes into bookings and switches the event to first_come; the
-- FOR SHARE here makes a concurrent sign-up or wish change wait for that
-- and then fail instead of leaving a wish nobody will ever allocate.
CREATE FUNCTION registrations_wish_phase_open() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    mode text;
BEGIN
    SELECT reg_mode INTO mode FROM events WHERE id = NEW.event_id FOR SHARE;
    IF mode IS DISTINCT FROM 'preferences' THEN
        RAISE EXCEPTION 'event % no longer takes workshop wishes', NEW.event_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'registrations_wish_phase_open';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER registrations_wish_phase_open
    BEFORE INSERT OR UPDATE OF status, preferences ON registrations
    FOR EACH ROW WHEN (NEW.status = 'received')
    EXECUTE FUNCTION registrations_wish_phase_open();

-- take_event_seat is the one definition of taking an event seat at
-- sign-up: one seat of the event's counter, only while registration is
-- open (the cached event that let the sign-up start may be out of date,
-- the row is not). It fails with SQLSTATE FT001 when there is no seat, so
-- that the sign-up can send its COMMIT in the same round trip: a failed
-- statement skips the COMMIT behind it, and the sign-up is rolled back
-- and done again for the event's waiting list (internal/booking; until
-- December 2026 it went back to a savepoint instead).
CREATE FUNCTION take_event_seat(ev bigint) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE event_seats s SET taken = s.taken + 1
    FROM events e
    WHERE s.event_id = ev AND e.id = s.event_id AND s.taken < s.capacity AND e.status = 'open'
      AND (e.opens_at IS NULL OR e.opens_at <= now()) AND (e.closes_at IS NULL OR now() < e.closes_at);
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no open seat in event %', ev USING ERRCODE = 'FT001';
    END IF;
END
$$;

-- A new function: binaries of the versions before never call it.
INSERT INTO schema_compatibility (version, compatible) VALUES (16, true);

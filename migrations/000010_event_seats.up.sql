-- The event's seat counter moves out of the events row into a row of its
-- own. Every sign-up updates the counter; every registration and booking
-- references the event. While both were one row, each foreign-key check
-- (FOR KEY SHARE) met the counter's updates and had to build a MultiXact,
-- which made migration 8 drop the keys. With the counter elsewhere the
-- events row is only read and key-shared during a rush, and the keys can
-- return.
CREATE TABLE event_seats (
    event_id  bigint PRIMARY KEY REFERENCES events (id) ON DELETE CASCADE,
    capacity  integer NOT NULL CHECK (capacity > 0),
    taken     integer NOT NULL DEFAULT 0,
    CONSTRAINT event_seats_taken_within_capacity CHECK (taken >= 0 AND taken <= capacity)
);
INSERT INTO event_seats (event_id, capacity, taken) SELECT id, capacity, confirmed FROM events;
ALTER TABLE events DROP CONSTRAINT events_confirmed_within_capacity, DROP COLUMN confirmed;

-- events.capacity stays the organiser's figure; event_seats.capacity
-- follows it. A new event gets its counter at once. A changed capacity
-- reaches the counter at commit (a deferred trigger): the counter is the
-- hottest row of an opening rush and is locked last by every transaction
-- (see internal/booking/lock.go), and an import changes the events row
-- before it locks any workshop.
CREATE FUNCTION event_seats_create() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO event_seats (event_id, capacity) VALUES (NEW.id, NEW.capacity);
    RETURN NULL;
END
$$;
CREATE TRIGGER event_seats_create AFTER INSERT ON events
    FOR EACH ROW EXECUTE FUNCTION event_seats_create();

CREATE FUNCTION event_seats_follow_capacity() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE event_seats SET capacity = e.capacity
    FROM events e WHERE e.id = NEW.id AND event_seats.event_id = e.id AND event_seats.capacity <> e.capacity;
    RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER event_seats_follow_capacity AFTER UPDATE OF capacity ON events
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW WHEN (OLD.capacity IS DISTINCT FROM NEW.capacity)
    EXECUTE FUNCTION event_seats_follow_capacity();

-- The foreign keys to events return; migration 8's trigger goes.
DROP TRIGGER events_delete_registrations ON events;
DROP FUNCTION events_delete_registrations();
ALTER TABLE registrations ADD CONSTRAINT registrations_event_id_fkey
    FOREIGN KEY (event_id) REFERENCES events (id) ON DELETE CASCADE;
ALTER TABLE bookings ADD CONSTRAINT bookings_event_id_fkey
    FOREIGN KEY (event_id) REFERENCES events (id) ON DELETE CASCADE;
CREATE INDEX bookings_event_status_idx ON bookings (event_id, status);

-- A booking's slot and topic are its workshop's: a composite key instead
-- of the plain one on workshop_id. ON UPDATE CASCADE carries a re-imported
-- topic (or slot) to the bookings; the import still refuses to move a
-- booked workshop to another slot, and a topic change that would give a
-- participant one topic twice fails on bookings_topic_once. A booked
-- workshop still cannot be deleted (NO ACTION, as migration 7 decided).
ALTER TABLE workshops ADD CONSTRAINT workshops_id_slot_topic_key UNIQUE (id, slot_id, topic);
ALTER TABLE bookings
    DROP CONSTRAINT bookings_workshop_id_fkey,
    ADD CONSTRAINT bookings_workshop_fkey FOREIGN KEY (workshop_id, slot_id, topic)
        REFERENCES workshops (id, slot_id, topic) ON UPDATE CASCADE;

ALTER TABLE bookings
    DROP CONSTRAINT bookings_workshop_fkey,
    ADD CONSTRAINT bookings_workshop_id_fkey FOREIGN KEY (workshop_id) REFERENCES workshops (id);
ALTER TABLE workshops DROP CONSTRAINT workshops_id_slot_topic_key;

DROP INDEX bookings_event_status_idx;
ALTER TABLE registrations DROP CONSTRAINT registrations_event_id_fkey;
ALTER TABLE bookings DROP CONSTRAINT bookings_event_id_fkey;
CREATE FUNCTION events_delete_registrations() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM registrations WHERE event_id = OLD.id;
    RETURN OLD;
END
$$;
CREATE TRIGGER events_delete_registrations BEFORE DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION events_delete_registrations();

DROP TRIGGER event_seats_follow_capacity ON events;
DROP FUNCTION event_seats_follow_capacity();
DROP TRIGGER event_seats_create ON events;
DROP FUNCTION event_seats_create();
ALTER TABLE events ADD COLUMN confirmed integer NOT NULL DEFAULT 0;
UPDATE events e SET confirmed = s.taken FROM event_seats s WHERE s.event_id = e.id;
ALTER TABLE events ADD CONSTRAINT events_confirmed_within_capacity CHECK (confirmed >= 0 AND confirmed <= capacity);
DROP TABLE event_seats;

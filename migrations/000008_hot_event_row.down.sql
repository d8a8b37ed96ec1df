DROP TRIGGER IF EXISTS events_delete_registrations ON events;
DROP FUNCTION IF EXISTS events_delete_registrations();
ALTER TABLE registrations ADD CONSTRAINT registrations_event_id_fkey
    FOREIGN KEY (event_id) REFERENCES events (id) ON DELETE CASCADE;
ALTER TABLE bookings ADD CONSTRAINT bookings_event_id_fkey
    FOREIGN KEY (event_id) REFERENCES events (id) ON DELETE CASCADE;

ALTER TABLE bookings
    DROP CONSTRAINT bookings_workshop_id_fkey,
    ADD CONSTRAINT bookings_workshop_id_fkey FOREIGN KEY (workshop_id) REFERENCES workshops (id) ON DELETE CASCADE;

-- A workshop that still has bookings cannot be deleted: the import checks
-- it, and from now on the database refuses it too, instead of silently
-- cascading a participant's seat away. Deleting a whole event still works:
-- NO ACTION is checked at the end of the statement, after the event's own
-- cascade has removed its bookings.
ALTER TABLE bookings
    DROP CONSTRAINT bookings_workshop_id_fkey,
    ADD CONSTRAINT bookings_workshop_id_fkey FOREIGN KEY (workshop_id) REFERENCES workshops (id);

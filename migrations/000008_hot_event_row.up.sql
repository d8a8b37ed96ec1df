-- Every sign-up inserts a registration and a booking that point at the
-- event row, and every sign-up also updates that row's seat counter. A
-- foreign-key check takes FOR KEY SHARE on the referenced row; against the
-- concurrent updates of the counter each check has to build a MultiXact,
-- and at an opening rush that cost more than all the rest of a sign-up
-- (measured with fachtag bench: about 750 sign-ups/s with these two keys,
-- about 1,700 without). So the two keys go. fachtag only ever writes these
-- rows for an event it has just read, and deleting an event still removes
-- its registrations (and through their keys their bookings, tokens and
-- mails) by the trigger below.
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

DROP FUNCTION take_event_seat(bigint);

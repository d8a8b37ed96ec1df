DELETE FROM schema_compatibility WHERE version = 16;
DROP FUNCTION take_event_seat(bigint);

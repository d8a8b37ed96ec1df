DROP TABLE IF EXISTS idempotency_keys, outbox, bookings, tokens, registrations, workshops, slots, events;

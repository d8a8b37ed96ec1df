-- Organiser messages and the automatic reminder. A message is written
-- once with its audience and text; its mails are outbox rows (one per
-- recipient, same transaction) that point back at it, so a participant's
-- history can list every message they were sent.
--
-- reminder_days: the reminder goes out this many days before the event
-- starts; NULL turns it off.
ALTER TABLE events ADD COLUMN reminder_days integer DEFAULT 3
    CONSTRAINT events_reminder_days_range CHECK (reminder_days BETWEEN 0 AND 60);

CREATE TABLE org_messages (
    id           bigserial PRIMARY KEY,
    event_id     bigint NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    user_id      bigint REFERENCES users (id) ON DELETE SET NULL,
    kind         text NOT NULL CHECK (kind IN ('message', 'reminder')),
    audience     text NOT NULL CHECK (audience IN ('all', 'workshop', 'waitlist', 'confirmed')),
    workshop_id  bigint REFERENCES workshops (id) ON DELETE SET NULL,
    subject      text NOT NULL DEFAULT '',
    body         text NOT NULL DEFAULT '',
    recipients   integer NOT NULL DEFAULT 0,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX org_messages_event_idx ON org_messages (event_id, created_at);
-- The reminder of an event is queued exactly once, however many
-- schedulers race for it: the second insert waits for the first and then
-- conflicts.
CREATE UNIQUE INDEX org_messages_one_reminder ON org_messages (event_id) WHERE kind = 'reminder';

ALTER TABLE outbox ADD COLUMN org_message_id bigint REFERENCES org_messages (id) ON DELETE SET NULL;
CREATE INDEX outbox_org_message_idx ON outbox (org_message_id) WHERE org_message_id IS NOT NULL;

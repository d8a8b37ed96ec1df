package messages

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/fachtag/fachtag/internal/db"
	"github.com/fachtag/fachtag/internal/mail"
	"github.com/fachtag/fachtag/internal/periodic"
	"github.com/fachtag/fachtag/internal/registration"
)

// DefaultReminderDays is the reminder setting of a new event.
const DefaultReminderDays = 3

// MaxReminderDays bounds the setting (the CHECK constraint agrees).
const MaxReminderDays = 60

// ErrReminderDays: the setting is outside 0…MaxReminderDays.
var ErrReminderDays = errors.New("reminder days out of range")

// ReminderDays reads the event's setting; nil means no reminder.
func ReminderDays(ctx context.Context, q db.Conn, eventID int64) (*int, error) {
	var days *int
	if err := q.QueryRow(ctx, `SELECT reminder_days FROM events WHERE id = $1`, eventID).Scan(&days); err != nil {
		return nil, fmt.Errorf("read reminder setting: %w", err)
	}
	return days, nil
}

// SetReminderDays changes the setting; nil turns the reminder off.
func SetReminderDays(ctx context.Context, q db.Conn, eventID int64, days *int) error {
	if days != nil && (*days < 1 || *days > MaxReminderDays) {
		return ErrReminderDays
	}
	if _, err := q.Exec(ctx, `UPDATE events SET reminder_days = $2 WHERE id = $1`, eventID, days); err != nil {
		return fmt.Errorf("save reminder setting: %w", err)
	}
	return nil
}

// Reminder is the state of an event's reminder.
type Reminder struct {
	QueuedAt   time.Time
	Recipients int
}

// QueuedReminder reports the event's reminder if it has been queued.
func QueuedReminder(ctx context.Context, q db.Conn, eventID int64) (*Reminder, error) {
	var r Reminder
	err := q.QueryRow(ctx, `SELECT created_at, recipients FROM org_messages WHERE event_id = $1 AND kind = 'reminder'`,
		eventID).Scan(&r.QueuedAt, &r.Recipients)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read reminder: %w", err)
	}
	return &r, nil
}

// An event is due from reminder_days before its start until it starts,
// while registration is open or closed (never a draft or an archive).
const dueReminders = `
SELECT e.id FROM events e
WHERE e.reminder_days IS NOT NULL AND e.status IN ('open', 'closed')
  AND $1::timestamptz >= e.starts_at - e.reminder_days * interval '1 day'
  AND $1::timestamptz < e.starts_at
  AND NOT EXISTS (SELECT 1 FROM org_messages m WHERE m.event_id = e.id AND m.kind = 'reminder')
ORDER BY e.starts_at LIMIT 100`

// The partial unique index org_messages_one_reminder makes this the one
// place where "exactly once" is decided: a second scheduler's insert waits
// for the first transaction and then does nothing.
const claimReminder = `
INSERT INTO org_messages (event_id, kind, audience) VALUES ($1, 'reminder', 'confirmed')
ON CONFLICT (event_id) WHERE kind = 'reminder' DO NOTHING
RETURNING id`

// confirmedBookings lists the confirmed seats of an event's registrations.
const confirmedBookings = `
SELECT b.registration_id::text, s.key, w.key
FROM bookings b JOIN workshops w ON w.id = b.workshop_id JOIN slots s ON s.id = b.slot_id
WHERE w.event_id = $1 AND b.status = 'confirmed'
ORDER BY s.starts_at, s.position, s.key`

// reminders are the reminder mails of an event: one per confirmed
// registration, listing its workshops.
func reminders(ctx context.Context, tx pgx.Tx, eventID, msgID int64) ([]mail.Message, error) {
	rcpts, err := Recipients(ctx, tx, eventID, Audience{Kind: audienceReminder})
	if err != nil {
		return nil, err
	}
	seats := map[string][]mail.Booking{}
	rows, _ := tx.Query(ctx, confirmedBookings, eventID)
	var regID string
	var b mail.Booking
	_, err = pgx.ForEachRow(rows, []any{&regID, &b.Slot, &b.Workshop}, func() error {
		b.Status = registration.Confirmed
		seats[regID] = append(seats[regID], b)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list booked workshops: %w", err)
	}
	ms := make([]mail.Message, len(rcpts))
	for i, rc := range rcpts {
		ms[i] = mail.Message{Kind: mail.KindReminder, RegistrationID: rc.RegistrationID, EventID: eventID,
			To: rc.Email, Name: rc.Name, Language: rc.Language, RegistrationStatus: rc.Status,
			Bookings: append([]mail.Booking{}, seats[rc.RegistrationID]...), OrgMessageID: msgID}
	}
	return ms, nil
}

// QueueDueReminders queues the reminder of every event that is due at now
// and has none yet, each in its own transaction; it returns how many
// events it queued. Safe to run from any number of processes at once.
func QueueDueReminders(ctx context.Context, pool *pgxpool.Pool, now time.Time) (int, error) {
	rows, _ := pool.Query(ctx, dueReminders, now)
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return 0, fmt.Errorf("find due reminders: %w", err)
	}
	queued := 0
	for _, id := range ids {
		ok, err := queueOne(ctx, pool, id)
		if err != nil {
			return queued, err
		}
		if ok {
			queued++
		}
	}
	return queued, nil
}

func queueOne(ctx context.Context, pool *pgxpool.Pool, eventID int64) (bool, error) {
	var queued bool
	err := db.Transact(ctx, pool, func(tx pgx.Tx) error {
		var msgID int64
		err := tx.QueryRow(ctx, claimReminder, eventID).Scan(&msgID)
		if errors.Is(err, pgx.ErrNoRows) {
			queued = false // another scheduler was first
			return nil
		}
		if err != nil {
			return fmt.Errorf("claim reminder: %w", err)
		}
		ms, err := reminders(ctx, tx, eventID, msgID)
		if err != nil {
			return fmt.Errorf("reminder of event %d: %w", eventID, err)
		}
		queued = true
		return queuedMails(ctx, tx, msgID, ms)
	})
	return queued, err
}

// Scheduler queues due reminders every Interval until its context ends.
type Scheduler struct {
	Pool     *pgxpool.Pool
	Interval time.Duration // default 5 minutes
	Log      *slog.Logger
}

// Run checks once at start and then every Interval; it returns nil when
// ctx is cancelled. A check in flight is abandoned with its transaction
// rolled back, and runs again at the next start.
func (s *Scheduler) Run(ctx context.Context) error {
	interval := s.Interval
	if interval <= 0 {
		interval = 5 * time.Minute
	}
	log := s.Log
	if log == nil {
		log = slog.Default()
	}
	log = log.With("component", "reminders")
	return periodic.Every(ctx, 0, interval, func(ctx context.Context) {
		n, err := QueueDueReminders(ctx, s.Pool, time.Now())
		switch {
		case err != nil && ctx.Err() == nil:
			log.Error("queue reminders", "err", err)
		case n > 0:
			log.Info("reminders queued", "events", n)
		}
	})
}

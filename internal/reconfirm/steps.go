package reconfirm

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/fachtag/fachtag/internal/booking"
	"github.com/fachtag/fachtag/internal/db"
	"github.com/fachtag/fachtag/internal/mail"
	"github.com/fachtag/fachtag/internal/registration"
)

// batchSize bounds the questions or reminders of one transaction, which
// holds the event's row lock: participants' changes wait that long.
// BenchmarkAsk on a busy 2-core machine: 50 a batch held the lock about
// 0.1 s (475 questions/s), 200 about 0.26 s (777 questions/s); the step
// runs once per event, a participant waits at every batch.
const batchSize = 50

// Done counts what one Tick did.
type Done struct {
	Asked, Reminded, Released int
}

func (d *Done) add(o Done) {
	d.Asked, d.Reminded, d.Released = d.Asked+o.Asked, d.Reminded+o.Reminded, d.Released+o.Released
}

// An event is due from its send time until it starts, while it takes
// sign-ups or is closed (never a draft or an archive).
const dueEvents = `
SELECT s.event_id FROM reconfirm_settings s JOIN events e ON e.id = s.event_id
WHERE s.enabled AND e.status IN ('open', 'closed')
  AND $1::timestamptz >= e.starts_at - s.send_days * interval '1 day'
  AND $1::timestamptz < e.starts_at
ORDER BY e.starts_at LIMIT 100`

// Tick runs every step that is due at now, for every event. Safe to run
// from any number of processes at once and again after a crash: each
// step is guarded by the state it changes (package doc).
func Tick(ctx context.Context, pool *pgxpool.Pool, now time.Time) (Done, error) {
	rows, _ := pool.Query(ctx, dueEvents, now)
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return Done{}, fmt.Errorf("find due reconfirmations: %w", err)
	}
	var done Done
	for _, id := range ids {
		d, err := runEvent(ctx, pool, id, now)
		done.add(d)
		if err != nil {
			return done, fmt.Errorf("reconfirmation of event %d: %w", id, err)
		}
	}
	return done, nil
}

func runEvent(ctx context.Context, pool *pgxpool.Pool, eventID int64, now time.Time) (Done, error) {
	var d Done
	for _, step := range []struct {
		step mailStep
		n    *int
	}{{askStep, &d.Asked}, {remindStep, &d.Reminded}} {
		for n := batchSize; n == batchSize; *step.n += n {
			err := db.Transact(ctx, pool, func(tx pgx.Tx) (err error) {
				n, err = step.step.run(ctx, tx, eventID, now)
				return err
			})
			if err != nil {
				return d, err
			}
		}
	}
	n, err := releaseDue(ctx, pool, eventID, now)
	d.Released = n
	return d, err
}

// lockedPlan takes the event's row lock (booking's lock order, step 1:
// every writer of questions and answers holds it) and reads the settings
// under it; ok is false when the event no longer uses reconfirmation.
func lockedPlan(ctx context.Context, tx pgx.Tx, eventID int64) (Settings, Plan, bool, error) {
	var start time.Time
	err := tx.QueryRow(ctx, `SELECT starts_at FROM events WHERE id = $1 FOR NO KEY UPDATE`, eventID).Scan(&start)
	if errors.Is(err, pgx.ErrNoRows) {
		return Settings{}, Plan{}, false, nil
	}
	if err != nil {
		return Settings{}, Plan{}, false, fmt.Errorf("lock event: %w", err)
	}
	s, err := load(ctx, tx, eventID)
	if err != nil {
		return Settings{}, Plan{}, false, err
	}
	return s, s.Plan(start), s.Enabled, nil
}

// mailStep is a step that mails people one by one: the question and the
// reminder. Each person's row change (mark) is its guard: a person the
// step has done no longer matches list.
type mailStep struct {
	kind   mail.Kind
	list   string // who is due: $1 event, $2 the step's time, $3 how many
	mark   string // the row change per person: $1 registration, $2 event, $3 now
	column string // the settings column noting when the step first ran
	// at is when the step is due, and whether it runs at all.
	at func(Settings, Plan) (time.Time, bool)
}

// Everyone who registered before the send time, holds an event seat and
// has not been asked.
var askStep = mailStep{kind: mail.KindReconfirm, column: "sent_at", list: `
SELECT r.id::text, r.name, r.email, r.language FROM registrations r
WHERE r.event_id = $1 AND r.status = 'confirmed' AND r.created_at < $2
  AND NOT EXISTS (SELECT 1 FROM reconfirm_requests q WHERE q.registration_id = r.id)
ORDER BY r.seq LIMIT $3`,
	mark: `INSERT INTO reconfirm_requests (registration_id, event_id, asked_at) VALUES ($1, $2, $3)`,
	at:   func(_ Settings, p Plan) (time.Time, bool) { return p.SendAt, true }}

// Unanswered questions, asked before the reminder time, of people who
// still hold their seat and have not been reminded.
var remindStep = mailStep{kind: mail.KindReconfirmReminder, column: "reminded_at", list: `
SELECT r.id::text, r.name, r.email, r.language
FROM reconfirm_requests q JOIN registrations r ON r.id = q.registration_id
WHERE q.event_id = $1 AND q.answer IS NULL AND q.reminded_at IS NULL AND q.asked_at < $2
  AND r.status = 'confirmed'
ORDER BY r.seq LIMIT $3`,
	mark: `UPDATE reconfirm_requests SET reminded_at = $3
WHERE registration_id = $1 AND event_id = $2 AND reminded_at IS NULL`,
	at: func(s Settings, p Plan) (time.Time, bool) { return p.RemindAt, s.Remind }}

// run mails up to batchSize people the step is due for at now, from the
// step's time until the deadline, and returns how many.
func (st mailStep) run(ctx context.Context, tx pgx.Tx, eventID int64, now time.Time) (int, error) {
	s, p, ok, err := lockedPlan(ctx, tx, eventID)
	if err != nil || !ok {
		return 0, err
	}
	at, ok := st.at(s, p)
	if !ok || now.Before(at) || !now.Before(p.DeadlineAt) {
		return 0, nil
	}
	people, err := collect(ctx, tx, st.list, eventID, at, batchSize)
	if err != nil || len(people) == 0 {
		return 0, err
	}
	b := &pgx.Batch{}
	for _, c := range people {
		b.Queue(st.mark, c.ID, eventID, now)
	}
	if err := mailAll(ctx, tx, b, people, eventID, st.kind, mail.Reconfirm{Deadline: p.DeadlineAt, Release: s.Release}); err != nil {
		return 0, err
	}
	return len(people), markStep(ctx, tx, st.column, eventID, now)
}

// markStep notes when a step first ran; later runs leave the date.
func markStep(ctx context.Context, tx pgx.Tx, column string, eventID int64, now time.Time) error {
	sql := map[string]string{
		"sent_at":     `UPDATE reconfirm_settings SET sent_at = $2 WHERE event_id = $1 AND sent_at IS NULL`,
		"reminded_at": `UPDATE reconfirm_settings SET reminded_at = $2 WHERE event_id = $1 AND reminded_at IS NULL`,
		"released_at": `UPDATE reconfirm_settings SET released_at = $2 WHERE event_id = $1 AND released_at IS NULL`,
	}[column]
	if _, err := tx.Exec(ctx, sql, eventID, now); err != nil {
		return fmt.Errorf("mark %s: %w", column, err)
	}
	return nil
}

// person is whom a mail goes to.
type person struct {
	ID, Name, Email, Language string
}

func collect(ctx context.Context, tx pgx.Tx, sql string, args ...any) ([]person, error) {
	rows, _ := tx.Query(ctx, sql, args...)
	people, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (person, error) {
		var p person
		return p, r.Scan(&p.ID, &p.Name, &p.Email, &p.Language)
	})
	if err != nil {
		return nil, fmt.Errorf("list recipients: %w", err)
	}
	return people, nil
}

const insertToken = `INSERT INTO reconfirm_tokens (hash, registration_id) VALUES ($1, $2)`

// mailAll adds to b, after the statements already in it, a fresh answer
// link and a mail of kind for each person, and sends it all in one round
// trip.
func mailAll(ctx context.Context, tx pgx.Tx, b *pgx.Batch, people []person, eventID int64, kind mail.Kind, rc mail.Reconfirm) error {
	seats, err := seatsOf(ctx, tx, people)
	if err != nil {
		return err
	}
	for _, c := range people {
		token, hash := booking.NewToken()
		b.Queue(insertToken, hash, c.ID)
		m := mail.Message{Kind: kind, RegistrationID: c.ID, EventID: eventID, To: c.Email, Name: c.Name,
			Language: c.Language, Token: token, RegistrationStatus: registration.Confirmed,
			Bookings: seats[c.ID], Reconfirm: &rc}
		if err := mail.Queue(b, m); err != nil {
			return err
		}
	}
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("queue %s mails: %w", kind, err)
	}
	return nil
}

const confirmedSeats = `
SELECT b.registration_id::text, s.key, w.key
FROM bookings b JOIN workshops w ON w.id = b.workshop_id JOIN slots s ON s.id = b.slot_id
WHERE b.registration_id = ANY($1::uuid[]) AND b.status = 'confirmed'
ORDER BY s.starts_at, s.position, s.key`

// seatsOf lists the workshop seats of people, for their mails.
func seatsOf(ctx context.Context, tx pgx.Tx, people []person) (map[string][]mail.Booking, error) {
	ids := make([]string, len(people))
	for i, c := range people {
		ids[i] = c.ID
	}
	seats := map[string][]mail.Booking{}
	rows, _ := tx.Query(ctx, confirmedSeats, ids)
	var regID string
	var b mail.Booking
	_, err := pgx.ForEachRow(rows, []any{&regID, &b.Slot, &b.Workshop}, func() error {
		b.Status = registration.Confirmed
		seats[regID] = append(seats[regID], b)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list seats: %w", err)
	}
	return seats, nil
}

package reconfirm

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/fachtag/fachtag/internal/auth"
	"github.com/fachtag/fachtag/internal/booking"
	"github.com/fachtag/fachtag/internal/db"
	"github.com/fachtag/fachtag/internal/mail"
	"github.com/fachtag/fachtag/internal/registration"
)

// Unanswered questions of people who still hold their seat; whether each
// is released is decided again under the locks (releaseOne).
const toRelease = `
SELECT q.registration_id::text
FROM reconfirm_requests q JOIN registrations r ON r.id = q.registration_id
WHERE q.event_id = $1 AND q.answer IS NULL AND q.asked_at <= $2 AND r.status = 'confirmed'
ORDER BY r.seq`

// releaseDue releases, after the deadline and only if the organiser chose
// so, every seat whose question stayed unanswered; one transaction per
// person, so participants' own changes wait for one release at most.
func releaseDue(ctx context.Context, pool *pgxpool.Pool, eventID int64, now time.Time) (int, error) {
	s, err := load(ctx, pool, eventID)
	if err != nil || !s.Enabled || !s.Release {
		return 0, err
	}
	var start time.Time
	if err := pool.QueryRow(ctx, `SELECT starts_at FROM events WHERE id = $1`, eventID).Scan(&start); err != nil {
		return 0, fmt.Errorf("read event start: %w", err)
	}
	p := s.Plan(start)
	if now.Before(p.DeadlineAt) {
		return 0, nil
	}
	rows, _ := pool.Query(ctx, toRelease, eventID, p.DeadlineAt.Add(-NoticeBeforeRelease))
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return 0, fmt.Errorf("list unanswered: %w", err)
	}
	released := 0
	for _, id := range ids {
		var ok bool
		err := db.Transact(ctx, pool, func(tx pgx.Tx) (err error) {
			ok, err = releaseOne(ctx, tx, id, now)
			return err
		})
		if err != nil {
			return released, err
		}
		if ok {
			released++
		}
	}
	return released, nil
}

// The guard of a release: the question is still unanswered, and went out
// early enough to be fair.
const markReleased = `
UPDATE reconfirm_requests SET answer = 'released', answered_at = $2
WHERE registration_id = $1 AND answer IS NULL AND asked_at <= $3`

// releaseOne releases one registration's seats if, under the event's and
// the registration's locks, everything still says so: the organiser still
// wants releases, the deadline has passed, the person holds a seat and
// has not answered. It reports whether it released.
func releaseOne(ctx context.Context, tx pgx.Tx, regID string, now time.Time) (bool, error) {
	reg, ev, err := booking.LockRegistration(ctx, tx, regID)
	if err != nil {
		return false, err
	}
	s, err := load(ctx, tx, ev.ID)
	if err != nil {
		return false, err
	}
	p := s.Plan(ev.StartsAt)
	if !s.Enabled || !s.Release || now.Before(p.DeadlineAt) || !now.Before(ev.StartsAt) || reg.Status != registration.Confirmed {
		return false, nil
	}
	tag, err := tx.Exec(ctx, markReleased, regID, now, p.DeadlineAt.Add(-NoticeBeforeRelease))
	if err != nil {
		return false, fmt.Errorf("mark released: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return false, nil
	}
	if _, err := booking.ReleaseLocked(ctx, tx, ev, reg); err != nil {
		return false, err
	}
	m := mail.Message{Kind: mail.KindReconfirmReleased, RegistrationID: reg.ID, EventID: ev.ID, To: reg.Email,
		Name: reg.Name, Language: reg.Language, RegistrationStatus: registration.Cancelled,
		Reconfirm: &mail.Reconfirm{Deadline: p.DeadlineAt, Release: true}}
	if err := mail.Enqueue(ctx, tx, m); err != nil {
		return false, err
	}
	if err := markStep(ctx, tx, "released_at", ev.ID, now); err != nil {
		return false, err
	}
	return true, auth.Append(ctx, tx, auth.Entry{Actor: "reconfirm", Action: "registration.release", EventID: ev.ID,
		Detail: map[string]any{"registration_id": reg.ID, "deadline": p.DeadlineAt}})
}

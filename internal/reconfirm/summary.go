package reconfirm

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/fachtag/fachtag/internal/db"
	"github.com/fachtag/fachtag/internal/event"
)

// Summary is an event's reconfirmation at a glance.
type Summary struct {
	Settings Settings
	Plan     Plan
	Asked    int // questions sent
	Reminded int
	Yes      int
	No       int
	Open     int // asked, no answer, seat still held
	Released int
	NotAsked int // holding a seat without a question: registered after the send time, or promoted too late
	// Unanswered are the open ones by name, for the organiser who would
	// rather phone them (at most maxUnanswered, in sign-up order).
	Unanswered []Unanswered
}

// Unanswered is one person who holds a seat and has not answered.
type Unanswered struct {
	RegistrationID string
	Name           string
	Reminded       bool
}

const maxUnanswered = 500

const listUnanswered = `
SELECT r.id::text, r.name, q.reminded_at IS NOT NULL
FROM reconfirm_requests q JOIN registrations r ON r.id = q.registration_id
WHERE q.event_id = $1 AND q.answer IS NULL AND r.status = 'confirmed'
ORDER BY r.seq LIMIT $2`

const countAnswers = `
SELECT count(*),
       count(*) FILTER (WHERE q.reminded_at IS NOT NULL),
       count(*) FILTER (WHERE q.answer = 'yes'),
       count(*) FILTER (WHERE q.answer = 'no'),
       count(*) FILTER (WHERE q.answer IS NULL AND r.status = 'confirmed'),
       count(*) FILTER (WHERE q.answer = 'released'),
       (SELECT count(*) FROM registrations n WHERE n.event_id = $1 AND n.status = 'confirmed'
          AND NOT EXISTS (SELECT 1 FROM reconfirm_requests m WHERE m.registration_id = n.id))
FROM reconfirm_requests q JOIN registrations r ON r.id = q.registration_id
WHERE q.event_id = $1`

func summary(ctx context.Context, q db.Conn, ev *event.Event) (*Summary, error) {
	s, err := load(ctx, q, ev.ID)
	if err != nil {
		return nil, err
	}
	sum := &Summary{Settings: s, Plan: s.Plan(ev.StartsAt)}
	err = q.QueryRow(ctx, countAnswers, ev.ID).Scan(&sum.Asked, &sum.Reminded, &sum.Yes, &sum.No,
		&sum.Open, &sum.Released, &sum.NotAsked)
	if err != nil {
		return nil, fmt.Errorf("count answers: %w", err)
	}
	rows, _ := q.Query(ctx, listUnanswered, ev.ID, maxUnanswered)
	sum.Unanswered, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Unanswered, error) {
		var u Unanswered
		return u, r.Scan(&u.RegistrationID, &u.Name, &u.Reminded)
	})
	if err != nil {
		return nil, fmt.Errorf("list unanswered: %w", err)
	}
	return sum, nil
}

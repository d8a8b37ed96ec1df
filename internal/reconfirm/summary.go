package reconfirm

import (
	"context"
	"fmt"

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
}

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
	return sum, nil
}

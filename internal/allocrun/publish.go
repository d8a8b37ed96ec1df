package allocrun

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/fachtag/fachtag/internal/allocation"
	"github.com/fachtag/fachtag/internal/booking"
	"github.com/fachtag/fachtag/internal/db"
	"github.com/fachtag/fachtag/internal/event"
	"github.com/fachtag/fachtag/internal/webhook"
)

// Publication reports a published run.
type Publication struct {
	RunID       int64     `json:"run_id"`
	Event       string    `json:"event"`
	PublishedAt time.Time `json:"published_at"`
	booking.PublishStats
}

// Lock order (booking's, internal/booking/lock.go): the event row, the
// wish-phase registrations (id order), the workshop rows (id order), the
// event's seat counter last (in booking.PublishAllocation), so nothing
// waits in a circle. Under these locks nobody can
// change a wish, a seat or a pin's meaning, and the fingerprint says
// whether the run still matches.
const (
	lockEventWorkshops = `SELECT id FROM workshops WHERE event_id = $1 ORDER BY id FOR NO KEY UPDATE`
	lockEventMode      = `SELECT reg_mode FROM events WHERE id = $1 FOR NO KEY UPDATE`
	lockWishers        = `SELECT id FROM registrations WHERE event_id = $1 AND status = 'received' ORDER BY id FOR NO KEY UPDATE`
	markPublished      = `UPDATE allocation_runs SET status = 'published', published_at = now() WHERE id = $1 RETURNING published_at`
	startBookingPhase  = `UPDATE events SET reg_mode = 'first_come', updated_at = now() WHERE id = $1`
	// After the wish phase a slot may stay empty as it could before: the
	// allocation leaves people without a seat in some slots, and a late
	// sign-up need not book every slot either.
	slotsStayOptional = `UPDATE slots SET optional = true WHERE event_id = $1`
)

// Publish turns the run into bookings in one transaction: every placed
// participant gets their workshop seats and an event seat (while the event
// has room; the rest go on its waiting list), every participant gets one
// published mail, the run is marked published and the event continues in
// the first_come booking phase; the event's webhooks get one
// allocation.published delivery with the figures (each person's seats are
// in the registrations API). A run whose input changed since it was
// computed is refused with ErrStaleRun, a second publication with
// ErrPublished.
func (s *Service) Publish(ctx context.Context, slug string, id int64) (*Publication, error) {
	var pub *Publication
	err := db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
		ev, run, err := lockForPublish(ctx, tx, slug, id)
		if err != nil {
			return err
		}
		in, err := unchangedInput(ctx, tx, ev, run.fingerprint)
		if err != nil {
			return err
		}
		ps := placements(run.Result, in.inst)
		outcomes := newPlan(ev, run).outcomes(in.inst)
		for i := range ps {
			ps[i].Outcomes = outcomes[ps[i].RegistrationID]
		}
		stats, err := booking.PublishAllocation(ctx, tx, ev, ps)
		if err != nil {
			return err
		}
		pub = &Publication{RunID: run.ID, Event: ev.Slug, PublishStats: stats}
		if err := tx.QueryRow(ctx, markPublished, run.ID).Scan(&pub.PublishedAt); err != nil {
			return fmt.Errorf("mark run published: %w", err)
		}
		if _, err := tx.Exec(ctx, startBookingPhase, ev.ID); err != nil {
			return fmt.Errorf("switch to booking phase: %w", err)
		}
		if _, err := tx.Exec(ctx, slotsStayOptional, ev.ID); err != nil {
			return fmt.Errorf("slots stay optional: %w", err)
		}
		return webhook.Enqueue(ctx, tx, webhook.Message{Type: webhook.AllocationPublished, EventID: ev.ID, Data: pub})
	})
	return pub, err
}

// lockForPublish takes the locks in order and returns the event as it is
// under them.
func lockForPublish(ctx context.Context, tx pgx.Tx, slug string, id int64) (*event.Event, *Run, error) {
	ev, err := loadEvent(ctx, tx, slug)
	if err != nil {
		return nil, nil, err
	}
	if err := tryLock(ctx, tx, ev.ID); err != nil {
		return nil, nil, err
	}
	run, err := getRun(ctx, tx, slug, id, true)
	if err != nil {
		return nil, nil, err
	}
	if run.Status == StatusPublished {
		return nil, nil, ErrPublished
	}
	var mode string
	if err := tx.QueryRow(ctx, lockEventMode, ev.ID).Scan(&mode); err != nil {
		return nil, nil, fmt.Errorf("lock event: %w", err)
	}
	if mode != event.ModePreferences {
		return nil, nil, notWishPhase(ctx, tx, ev.ID)
	}
	if _, err := tx.Exec(ctx, lockWishers, ev.ID); err != nil {
		return nil, nil, fmt.Errorf("lock registrations: %w", err)
	}
	if _, err := tx.Exec(ctx, lockEventWorkshops, ev.ID); err != nil {
		return nil, nil, fmt.Errorf("lock workshops: %w", err)
	}
	// Read again: the first read was before the locks.
	ev, err = loadEvent(ctx, tx, slug)
	return ev, run, err
}

// placements orders the participants for the event seats: everyone the
// run placed in a workshop first, then the others, each group in the
// run's lottery order.
func placements(res *allocation.Result, inst *allocation.Instance) []booking.Placement {
	got := map[string]map[string]string{}
	for _, a := range res.Assignments {
		if got[a.Participant] == nil {
			got[a.Participant] = map[string]string{}
		}
		got[a.Participant][a.Slot] = a.Workshop
	}
	order := append([]string{}, res.Lottery.Order...)
	seen := make(map[string]bool, len(order))
	for _, id := range order {
		seen[id] = true
	}
	for _, p := range inst.Participants {
		if !seen[p.ID] {
			order = append(order, p.ID)
		}
	}
	placed := make([]booking.Placement, 0, len(order))
	var rest []booking.Placement
	for _, id := range order {
		p := booking.Placement{RegistrationID: id, Workshops: got[id]}
		if len(p.Workshops) > 0 {
			placed = append(placed, p)
		} else {
			rest = append(rest, p)
		}
	}
	return append(placed, rest...)
}

package booking

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/fachtag/fachtag/internal/event"
	"github.com/fachtag/fachtag/internal/mail"
	"github.com/fachtag/fachtag/internal/webhook"
)

// promoter hands freed seats to waiting lists inside one transaction and
// remembers whom it moved, so that each promoted person gets exactly one
// mail however long the cascade.
type promoter struct {
	tx      pgx.Tx
	ev      *event.Event
	changes map[string]*mail.Change // registration id → first change
	order   []string
}

func newPromoter(tx pgx.Tx, ev *event.Event) *promoter {
	return &promoter{tx: tx, ev: ev, changes: map[string]*mail.Change{}}
}

func (p *promoter) record(regID string, c *mail.Change) {
	if _, seen := p.changes[regID]; seen {
		return
	}
	p.changes[regID] = c
	p.order = append(p.order, regID)
}

// The first waiting person whose other bookings do not clash: someone
// holding the same topic in another slot is skipped, not removed.
const nextInQueue = `
SELECT b.id, b.registration_id FROM bookings b
JOIN registrations r ON r.id = b.registration_id AND r.status = 'confirmed'
WHERE b.workshop_id = $1 AND b.status = 'waitlisted'
  AND NOT EXISTS (SELECT 1 FROM bookings c
                  WHERE c.registration_id = b.registration_id AND c.status = 'confirmed'
                    AND c.topic = $2 AND c.slot_id <> $3)
ORDER BY b.queue_seq
LIMIT 1`

const seatInSlot = `
SELECT w.id, w.key FROM bookings b JOIN workshops w ON w.id = b.workshop_id
WHERE b.registration_id = $1 AND b.slot_id = $2 AND b.status = 'confirmed'`

const (
	deleteSeatInSlot = `DELETE FROM bookings WHERE registration_id = $1 AND slot_id = $2 AND status = 'confirmed'`
	confirmQueued    = `UPDATE bookings SET status = 'confirmed' WHERE id = $1`
)

// fillWorkshop gives every free seat of w to its waiting list, first in
// first out. A promoted person who held another workshop in the same slot
// moves, and the seat they leave is filled in turn.
func (p *promoter) fillWorkshop(ctx context.Context, w event.Workshop) error {
	for {
		var room bool
		if err := p.tx.QueryRow(ctx, workshopHasRoom, w.ID).Scan(&room); err != nil {
			return fmt.Errorf("check room: %w", err)
		}
		if !room {
			return nil
		}
		moved, err := p.promoteNext(ctx, w)
		if err != nil || !moved {
			return err
		}
	}
}

// promoteNext moves the first eligible waiting person into w. The
// transaction holds the event row (lock.go), so nobody else changes the
// waiting person's bookings meanwhile: what nextInQueue says holds.
func (p *promoter) promoteNext(ctx context.Context, w event.Workshop) (bool, error) {
	var bookingID int64
	var regID string
	err := p.tx.QueryRow(ctx, nextInQueue, w.ID, w.Topic, w.SlotID).Scan(&bookingID, &regID)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("next in queue: %w", err)
	}
	return true, p.moveIn(ctx, w, regID, bookingID)
}

func (p *promoter) moveIn(ctx context.Context, w event.Workshop, regID string, bookingID int64) error {
	var oldID int64
	var oldKey string
	err := p.tx.QueryRow(ctx, seatInSlot, regID, w.SlotID).Scan(&oldID, &oldKey)
	hadSeat := err == nil
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("seat in slot: %w", err)
	}
	if hadSeat {
		if err := p.leave(ctx, regID, w.SlotID, oldID); err != nil {
			return err
		}
	}
	if err := mustTake(ctx, p.tx, takeWorkshop, w.ID); err != nil {
		return err
	}
	if err := execOne(ctx, p.tx, confirmQueued, bookingID); err != nil {
		return err
	}
	p.record(regID, &mail.Change{Slot: w.SlotKey, From: oldKey, To: w.Key})
	if !hadSeat {
		return nil
	}
	old, _ := p.workshopByID(oldID)
	if err := p.fillWorkshop(ctx, old); err != nil {
		return err
	}
	return p.fillQueuesOf(ctx, regID)
}

const queuesOf = `SELECT workshop_id FROM bookings WHERE registration_id = $1 AND status = 'waitlisted' ORDER BY workshop_id`

// fillQueuesOf fills the workshops a person waits for: giving up a seat of
// one topic can make them eligible for a free seat of that topic elsewhere.
func (p *promoter) fillQueuesOf(ctx context.Context, regID string) error {
	rows, _ := p.tx.Query(ctx, queuesOf, regID)
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return fmt.Errorf("queues of registration: %w", err)
	}
	for _, id := range ids {
		w, _ := p.workshopByID(id)
		if err := p.fillWorkshop(ctx, w); err != nil {
			return err
		}
	}
	return nil
}

// leave frees a person's seat in a slot.
func (p *promoter) leave(ctx context.Context, regID string, slotID, workshopID int64) error {
	if err := execOne(ctx, p.tx, deleteSeatInSlot, regID, slotID); err != nil {
		return err
	}
	return exec(ctx, p.tx, freeWorkshop, workshopID)
}

func (p *promoter) workshopByID(id int64) (event.Workshop, bool) {
	for _, w := range p.ev.Workshops {
		if w.ID == id {
			return w, true
		}
	}
	return event.Workshop{}, false
}

const (
	eventHasRoom = `SELECT taken < capacity FROM event_seats WHERE event_id = $1 FOR NO KEY UPDATE`
	nextForEvent = `SELECT id FROM registrations WHERE event_id = $1 AND status = 'waitlisted' ORDER BY seq LIMIT 1`
	admitToEvent = `UPDATE registrations SET status = 'confirmed', updated_at = now() WHERE id = $1 RETURNING choices`
)

// fillEvent gives free event seats to the event's waiting list in sign-up
// order and books the workshops they chose when they signed up. The caller
// holds every workshop of the event already (lock.go): the seat counter is
// locked here, last.
func (p *promoter) fillEvent(ctx context.Context) error {
	for {
		var room bool
		if err := p.tx.QueryRow(ctx, eventHasRoom, p.ev.ID).Scan(&room); err != nil {
			return fmt.Errorf("check event room: %w", err)
		}
		if !room {
			return nil
		}
		var regID string
		err := p.tx.QueryRow(ctx, nextForEvent, p.ev.ID).Scan(&regID)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("next for event: %w", err)
		}
		if err := p.admit(ctx, regID); err != nil {
			return err
		}
	}
}

func (p *promoter) admit(ctx context.Context, regID string) error {
	if err := mustTake(ctx, p.tx, takeEventSeat, p.ev.ID); err != nil {
		return err
	}
	var choices map[string]string
	if err := p.tx.QueryRow(ctx, admitToEvent, regID).Scan(&choices); err != nil {
		return fmt.Errorf("admit: %w", err)
	}
	if _, err := bookChoices(ctx, p.tx, p.ev, regID, stillValid(p.ev, choices)); err != nil {
		return err
	}
	p.record(regID, nil)
	return nil
}

// stillValid keeps the choices made at sign-up that the event still allows:
// the organiser may have removed, moved or re-topiced a workshop since, and
// a stale choice must not block the seat that just freed up.
func stillValid(ev *event.Event, choices map[string]string) map[string]string {
	out := make(map[string]string, len(choices))
	topics := map[string]bool{}
	for _, slot := range sortedKeys(choices) {
		w, ok := ev.Workshop(choices[slot])
		if !ok || w.SlotKey != slot || topics[w.Topic] {
			continue
		}
		topics[w.Topic] = true
		out[slot] = w.Key
	}
	return out
}

// notify queues one promoted mail per moved person, each with a fresh
// personal link, since their old token is known only to them, and reports
// each to the event's webhooks.
func (p *promoter) notify(ctx context.Context) error {
	for _, regID := range p.order {
		reg, err := loadRegistration(ctx, p.tx, regID, false)
		if err != nil {
			return err
		}
		token, err := issueToken(ctx, p.tx, regID)
		if err != nil {
			return err
		}
		if err := enqueue(ctx, p.tx, reg, mail.KindPromoted, token, p.changes[regID]); err != nil {
			return err
		}
		if err := enqueueHook(ctx, p.tx, webhook.BookingPromoted, reg, p.changes[regID]); err != nil {
			return err
		}
	}
	return nil
}

package booking

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/fachtag/fachtag/internal/db"
	"github.com/fachtag/fachtag/internal/event"
	"github.com/fachtag/fachtag/internal/mail"
	"github.com/fachtag/fachtag/internal/registration"
)

// Leave gives up one booking of the registration behind token in slot:
// its place on the waiting list of workshop, or its seat there. With
// workshop "" it is the waiting-list place if there is one, else the seat.
// The registration for the event stays. A freed seat goes to the first
// fitting person on that workshop's waiting list in the same transaction;
// the leaver and everyone promoted get their mail through the outbox. A
// seat may be given up only where the event lets a slot stay empty (an
// optional slot; event.MayStayEmpty).
func (s *Service) Leave(ctx context.Context, token, slot, workshop string) (*Registration, error) {
	var reg *Registration
	err := db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
		cur, ev, err := lockByToken(ctx, tx, token) // lock.go, steps 1 and 2
		if err != nil {
			return err
		}
		b, err := s.checkLeave(ev, cur, slot, workshop)
		if err != nil {
			return err
		}
		reg, err = leave(ctx, tx, ev, cur, token, b)
		return err
	})
	return reg, err
}

// checkLeave finds the booking to give up and says why it cannot be.
func (s *Service) checkLeave(ev *event.Event, reg *Registration, slot, workshop string) (Booking, error) {
	switch {
	case reg.Status == registration.Cancelled:
		return Booking{}, ErrCancelled
	case !s.now().Before(ev.StartsAt):
		return Booking{}, ErrSwapClosed
	}
	v := &ValidationError{Fields: map[string]FieldError{}}
	sl, ok := ev.Slot(slot)
	if !ok {
		v.add("slot", "err.unknown_slot", slot)
		return Booking{}, v
	}
	b, ok := bookingToLeave(reg, slot, workshop)
	switch {
	case !ok:
		v.add("workshop", "err.nothing_to_leave")
	case b.Status == registration.Confirmed && !ev.MayStayEmpty(sl):
		v.add("workshop", "err.slot_required")
	}
	return b, v.orNil()
}

// bookingToLeave is the booking of slot that Leave gives up.
func bookingToLeave(reg *Registration, slot, workshop string) (Booking, bool) {
	for _, status := range []registration.Status{registration.Waitlisted, registration.Confirmed} {
		if b, ok := reg.Booking(slot, status); ok && (workshop == "" || b.Workshop == workshop) {
			return b, true
		}
	}
	return Booking{}, false
}

const deleteBooking = `
DELETE FROM bookings b USING workshops w
WHERE b.registration_id = $1 AND b.workshop_id = w.id AND w.key = $2 AND w.event_id = $3 AND b.status = $4`

// leave removes the booking; a seat is freed and handed on. Every
// workshop is locked first (lock.go, step 3), as for a cancel: the
// promotions may cascade to any of them.
func leave(ctx context.Context, tx pgx.Tx, ev *event.Event, reg *Registration, token string, b Booking) (*Registration, error) {
	if err := lockWorkshops(ctx, tx, ev.ID); err != nil {
		return nil, err
	}
	if err := execOne(ctx, tx, deleteBooking, reg.ID, b.Workshop, ev.ID, b.Status); err != nil {
		return nil, err
	}
	p := newPromoter(tx, ev)
	if b.Status == registration.Confirmed {
		w, _ := ev.Workshop(b.Workshop)
		if err := exec(ctx, tx, freeWorkshop, w.ID); err != nil {
			return nil, err
		}
		if err := p.fillWorkshop(ctx, w); err != nil {
			return nil, err
		}
		if err := p.fillQueuesOf(ctx, reg.ID); err != nil {
			return nil, err
		}
	}
	if err := p.notify(ctx); err != nil {
		return nil, err
	}
	updated, err := loadRegistration(ctx, tx, reg.ID, false)
	if err != nil {
		return nil, err
	}
	change := &mail.Change{Slot: b.Slot, From: b.Workshop, Waitlisted: b.Status == registration.Waitlisted}
	return updated, enqueue(ctx, tx, updated, mail.KindLeft, token, change)
}

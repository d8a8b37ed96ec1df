package booking

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/fachtag/fachtag/internal/db"
	"github.com/fachtag/fachtag/internal/event"
	"github.com/fachtag/fachtag/internal/mail"
	"github.com/fachtag/fachtag/internal/registration"
	"github.com/fachtag/fachtag/internal/webhook"
)

// Cancel cancels the registration behind token, frees its seats and hands
// them to the waiting lists before it returns. Cancelling twice is not an
// error: the second call returns the cancelled state and sends nothing.
func (s *Service) Cancel(ctx context.Context, token string) (*Registration, error) {
	var reg *Registration
	err := db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
		var ev *event.Event
		var err error
		reg, ev, err = lockByToken(ctx, tx, token)
		if err != nil || reg.Status == registration.Cancelled {
			return err
		}
		if !s.now().Before(ev.StartsAt) {
			return ErrSwapClosed
		}
		reg, err = cancel(ctx, tx, ev, reg)
		return err
	})
	return reg, err
}

// lockByToken resolves a token and locks its event's row and then the
// registration behind it (lock.go, steps 1 and 2).
func lockByToken(ctx context.Context, tx pgx.Tx, token string) (*Registration, *event.Event, error) {
	id, err := registrationID(ctx, tx, token)
	if err != nil {
		return nil, nil, err
	}
	return LockRegistration(ctx, tx, id)
}

// LockRegistration locks the event's row and then the registration id
// (lock.go, steps 1 and 2) and loads both, for a change another package
// makes to a registration inside tx (reconfirmation answers).
func LockRegistration(ctx context.Context, tx pgx.Tx, id string) (*Registration, *event.Event, error) {
	if err := lockEventOf(ctx, tx, id); err != nil {
		return nil, nil, err
	}
	reg, err := loadRegistration(ctx, tx, id, true)
	if err != nil {
		return nil, nil, err
	}
	ev, err := event.LoadByID(ctx, tx, reg.EventID)
	if err != nil {
		return nil, nil, err
	}
	return reg, ev, nil
}

// CancelLocked cancels reg, locked by LockRegistration in tx, exactly like
// the participant's own cancel: seats to the waiting lists, the usual
// cancellation mail. The caller checks that reg is not cancelled yet.
func CancelLocked(ctx context.Context, tx pgx.Tx, ev *event.Event, reg *Registration) (*Registration, error) {
	return cancel(ctx, tx, ev, reg)
}

// ReleaseLocked is CancelLocked without the person's mail: the caller
// writes its own, which says why.
func ReleaseLocked(ctx context.Context, tx pgx.Tx, ev *event.Event, reg *Registration) (*Registration, error) {
	return release(ctx, tx, ev, reg)
}

const (
	deleteBookings  = `DELETE FROM bookings WHERE registration_id = $1 RETURNING workshop_id, status`
	markCancelled   = `UPDATE registrations SET status = 'cancelled', cancelled_at = now(), updated_at = now() WHERE id = $1`
	deleteQueueSlot = `DELETE FROM bookings WHERE registration_id = $1 AND slot_id = $2 AND status = 'waitlisted'`
)

// cancel releases the registration, mails the person that it is
// cancelled and reports it to the event's webhooks.
func cancel(ctx context.Context, tx pgx.Tx, ev *event.Event, reg *Registration) (*Registration, error) {
	cancelled, err := release(ctx, tx, ev, reg)
	if err != nil {
		return nil, err
	}
	if err := enqueue(ctx, tx, cancelled, mail.KindCancelled, "", nil); err != nil {
		return nil, err
	}
	return cancelled, enqueueHook(ctx, tx, webhook.RegistrationCancelled, cancelled, nil)
}

// release is a cancel without the person's mail: it marks the
// registration cancelled and hands its seats to the waiting lists, whose
// promoted people are mailed.
func release(ctx context.Context, tx pgx.Tx, ev *event.Event, reg *Registration) (*Registration, error) {
	if err := lockWorkshops(ctx, tx, ev.ID); err != nil {
		return nil, err
	}
	rows, _ := tx.Query(ctx, deleteBookings, reg.ID)
	type freed struct {
		id     int64
		status registration.Status
	}
	gone, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (freed, error) {
		var f freed
		return f, r.Scan(&f.id, &f.status)
	})
	if err != nil {
		return nil, fmt.Errorf("delete bookings: %w", err)
	}
	if err := exec(ctx, tx, markCancelled, reg.ID); err != nil {
		return nil, err
	}
	// Workshops before the event's seat counter (lock.go).
	sort.Slice(gone, func(i, j int) bool { return gone[i].id < gone[j].id })
	p := newPromoter(tx, ev)
	for _, f := range gone {
		if f.status != registration.Confirmed {
			continue
		}
		if err := exec(ctx, tx, freeWorkshop, f.id); err != nil {
			return nil, err
		}
		w, _ := p.workshopByID(f.id)
		if err := p.fillWorkshop(ctx, w); err != nil {
			return nil, err
		}
	}
	if reg.Status == registration.Confirmed {
		if err := exec(ctx, tx, freeEventSeat, ev.ID); err != nil {
			return nil, err
		}
		if err := p.fillEvent(ctx); err != nil {
			return nil, err
		}
	}
	if err := p.notify(ctx); err != nil {
		return nil, err
	}
	cancelled := *reg
	cancelled.Status, cancelled.Bookings, cancelled.WaitlistPosition = registration.Cancelled, nil, 0
	return &cancelled, nil
}

// Swap moves the registration behind token to workshop key in slot. If the
// workshop has a free seat the new seat is taken and the old one freed (and
// handed to its waiting list) in one transaction; if it is full the person
// joins its waiting list and keeps their current seat. Either way nothing
// half-done is ever visible.
func (s *Service) Swap(ctx context.Context, token, slot, key string) (*Registration, error) {
	var reg *Registration
	err := db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
		cur, ev, err := lockByToken(ctx, tx, token)
		if err != nil {
			return err
		}
		if err := s.checkSwap(ev, cur, slot, key); err != nil {
			return err
		}
		reg, err = swap(ctx, tx, ev, cur, token, slot, key)
		return err
	})
	return reg, err
}

func (s *Service) checkSwap(ev *event.Event, reg *Registration, slot, key string) error {
	switch {
	case reg.Status == registration.Cancelled:
		return ErrCancelled
	case !ev.OpenAt(s.now()):
		return ErrSwapClosed
	case reg.Status != registration.Confirmed:
		return ErrNotConfirmed
	}
	v := &ValidationError{Fields: map[string]FieldError{}}
	if key == "" {
		v.add("workshop", "err.choose_workshop")
	} else if checkWorkshopInSlot(v, ev, "workshop", slot, key) {
		w, _ := ev.Workshop(key)
		for _, b := range reg.Bookings {
			other, _ := ev.Workshop(b.Workshop)
			if b.Status == registration.Confirmed && b.Slot != slot && other.Topic == w.Topic {
				v.add("workshop", "err.topic_twice", w.Title)
			}
		}
	}
	if f, ok := v.Fields["workshop"]; ok && f.Key == "err.unknown_slot" {
		v.Fields = map[string]FieldError{"slot": f}
	}
	return v.orNil()
}

func swap(ctx context.Context, tx pgx.Tx, ev *event.Event, reg *Registration, token, slot, key string) (*Registration, error) {
	w, _ := ev.Workshop(key)
	seat, hasSeat := reg.Booking(slot, registration.Confirmed)
	queued, hasQueue := reg.Booking(slot, registration.Waitlisted)
	if (hasSeat && seat.Workshop == key) || (hasQueue && queued.Workshop == key) {
		return reg, nil
	}
	if err := lockWorkshops(ctx, tx, ev.ID); err != nil {
		return nil, err
	}
	got, err := take(ctx, tx, takeWorkshop, lockWorkshop, w.ID)
	if err != nil {
		return nil, err
	}
	if err := exec(ctx, tx, deleteQueueSlot, reg.ID, w.SlotID); err != nil {
		return nil, err
	}
	change := &mail.Change{Slot: slot, From: seat.Workshop, To: key, Waitlisted: !got}
	p := newPromoter(tx, ev)
	if got {
		if err := moveSeat(ctx, tx, p, reg.ID, w, seat, hasSeat); err != nil {
			return nil, err
		}
		if err := p.fillQueuesOf(ctx, reg.ID); err != nil {
			return nil, err
		}
	} else if err := tx.QueryRow(ctx, insertQueued, reg.ID, ev.ID, w.SlotID, w.ID, w.Topic).Scan(&change.Position); err != nil {
		return nil, fmt.Errorf("join waiting list: %w", err)
	}
	if err := p.notify(ctx); err != nil {
		return nil, err
	}
	updated, err := loadRegistration(ctx, tx, reg.ID, false)
	if err != nil {
		return nil, err
	}
	return updated, enqueue(ctx, tx, updated, mail.KindSwapped, token, change)
}

// moveSeat puts the person into w (whose seat is already taken) and frees
// and refills the seat they held in that slot.
func moveSeat(ctx context.Context, tx pgx.Tx, p *promoter, regID string, w event.Workshop, seat Booking, hasSeat bool) error {
	var old event.Workshop
	if hasSeat {
		old, _ = p.ev.Workshop(seat.Workshop)
		if err := p.leave(ctx, regID, w.SlotID, old.ID); err != nil {
			return err
		}
	}
	if err := exec(ctx, tx, insertSeat, regID, p.ev.ID, w.SlotID, w.ID, w.Topic); err != nil {
		return err
	}
	if !hasSeat {
		return nil
	}
	return p.fillWorkshop(ctx, old)
}

// recentLinkMail: one link mail per registration and five minutes is
// plenty, and keeps the public forms from being used to flood an inbox.
const recentLinkMail = `
SELECT EXISTS (SELECT 1 FROM outbox WHERE registration_id = $1 AND kind IN ('link', 'already')
               AND created_at > now() - interval '5 minutes')`

const findByEmail = `
SELECT r.id FROM registrations r
WHERE r.event_id = $1 AND lower(r.email) = lower($2) AND r.status <> 'cancelled'`

// ResendLink mails a new personal link to the address if it is registered
// for the event. It answers the same whether or not it is, so the form
// reveals nothing about who is registered.
func (s *Service) ResendLink(ctx context.Context, slug, email string) error {
	return s.mailLink(ctx, slug, email, mail.KindLink)
}

// mailLink mails a new personal link of kind to the address if it is
// registered for the event, and does nothing otherwise.
func (s *Service) mailLink(ctx context.Context, slug, email string, kind mail.Kind) error {
	ev, err := event.LoadRules(ctx, s.pool, slug)
	if errors.Is(err, event.ErrNotFound) || (err == nil && ev.Status == event.StatusDraft) {
		return ErrNotFound
	}
	if err != nil {
		return err
	}
	return db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
		var id string
		err := tx.QueryRow(ctx, findByEmail, ev.ID, strings.TrimSpace(email)).Scan(&id)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("find registration: %w", err)
		}
		reg, err := loadRegistration(ctx, tx, id, true)
		if err != nil {
			return err
		}
		var recent bool
		if err := tx.QueryRow(ctx, recentLinkMail, id).Scan(&recent); err != nil || recent {
			return err
		}
		token, err := issueToken(ctx, tx, id)
		if err != nil {
			return err
		}
		return enqueue(ctx, tx, reg, kind, token, nil)
	})
}

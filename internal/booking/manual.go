package booking

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/fachtag/fachtag/internal/auth"
	"github.com/fachtag/fachtag/internal/db"
	"github.com/fachtag/fachtag/internal/event"
	"github.com/fachtag/fachtag/internal/mail"
	"github.com/fachtag/fachtag/internal/registration"
	"github.com/fachtag/fachtag/internal/webhook"
)

// Manual actions are what an organiser does to a registration by hand:
// register someone, move them, cancel them, resend their link. Each runs in
// one transaction together with its mails and its audit-log entry, and each
// needs a reason. They ignore the registration window (the organiser may act
// after closing), never the capacity, unless Override says so.
//
// An override cannot simply book beyond capacity: the CHECK constraints
// (taken <= capacity, confirmed <= capacity) forbid it, rightly. Instead the
// capacity is raised by the overflow (to exactly the seats taken) in the same
// transaction, under the row lock, and the raise is written to the audit
// entry. The invariants keep holding, and the log says who raised it and why.

// ErrFull means the workshop has no free seat and the action did not ask
// to override the capacity.
var ErrFull = errors.New("workshop is full")

// Manual says who acts, why, and whether capacity may be exceeded.
type Manual struct {
	UserID   int64
	Actor    string // "web", "api"
	Reason   string
	Override bool
	Bulk     bool // one person of a bulk action (bulk.go)
}

// raise is a capacity the action raised, for the audit log.
type raise struct {
	What string `json:"what"` // workshop key, or "event"
	From int    `json:"from"`
	To   int    `json:"to"`
}

const (
	raiseWorkshop = `
UPDATE workshops SET capacity = taken + 1, taken = taken + 1
WHERE id = $1 AND taken >= capacity RETURNING capacity`
	raiseEvent = `
UPDATE event_seats SET capacity = taken + 1, taken = taken + 1
WHERE event_id = $1 AND taken >= capacity RETURNING capacity`
	raiseEventRow    = `UPDATE events SET capacity = $2 WHERE id = $1`
	takeAnyEventSeat = `UPDATE event_seats SET taken = taken + 1 WHERE event_id = $1 AND taken < capacity`
	lockEventSeats   = `SELECT 1 FROM event_seats WHERE event_id = $1 FOR NO KEY UPDATE`
)

func checkManual(m *Manual) *ValidationError {
	v := &ValidationError{Fields: map[string]FieldError{}}
	m.Reason = strings.TrimSpace(m.Reason)
	checkLine(v, "reason", m.Reason, 500, true)
	return v
}

// merge reports a's and b's invalid fields together; an error of b that
// is not about fields wins.
func merge(a, b error) error {
	var va, vb *ValidationError
	if b != nil && !errors.As(b, &vb) {
		return b
	}
	if !errors.As(a, &va) {
		return b
	}
	if vb != nil {
		for k, f := range vb.Fields {
			va.add(k, f.Key, f.Args...)
		}
	}
	return va
}

func audit(ctx context.Context, tx pgx.Tx, m Manual, action string, eventID int64, detail map[string]any) error {
	detail["reason"] = m.Reason
	if m.Override {
		detail["override"] = true
	}
	if m.Bulk {
		detail["bulk"] = true
	}
	return auth.Append(ctx, tx, auth.Entry{UserID: m.UserID, Actor: m.Actor, Action: action, EventID: eventID, Detail: detail})
}

// RegisterByHand registers a person for the event, whatever its
// registration window says (an archived event takes nobody). Full
// workshops and a full event put them on the waiting list like anyone,
// unless m.Override raises the capacity. The person gets the usual mail
// with their personal link.
func (s *Service) RegisterByHand(ctx context.Context, eventID int64, req Request, m Manual) (*Registration, error) {
	ev, err := event.LoadByID(ctx, s.pool, eventID)
	if errors.Is(err, event.ErrNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	if ev.Status == event.StatusArchived {
		return nil, ErrClosed
	}
	mv := checkManual(&m)
	if err := merge(mv.orNil(), optionalAnswers(validate(ev, &req))); err != nil {
		return nil, err
	}
	var reg *Registration
	err = db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
		reg, err = registerByHand(ctx, tx, ev, req, m)
		return err
	})
	return reg, err
}

// optionalAnswers drops "required" complaints about the event's own
// questions and the missing workshop choices: the organiser registering
// someone on the phone may not know the answers, and the form does not ask
// them.
func optionalAnswers(err error) error {
	var v *ValidationError
	if !errors.As(err, &v) {
		return err
	}
	for field, f := range v.Fields {
		if (strings.HasPrefix(field, "answers.") && f.Key == "err.required") || f.Key == "err.choose_workshop" {
			delete(v.Fields, field)
		}
	}
	return v.orNil()
}

func registerByHand(ctx context.Context, tx pgx.Tx, ev *event.Event, req Request, m Manual) (*Registration, error) {
	if err := lockEvent(ctx, tx, ev.ID); err != nil { // an override raises its capacity
		return nil, err
	}
	reg := newRegistration(ev, req)
	token, err := writeRegistration(ctx, tx, ev, reg, req, nil)
	if err != nil {
		return nil, err
	}
	var raised []raise
	if reg.Status == registration.Confirmed {
		if raised, err = seatByHand(ctx, tx, ev, reg, req.Choices, m.Override); err != nil {
			return nil, err
		}
	}
	if err := enqueue(ctx, tx, reg, registeredKind(reg.Status), token, nil); err != nil {
		return nil, err
	}
	if err := enqueueHook(ctx, tx, webhook.RegistrationCreated, reg, nil); err != nil {
		return nil, err
	}
	return reg, audit(ctx, tx, m, "registration.create", ev.ID,
		map[string]any{"registration_id": reg.ID, "status": reg.Status, "raised": raised})
}

// seatByHand books the chosen workshops (workshop rows in id order) and
// then the event seat, raising capacities where the override allows.
func seatByHand(ctx context.Context, tx pgx.Tx, ev *event.Event, reg *Registration, choices map[string]string, override bool) ([]raise, error) {
	var raised []raise
	var err error
	if override {
		raised, err = overbook(ctx, tx, ev, reg, choices)
	} else {
		reg.Bookings, err = bookChoices(ctx, tx, ev, reg.ID, choices)
	}
	if err != nil {
		return nil, err
	}
	tag, err := tx.Exec(ctx, takeAnyEventSeat, ev.ID)
	if err != nil {
		return nil, fmt.Errorf("take event seat: %w", err)
	}
	if tag.RowsAffected() == 1 {
		return raised, nil
	}
	if override {
		var to int
		if err := tx.QueryRow(ctx, raiseEvent, ev.ID).Scan(&to); err != nil {
			return nil, fmt.Errorf("raise event capacity: %w", err)
		}
		// events.capacity is the organiser's figure; it follows the raise
		// (the row is this transaction's since registerByHand began).
		if err := execOne(ctx, tx, raiseEventRow, ev.ID, to); err != nil {
			return nil, err
		}
		return append(raised, raise{What: "event", From: to - 1, To: to}), nil
	}
	return raised, waitForEvent(ctx, tx, ev, reg)
}

// waitForEvent puts a registration whose event is full on the event's
// waiting list: its workshop seats go back, its choices stay stored.
func waitForEvent(ctx context.Context, tx pgx.Tx, ev *event.Event, reg *Registration) error {
	if err := exec(ctx, tx, lockEventSeats, ev.ID); err != nil {
		return err
	}
	return joinEventQueue(ctx, tx, reg)
}

// overbook books the chosen workshops like a sign-up, except that a full
// workshop gets one more seat instead of a waiting-list place.
func overbook(ctx context.Context, tx pgx.Tx, ev *event.Event, reg *Registration, choices map[string]string) ([]raise, error) {
	var raised []raise
	for _, w := range chosenWorkshops(ev, choices) {
		got, err := take(ctx, tx, takeWorkshop, lockWorkshop, w.ID)
		if err != nil {
			return nil, err
		}
		if !got {
			r, err := raiseSeat(ctx, tx, w)
			if err != nil {
				return nil, err
			}
			raised = append(raised, r)
		}
		if err := exec(ctx, tx, insertSeat, reg.ID, ev.ID, w.SlotID, w.ID, w.Topic); err != nil {
			return nil, err
		}
		reg.Bookings = append(reg.Bookings, Booking{Slot: w.SlotKey, Workshop: w.Key, Status: registration.Confirmed})
	}
	sortBookings(ev, reg.Bookings)
	return raised, nil
}

// raiseSeat takes a seat in a full workshop whose row this transaction
// holds, by raising its capacity to the seats taken.
func raiseSeat(ctx context.Context, tx pgx.Tx, w event.Workshop) (raise, error) {
	var to int
	if err := tx.QueryRow(ctx, raiseWorkshop, w.ID).Scan(&to); err != nil {
		return raise{}, fmt.Errorf("raise capacity of %s: %w", w.Key, err)
	}
	return raise{What: w.Key, From: to - 1, To: to}, nil
}

// lockOwn locks the event's row and a registration of the event (lock.go,
// steps 1 and 2) and loads both; a registration of another event is not
// found, so an organiser of one event cannot reach into another by id.
func lockOwn(ctx context.Context, tx pgx.Tx, eventID int64, regID string) (*Registration, *event.Event, error) {
	if !PlausibleID(regID) {
		return nil, nil, ErrNotFound
	}
	if err := lockEvent(ctx, tx, eventID); err != nil {
		return nil, nil, err
	}
	reg, err := loadRegistration(ctx, tx, regID, true)
	if err != nil {
		return nil, nil, err
	}
	if reg.EventID != eventID {
		return nil, nil, ErrNotFound
	}
	ev, err := event.LoadByID(ctx, tx, eventID)
	return reg, ev, err
}

// PlausibleID reports whether s has the form of a registration id (a
// UUID), so a malformed id is "not found" without asking the database.
func PlausibleID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, c := range s {
		switch {
		case i == 8 || i == 13 || i == 18 || i == 23:
			if c != '-' {
				return false
			}
		case !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'):
			return false
		}
	}
	return true
}

// MoveByHand moves a confirmed registration into workshop key of slot,
// whether or not registration is open. The seat it leaves goes to that
// workshop's waiting list. A full workshop is ErrFull unless m.Override,
// which raises its capacity by one seat. The person gets a mail with a
// fresh personal link.
func (s *Service) MoveByHand(ctx context.Context, eventID int64, regID, slot, key string, m Manual) (*Registration, error) {
	mv := checkManual(&m)
	var reg *Registration
	err := db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
		cur, ev, err := lockOwn(ctx, tx, eventID, regID)
		if err != nil {
			return err
		}
		if err := merge(mv.orNil(), checkMove(ev, cur, slot, key)); err != nil {
			return err
		}
		reg, err = moveByHand(ctx, tx, ev, cur, slot, key, m)
		return err
	})
	return reg, err
}

func checkMove(ev *event.Event, reg *Registration, slot, key string) error {
	switch reg.Status {
	case registration.Cancelled:
		return ErrCancelled
	case registration.Confirmed:
	default:
		return ErrNotConfirmed
	}
	v := &ValidationError{Fields: map[string]FieldError{}}
	if checkWorkshopInSlot(v, ev, "workshop", slot, key) {
		w, _ := ev.Workshop(key)
		for _, b := range reg.Bookings {
			other, _ := ev.Workshop(b.Workshop)
			switch {
			case b.Status == registration.Confirmed && b.Workshop == key:
				v.add("workshop", "err.already_there", w.Title)
			case b.Status == registration.Confirmed && b.Slot != slot && other.Topic == w.Topic:
				v.add("workshop", "err.topic_twice", w.Title)
			}
		}
	}
	return v.orNil()
}

func moveByHand(ctx context.Context, tx pgx.Tx, ev *event.Event, reg *Registration, slot, key string, m Manual) (*Registration, error) {
	w, _ := ev.Workshop(key)
	seat, hasSeat := reg.Booking(slot, registration.Confirmed)
	if err := lockWorkshops(ctx, tx, ev.ID); err != nil {
		return nil, err
	}
	got, err := take(ctx, tx, takeWorkshop, lockWorkshop, w.ID)
	if err != nil {
		return nil, err
	}
	var raised []raise
	if !got {
		if !m.Override {
			return nil, ErrFull
		}
		r, err := raiseSeat(ctx, tx, w)
		if err != nil {
			return nil, err
		}
		raised = append(raised, r)
	}
	if err := exec(ctx, tx, deleteQueueSlot, reg.ID, w.SlotID); err != nil {
		return nil, err
	}
	p := newPromoter(tx, ev)
	if err := moveSeat(ctx, tx, p, reg.ID, w, seat, hasSeat); err != nil {
		return nil, err
	}
	if err := p.fillQueuesOf(ctx, reg.ID); err != nil {
		return nil, err
	}
	if err := p.notify(ctx); err != nil {
		return nil, err
	}
	updated, err := mailWithNewLink(ctx, tx, reg.ID, mail.KindSwapped, &mail.Change{Slot: slot, From: seat.Workshop, To: key})
	if err != nil {
		return nil, err
	}
	return updated, audit(ctx, tx, m, "registration.move", ev.ID, map[string]any{"registration_id": reg.ID,
		"slot": slot, "from": seat.Workshop, "to": key, "raised": raised})
}

// mailWithNewLink queues a mail of kind with a fresh personal link: the
// organiser never knows the person's current one.
func mailWithNewLink(ctx context.Context, tx pgx.Tx, regID string, kind mail.Kind, change *mail.Change) (*Registration, error) {
	reg, err := loadRegistration(ctx, tx, regID, false)
	if err != nil {
		return nil, err
	}
	token, err := issueToken(ctx, tx, regID)
	if err != nil {
		return nil, err
	}
	return reg, enqueue(ctx, tx, reg, kind, token, change)
}

// CancelByHand cancels a registration, even after the event started, and
// hands its seats to the waiting lists like a participant's own cancel.
func (s *Service) CancelByHand(ctx context.Context, eventID int64, regID string, m Manual) (*Registration, error) {
	mv := checkManual(&m)
	if err := mv.orNil(); err != nil {
		return nil, err
	}
	var reg *Registration
	err := db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
		cur, ev, err := lockOwn(ctx, tx, eventID, regID)
		if err != nil {
			return err
		}
		if cur.Status == registration.Cancelled {
			return ErrCancelled
		}
		if reg, err = cancel(ctx, tx, ev, cur); err != nil {
			return err
		}
		return audit(ctx, tx, m, "registration.cancel", ev.ID, map[string]any{"registration_id": cur.ID, "was": cur.Status})
	})
	return reg, err
}

// ResendByHand mails the person their current state with a fresh personal
// link (a link mail); older links keep working.
func (s *Service) ResendByHand(ctx context.Context, eventID int64, regID string, m Manual) error {
	mv := checkManual(&m)
	if err := mv.orNil(); err != nil {
		return err
	}
	return db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
		cur, ev, err := lockOwn(ctx, tx, eventID, regID)
		if err != nil {
			return err
		}
		if cur.Status == registration.Cancelled {
			return ErrCancelled
		}
		if _, err := mailWithNewLink(ctx, tx, cur.ID, mail.KindLink, nil); err != nil {
			return err
		}
		return audit(ctx, tx, m, "registration.resend", ev.ID, map[string]any{"registration_id": cur.ID})
	})
}

package booking

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"

	"github.com/jackc/pgx/v5"

	"github.com/fachtag/fachtag/internal/db"
	"github.com/fachtag/fachtag/internal/event"
	"github.com/fachtag/fachtag/internal/mail"
)

// Register signs a participant up for the event with the slug. In the
// booking phase the event seat and one seat per chosen workshop are taken at
// once; a full workshop puts them on its waiting list while the rest of the
// registration stands, a full event waitlists the registration as a whole.
// In the wish phase the wishes are stored. It returns the new registration
// and the raw personal-link token, which exists nowhere else.
func (s *Service) Register(ctx context.Context, slug string, req Request) (*Registration, string, error) {
	ev, err := s.checkedEvent(ctx, slug, &req)
	if err != nil {
		return nil, "", err
	}
	if ev.Registration.Mode == event.ModeFirstCome {
		reg, token, err := registerFast(ctx, s.pool, ev, req)
		if !errors.Is(err, errSlowPath) {
			return reg, token, err
		}
		// The event may have changed since it was cached: decide afresh.
		s.rules.forget(slug)
		if ev, err = s.checkedEvent(ctx, slug, &req); err != nil {
			return nil, "", err
		}
	}
	var reg *Registration
	var token string
	err = db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
		reg, token, err = register(ctx, tx, ev, req)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	return reg, token, nil
}

// checkedEvent is openEvent and validates req against the event.
func (s *Service) checkedEvent(ctx context.Context, slug string, req *Request) (*event.Event, error) {
	ev, err := s.openEvent(ctx, slug)
	if err != nil {
		return nil, err
	}
	return ev, validate(ev, req)
}

// openEvent loads the event and checks that it takes sign-ups now.
func (s *Service) openEvent(ctx context.Context, slug string) (*event.Event, error) {
	ev, err := s.rules.get(ctx, s.pool, slug, s.now())
	if errors.Is(err, event.ErrNotFound) || (err == nil && ev.Status == event.StatusDraft) {
		return nil, ErrNotFound // a draft is not public, not even as "closed"
	}
	if err != nil {
		return nil, err
	}
	if !ev.OpenAt(s.now()) {
		return ev, ErrClosed
	}
	return ev, nil
}

const insertRegistration = `
INSERT INTO registrations (id, event_id, name, email, organisation, role, language, answers,
    consent_privacy, consent_photos, choices, preferences, status)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now(), $9, $10, $11, $12)
RETURNING created_at`

const eventQueuePosition = `
SELECT count(*) FROM registrations
WHERE event_id = $1 AND status = 'waitlisted' AND seq <= $2`

// newRegistration is the registration a request creates, before any seat:
// confirmed in the booking phase, received in the wish phase.
func newRegistration(ev *event.Event, req Request) *Registration {
	reg := &Registration{ID: newUUID(), EventID: ev.ID, EventSlug: ev.Slug, Name: req.Name, Email: req.Email,
		Organisation: req.Organisation, Role: req.Role, Language: req.Language, Preferences: req.Preferences,
		Status: StatusConfirmed}
	if ev.Registration.Mode == event.ModePreferences {
		reg.Status = StatusReceived
	}
	return reg
}

// register writes the registration and its token in one round trip, then
// takes the workshop seats and, last, the event seat: the event row is the
// hottest row of a busy opening, so its lock is held only for the outbox
// insert and the commit.
func register(ctx context.Context, tx pgx.Tx, ev *event.Event, req Request) (*Registration, string, error) {
	reg := newRegistration(ev, req)
	token, err := insertRegistrationAndToken(ctx, tx, ev, reg, req)
	if err != nil {
		return nil, "", err
	}
	if reg.Status == StatusConfirmed {
		if reg.Bookings, err = bookChoices(ctx, tx, ev, reg.ID, req.Choices); err != nil {
			return nil, "", err
		}
	}
	// The mail is queued before the event seat is taken, so that the event
	// row stays locked only for its own update and the commit.
	if err := enqueue(ctx, tx, reg, registeredKind(reg.Status), token, nil); err != nil {
		return nil, "", err
	}
	if reg.Status == StatusConfirmed {
		if err := eventSeat(ctx, tx, ev, reg, token); err != nil {
			return nil, "", err
		}
	}
	return reg, token, nil
}

func insertRegistrationAndToken(ctx context.Context, tx pgx.Tx, ev *event.Event, reg *Registration, req Request) (string, error) {
	answers, _ := json.Marshal(nonNilMap(req.Answers))
	choices, _ := json.Marshal(nonNilMap(req.Choices))
	prefs, _ := json.Marshal(nonNilMap(req.Preferences))
	token, hash := newToken()
	b := &pgx.Batch{}
	b.Queue(insertRegistration, reg.ID, ev.ID, req.Name, req.Email, req.Organisation, req.Role,
		req.Language, answers, req.Consents.Photos, choices, prefs, reg.Status)
	b.Queue(insertToken, hash, reg.ID)
	res := tx.SendBatch(ctx, b)
	defer res.Close()
	err := res.QueryRow().Scan(&reg.CreatedAt)
	if db.IsUniqueViolation(err, "registrations_one_per_email") {
		return "", ErrDuplicate
	}
	if err != nil {
		return "", fmt.Errorf("insert registration: %w", err)
	}
	if _, err := res.Exec(); err != nil {
		return "", fmt.Errorf("store token: %w", err)
	}
	return token, res.Close()
}

const undoBookings = `
WITH gone AS (DELETE FROM bookings WHERE registration_id = $1 RETURNING workshop_id, status)
UPDATE workshops w SET taken = w.taken - 1
FROM gone WHERE gone.workshop_id = w.id AND gone.status = 'confirmed'`

// A new seq, drawn under the event row's lock, puts the registration at the
// end of the event's waiting list in the order the lock was granted.
const markWaitlisted = `
UPDATE registrations SET status = 'waitlisted', seq = nextval(pg_get_serial_sequence('registrations', 'seq'))
WHERE id = $1 RETURNING seq`

// takeOpenSeat takes an event seat only while registration is open: the
// cached event that let the sign-up start may be up to rulesTTL old, the
// row is not.
const (
	takeOpenSeat = `
UPDATE event_seats s SET taken = s.taken + 1
FROM events e
WHERE s.event_id = $1 AND e.id = s.event_id AND s.taken < s.capacity AND e.status = 'open'
  AND (e.opens_at IS NULL OR e.opens_at <= now()) AND (e.closes_at IS NULL OR now() < e.closes_at)`
	lockOpenEvent = `
SELECT e.status = 'open' AND (e.opens_at IS NULL OR e.opens_at <= now()) AND (e.closes_at IS NULL OR now() < e.closes_at)
FROM events e JOIN event_seats s ON s.event_id = e.id WHERE e.id = $1 FOR NO KEY UPDATE OF s`
	forgetMails = `DELETE FROM outbox WHERE registration_id = $1`
)

// eventSeat takes the event seat. When the event is full the registration
// goes on the event's waiting list as a whole: the workshop seats just
// taken are given back (nobody else could see them), the choices stay
// stored for the day a seat frees up, and the queued mail becomes the
// waiting-list mail.
func eventSeat(ctx context.Context, tx pgx.Tx, ev *event.Event, reg *Registration, token string) error {
	tag, err := tx.Exec(ctx, takeOpenSeat, ev.ID)
	if err != nil {
		return fmt.Errorf("take event seat: %w", err)
	}
	if tag.RowsAffected() == 1 {
		return nil
	}
	var open bool
	if err := tx.QueryRow(ctx, lockOpenEvent, ev.ID).Scan(&open); err != nil {
		return fmt.Errorf("lock event: %w", err)
	}
	if !open {
		return ErrClosed
	}
	if err := exec(ctx, tx, forgetMails, reg.ID); err != nil {
		return err
	}
	if err := joinEventQueue(ctx, tx, ev, reg); err != nil {
		return err
	}
	return enqueue(ctx, tx, reg, mail.KindWaitlisted, token, nil)
}

// joinEventQueue puts a registration on its event's waiting list as a
// whole, with the event row locked by the caller: the workshop seats it
// took go back, its choices stay stored for the day a seat frees up.
func joinEventQueue(ctx context.Context, tx pgx.Tx, ev *event.Event, reg *Registration) error {
	if err := exec(ctx, tx, undoBookings, reg.ID); err != nil {
		return err
	}
	var seq int64
	if err := tx.QueryRow(ctx, markWaitlisted, reg.ID).Scan(&seq); err != nil {
		return fmt.Errorf("join event waiting list: %w", err)
	}
	reg.Status, reg.Bookings = StatusWaitlisted, nil
	if err := tx.QueryRow(ctx, eventQueuePosition, ev.ID, seq).Scan(&reg.WaitlistPosition); err != nil {
		return fmt.Errorf("event waiting-list position: %w", err)
	}
	return nil
}

func registeredKind(status string) mail.Kind {
	switch status {
	case StatusReceived:
		return mail.KindReceived
	case StatusWaitlisted:
		return mail.KindWaitlisted
	}
	return mail.KindConfirmed
}

// bookChoices books one workshop per slot, locking workshop rows in id
// order so that concurrent sign-ups never deadlock.
func bookChoices(ctx context.Context, tx pgx.Tx, ev *event.Event, regID string, choices map[string]string) ([]Booking, error) {
	ws := chosenWorkshops(ev, choices)
	bookings := make([]Booking, 0, len(ws))
	for _, w := range ws {
		b, err := book(ctx, tx, ev.ID, regID, w)
		if err != nil {
			return nil, err
		}
		bookings = append(bookings, b)
	}
	sortBookings(ev, bookings)
	return bookings, nil
}

// sortBookings orders bookings like the event's slots.
func sortBookings(ev *event.Event, bs []Booking) {
	order := make(map[string]int, len(ev.Slots))
	for i, s := range ev.Slots {
		order[s.Key] = i
	}
	sort.SliceStable(bs, func(i, j int) bool { return order[bs[i].Slot] < order[bs[j].Slot] })
}

func nonNilMap[V any](m map[string]V) map[string]V {
	if m == nil {
		return map[string]V{}
	}
	return m
}

// enqueue writes the mail that reports a change to reg.
func enqueue(ctx context.Context, tx pgx.Tx, reg *Registration, kind mail.Kind, token string, change *mail.Change) error {
	m := mail.Message{Kind: kind, RegistrationID: reg.ID, EventID: reg.EventID, To: reg.Email,
		Name: reg.Name, Language: reg.Language, Token: token, RegistrationStatus: reg.Status, Change: change,
		Preferences: reg.Preferences}
	for _, b := range reg.Bookings {
		m.Bookings = append(m.Bookings, mail.Booking{Slot: b.Slot, Workshop: b.Workshop, Status: b.Status, Position: b.WaitlistPosition})
	}
	return mail.Enqueue(ctx, tx, m)
}

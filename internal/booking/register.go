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
	ev, err := s.openEvent(ctx, slug)
	if err != nil {
		return nil, "", err
	}
	if err := validate(ev, &req); err != nil {
		return nil, "", err
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

// openEvent loads the event and checks that it takes sign-ups now.
func (s *Service) openEvent(ctx context.Context, slug string) (*event.Event, error) {
	ev, err := event.Load(ctx, s.pool, slug)
	if errors.Is(err, event.ErrNotFound) {
		return nil, ErrNotFound
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
INSERT INTO registrations (event_id, name, email, organisation, role, language, answers,
    consent_privacy, consent_photos, choices, preferences, status)
VALUES ($1, $2, $3, $4, $5, $6, $7, now(), $8, $9, $10, $11)
RETURNING id, seq, created_at`

const eventQueuePosition = `
SELECT count(*) FROM registrations
WHERE event_id = $1 AND status = 'waitlisted' AND seq <= $2`

func register(ctx context.Context, tx pgx.Tx, ev *event.Event, req Request) (*Registration, string, error) {
	reg := &Registration{EventID: ev.ID, EventSlug: ev.Slug, Name: req.Name, Email: req.Email,
		Organisation: req.Organisation, Role: req.Role, Language: req.Language, Preferences: req.Preferences}
	var err error
	if reg.Status, err = eventSeat(ctx, tx, ev); err != nil {
		return nil, "", err
	}
	var seq int64
	answers, _ := json.Marshal(nonNilMap(req.Answers))
	choices, _ := json.Marshal(nonNilMap(req.Choices))
	prefs, _ := json.Marshal(nonNilMap(req.Preferences))
	err = tx.QueryRow(ctx, insertRegistration, ev.ID, req.Name, req.Email, req.Organisation, req.Role,
		req.Language, answers, req.Consents.Photos, choices, prefs, reg.Status).Scan(&reg.ID, &seq, &reg.CreatedAt)
	if db.IsUniqueViolation(err, "registrations_one_per_email") {
		return nil, "", ErrDuplicate
	}
	if err != nil {
		return nil, "", fmt.Errorf("insert registration: %w", err)
	}
	switch reg.Status {
	case StatusConfirmed:
		reg.Bookings, err = bookChoices(ctx, tx, ev, reg.ID, req.Choices)
	case StatusWaitlisted:
		err = tx.QueryRow(ctx, eventQueuePosition, ev.ID, seq).Scan(&reg.WaitlistPosition)
	}
	if err != nil {
		return nil, "", err
	}
	token, err := issueToken(ctx, tx, reg.ID)
	if err != nil {
		return nil, "", err
	}
	return reg, token, enqueue(ctx, tx, reg, registeredKind(reg.Status), token, nil)
}

// eventSeat decides the registration's status, taking an event seat in the
// booking phase.
func eventSeat(ctx context.Context, tx pgx.Tx, ev *event.Event) (string, error) {
	if ev.Registration.Mode == event.ModePreferences {
		return StatusReceived, nil
	}
	got, err := take(ctx, tx, takeEventSeat, lockEvent, ev.ID)
	if err != nil || !got {
		return StatusWaitlisted, err
	}
	return StatusConfirmed, nil
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
	ws := make([]event.Workshop, 0, len(choices))
	for _, key := range choices {
		if w, ok := ev.Workshop(key); ok {
			ws = append(ws, w)
		}
	}
	sort.Slice(ws, func(i, j int) bool { return ws[i].ID < ws[j].ID })
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
		Name: reg.Name, Language: reg.Language, Token: token, RegistrationStatus: reg.Status, Change: change}
	for _, b := range reg.Bookings {
		m.Bookings = append(m.Bookings, mail.Booking{Slot: b.Slot, Workshop: b.Workshop, Status: b.Status, Position: b.WaitlistPosition})
	}
	return mail.Enqueue(ctx, tx, m)
}

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
	"github.com/fachtag/fachtag/internal/registration"
)

// Register signs a participant up for the event with the slug. In the
// booking phase the event seat and one seat per chosen workshop are taken at
// once; a full workshop puts them on its waiting list while the rest of the
// registration stands, a full event waitlists the registration as a whole.
// In the wish phase the wishes are stored. It returns the new registration
// and the raw personal-link token, which exists nowhere else.
func (s *Service) Register(ctx context.Context, slug string, req Request) (*Registration, string, error) {
	var reg *Registration
	var token string
	err := s.signUp(ctx, slug, &req, func(tx pgx.Tx, ev *event.Event) (err error) {
		reg, token, err = register(ctx, tx, ev, req)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	return reg, token, nil
}

// signUp runs fn in one transaction with the event's rules as cached by
// an earlier sign-up (at most rulesTTL old). Everything that decides a seat
// is checked by the statements themselves; when they find the cached rules
// out of date, signUp reads the event afresh and runs fn once more.
func (s *Service) signUp(ctx context.Context, slug string, req *Request, fn func(pgx.Tx, *event.Event) error) error {
	for fresh := false; ; fresh = true {
		ev, err := s.checkedEvent(ctx, slug, req)
		if err != nil {
			return err
		}
		err = db.Transact(ctx, s.pool, func(tx pgx.Tx) error { return fn(tx, ev) })
		if fresh || !isStale(err) {
			return wishPhaseOver(err)
		}
		s.rules.forget(slug)
	}
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
		Status: registration.Confirmed}
	if ev.Registration.Mode == event.ModePreferences {
		reg.Status = registration.Received
	}
	return reg
}

// register writes a sign-up in two round trips of pipelined statements;
// no other path books a sign-up. The first writes the registration and its
// token and books the chosen workshops (seatOrQueue, rows locked in id
// order) and reads them back with their waiting-list places. The second
// queues the mail, through the one outbox writer, and takes the event
// seat last: the event's counter is the hottest row of an opening rush,
// and this way its lock is held only for the commit. A pipelined batch
// without a transaction would save the two round trips of BEGIN and COMMIT
// but would need every rule a second time for the cases it cannot finish
// (a full event, a waiting list whose place the mail must name); what that
// costs is in the package doc.
func register(ctx context.Context, tx pgx.Tx, ev *event.Event, req Request) (*Registration, string, error) {
	reg := newRegistration(ev, req)
	var choices map[string]string
	if reg.Status == registration.Confirmed {
		choices = req.Choices
	}
	token, err := writeRegistration(ctx, tx, ev, reg, req, choices)
	if err != nil {
		return nil, "", err
	}
	b := &pgx.Batch{}
	if err := mail.Queue(b, message(reg, registeredKind(reg.Status), token, nil)); err != nil {
		return nil, "", err
	}
	if reg.Status == registration.Confirmed {
		b.Queue(takeOpenSeat, ev.ID)
	}
	seated, err := sendMailAndSeat(ctx, tx, b)
	if err != nil {
		return nil, "", err
	}
	if reg.Status == registration.Confirmed && !seated {
		if err := eventFull(ctx, tx, ev, reg, token); err != nil {
			return nil, "", err
		}
	}
	return reg, token, nil
}

// sendMailAndSeat sends the mail and, if queued, the event seat; it
// reports whether the seat was taken.
func sendMailAndSeat(ctx context.Context, tx pgx.Tx, b *pgx.Batch) (bool, error) {
	res := tx.SendBatch(ctx, b)
	defer res.Close()
	if _, err := res.Exec(); err != nil {
		return false, fmt.Errorf("enqueue mail: %w", err)
	}
	if b.Len() == 1 {
		return false, res.Close()
	}
	tag, err := res.Exec()
	if err != nil {
		return false, fmt.Errorf("take event seat: %w", err)
	}
	return tag.RowsAffected() == 1, res.Close()
}

// writeRegistration writes the registration and its token and books the
// choices, in one round trip.
func writeRegistration(ctx context.Context, tx pgx.Tx, ev *event.Event, reg *Registration, req Request, choices map[string]string) (string, error) {
	answers, _ := json.Marshal(nonNilMap(req.Answers))
	prefs, _ := json.Marshal(nonNilMap(req.Preferences))
	stored, _ := json.Marshal(nonNilMap(req.Choices))
	token, hash := newToken()
	b := &pgx.Batch{}
	b.Queue(insertRegistration, reg.ID, ev.ID, req.Name, req.Email, req.Organisation, req.Role,
		req.Language, answers, req.Consents.Photos, stored, prefs, reg.Status)
	b.Queue(insertToken, hash, reg.ID)
	ws := chosenWorkshops(ev, choices)
	if len(ws) > 0 {
		queueBookings(b, ev.ID, reg.ID, ws)
	}
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
	if len(ws) > 0 {
		if reg.Bookings, err = readBookings(res, len(ws)); err != nil {
			return "", err
		}
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

// eventFull handles a sign-up that found no event seat: with the
// registration still open it goes on the event's waiting list as a whole.
// The workshop seats just taken are given back (nobody else could see
// them), the choices stay stored for the day a seat frees up, and the
// queued mail becomes the waiting-list mail.
func eventFull(ctx context.Context, tx pgx.Tx, ev *event.Event, reg *Registration, token string) error {
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
	reg.Status, reg.Bookings = registration.Waitlisted, nil
	if err := tx.QueryRow(ctx, eventQueuePosition, ev.ID, seq).Scan(&reg.WaitlistPosition); err != nil {
		return fmt.Errorf("event waiting-list position: %w", err)
	}
	return nil
}

func registeredKind(status registration.Status) mail.Kind {
	switch status {
	case registration.Received:
		return mail.KindReceived
	case registration.Waitlisted:
		return mail.KindWaitlisted
	}
	return mail.KindConfirmed
}

// bookChoices books the chosen workshops of a registration that has an
// event seat, in one round trip.
func bookChoices(ctx context.Context, tx pgx.Tx, ev *event.Event, regID string, choices map[string]string) ([]Booking, error) {
	ws := chosenWorkshops(ev, choices)
	if len(ws) == 0 {
		return nil, nil
	}
	b := &pgx.Batch{}
	queueBookings(b, ev.ID, regID, ws)
	res := tx.SendBatch(ctx, b)
	defer res.Close()
	bookings, err := readBookings(res, len(ws))
	if err != nil {
		return nil, err
	}
	return bookings, res.Close()
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
	return mail.Enqueue(ctx, tx, message(reg, kind, token, change))
}

// message is the mail of kind that reports reg's current state.
func message(reg *Registration, kind mail.Kind, token string, change *mail.Change) mail.Message {
	m := mail.Message{Kind: kind, RegistrationID: reg.ID, EventID: reg.EventID, To: reg.Email,
		Name: reg.Name, Language: reg.Language, Token: token, RegistrationStatus: reg.Status, Change: change,
		Preferences: reg.Preferences, Bookings: append([]mail.Booking(nil), reg.Bookings...)}
	if kind == mail.KindPublished {
		m.Outcomes = reg.Outcomes
	}
	return m
}

package booking

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/fachtag/fachtag/internal/db"
	"github.com/fachtag/fachtag/internal/event"
	"github.com/fachtag/fachtag/internal/mail"
	"github.com/fachtag/fachtag/internal/registration"
	"github.com/fachtag/fachtag/internal/webhook"
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
	err := s.signUp(ctx, slug, &req, func(t *pipeTx, ev *event.Event) (err error) {
		reg, token, err = register(ctx, t, ev, req, nil)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	return reg, token, nil
}

// signUp runs fn in one transaction (a pipeTx) with the event's rules as
// cached by an earlier sign-up (at most rulesTTL old). Everything that
// decides a seat is checked by the statements themselves; when they find
// the cached rules out of date, signUp reads the event afresh and runs fn
// once more.
func (s *Service) signUp(ctx context.Context, slug string, req *Request, fn func(*pipeTx, *event.Event) error) error {
	for fresh := false; ; fresh = true {
		ev, err := s.checkedEvent(ctx, slug, req)
		if err != nil {
			return err
		}
		err = s.inPipeTx(ctx, ev.ID, func(t *pipeTx) error { return fn(t, ev) })
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

// finisher queues what a caller stores with a sign-up in its transaction
// (the reply to an idempotent request), for the registration as it stands.
type finisher func(b *pgx.Batch, reg *Registration, token string) error

// register writes a sign-up in two round trips of pipelined statements;
// no other path books a sign-up. The first begins the transaction, writes
// the registration and its token, books the chosen workshops (seatOrQueue,
// rows locked in id order) and reads them back with their waiting-list
// places. The second queues the mail through the one outbox writer and
// what finish adds, takes the event seat last (take_event_seat, migration
// 16) and commits: the event's counter is the hottest row of an opening
// rush, and this way its lock is held only for the commit, the workshop
// rows' for one round trip. When take_event_seat finds no seat it fails,
// the COMMIT behind it is skipped, and the sign-up goes back to the
// savepoint in front of the mail and joins the event's waiting list
// (eventFull) in more round trips. A pipelined batch without a transaction
// would save no round trip more but would need every rule a second time
// for the cases it cannot finish; what that costs is in the package doc.
func register(ctx context.Context, t *pipeTx, ev *event.Event, req Request, finish finisher) (*Registration, string, error) {
	reg := newRegistration(ev, req)
	var choices map[string]string
	if reg.Status == registration.Confirmed {
		choices = req.Choices
	}
	token, err := writeRegistration(ctx, t, ev, reg, req, choices)
	if err != nil {
		return nil, "", err
	}
	b := &pgx.Batch{}
	if reg.Status == registration.Confirmed {
		b.Queue(seatSavepoint)
	}
	if err := finishSignUp(b, reg, token, finish); err != nil {
		return nil, "", err
	}
	if reg.Status == registration.Confirmed {
		b.Queue(takeOpenSeat, ev.ID)
	}
	b.Queue(commitTx)
	err = t.SendBatch(ctx, b).Close()
	if isNoSeat(err) {
		err = eventFull(ctx, t, ev, reg, token, finish)
	}
	if err != nil {
		return nil, "", fmt.Errorf("sign-up: %w", err)
	}
	return reg, token, nil
}

// finishSignUp queues the mail and the webhook deliveries that report reg
// and what finish adds: statements in the batch, no round trip of their
// own.
func finishSignUp(b *pgx.Batch, reg *Registration, token string, finish finisher) error {
	if err := mail.Queue(b, message(reg, registeredKind(reg.Status), token, nil)); err != nil {
		return err
	}
	if err := webhook.Queue(b, hook(webhook.RegistrationCreated, reg, nil)); err != nil {
		return err
	}
	if finish == nil {
		return nil
	}
	return finish(b, reg, token)
}

// isNoSeat reports whether err is take_event_seat finding no open seat.
func isNoSeat(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "FT001"
}

// writeRegistration writes the registration and its token and books the
// choices, in one round trip.
func writeRegistration(ctx context.Context, tx db.Conn, ev *event.Event, reg *Registration, req Request, choices map[string]string) (string, error) {
	answers, _ := json.Marshal(nonNilMap(req.Answers))
	prefs, _ := json.Marshal(nonNilMap(req.Preferences))
	stored, _ := json.Marshal(nonNilMap(req.Choices))
	token, hash := NewToken()
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

// takeOpenSeat takes an event seat only while registration is open (the
// cached event that let the sign-up start may be up to rulesTTL old, the
// row is not), or fails; seatSavepoint is where a sign-up goes back to
// when it fails.
const (
	takeOpenSeat   = `SELECT take_event_seat($1)`
	seatSavepoint  = `SAVEPOINT seat`
	backBeforeSeat = `ROLLBACK TO SAVEPOINT seat`
	lockOpenEvent  = `
SELECT e.status = 'open' AND (e.opens_at IS NULL OR e.opens_at <= now()) AND (e.closes_at IS NULL OR now() < e.closes_at)
FROM events e JOIN event_seats s ON s.event_id = e.id WHERE e.id = $1 FOR NO KEY UPDATE OF s`
)

// eventFull handles a sign-up that found no event seat: back at the
// savepoint in front of its mail, and with the registration still open, it
// goes on the event's waiting list as a whole. The workshop seats just
// taken are given back (nobody else could see them), the choices stay
// stored for the day a seat frees up, and the mail is the waiting-list
// mail.
func eventFull(ctx context.Context, c db.Conn, ev *event.Event, reg *Registration, token string, finish finisher) error {
	if err := exec(ctx, c, backBeforeSeat); err != nil {
		return err
	}
	var open bool
	if err := c.QueryRow(ctx, lockOpenEvent, ev.ID).Scan(&open); err != nil {
		return fmt.Errorf("lock event: %w", err)
	}
	if !open {
		return ErrClosed
	}
	if err := joinEventQueue(ctx, c, ev, reg); err != nil {
		return err
	}
	b := &pgx.Batch{}
	if err := finishSignUp(b, reg, token, finish); err != nil {
		return err
	}
	return c.SendBatch(ctx, b).Close()
}

// joinEventQueue puts a registration on its event's waiting list as a
// whole, with the event row locked by the caller: the workshop seats it
// took go back, its choices stay stored for the day a seat frees up.
func joinEventQueue(ctx context.Context, tx db.Conn, ev *event.Event, reg *Registration) error {
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
func bookChoices(ctx context.Context, tx db.Conn, ev *event.Event, regID string, choices map[string]string) ([]Booking, error) {
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

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

// insertRegistration writes a registration and its personal link's token
// in one statement; the registration is the token's foreign key, checked
// at the statement's end.
const insertRegistration = `
WITH r AS (
    INSERT INTO registrations (id, event_id, name, email, organisation, role, language, answers,
        consent_privacy, consent_photos, choices, preferences, status)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now(), $9, $10, $11, $12)
    RETURNING id, created_at),
t AS (INSERT INTO tokens (hash, registration_id, purpose) SELECT $13, r.id, 'manage' FROM r)
SELECT created_at FROM r`

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
// the COMMIT behind it is skipped, the transaction is rolled back
// (errEventFull) and the sign-up is done again by registerAtCounter, which
// puts it on the event's waiting list: a full event is the end of a rush,
// and a savepoint in every sign-up to save that redo would cost each of
// them a subtransaction. A pipelined batch without a transaction would
// save no round trip more but would need every rule a second time for the
// cases it cannot finish; what that costs is in the package doc.
func register(ctx context.Context, t *pipeTx, ev *event.Event, req Request, finish finisher) (*Registration, string, error) {
	reg := newRegistration(ev, req)
	if reg.Status == registration.Confirmed && t.atCounter {
		return registerAtCounter(ctx, t, ev, reg, req, finish)
	}
	var choices map[string]string
	if reg.Status == registration.Confirmed {
		choices = req.Choices
	}
	token, err := writeRegistration(ctx, t, ev, reg, req, choices)
	if err != nil {
		return nil, "", err
	}
	err = commitSignUp(ctx, t, ev, reg, token, finish, reg.Status == registration.Confirmed)
	if isNoSeat(err) {
		return nil, "", errEventFull
	}
	if err != nil {
		return nil, "", fmt.Errorf("sign-up: %w", err)
	}
	return reg, token, nil
}

// commitSignUp is a sign-up's last round trip: the mail and what finish
// adds, the event seat when seat is set (take_event_seat, last), and the
// commit. A failed take_event_seat is the error isNoSeat reports.
func commitSignUp(ctx context.Context, t *pipeTx, ev *event.Event, reg *Registration, token string, finish finisher, seat bool) error {
	b := &pgx.Batch{}
	if err := finishSignUp(b, reg, token, finish); err != nil {
		return err
	}
	if seat {
		b.Queue(takeOpenSeat, ev.ID)
	}
	b.Queue(commitTx)
	return t.SendBatch(ctx, b).Close()
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
// choices, in one round trip; reg.Status is the status it is written with.
func writeRegistration(ctx context.Context, tx db.Conn, ev *event.Event, reg *Registration, req Request, choices map[string]string) (string, error) {
	b := &pgx.Batch{}
	token, ws := queueSignUp(b, ev, reg, req, choices)
	res := tx.SendBatch(ctx, b)
	defer res.Close()
	if err := readSignUp(res, reg, ws); err != nil {
		return "", err
	}
	return token, res.Close()
}

// queueSignUp queues the statement that writes reg and its token and the
// bookings of the chosen workshops; it returns the token and the
// workshops, which readSignUp needs to read the results.
func queueSignUp(b *pgx.Batch, ev *event.Event, reg *Registration, req Request, choices map[string]string) (string, []event.Workshop) {
	answers, _ := json.Marshal(nonNilMap(req.Answers))
	prefs, _ := json.Marshal(nonNilMap(req.Preferences))
	stored, _ := json.Marshal(nonNilMap(req.Choices))
	token, hash := NewToken()
	b.Queue(insertRegistration, reg.ID, ev.ID, req.Name, req.Email, req.Organisation, req.Role,
		req.Language, answers, req.Consents.Photos, stored, prefs, reg.Status, hash)
	ws := chosenWorkshops(ev, choices)
	if len(ws) > 0 {
		queueBookings(b, ev.ID, reg.ID, ws)
	}
	return token, ws
}

func readSignUp(res pgx.BatchResults, reg *Registration, ws []event.Workshop) error {
	err := res.QueryRow().Scan(&reg.CreatedAt)
	if db.IsUniqueViolation(err, "registrations_one_per_email") {
		return ErrDuplicate
	}
	if err != nil {
		return fmt.Errorf("insert registration: %w", err)
	}
	if len(ws) > 0 {
		reg.Bookings, err = readBookings(res, len(ws))
	}
	return err
}

const undoBookings = `
WITH gone AS (DELETE FROM bookings WHERE registration_id = $1 RETURNING workshop_id, status)
UPDATE workshops w SET taken = w.taken - 1
FROM gone WHERE gone.workshop_id = w.id AND gone.status = 'confirmed'`

// takeOpenSeat takes an event seat only while registration is open (the
// cached event that let the sign-up start may be up to rulesTTL old, the
// row is not), or fails.
const takeOpenSeat = `SELECT take_event_seat($1)`

// lockFullEvent locks the event's seat counter and tells whether the
// event is open and whether it is full.
const lockFullEvent = `
SELECT e.status = 'open' AND (e.opens_at IS NULL OR e.opens_at <= now()) AND (e.closes_at IS NULL OR now() < e.closes_at),
       s.taken >= s.capacity
FROM events e JOIN event_seats s ON s.event_id = e.id WHERE e.id = $1 FOR NO KEY UPDATE OF s`

// joinEventLine puts a registration of this transaction on its event's
// waiting list and returns its place: a new seq, drawn under the lock of
// the event's seat counter (or of the events row), puts it at the end of
// the line in the order the lock was granted, and the statement's
// snapshot, taken after the lock, sees everyone who queued before. The
// registration's own row is counted by the 1 +.
const joinEventLine = `
WITH me AS (
    UPDATE registrations SET status = 'waitlisted', seq = nextval(pg_get_serial_sequence('registrations', 'seq'))
    WHERE id = $1 RETURNING event_id, seq)
SELECT 1 + count(r.id) FROM me LEFT JOIN registrations r
    ON r.event_id = me.event_id AND r.status = 'waitlisted' AND r.seq < me.seq AND r.id <> $1
GROUP BY me.seq`

// errEventFull: a sign-up found no open event seat at its commit; it is
// rolled back and done again by registerAtCounter.
var errEventFull = errors.New("no open event seat")

// registerAtCounter writes a sign-up for an event that a sign-up found
// full a moment ago. Its first round trip is register's with the event's
// seat counter locked at its end (workshops, then the counter: the lock
// order), so what it finds there stays true until it commits: with a seat
// left, the mail and the seat follow as in register; without, the
// registration goes on the event's waiting list as a whole
// (joinEventQueue: the workshop seats it took go back, its choices stay
// stored for the day a seat frees up) and gets the waiting-list mail. It
// holds the counter for two or three round trips where register holds it
// for its commit, so only the sign-ups after a full event's last seat
// take this way.
func registerAtCounter(ctx context.Context, t *pipeTx, ev *event.Event, reg *Registration, req Request, finish finisher) (*Registration, string, error) {
	token, full, err := writeAtCounter(ctx, t, ev, reg, req)
	if err != nil {
		return nil, "", err
	}
	if full {
		if err := joinEventQueue(ctx, t, reg); err != nil {
			return nil, "", err
		}
	}
	err = commitSignUp(ctx, t, ev, reg, token, finish, !full)
	if isNoSeat(err) { // the seat was there under the lock: the window closed
		return nil, "", ErrClosed
	}
	if err != nil {
		return nil, "", fmt.Errorf("sign-up: %w", err)
	}
	return reg, token, nil
}

// writeAtCounter is registerAtCounter's first round trip: the
// registration, its token and its bookings as in writeRegistration, then
// the counter's lock. It reports whether the event is full; a closed event
// is ErrClosed.
func writeAtCounter(ctx context.Context, t *pipeTx, ev *event.Event, reg *Registration, req Request) (token string, full bool, err error) {
	b := &pgx.Batch{}
	token, ws := queueSignUp(b, ev, reg, req, req.Choices)
	b.Queue(lockFullEvent, ev.ID)
	res := t.SendBatch(ctx, b)
	defer res.Close()
	if err := readSignUp(res, reg, ws); err != nil {
		return "", false, err
	}
	var open bool
	if err := res.QueryRow().Scan(&open, &full); err != nil {
		return "", false, fmt.Errorf("lock event seats: %w", err)
	}
	if !open {
		return "", false, ErrClosed
	}
	return token, full, res.Close()
}

// joinEventQueue puts a registration on its event's waiting list as a
// whole, with the event's seat counter locked by the caller, in one round
// trip: the workshop seats it took go back, its choices stay stored for
// the day a seat frees up.
func joinEventQueue(ctx context.Context, tx db.Conn, reg *Registration) error {
	b := &pgx.Batch{}
	b.Queue(undoBookings, reg.ID)
	b.Queue(joinEventLine, reg.ID)
	res := tx.SendBatch(ctx, b)
	defer res.Close()
	if _, err := res.Exec(); err != nil {
		return fmt.Errorf("give back workshop seats: %w", err)
	}
	if err := res.QueryRow().Scan(&reg.WaitlistPosition); err != nil {
		return fmt.Errorf("join event waiting list: %w", err)
	}
	reg.Status, reg.Bookings = registration.Waitlisted, nil
	return res.Close()
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

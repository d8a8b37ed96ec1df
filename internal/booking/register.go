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
// (errEventFull) and the sign-up is done again as one for the event's
// waiting list (registerWaitlisted): a full event is the end of a rush,
// and a savepoint in every sign-up to save that redo would cost each of
// them a subtransaction. A pipelined batch without a transaction would
// save no round trip more but would need every rule a second time for the
// cases it cannot finish; what that costs is in the package doc.
func register(ctx context.Context, t *pipeTx, ev *event.Event, req Request, finish finisher) (*Registration, string, error) {
	reg := newRegistration(ev, req)
	if reg.Status == registration.Confirmed && t.eventFull {
		return registerWaitlisted(ctx, t, ev, reg, req, finish)
	}
	var choices map[string]string
	if reg.Status == registration.Confirmed {
		choices = req.Choices
	}
	token, err := writeRegistration(ctx, t, ev, reg, req, choices)
	if err != nil {
		return nil, "", err
	}
	b := &pgx.Batch{}
	if err := finishSignUp(b, reg, token, finish); err != nil {
		return nil, "", err
	}
	if reg.Status == registration.Confirmed {
		b.Queue(takeOpenSeat, ev.ID)
	}
	b.Queue(commitTx)
	err = t.SendBatch(ctx, b).Close()
	if isNoSeat(err) {
		return nil, "", errEventFull
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
// choices, in one round trip; reg.Status is the status it is written with.
func writeRegistration(ctx context.Context, tx db.Conn, ev *event.Event, reg *Registration, req Request, choices map[string]string) (string, error) {
	b := &pgx.Batch{}
	token := queueRegistration(b, ev, reg, req)
	ws := chosenWorkshops(ev, choices)
	if len(ws) > 0 {
		queueBookings(b, ev.ID, reg.ID, ws)
	}
	res := tx.SendBatch(ctx, b)
	defer res.Close()
	if err := readRegistration(res, reg); err != nil {
		return "", err
	}
	if len(ws) > 0 {
		var err error
		if reg.Bookings, err = readBookings(res, len(ws)); err != nil {
			return "", err
		}
	}
	return token, res.Close()
}

// queueRegistration queues the statement that writes reg and its token
// and returns the token; readRegistration reads what it returns.
func queueRegistration(b *pgx.Batch, ev *event.Event, reg *Registration, req Request) string {
	answers, _ := json.Marshal(nonNilMap(req.Answers))
	prefs, _ := json.Marshal(nonNilMap(req.Preferences))
	stored, _ := json.Marshal(nonNilMap(req.Choices))
	token, hash := NewToken()
	b.Queue(insertRegistration, reg.ID, ev.ID, req.Name, req.Email, req.Organisation, req.Role,
		req.Language, answers, req.Consents.Photos, stored, prefs, reg.Status, hash)
	return token
}

func readRegistration(res pgx.BatchResults, reg *Registration) error {
	err := res.QueryRow().Scan(&reg.CreatedAt)
	if db.IsUniqueViolation(err, "registrations_one_per_email") {
		return ErrDuplicate
	}
	if err != nil {
		return fmt.Errorf("insert registration: %w", err)
	}
	return nil
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

// A sign-up that finds no event seat is rolled back and done again as one
// for the event's waiting list (errEventFull); one of those that finds a
// seat free again is done again as one for a seat (errSeatFreed).
var (
	errEventFull = errors.New("no open event seat")
	errSeatFreed = errors.New("an event seat came free")
)

// registerWaitlisted writes a sign-up for an event that the try before
// found full, in two round trips like register. The first writes the
// registration as waitlisted, checks its choices against the workshop
// rows (as booking them would), locks the event's seat counter and, when
// the event is still open and still full, gives it its place in the
// event's waiting list (joinEventLine); its choices are stored for the day
// a seat frees up. The second queues the waiting-list mail and commits.
// The counter stays locked for both round trips, and the sign-ups for the
// waiting list take turns on it: their places are their order. The
// registration is written before the counter is locked, as in register:
// its insert may wait for a cancellation of the same e-mail address, which
// takes the counter after its registration row.
func registerWaitlisted(ctx context.Context, t *pipeTx, ev *event.Event, reg *Registration, req Request, finish finisher) (*Registration, string, error) {
	reg.Status = registration.Waitlisted
	b := &pgx.Batch{}
	token := queueRegistration(b, ev, reg, req)
	ws := chosenWorkshops(ev, req.Choices)
	if len(ws) > 0 {
		queueChoicesCheck(b, ws)
	}
	b.Queue(lockFullEvent, ev.ID)
	b.Queue(joinEventLine, reg.ID)
	res := t.SendBatch(ctx, b)
	var open, full bool
	err := readRegistration(res, reg)
	if err == nil && len(ws) > 0 {
		err = readChoicesCheck(res, ws)
	}
	if err == nil {
		err = res.QueryRow().Scan(&open, &full)
	}
	if err == nil {
		err = res.QueryRow().Scan(&reg.WaitlistPosition)
	}
	if cerr := res.Close(); err == nil {
		err = cerr
	}
	switch {
	case isStale(err), errors.Is(err, ErrDuplicate):
		return nil, "", err
	case err != nil:
		return nil, "", fmt.Errorf("sign-up for the waiting list: %w", err)
	case !open:
		return nil, "", ErrClosed
	case !full:
		return nil, "", errSeatFreed
	}
	b = &pgx.Batch{}
	if err := finishSignUp(b, reg, token, finish); err != nil {
		return nil, "", err
	}
	b.Queue(commitTx)
	if err := t.SendBatch(ctx, b).Close(); err != nil {
		return nil, "", fmt.Errorf("sign-up for the waiting list: %w", err)
	}
	return reg, token, nil
}

// choicesMatch counts the chosen workshops whose rows still have the slot
// and topic of the event that the sign-up was checked against.
const choicesMatch = `
SELECT count(*) FROM workshops w, unnest($1::bigint[], $2::bigint[], $3::text[]) AS c(id, slot_id, topic)
WHERE w.id = c.id AND w.slot_id = c.slot_id AND w.topic = c.topic`

// queueChoicesCheck queues the check that ws are still as the event said,
// for a sign-up that books none of them; readChoicesCheck reads it and
// answers errStaleEvent when one is gone, moved or re-topiced.
func queueChoicesCheck(b *pgx.Batch, ws []event.Workshop) {
	ids, slots, topics := make([]int64, len(ws)), make([]int64, len(ws)), make([]string, len(ws))
	for i, w := range ws {
		ids[i], slots[i], topics[i] = w.ID, w.SlotID, w.Topic
	}
	b.Queue(choicesMatch, ids, slots, topics)
}

func readChoicesCheck(res pgx.BatchResults, ws []event.Workshop) error {
	var n int
	if err := res.QueryRow().Scan(&n); err != nil {
		return fmt.Errorf("check choices: %w", err)
	}
	if n != len(ws) {
		return errStaleEvent
	}
	return nil
}

// joinEventQueue puts a registration on its event's waiting list as a
// whole, with the event row locked by the caller: the workshop seats it
// took go back, its choices stay stored for the day a seat frees up.
func joinEventQueue(ctx context.Context, tx db.Conn, reg *Registration) error {
	if err := exec(ctx, tx, undoBookings, reg.ID); err != nil {
		return err
	}
	reg.Status, reg.Bookings = registration.Waitlisted, nil
	if err := tx.QueryRow(ctx, joinEventLine, reg.ID).Scan(&reg.WaitlistPosition); err != nil {
		return fmt.Errorf("join event waiting list: %w", err)
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

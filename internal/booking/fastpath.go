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
)

// The fast path books the common case of an opening rush — the event has a
// seat and is open — in one round trip: every statement goes out in one
// pipelined batch, which PostgreSQL runs as one implicit transaction. No
// lock is held while the server waits for the client, so the hot event and
// workshop rows are locked only for the time the server needs to execute
// and commit. Anything unusual (event full or closed, a deadlock) makes the
// last statement abort the batch, and the sign-up runs again on the
// ordinary transactional path, which knows every rule.

// seatOrQueue locks the workshop row — only if it is still in the slot and
// of the topic the (possibly cached) event said, else it books nothing and
// the final assertion sends the sign-up to the transactional path — takes a seat if there is one and
// books it, or else joins the waiting list. The lock is taken even when
// the workshop is full, so that waiting-list places are handed out in the
// order of the lock.
const seatOrQueue = `
WITH w AS (SELECT id, taken < capacity AS room FROM workshops
           WHERE id = $4 AND slot_id = $3 AND topic = $5 FOR NO KEY UPDATE),
seat AS (UPDATE workshops SET taken = workshops.taken + 1 FROM w
         WHERE workshops.id = w.id AND w.room AND workshops.taken < workshops.capacity
         RETURNING workshops.id)
INSERT INTO bookings (registration_id, event_id, slot_id, workshop_id, topic, status)
SELECT $1, $2, $3, w.id, $5, CASE WHEN EXISTS (SELECT 1 FROM seat) THEN 'confirmed' ELSE 'waitlisted' END
FROM w`

// queueConfirmedMail writes the confirmation mail; the bookings, with their
// waiting-list places, are added from the rows just written.
const queueConfirmedMail = `
INSERT INTO outbox (kind, registration_id, recipient, language, payload, message_id)
SELECT 'confirmed', $1, $2, $3, $4::jsonb || jsonb_build_object('bookings', coalesce(b.list, '[]'::jsonb)), $5
FROM (SELECT jsonb_agg(jsonb_build_object(
             'slot', s.key, 'workshop', w.key, 'status', bk.status,
             'waitlist_position', CASE WHEN bk.status = 'waitlisted' THEN
                 (SELECT count(*) FROM bookings q WHERE q.workshop_id = bk.workshop_id
                    AND q.status = 'waitlisted' AND q.queue_seq <= bk.queue_seq) ELSE 0 END)
             ORDER BY s.starts_at, s.position, s.key) AS list
      FROM bookings bk JOIN slots s ON s.id = bk.slot_id JOIN workshops w ON w.id = bk.workshop_id
      WHERE bk.registration_id = $1) b
RETURNING payload->'bookings'`

// assertEventSeat takes the event seat and checks that every chosen
// workshop was booked; either failing aborts the whole batch.
const assertEventSeat = `
WITH s AS (` + takeOpenSeat + ` RETURNING 1)
SELECT fachtag_assert(EXISTS (SELECT 1 FROM s), 'no open event seat')
   AND fachtag_assert((SELECT count(*) FROM bookings WHERE registration_id = $2) = $3, 'event changed')`

// errSlowPath means the fast path stepped back and changed nothing.
var errSlowPath = errors.New("take the transactional path")

func registerFast(ctx context.Context, q interface {
	SendBatch(context.Context, *pgx.Batch) pgx.BatchResults
}, ev *event.Event, req Request) (*Registration, string, error) {
	reg := newRegistration(ev, req) // booking phase: confirmed
	token, hash := newToken()
	b, err := fastBatch(ev, reg, req, hash, token)
	if err != nil {
		return nil, "", err
	}
	res := q.SendBatch(ctx, b)
	err = readFast(res, reg, len(req.Choices))
	if cerr := res.Close(); err == nil && cerr != nil {
		err = cerr
	}
	switch {
	case err == nil:
		return reg, token, nil
	case db.IsUniqueViolation(err, "registrations_one_per_email"):
		return nil, "", ErrDuplicate
	case stepBack(err):
		return nil, "", errSlowPath
	}
	return nil, "", err
}

func fastBatch(ev *event.Event, reg *Registration, req Request, hash []byte, token string) (*pgx.Batch, error) {
	answers, _ := json.Marshal(nonNilMap(req.Answers))
	choices, _ := json.Marshal(nonNilMap(req.Choices))
	payload, err := json.Marshal(mail.Message{Kind: mail.KindConfirmed, RegistrationID: reg.ID, EventID: ev.ID,
		To: reg.Email, Name: reg.Name, Language: reg.Language, Token: token, RegistrationStatus: StatusConfirmed})
	if err != nil {
		return nil, fmt.Errorf("encode mail: %w", err)
	}
	b := &pgx.Batch{}
	b.Queue(insertRegistration, reg.ID, ev.ID, req.Name, req.Email, req.Organisation, req.Role,
		req.Language, answers, req.Consents.Photos, choices, []byte("{}"), StatusConfirmed)
	b.Queue(insertToken, hash, reg.ID)
	for _, w := range chosenWorkshops(ev, req.Choices) {
		b.Queue(seatOrQueue, reg.ID, ev.ID, w.SlotID, w.ID, w.Topic)
	}
	b.Queue(queueConfirmedMail, reg.ID, reg.Email, reg.Language, payload, mail.NewMessageID())
	b.Queue(assertEventSeat, ev.ID, reg.ID, len(req.Choices))
	return b, nil
}

// readFast reads the batch's results in order; the first error stops it.
func readFast(res pgx.BatchResults, reg *Registration, choices int) error {
	if err := res.QueryRow().Scan(&reg.CreatedAt); err != nil {
		return err
	}
	for i := 0; i < 1+choices; i++ { // token, then one row per workshop
		if _, err := res.Exec(); err != nil {
			return err
		}
	}
	var bookings []byte
	if err := res.QueryRow().Scan(&bookings); err != nil {
		return err
	}
	if _, err := res.Exec(); err != nil {
		return err
	}
	return json.Unmarshal(bookings, &reg.Bookings)
}

// stepBack reports the errors after which the transactional path should
// try: the assertion (event full or closed), deadlocks and lock timeouts.
func stepBack(err error) bool {
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) {
		return false
	}
	switch pgErr.Code {
	case "FT001", "40P01", "40001", "55P03":
		return true
	}
	return false
}

// chosenWorkshops are the chosen workshops in id order, the order in which
// every transaction locks workshop rows.
func chosenWorkshops(ev *event.Event, choices map[string]string) []event.Workshop {
	ws := make([]event.Workshop, 0, len(choices))
	for _, key := range choices {
		if w, ok := ev.Workshop(key); ok {
			ws = append(ws, w)
		}
	}
	sortByID(ws)
	return ws
}

func sortByID(ws []event.Workshop) {
	sort.Slice(ws, func(i, j int) bool { return ws[i].ID < ws[j].ID })
}

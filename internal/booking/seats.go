package booking

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/fachtag/fachtag/internal/db"
	"github.com/fachtag/fachtag/internal/event"
)

// Row locks are FOR NO KEY UPDATE, never FOR UPDATE: every booking insert
// takes FOR KEY SHARE on the event and workshop it references (foreign
// keys), and FOR UPDATE would conflict with those and deadlock.
//
// Seats are counters on the event_seats and workshop rows. A guarded UPDATE takes
// one; the CHECK constraints (taken <= capacity) make an oversell impossible
// even if a code path forgot the guard. When no seat is left the row is
// locked anyway, so waiting-list joins queue up behind each other and every
// joiner learns its true position.

const (
	takeEventSeat   = `UPDATE event_seats SET taken = taken + 1 WHERE event_id = $1 AND taken < capacity`
	freeEventSeat   = `UPDATE event_seats SET taken = taken - 1 WHERE event_id = $1`
	takeWorkshop    = `UPDATE workshops SET taken = taken + 1 WHERE id = $1 AND taken < capacity`
	lockWorkshop    = `SELECT 1 FROM workshops WHERE id = $1 FOR NO KEY UPDATE`
	freeWorkshop    = `UPDATE workshops SET taken = taken - 1 WHERE id = $1`
	forceWorkshop   = `UPDATE workshops SET taken = taken + 1 WHERE id = $1`
	workshopHasRoom = `SELECT taken < capacity FROM workshops WHERE id = $1 FOR NO KEY UPDATE`
)

// take tries the guarded update; when it finds no seat it locks the row.
func take(ctx context.Context, tx db.Conn, guarded, lock string, id int64) (bool, error) {
	tag, err := tx.Exec(ctx, guarded, id)
	if err != nil {
		return false, fmt.Errorf("take seat: %w", err)
	}
	if tag.RowsAffected() == 1 {
		return true, nil
	}
	if _, err := tx.Exec(ctx, lock, id); err != nil {
		return false, fmt.Errorf("lock full row: %w", err)
	}
	return false, nil
}

// mustTake takes a seat that the caller has seen free under a row lock.
func mustTake(ctx context.Context, tx db.Conn, guarded string, id int64) error {
	tag, err := tx.Exec(ctx, guarded, id)
	if err != nil {
		return fmt.Errorf("take seat: %w", err)
	}
	if tag.RowsAffected() != 1 {
		return fmt.Errorf("seat of row %d vanished under its lock", id)
	}
	return nil
}

// execOne runs a statement that must change exactly one row.
func execOne(ctx context.Context, tx db.Conn, sql string, args ...any) error {
	tag, err := tx.Exec(ctx, sql, args...)
	if err != nil {
		return fmt.Errorf("%.40s…: %w", sql, err)
	}
	if tag.RowsAffected() != 1 {
		return fmt.Errorf("%.40s…: changed %d rows, want 1", sql, tag.RowsAffected())
	}
	return nil
}

func exec(ctx context.Context, tx db.Conn, sql string, args ...any) error {
	if _, err := tx.Exec(ctx, sql, args...); err != nil {
		return fmt.Errorf("%.40s…: %w", sql, err)
	}
	return nil
}

const insertSeat = `
INSERT INTO bookings (registration_id, event_id, slot_id, workshop_id, topic, status)
VALUES ($1, $2, $3, $4, $5, 'confirmed')`

// The CTE's row is not visible to the count, hence the 1 +.
const insertQueued = `
WITH ins AS (
    INSERT INTO bookings (registration_id, event_id, slot_id, workshop_id, topic, status)
    VALUES ($1, $2, $3, $4, $5, 'waitlisted')
    RETURNING workshop_id, queue_seq)
SELECT 1 + (SELECT count(*) FROM bookings b, ins
            WHERE b.workshop_id = ins.workshop_id AND b.status = 'waitlisted'
              AND b.queue_seq < ins.queue_seq)
FROM ins`

// seatOrQueue books one chosen workshop: it locks the row, takes a seat
// if there is one and records the booking as confirmed, or else as
// waitlisted. The lock is taken even when the workshop is full, so that
// waiting-list places are handed out in the order of the lock. It is the
// one statement that books a sign-up's choices, for a new registration as
// for one admitted from the event's waiting list. No row means the
// workshop is gone; a slot or topic that changed since the event was read
// fails on the bookings' key to the workshop (bookings_workshop_fkey).
const seatOrQueue = `
WITH w AS (SELECT id, taken < capacity AS room FROM workshops WHERE id = $4 FOR NO KEY UPDATE),
seat AS (UPDATE workshops SET taken = workshops.taken + 1 FROM w
         WHERE workshops.id = w.id AND w.room AND workshops.taken < workshops.capacity
         RETURNING workshops.id)
INSERT INTO bookings (registration_id, event_id, slot_id, workshop_id, topic, status)
SELECT $1, $2, $3, w.id, $5, CASE WHEN EXISTS (SELECT 1 FROM seat) THEN 'confirmed' ELSE 'waitlisted' END
FROM w`

// errStaleEvent means the event read before the transaction no longer
// matches its rows: a chosen workshop is gone, moved or re-topiced.
var errStaleEvent = errors.New("the event changed while signing up")

// queueBookings queues the bookings of ws (in id order: the order in
// which every transaction locks workshop rows) and then the read of the
// registration's bookings. The read is a statement of its own, so its
// snapshot sees every waiting-list place handed out before the locks were
// granted, and the positions it counts are true.
func queueBookings(b *pgx.Batch, eventID int64, regID string, ws []event.Workshop) {
	for _, w := range ws {
		b.Queue(seatOrQueue, regID, eventID, w.SlotID, w.ID, w.Topic)
	}
	b.Queue(selectBookings, regID)
}

// readBookings reads the results that queueBookings queued for n workshops.
func readBookings(res pgx.BatchResults, n int) ([]Booking, error) {
	for range n {
		tag, err := res.Exec()
		if isStale(err) || (err == nil && tag.RowsAffected() != 1) {
			return nil, errStaleEvent
		}
		if err != nil {
			return nil, fmt.Errorf("book workshop: %w", err)
		}
	}
	rows, err := res.Query()
	if err != nil {
		return nil, fmt.Errorf("read bookings: %w", err)
	}
	return collectBookings(rows)
}

// isStale reports whether err says that the event that the caller read is
// out of date.
func isStale(err error) bool {
	var pgErr *pgconn.PgError
	return errors.Is(err, errStaleEvent) ||
		(errors.As(err, &pgErr) && pgErr.Code == "23503" && pgErr.ConstraintName == "bookings_workshop_fkey")
}

// chosenWorkshops are the chosen workshops in id order.
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

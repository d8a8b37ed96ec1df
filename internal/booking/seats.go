package booking

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

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
func take(ctx context.Context, tx pgx.Tx, guarded, lock string, id int64) (bool, error) {
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
func mustTake(ctx context.Context, tx pgx.Tx, guarded string, id int64) error {
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
func execOne(ctx context.Context, tx pgx.Tx, sql string, args ...any) error {
	tag, err := tx.Exec(ctx, sql, args...)
	if err != nil {
		return fmt.Errorf("%.40s…: %w", sql, err)
	}
	if tag.RowsAffected() != 1 {
		return fmt.Errorf("%.40s…: changed %d rows, want 1", sql, tag.RowsAffected())
	}
	return nil
}

func exec(ctx context.Context, tx pgx.Tx, sql string, args ...any) error {
	if _, err := tx.Exec(ctx, sql, args...); err != nil {
		return fmt.Errorf("%.40s…: %w", sql, err)
	}
	return nil
}

// takeSeat takes a seat and records the booking in one statement; no row
// means the workshop is full.
const takeSeat = `
WITH seat AS (UPDATE workshops SET taken = taken + 1 WHERE id = $4 AND taken < capacity RETURNING id)
INSERT INTO bookings (registration_id, event_id, slot_id, workshop_id, topic, status)
SELECT $1, $2, $3, seat.id, $5, 'confirmed' FROM seat`

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

// book gives regID a seat in w, or a place on its waiting list when full.
func book(ctx context.Context, tx pgx.Tx, eventID int64, regID string, w event.Workshop) (Booking, error) {
	b := Booking{Slot: w.SlotKey, Workshop: w.Key, Status: StatusConfirmed}
	tag, err := tx.Exec(ctx, takeSeat, regID, eventID, w.SlotID, w.ID, w.Topic)
	if err != nil {
		return b, fmt.Errorf("take seat: %w", err)
	}
	if tag.RowsAffected() == 1 {
		return b, nil
	}
	if err := exec(ctx, tx, lockWorkshop, w.ID); err != nil {
		return b, err
	}
	b.Status = StatusWaitlisted
	err = tx.QueryRow(ctx, insertQueued, regID, eventID, w.SlotID, w.ID, w.Topic).Scan(&b.WaitlistPosition)
	if err != nil {
		return b, fmt.Errorf("join waiting list: %w", err)
	}
	return b, nil
}

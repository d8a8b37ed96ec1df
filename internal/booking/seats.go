package booking

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/fachtag/fachtag/internal/event"
)

// Seats are counters on the event and workshop rows. A guarded UPDATE takes
// one; the CHECK constraints (taken <= capacity) make an oversell impossible
// even if a code path forgot the guard. When no seat is left the row is
// locked anyway, so waiting-list joins queue up behind each other and every
// joiner learns its true position.

const (
	takeEventSeat   = `UPDATE events SET confirmed = confirmed + 1 WHERE id = $1 AND confirmed < capacity`
	lockEvent       = `SELECT 1 FROM events WHERE id = $1 FOR UPDATE`
	freeEventSeat   = `UPDATE events SET confirmed = confirmed - 1 WHERE id = $1`
	takeWorkshop    = `UPDATE workshops SET taken = taken + 1 WHERE id = $1 AND taken < capacity`
	lockWorkshop    = `SELECT 1 FROM workshops WHERE id = $1 FOR UPDATE`
	freeWorkshop    = `UPDATE workshops SET taken = taken - 1 WHERE id = $1`
	forceWorkshop   = `UPDATE workshops SET taken = taken + 1 WHERE id = $1`
	workshopHasRoom = `SELECT taken < capacity FROM workshops WHERE id = $1 FOR UPDATE`
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

func exec(ctx context.Context, tx pgx.Tx, sql string, args ...any) error {
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

// book gives regID a seat in w, or a place on its waiting list when full.
func book(ctx context.Context, tx pgx.Tx, eventID int64, regID string, w event.Workshop) (Booking, error) {
	b := Booking{Slot: w.SlotKey, Workshop: w.Key}
	got, err := take(ctx, tx, takeWorkshop, lockWorkshop, w.ID)
	if err != nil {
		return b, err
	}
	if got {
		b.Status = StatusConfirmed
		return b, exec(ctx, tx, insertSeat, regID, eventID, w.SlotID, w.ID, w.Topic)
	}
	b.Status = StatusWaitlisted
	err = tx.QueryRow(ctx, insertQueued, regID, eventID, w.SlotID, w.ID, w.Topic).Scan(&b.WaitlistPosition)
	if err != nil {
		return b, fmt.Errorf("join waiting list: %w", err)
	}
	return b, nil
}

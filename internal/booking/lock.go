package booking

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// The lock order. Every transaction that touches an event's seats,
// registrations or waiting lists takes its row locks in this order; a path
// that cannot follow it is redesigned, not retried:
//
//  1. The events row, FOR NO KEY UPDATE (lockEvent), taken first by every
//     change to registrations that exist: cancel, swap, leave, promotion, the
//     organiser's manual actions (a bulk action: one person per transaction,
//     bulk.go), import, publication of an allocation
//     (allocrun), wish changes. These run one at a time per event. A new
//     sign-up skips it: it changes no existing row, and the foreign-key
//     checks of its inserts take FOR KEY SHARE, which does not conflict.
//  2. The registration rows the change is about.
//  3. Workshop rows, in id order. A change that can hand a seat on — a
//     cancel, swap, move or refill, whose promotions cascade from workshop
//     to workshop — locks all the event's workshops at once before it frees
//     anything (lockWorkshops), since it cannot know which it will touch.
//  4. The event's seat counter (event_seats), last: it is the hottest row
//     of an opening rush, so its lock is held for the shortest time. A
//     sign-up takes it in the round trip that commits (register), so the
//     server holds it only for the flush. A sign-up that finds no seat is
//     rolled back and done again by registerAtCounter, which locks the
//     counter at the end of its first round trip, after its workshops, and
//     holds it to its commit: what it finds there stays true, and the
//     sign-ups for the waiting list get their places in turn. The
//     sign-ups soon after one that found the event full go that way at
//     once (seatOrLine).
//
// A promotion locks the promoted person's registration row after 3 and 4
// (its updates do). That cannot deadlock: every other transaction that
// holds an existing registration and then waits for a workshop or the seat
// counter holds the events row (1) and so is not running; a sign-up holds
// only the registration it creates; check-in, retention and link mails
// lock registrations but wait for nothing in 3 or 4.
//
// Reconfirmation (package reconfirm) follows the same order: its
// scheduler's steps and the participants' answers take the events row
// first (the settings are read under it, and the organiser's save takes
// it too), then the registration (LockRegistration), and write the
// question rows, which belong to the registration, before any workshop.
//
// The event-waiting-list refill used to take the seat counter and then
// workshop rows, the reverse of a sign-up, and deadlocked against the
// rush; with 3 before 4 it holds every workshop before it looks at the
// counter.

const (
	lockEventRow     = `SELECT 1 FROM events WHERE id = $1 FOR NO KEY UPDATE`
	lockEventBySlug  = `SELECT id FROM events WHERE slug = $1 FOR NO KEY UPDATE`
	lockAllWorkshops = `SELECT id FROM workshops WHERE event_id = $1 ORDER BY id FOR NO KEY UPDATE`
	eventOf          = `SELECT event_id FROM registrations WHERE id = $1`
)

// lockEvent takes step 1 for the event.
func lockEvent(ctx context.Context, tx pgx.Tx, eventID int64) error {
	return exec(ctx, tx, lockEventRow, eventID)
}

// lockEventOf takes step 1 for the event of a registration.
func lockEventOf(ctx context.Context, tx pgx.Tx, regID string) error {
	var eventID int64
	err := tx.QueryRow(ctx, eventOf, regID).Scan(&eventID)
	if errors.Is(err, pgx.ErrNoRows) {
		return ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("event of registration: %w", err)
	}
	return lockEvent(ctx, tx, eventID)
}

// lockWorkshops takes step 3 for all the event's workshops.
func lockWorkshops(ctx context.Context, tx pgx.Tx, eventID int64) error {
	rows, err := tx.Query(ctx, lockAllWorkshops, eventID)
	if err != nil {
		return fmt.Errorf("lock workshops: %w", err)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("lock workshops: %w", err)
	}
	return nil
}

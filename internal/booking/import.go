package booking

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/fachtag/fachtag/internal/db"
	"github.com/fachtag/fachtag/internal/event"
)

// ImportEvent creates or updates an event from its file and, in the same
// transaction, hands every seat that a raised capacity frees to the waiting
// lists, first in first out, with their mails. Without that, the next
// sign-up would take a seat ahead of the people waiting for it.
func ImportEvent(ctx context.Context, pool *pgxpool.Pool, f *event.File) (created bool, err error) {
	err = db.Transact(ctx, pool, func(tx pgx.Tx) error {
		_, created, err = ImportEventTx(ctx, tx, f)
		return err
	})
	return created, err
}

// ImportEventTx is ImportEvent inside the caller's transaction; it returns
// the event's id.
func ImportEventTx(ctx context.Context, tx pgx.Tx, f *event.File) (id int64, created bool, err error) {
	if err := lockForImport(ctx, tx, f.Slug); err != nil {
		return 0, false, err
	}
	if id, created, err = event.ImportTx(ctx, tx, f); err != nil {
		return 0, false, err
	}
	return id, created, refill(ctx, tx, id)
}

const seatCapacityNow = `SET CONSTRAINTS event_seats_follow_capacity IMMEDIATE`

// refill fills every workshop with room from its waiting list, then the
// event from its own.
func refill(ctx context.Context, tx pgx.Tx, eventID int64) error {
	ev, err := event.LoadByID(ctx, tx, eventID)
	if err != nil {
		return err
	}
	p := newPromoter(tx, ev)
	for _, w := range sortedByID(ev.Workshops) {
		if err := p.fillWorkshop(ctx, w); err != nil {
			return err
		}
	}
	// A changed capacity reaches the event's seat counter at commit
	// (migration 10); the refill needs it now, after the workshops.
	if _, err := tx.Exec(ctx, seatCapacityNow); err != nil {
		if db.IsCheckViolation(err, "event_seats_taken_within_capacity") {
			// Sign-ups took seats after the import checked the capacity.
			return &event.Problems{event.NewProblem("$.capacity", "file.capacity_raced")}
		}
		return fmt.Errorf("event capacity: %w", err)
	}
	if err := p.fillEvent(ctx); err != nil {
		return err
	}
	return p.notify(ctx)
}

// lockForImport takes the locks of an existing event that the import and
// its refill will need, in the order of lock.go: the events row, then all
// its workshops (the import rewrites them in the order of the file).
func lockForImport(ctx context.Context, tx pgx.Tx, slug string) error {
	var id int64
	err := tx.QueryRow(ctx, lockEventBySlug, slug).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("lock event: %w", err)
	}
	return lockWorkshops(ctx, tx, id)
}

func sortedByID(ws []event.Workshop) []event.Workshop {
	out := append([]event.Workshop(nil), ws...)
	sortByID(out)
	return out
}

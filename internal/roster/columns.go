package roster

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// An organiser's choice of columns for an event's registration list is
// kept per account and event; roster stores the keys and leaves their
// meaning to the list (package export knows which keys an event offers).

const (
	selectListColumns = `SELECT columns FROM list_columns WHERE user_id = $1 AND event_id = $2`
	upsertListColumns = `
INSERT INTO list_columns (user_id, event_id, columns) VALUES ($1, $2, $3)
ON CONFLICT (user_id, event_id) DO UPDATE SET columns = EXCLUDED.columns, updated_at = now()`
	deleteListColumns = `DELETE FROM list_columns WHERE user_id = $1 AND event_id = $2`
)

// ListColumns returns the column keys the account chose for the event's
// list; ok is false while it has not chosen.
func (s *Service) ListColumns(ctx context.Context, userID, eventID int64) (keys []string, ok bool, err error) {
	err = s.pool.QueryRow(ctx, selectListColumns, userID, eventID).Scan(&keys)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("read list columns: %w", err)
	}
	return keys, true, nil
}

// SaveListColumns keeps the account's choice of columns for the event;
// reset forgets it, so the list shows its defaults again.
func (s *Service) SaveListColumns(ctx context.Context, userID, eventID int64, keys []string, reset bool) error {
	var err error
	if reset {
		_, err = s.pool.Exec(ctx, deleteListColumns, userID, eventID)
	} else {
		_, err = s.pool.Exec(ctx, upsertListColumns, userID, eventID, append([]string{}, keys...))
	}
	if err != nil {
		return fmt.Errorf("save list columns: %w", err)
	}
	return nil
}

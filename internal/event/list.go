package event

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/fachtag/fachtag/internal/db"
)

// The public list of events: what the start page, GET /api/v1/events and
// the calendar feed /events.ics show.

// Page sizes of the public list.
const (
	DefaultPageSize = 20
	MaxPageSize     = 100
)

// PageError is a page or page size the public list does not serve; Field
// names the query parameter ("page" or "limit").
type PageError struct{ Field string }

func (e *PageError) Error() string { return "bad " + e.Field + " of the event list" }

// CheckPage accepts a 1-based page number and a page size from 1 to
// MaxPageSize.
func CheckPage(page, limit int) error {
	switch {
	case page < 1:
		return &PageError{Field: "page"}
	case limit < 1 || limit > MaxPageSize:
		return &PageError{Field: "limit"}
	}
	return nil
}

// listPublic selects the events anyone may see — open for registration or
// closed, never drafts or archived ones — that have not ended by $1,
// soonest first (the slug breaks ties, so pages never overlap).
const listPublic = selectEvent + `
WHERE status IN ('open', 'closed') AND ends_at > $1
ORDER BY starts_at, slug
LIMIT $2 OFFSET $3`

// ListPublic returns limit public events from offset, without their slots
// and workshops, and how many public events there are.
func ListPublic(ctx context.Context, q db.Conn, now time.Time, offset, limit int) ([]*Event, int, error) {
	var total int
	err := q.QueryRow(ctx, `SELECT count(*) FROM events WHERE status IN ('open', 'closed') AND ends_at > $1`, now).Scan(&total)
	if err != nil {
		return nil, 0, fmt.Errorf("count events: %w", err)
	}
	rows, _ := q.Query(ctx, listPublic, now, limit, offset)
	events, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*Event, error) {
		var e Event
		return &e, scanEvent(r, &e)
	})
	if err != nil {
		return nil, 0, fmt.Errorf("list events: %w", err)
	}
	return events, total, nil
}

package auth

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/fachtag/fachtag/internal/db"
)

// Permission is a kind of action, granted by role.
type Permission int

// Permissions. Seeing a particular event additionally needs membership,
// except for admins.
const (
	ManageEvents Permission = iota // create, update, open/close events; lists; exports
	CheckIn                        // check-in pages
	ManageUsers                    // accounts and tokens of others
)

// May reports whether the account's role grants p.
func (a Account) May(p Permission) bool {
	switch a.Role {
	case RoleAdmin:
		return true
	case RoleOrganiser:
		return p == ManageEvents || p == CheckIn
	case RoleCheckin:
		return p == CheckIn
	}
	return false
}

const eventAccess = `
SELECT e.id, EXISTS (SELECT 1 FROM event_members m WHERE m.event_id = e.id AND m.user_id = $2)
FROM events e WHERE e.slug = $1`

// EventAccess returns the id of the event with the slug if the account may
// see it: admins see every event, everyone else the events they are
// members of. A missing event and one the account may not see are both
// ErrNoEventAccess, so the answer does not tell whether it exists.
func (s *Service) EventAccess(ctx context.Context, a Account, slug string) (int64, error) {
	return EventAccessIn(ctx, s.pool, a, slug)
}

// EventAccessIn is EventAccess on q, a pool or the caller's transaction.
func EventAccessIn(ctx context.Context, q db.Conn, a Account, slug string) (int64, error) {
	var id int64
	var member bool
	err := q.QueryRow(ctx, eventAccess, slug, a.ID).Scan(&id, &member)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, ErrNoEventAccess
	}
	if err != nil {
		return 0, fmt.Errorf("check event access: %w", err)
	}
	if !member && a.Role != RoleAdmin {
		return 0, ErrNoEventAccess
	}
	return id, nil
}

// EventSummary is one line of an account's event list.
type EventSummary struct {
	ID        int64
	Slug      string
	Title     string
	Status    string
	StartsAt  time.Time
	Timezone  string
	Capacity  int
	Confirmed int
}

const visibleEvents = `
SELECT e.id, e.slug, e.title, e.status, e.starts_at, e.timezone, e.capacity,
       (SELECT s.taken FROM event_seats s WHERE s.event_id = e.id)
FROM events e
WHERE $2 OR EXISTS (SELECT 1 FROM event_members m WHERE m.event_id = e.id AND m.user_id = $1)
ORDER BY e.starts_at DESC, e.slug
LIMIT 500`

// VisibleEvents lists the events the account may see, newest first.
func (s *Service) VisibleEvents(ctx context.Context, a Account) ([]EventSummary, error) {
	rows, _ := s.pool.Query(ctx, visibleEvents, a.ID, a.Role == RoleAdmin)
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (EventSummary, error) {
		var e EventSummary
		err := r.Scan(&e.ID, &e.Slug, &e.Title, &e.Status, &e.StartsAt, &e.Timezone, &e.Capacity, &e.Confirmed)
		return e, err
	})
	if err != nil {
		return nil, fmt.Errorf("list events: %w", err)
	}
	return list, nil
}

// Location is the event's time zone, UTC if it cannot be loaded.
func (e EventSummary) Location() *time.Location {
	if loc, err := time.LoadLocation(e.Timezone); err == nil {
		return loc
	}
	return time.UTC
}

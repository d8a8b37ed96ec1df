// Package roster is the one read side of registrations: the searchable,
// sortable, paged list that the organiser pages, the JSON API, the
// exports, the printables and the check-in page all use; a person with
// their history; a workshop's participants and waiting list; the
// dashboard figures; and the only state it changes itself: check-in (of
// one person or of many at once) and each organiser's choice of list
// columns. Every change to seats and bookings belongs to package booking.
package roster

import (
	"errors"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Errors callers map to responses.
var (
	ErrNotFound         = errors.New("registration not found")
	ErrNotConfirmed     = errors.New("only confirmed registrations can be checked in")
	ErrWorkshopNotFound = errors.New("workshop not found")
)

// Service reads registrations and changes their check-in state.
type Service struct {
	pool *pgxpool.Pool
}

// New returns the roster of the database behind pool.
func New(pool *pgxpool.Pool) *Service { return &Service{pool: pool} }

// Package booking owns the booking rules of fachtag: registrations, seats,
// waiting lists, swaps, cancellations and personal links. Every state change
// runs in one transaction here, together with the outbox rows of the mails it
// causes; callers never compose these transactions.
//
// Every sign-up rule has one definition. A sign-up runs one transaction
// (register) whose statements are sent as two pipelined batches, BEGIN
// with the first and COMMIT with the second (pipeTx); the statement that
// books a workshop (seatOrQueue) is the same for a new registration and
// for one admitted from the event's waiting list, and take_event_seat
// (migration 16) is the one definition of taking the event seat. There
// used to be a second, pipelined fast path without a transaction that
// repeated the rules in SQL of its own (and built the mail in SQL); it went
// so that the rules have one definition. Sign-ups of one event queue for
// their workshop rows and the event's seat counter, so what a sign-up
// costs is mostly how long it holds them: the counter for its commit, its
// workshops for one round trip more. The measurements are in README.md.
package booking

import (
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fachtag/fachtag/internal/registration"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Errors callers map to responses.
var (
	ErrNotFound     = errors.New("not found")
	ErrClosed       = errors.New("registration is not open")
	ErrDuplicate    = errors.New("e-mail already registered for this event")
	ErrCancelled    = errors.New("registration is cancelled")
	ErrNotConfirmed = errors.New("registration holds no event seat yet")
	ErrSwapClosed   = errors.New("workshops can no longer be changed")
)

// Service runs the booking rules on one database.
type Service struct {
	pool      *pgxpool.Pool
	now       func() time.Time
	rules     *rulesCache
	gates     *gates
	full      sync.Map     // event id → time.Time: when a sign-up last found no open event seat (seatOrLine)
	lastPurge atomic.Int64 // unix time of the last purge of day-old idempotency keys
}

// New returns a Service on pool that runs DefaultSignUpConcurrency sign-ups
// of one event at a time.
func New(pool *pgxpool.Pool) *Service {
	return NewWithConcurrency(pool, DefaultSignUpConcurrency)
}

// NewWithConcurrency returns a Service on pool that runs at most n sign-up
// transactions of one event at a time (gates).
func NewWithConcurrency(pool *pgxpool.Pool, n int) *Service {
	return &Service{pool: pool, now: time.Now, rules: &rulesCache{m: map[string]cachedEvent{}}, gates: newGates(n)}
}

// Request is a sign-up as sent by the form or the API.
type Request struct {
	Name         string              `json:"name"`
	Email        string              `json:"email"`
	Organisation string              `json:"organisation"`
	Role         string              `json:"role"`
	Language     string              `json:"language"`
	Answers      map[string]any      `json:"answers"`
	Consents     Consents            `json:"consents"`
	Choices      map[string]string   `json:"choices,omitempty"`
	Preferences  map[string][]string `json:"preferences,omitempty"`
}

// Consents are the participant's declarations.
type Consents struct {
	Privacy bool `json:"privacy"`
	Photos  bool `json:"photos"`
}

// Registration is a participant's current state.
type Registration struct {
	ID               string
	EventID          int64
	EventSlug        string
	Status           registration.Status
	Name             string
	Email            string
	Organisation     string
	Role             string
	Language         string
	WaitlistPosition int // place on the event's waiting list, when waitlisted
	Bookings         []Booking
	Preferences      map[string][]string
	// Outcomes are what the published allocation gave per slot, and why
	// (nil for registrations that were never in a wish phase).
	Outcomes  []registration.Outcome
	CreatedAt time.Time
}

// Booking is a seat or a waiting-list place in one slot.
type Booking = registration.Booking

// Booking returns the confirmed booking of a slot, if any.
func (r *Registration) Booking(slot string, status registration.Status) (Booking, bool) {
	for _, b := range r.Bookings {
		if b.Slot == slot && b.Status == status {
			return b, true
		}
	}
	return Booking{}, false
}

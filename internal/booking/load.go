package booking

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/fachtag/fachtag/internal/db"
	"github.com/jackc/pgx/v5"
)

const selectRegistration = `
SELECT r.id, r.event_id, e.slug, r.status, r.name, r.email, r.organisation, r.role,
       r.language, r.preferences, r.allocation_outcomes, r.created_at,
       CASE WHEN r.status = 'waitlisted' THEN
           (SELECT count(*) FROM registrations q
            WHERE q.event_id = r.event_id AND q.status = 'waitlisted' AND q.seq <= r.seq)
       ELSE 0 END
FROM registrations r JOIN events e ON e.id = r.event_id
WHERE r.id = $1`

const selectBookings = `
SELECT s.key, w.key, b.status,
       CASE WHEN b.status = 'waitlisted' THEN
           (SELECT count(*) FROM bookings q
            WHERE q.workshop_id = b.workshop_id AND q.status = 'waitlisted'
              AND q.queue_seq <= b.queue_seq)
       ELSE 0 END
FROM bookings b
JOIN slots s ON s.id = b.slot_id
JOIN workshops w ON w.id = b.workshop_id
WHERE b.registration_id = $1
ORDER BY s.starts_at, s.position, s.key, b.status`

// loadRegistration reads a registration with its bookings. With lock the
// registration row is locked, which serialises every change to one person.
func loadRegistration(ctx context.Context, q db.Conn, id string, lock bool) (*Registration, error) {
	sql := selectRegistration
	if lock {
		sql += " FOR NO KEY UPDATE OF r"
	}
	var r Registration
	var prefs, outcomes []byte
	err := q.QueryRow(ctx, sql, id).Scan(&r.ID, &r.EventID, &r.EventSlug, &r.Status, &r.Name, &r.Email,
		&r.Organisation, &r.Role, &r.Language, &prefs, &outcomes, &r.CreatedAt, &r.WaitlistPosition)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("load registration: %w", err)
	}
	if err := json.Unmarshal(prefs, &r.Preferences); err != nil {
		return nil, fmt.Errorf("decode preferences: %w", err)
	}
	if outcomes != nil {
		if err := json.Unmarshal(outcomes, &r.Outcomes); err != nil {
			return nil, fmt.Errorf("decode allocation outcomes: %w", err)
		}
	}
	rows, _ := q.Query(ctx, selectBookings, id)
	if r.Bookings, err = collectBookings(rows); err != nil {
		return nil, err
	}
	return &r, nil
}

// collectBookings reads the rows of selectBookings.
func collectBookings(rows pgx.Rows) ([]Booking, error) {
	bs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Booking, error) {
		var b Booking
		err := row.Scan(&b.Slot, &b.Workshop, &b.Status, &b.WaitlistPosition)
		return b, err
	})
	if err != nil {
		return nil, fmt.Errorf("load bookings: %w", err)
	}
	return bs, nil
}

// Get returns the current state of the registration behind a token.
func (s *Service) Get(ctx context.Context, token string) (*Registration, error) {
	id, err := registrationID(ctx, s.pool, token)
	if err != nil {
		return nil, err
	}
	return loadRegistration(ctx, s.pool, id, false)
}

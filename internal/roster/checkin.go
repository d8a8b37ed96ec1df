package roster

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/fachtag/fachtag/internal/auth"
	"github.com/fachtag/fachtag/internal/booking"
	"github.com/fachtag/fachtag/internal/db"
)

// CodeLen is the length of a check-in code: 20 upper-case hex digits.
const CodeLen = 20

// NormaliseCode turns what a person typed or a scanner app sent into a
// code: spaces, dashes and a leading prefix or URL are dropped. ok is false
// when what is left cannot be a code.
func NormaliseCode(s string) (code string, ok bool) {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		if r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' {
			b.WriteRune(r)
		}
	}
	code = b.String()
	if len(code) < CodeLen {
		return "", false
	}
	code = code[len(code)-CodeLen:]
	for _, r := range code {
		if !(r >= '0' && r <= '9' || r >= 'A' && r <= 'F') {
			return "", false
		}
	}
	return code, true
}

// FormatCode groups a code in fours for people to read and type.
func FormatCode(code string) string {
	var parts []string
	for len(code) > 4 {
		parts, code = append(parts, code[:4]), code[4:]
	}
	return strings.Join(append(parts, code), "-")
}

const selectCode = `SELECT checkin_code FROM registrations WHERE id = $1`

// Code returns the check-in code of a registration.
func (s *Service) Code(ctx context.Context, regID string) (string, error) {
	return code(ctx, s.pool, regID)
}

func code(ctx context.Context, q db.Conn, regID string) (string, error) {
	var c string
	err := q.QueryRow(ctx, selectCode, regID).Scan(&c)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("check-in code: %w", err)
	}
	return c, nil
}

const selectByCode = `SELECT id FROM registrations WHERE event_id = $1 AND checkin_code = $2`

// ByCode finds the registration of the event with the code.
func (s *Service) ByCode(ctx context.Context, eventID int64, c string) (*Person, error) {
	c, ok := NormaliseCode(c)
	if !ok {
		return nil, ErrNotFound
	}
	var id string
	err := s.pool.QueryRow(ctx, selectByCode, eventID, c).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("look up code: %w", err)
	}
	return loadPerson(ctx, s.pool, eventID, id)
}

// The update keeps the first check-in time, so a second tap changes
// nothing; only confirmed registrations can be checked in. The sub-select
// in RETURNING sees the row as it was before the update.
const (
	setIn = `
UPDATE registrations SET checked_in_at = coalesce(checked_in_at, now()), checked_in_by = coalesce(checked_in_by, nullif($3, 0::bigint))
WHERE id = $1 AND event_id = $2 AND status = 'confirmed'
RETURNING (SELECT checked_in_at FROM registrations WHERE id = $1)`
	setOut = `
UPDATE registrations SET checked_in_at = NULL, checked_in_by = NULL
WHERE id = $1 AND event_id = $2
RETURNING (SELECT checked_in_at FROM registrations WHERE id = $1)`
	regExists = `SELECT EXISTS (SELECT 1 FROM registrations WHERE id = $1 AND event_id = $2)`
)

// CheckIn checks the registration in (in) or undoes that, and writes the
// audit entry and, for a first check-in, the webhook deliveries in the
// same transaction. It returns the check-in time held
// before, so a page can say "already checked in at 9:12".
func (s *Service) CheckIn(ctx context.Context, a auth.Account, eventID int64, regID string, in bool) (before *time.Time, err error) {
	if !booking.PlausibleID(regID) {
		return nil, ErrNotFound
	}
	sql, action, args := setOut, "checkin.undo", []any{regID, eventID}
	if in {
		sql, action, args = setIn, "checkin.in", append(args, a.ID)
	}
	err = db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, sql, args...).Scan(&before)
		if errors.Is(err, pgx.ErrNoRows) {
			return missing(ctx, tx, eventID, regID)
		}
		if err != nil {
			return fmt.Errorf("check in: %w", err)
		}
		if in && before == nil {
			if err := booking.ReportCheckIn(ctx, tx, regID); err != nil {
				return err
			}
		}
		return auth.Append(ctx, tx, a.Audit(action, eventID, map[string]any{"registration_id": regID}))
	})
	return before, err
}

// missing tells why no row was updated.
func missing(ctx context.Context, tx pgx.Tx, eventID int64, regID string) error {
	var exists bool
	if err := tx.QueryRow(ctx, regExists, regID, eventID).Scan(&exists); err != nil {
		return fmt.Errorf("check in: %w", err)
	}
	if exists {
		return ErrNotConfirmed
	}
	return ErrNotFound
}

// Count is how many of a workshop's (or the event's) confirmed
// participants are checked in.
type Count struct {
	Key, Slot, Title string // empty Key: the whole event
	CheckedIn        int
	Confirmed        int
}

const selectCounts = `
SELECT w.key, s.key, w.title,
       count(r.id) FILTER (WHERE r.checked_in_at IS NOT NULL), count(r.id)
FROM workshops w JOIN slots s ON s.id = w.slot_id
LEFT JOIN bookings b ON b.workshop_id = w.id AND b.status = 'confirmed'
LEFT JOIN registrations r ON r.id = b.registration_id AND r.status = 'confirmed'
WHERE w.event_id = $1
GROUP BY w.id, s.id
ORDER BY s.starts_at, s.position, s.key, w.position, w.key`

const selectEventCount = `
SELECT count(*) FILTER (WHERE checked_in_at IS NOT NULL), count(*)
FROM registrations WHERE event_id = $1 AND status = 'confirmed'`

// Counts returns the event's check-in count first, then one per workshop.
func (s *Service) Counts(ctx context.Context, eventID int64) ([]Count, error) {
	return counts(ctx, s.pool, eventID)
}

func counts(ctx context.Context, q db.Conn, eventID int64) ([]Count, error) {
	total := Count{}
	if err := q.QueryRow(ctx, selectEventCount, eventID).Scan(&total.CheckedIn, &total.Confirmed); err != nil {
		return nil, fmt.Errorf("count check-ins: %w", err)
	}
	rows, _ := q.Query(ctx, selectCounts, eventID)
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Count, error) {
		var c Count
		return c, r.Scan(&c.Key, &c.Slot, &c.Title, &c.CheckedIn, &c.Confirmed)
	})
	if err != nil {
		return nil, fmt.Errorf("count check-ins per workshop: %w", err)
	}
	return append([]Count{total}, list...), nil
}

// Package export owns the organiser's read side of registrations: the
// filtered, paged registration list, per-workshop participant lists with
// waiting-list positions, and the CSV and XLSX files built from them.
// It reads only; every change to a registration belongs to package booking.
package export

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/fachtag/fachtag/internal/event"
)

// ErrWorkshopNotFound means the event has no workshop with the key.
var ErrWorkshopNotFound = errors.New("workshop not found")

// ErrBadFilter means a filter value is not one of the allowed ones.
var ErrBadFilter = errors.New("unknown status filter")

// Registration is one registration as organisers see it.
type Registration struct {
	ID               string         `json:"id"`
	Name             string         `json:"name"`
	Email            string         `json:"email"`
	Organisation     string         `json:"organisation"`
	Role             string         `json:"role"`
	Language         string         `json:"language"`
	Status           string         `json:"status"`
	WaitlistPosition int            `json:"waitlist_position,omitempty"`
	Answers          map[string]any `json:"answers"`
	Consents         Consents       `json:"consents"`
	Bookings         []Booking      `json:"bookings"`
	RegisteredAt     time.Time      `json:"registered_at"`
}

// Consents are what the participant agreed to, and when.
type Consents struct {
	Privacy   bool      `json:"privacy"`
	PrivacyAt time.Time `json:"privacy_at"`
	Photos    bool      `json:"photos"`
}

// Booking is a seat or a waiting-list place in one workshop.
type Booking struct {
	Slot             string `json:"slot"`
	Workshop         string `json:"workshop"`
	Status           string `json:"status"`
	WaitlistPosition int    `json:"waitlist_position,omitempty"`
}

// Filter narrows the registration list. Empty fields do not filter.
type Filter struct {
	Status   string // confirmed | waitlisted | received | cancelled
	Workshop string // workshop key: holds a seat or a queue place there
	Query    string // part of name, e-mail or organisation, any case
	Limit    int    // default 50, at most 500
	Offset   int
}

var statuses = map[string]bool{"": true, "confirmed": true, "waitlisted": true, "received": true, "cancelled": true}

func (f *Filter) normalise() error {
	if !statuses[f.Status] {
		return ErrBadFilter
	}
	if f.Limit <= 0 {
		f.Limit = 50
	}
	f.Limit = min(f.Limit, 500)
	f.Offset = max(f.Offset, 0)
	f.Query = strings.TrimSpace(f.Query)
	return nil
}

// likePattern matches q anywhere, with LIKE's wildcards taken literally.
func likePattern(q string) string {
	if q == "" {
		return ""
	}
	return "%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(q) + "%"
}

const listWhere = `
FROM registrations r
WHERE r.event_id = $1
  AND ($2::text = '' OR r.status = $2)
  AND ($3::text = '' OR EXISTS (SELECT 1 FROM bookings b JOIN workshops w ON w.id = b.workshop_id
                                WHERE b.registration_id = r.id AND w.key = $3))
  AND ($4::text = '' OR r.name ILIKE $4 OR r.email ILIKE $4 OR r.organisation ILIKE $4)`

const listRegistrations = `
SELECT r.id, r.name, r.email, r.organisation, r.role, r.language, r.status, r.answers,
       r.consent_privacy, r.consent_photos, r.created_at,
       CASE WHEN r.status = 'waitlisted' THEN
           (SELECT count(*) FROM registrations q
            WHERE q.event_id = r.event_id AND q.status = 'waitlisted' AND q.seq <= r.seq)
       ELSE 0 END` + listWhere + `
ORDER BY r.seq
LIMIT $5 OFFSET $6`

const countRegistrations = `SELECT count(*)` + listWhere

// List returns one page of the event's registrations matching f, in
// sign-up order, and how many match in all.
func List(ctx context.Context, q event.Querier, eventID int64, f Filter) ([]Registration, int, error) {
	if err := f.normalise(); err != nil {
		return nil, 0, err
	}
	args := []any{eventID, f.Status, f.Workshop, likePattern(f.Query)}
	var total int
	if err := q.QueryRow(ctx, countRegistrations, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count registrations: %w", err)
	}
	regs, err := collect(ctx, q, listRegistrations, append(args, f.Limit, f.Offset)...)
	if err != nil {
		return nil, 0, err
	}
	return regs, total, attachBookings(ctx, q, eventID, regs)
}

const allRegistrations = `
SELECT r.id, r.name, r.email, r.organisation, r.role, r.language, r.status, r.answers,
       r.consent_privacy, r.consent_photos, r.created_at,
       CASE WHEN r.status = 'waitlisted' THEN
           row_number() OVER (PARTITION BY r.status = 'waitlisted' ORDER BY r.seq)
       ELSE 0 END
FROM registrations r
WHERE r.event_id = $1 AND r.status <> 'cancelled'
ORDER BY r.seq`

// All returns every registration of the event that is not cancelled, in
// sign-up order, for the exports.
func All(ctx context.Context, q event.Querier, eventID int64) ([]Registration, error) {
	regs, err := collect(ctx, q, allRegistrations, eventID)
	if err != nil {
		return nil, err
	}
	return regs, attachBookings(ctx, q, eventID, regs)
}

func collect(ctx context.Context, q event.Querier, sql string, args ...any) ([]Registration, error) {
	rows, _ := q.Query(ctx, sql, args...)
	regs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Registration, error) {
		var r Registration
		var answers []byte
		err := row.Scan(&r.ID, &r.Name, &r.Email, &r.Organisation, &r.Role, &r.Language, &r.Status, &answers,
			&r.Consents.PrivacyAt, &r.Consents.Photos, &r.RegisteredAt, &r.WaitlistPosition)
		if err != nil {
			return r, err
		}
		r.Consents.Privacy = !r.Consents.PrivacyAt.IsZero()
		r.Bookings = []Booking{}
		return r, json.Unmarshal(answers, &r.Answers)
	})
	if err != nil {
		return nil, fmt.Errorf("list registrations: %w", err)
	}
	return regs, nil
}

// selectBookings numbers every waiting list of the event once, instead of
// counting the queue ahead of each booking.
const selectBookings = `
WITH queue AS (
    SELECT b.id, row_number() OVER (PARTITION BY b.workshop_id ORDER BY b.queue_seq) AS pos
    FROM bookings b WHERE b.event_id = $1 AND b.status = 'waitlisted')
SELECT b.registration_id, s.key, w.key, b.status, coalesce(queue.pos, 0)
FROM bookings b
JOIN slots s ON s.id = b.slot_id
JOIN workshops w ON w.id = b.workshop_id
LEFT JOIN queue ON queue.id = b.id
WHERE b.event_id = $1 AND b.registration_id = ANY($2::uuid[])
ORDER BY s.starts_at, s.position, s.key, b.status`

func attachBookings(ctx context.Context, q event.Querier, eventID int64, regs []Registration) error {
	ids := make([]string, len(regs))
	for i := range regs {
		ids[i] = regs[i].ID
	}
	bookings, err := Bookings(ctx, q, eventID, ids)
	for i := range regs {
		regs[i].Bookings = bookings[regs[i].ID]
	}
	return err
}

// Bookings are the bookings of the event's registrations with the ids, by
// registration, each waiting-list place numbered.
func Bookings(ctx context.Context, q event.Querier, eventID int64, ids []string) (map[string][]Booking, error) {
	out := make(map[string][]Booking, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	rows, _ := q.Query(ctx, selectBookings, eventID, ids)
	var id string
	var b Booking
	_, err := pgx.ForEachRow(rows, []any{&id, &b.Slot, &b.Workshop, &b.Status, &b.WaitlistPosition}, func() error {
		out[id] = append(out[id], b)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list bookings: %w", err)
	}
	return out, nil
}

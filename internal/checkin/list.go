package checkin

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/fachtag/fachtag/internal/event"
	"github.com/fachtag/fachtag/internal/export"
)

// Row is one registration in a list.
type Row struct {
	ID               string
	Name             string
	Email            string
	Organisation     string
	Status           string
	WaitlistPosition int // on the event's waiting list
	RegisteredAt     time.Time
	CheckedInAt      *time.Time
	Bookings         []Booking
}

// Booking is a seat or a waiting-list place.
type Booking struct {
	Slot, Workshop, Status string
	Position               int // on the workshop's waiting list
}

// FilterError names the filter field whose value is not allowed.
type FilterError struct{ Field string }

func (e *FilterError) Error() string { return "bad list filter: " + e.Field }

// Filter narrows, orders and pages a list. Empty fields do not filter.
type Filter struct {
	Query     string // part of name, e-mail or organisation, any case
	Status    string // confirmed | waitlisted | received | cancelled
	Workshop  string // workshop key: holds a seat or a queue place there
	CheckedIn string // "yes" | "no"
	Sort      string // a key of sortKeys; default "registered"
	Desc      bool
	Limit     int // default 50, at most 500
	Offset    int
}

// sortKeys is the allow-list of orderings; every one ends in seq, so the
// order is total and pages never overlap.
var sortKeys = map[string][]string{
	"registered":   {"r.seq"},
	"name":         {"lower(r.name)", "r.seq"},
	"organisation": {"lower(r.organisation)", "lower(r.name)", "r.seq"},
	"status":       {"r.status", "r.seq"},
	"checked_in":   {"r.checked_in_at", "r.seq"},
}

// SortKeys lists the allowed sort keys in the order a page offers them.
var SortKeys = []string{"registered", "name", "organisation", "status", "checked_in"}

var statuses = map[string]bool{"": true, "confirmed": true, "waitlisted": true, "received": true, "cancelled": true}

func (f *Filter) normalise() error {
	f.Query = strings.TrimSpace(f.Query)
	if f.Sort == "" {
		f.Sort = "registered"
	}
	switch {
	case !statuses[f.Status]:
		return &FilterError{"status"}
	case f.CheckedIn != "" && f.CheckedIn != "yes" && f.CheckedIn != "no":
		return &FilterError{"checked_in"}
	case sortKeys[f.Sort] == nil:
		return &FilterError{"sort"}
	case f.Limit < 0:
		return &FilterError{"limit"}
	case f.Offset < 0:
		return &FilterError{"offset"}
	}
	if f.Limit == 0 {
		f.Limit = 50
	}
	f.Limit = min(f.Limit, 500)
	return nil
}

func (f *Filter) orderBy() string {
	terms := sortKeys[f.Sort]
	out := make([]string, len(terms))
	for i, t := range terms {
		if f.Desc {
			t += " DESC NULLS LAST"
		} else {
			t += " ASC NULLS LAST"
		}
		out[i] = t
	}
	return strings.Join(out, ", ")
}

// likePattern matches q anywhere, lower-cased, with LIKE's wildcards
// taken literally.
func likePattern(q string) string {
	if q == "" {
		return ""
	}
	return "%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(strings.ToLower(q)) + "%"
}

// The search expression is the one the trigram index of migration 5 is
// built on.
const listWhere = `
FROM registrations r
WHERE r.event_id = $1
  AND ($2::text = '' OR r.status = $2)
  AND ($3::text = '' OR EXISTS (SELECT 1 FROM bookings b JOIN workshops w ON w.id = b.workshop_id
                                WHERE b.registration_id = r.id AND w.event_id = $1 AND w.key = $3))
  AND ($4::text = '' OR lower(r.name || ' ' || r.email || ' ' || r.organisation) LIKE $4)
  AND ($5::text = '' OR (r.checked_in_at IS NOT NULL) = ($5 = 'yes'))`

const listColumns = `
SELECT r.id, r.name, r.email, r.organisation, r.status, r.created_at, r.checked_in_at,
       CASE WHEN r.status = 'waitlisted' THEN
           (SELECT count(*) FROM registrations q
            WHERE q.event_id = r.event_id AND q.status = 'waitlisted' AND q.seq <= r.seq)
       ELSE 0 END`

// List returns one page of the event's registrations matching f and how
// many match in all.
func List(ctx context.Context, q event.Querier, eventID int64, f Filter) ([]Row, int, error) {
	if err := f.normalise(); err != nil {
		return nil, 0, err
	}
	args := []any{eventID, f.Status, f.Workshop, likePattern(f.Query), f.CheckedIn}
	var total int
	if err := q.QueryRow(ctx, `SELECT count(*)`+listWhere, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count registrations: %w", err)
	}
	sql := listColumns + listWhere + "\nORDER BY " + f.orderBy() + "\nLIMIT $6 OFFSET $7"
	rows, _ := q.Query(ctx, sql, append(args, f.Limit, f.Offset)...)
	list, err := pgx.CollectRows(rows, scanRow)
	if err != nil {
		return nil, 0, fmt.Errorf("list registrations: %w", err)
	}
	return list, total, attachBookings(ctx, q, eventID, list)
}

func scanRow(r pgx.CollectableRow) (Row, error) {
	var x Row
	err := r.Scan(&x.ID, &x.Name, &x.Email, &x.Organisation, &x.Status, &x.RegisteredAt, &x.CheckedInAt, &x.WaitlistPosition)
	return x, err
}

func attachBookings(ctx context.Context, q event.Querier, eventID int64, list []Row) error {
	ids := make([]string, len(list))
	for i := range list {
		ids[i] = list[i].ID
	}
	bookings, err := export.Bookings(ctx, q, eventID, ids)
	for i := range list {
		for _, b := range bookings[list[i].ID] {
			list[i].Bookings = append(list[i].Bookings, Booking{Slot: b.Slot, Workshop: b.Workshop, Status: b.Status, Position: b.WaitlistPosition})
		}
	}
	return err
}

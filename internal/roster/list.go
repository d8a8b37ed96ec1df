package roster

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"github.com/fachtag/fachtag/internal/db"
	"github.com/fachtag/fachtag/internal/registration"
)

// Row is one registration as organisers see it, in the lists, the API
// and the exports. The JSON names are the API contract.
type Row struct {
	ID               string              `json:"id"`
	Name             string              `json:"name"`
	Email            string              `json:"email"`
	Organisation     string              `json:"organisation"`
	Role             string              `json:"role"`
	Language         string              `json:"language"`
	Status           registration.Status `json:"status"`
	WaitlistPosition int                 `json:"waitlist_position,omitempty"` // on the event's waiting list
	Answers          map[string]any      `json:"answers"`
	Preferences      map[string][]string `json:"preferences,omitempty"` // slot key → workshop keys, first wish first
	Consents         Consents            `json:"consents"`
	Bookings         []Booking           `json:"bookings"`
	RegisteredAt     time.Time           `json:"registered_at"`
	CheckedInAt      *time.Time          `json:"checked_in_at,omitempty"`
}

// Consents are what the participant agreed to, and when.
type Consents struct {
	Privacy   bool      `json:"privacy"`
	PrivacyAt time.Time `json:"privacy_at"`
	Photos    bool      `json:"photos"`
}

// Booking is a seat or a waiting-list place in one workshop.
type Booking = registration.Booking

// FilterError names the filter field whose value is not allowed.
type FilterError struct {
	Field  string
	Reason string
}

func (e *FilterError) Error() string { return "list filter " + e.Field + ": " + e.Reason }

// Filter narrows, orders and pages a list. Empty fields do not filter.
type Filter struct {
	Query     string              // words that must all appear in name, e-mail or organisation, any case, any order
	Status    registration.Status // empty: any
	Workshop  string              // workshop key: holds a seat or a queue place there
	CheckedIn string              // "yes" | "no"
	Sort      string              // a key of SortKeys; default "registered"
	Desc      bool
	Limit     int  // default DefaultLimit; more than MaxLimit is MaxLimit
	All       bool // every match on one page: Limit and Offset are ignored
	Offset    int
}

// Paging bounds.
const (
	DefaultLimit = 50
	MaxLimit     = 500
)

// PageSizes are the page sizes a list page offers, besides all at once.
var PageSizes = []int{25, 50, 100, 250, 500}

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

// Statuses are the registration statuses a list can filter by, in the
// order a page offers them, as the strings templates compare and index by.
var Statuses = func() []string {
	out := make([]string, len(registration.Statuses))
	for i, st := range registration.Statuses {
		out[i] = string(st)
	}
	return out
}()

// Normalise applies the defaults and checks every field; the error names
// the first field that is not allowed.
func (f *Filter) Normalise() error {
	f.Query = strings.TrimSpace(f.Query)
	if f.Sort == "" {
		f.Sort = "registered"
	}
	if f.Limit == 0 {
		f.Limit = DefaultLimit
	}
	switch {
	case f.Status != "" && !f.Status.Valid():
		return &FilterError{"status", "one of " + strings.Join(Statuses, ", ")}
	case f.CheckedIn != "" && f.CheckedIn != "yes" && f.CheckedIn != "no":
		return &FilterError{"checked_in", `"yes" or "no"`}
	case sortKeys[f.Sort] == nil:
		return &FilterError{"sort", "one of " + strings.Join(SortKeys, ", ")}
	case f.Limit < 0:
		return &FilterError{"limit", "must not be negative"}
	case f.Offset < 0:
		return &FilterError{"offset", "must not be negative"}
	}
	f.Limit = min(f.Limit, MaxLimit)
	if f.All {
		f.Offset = 0
	}
	return nil
}

func (f *Filter) orderBy() string {
	terms := sortKeys[f.Sort]
	out := make([]string, len(terms))
	for i, t := range terms {
		if f.Desc {
			out[i] = t + " DESC NULLS LAST"
		} else {
			out[i] = t + " ASC NULLS LAST"
		}
	}
	return strings.Join(out, ", ")
}

// searchText is the expression the trigram index of migration 5
// (registrations_search_trgm_idx) is built on; a LIKE on exactly this
// expression can use it.
const searchText = `lower(r.name || ' ' || r.email || ' ' || r.organisation)`

// where builds the filter's conditions with their arguments, $1 being the
// event. Only set fields add a condition, so the planner sees each search
// word as its own LIKE on the indexed expression and combines the index
// lookups, instead of a generic condition that also accepts an empty
// parameter, which it cannot answer from the index.
func (f *Filter) where(eventID int64) (string, []any) {
	args := []any{eventID}
	arg := func(v any) string { args = append(args, v); return "$" + strconv.Itoa(len(args)) }
	var b strings.Builder
	b.WriteString("\nFROM registrations r\nWHERE r.event_id = $1")
	if f.Status != "" {
		b.WriteString("\n  AND r.status = " + arg(f.Status))
	}
	if f.Workshop != "" {
		// IS TRUE keeps the planner from turning EXISTS into a join: as a
		// hashed subplan it is one lookup per row, so a page can walk the
		// sort order's index and stop at LIMIT instead of sorting every
		// participant of the workshop (BenchmarkList5000: half the time).
		b.WriteString(`
  AND (EXISTS (SELECT 1 FROM bookings b JOIN workshops w ON w.id = b.workshop_id
               WHERE b.registration_id = r.id AND w.event_id = $1 AND w.key = ` + arg(f.Workshop) + ")) IS TRUE")
	}
	for _, word := range strings.Fields(strings.ToLower(f.Query)) {
		if utf8.RuneCountInString(word) < 3 {
			// Too short for a trigram: as a LIKE it would make the index
			// read every entry, so it only filters what the others found.
			b.WriteString("\n  AND strpos(" + searchText + ", " + arg(word) + ") > 0")
			continue
		}
		b.WriteString("\n  AND " + searchText + " LIKE " + arg(likePattern(word)))
	}
	if f.CheckedIn != "" {
		b.WriteString("\n  AND (r.checked_in_at IS NOT NULL) = " + arg(f.CheckedIn == "yes"))
	}
	return b.String(), args
}

// likePattern matches w anywhere, with LIKE's wildcards taken literally.
func likePattern(w string) string {
	return "%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(w) + "%"
}

// rowColumns are the columns scanRow reads. The waiting-list position is
// counted over the whole event, whatever the filter.
const rowColumns = `
SELECT r.id, r.name, r.email, r.organisation, r.role, r.language, r.status, r.answers, r.preferences,
       r.consent_privacy, r.consent_photos, r.created_at, r.checked_in_at,
       CASE WHEN r.status = 'waitlisted' THEN
           (SELECT count(*) FROM registrations q
            WHERE q.event_id = r.event_id AND q.status = 'waitlisted' AND q.seq <= r.seq)
       ELSE 0 END`

// List returns one page of the event's registrations matching f, and how
// many match in all. f is normalised in place, so the caller can show the
// limit and order used.
func (s *Service) List(ctx context.Context, eventID int64, f *Filter) ([]Row, int, error) {
	if err := f.Normalise(); err != nil {
		return nil, 0, err
	}
	where, args := f.where(eventID)
	n := len(args)
	// Planned with the values every time (an unnamed statement): how
	// common a search word is decides between the trigram index and
	// walking the sort order, and a cached generic plan cannot know it.
	args = append([]any{pgx.QueryExecModeExec}, args...)
	var total int
	if err := s.pool.QueryRow(ctx, "SELECT count(*)"+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count registrations: %w", err)
	}
	sql := rowColumns + where + "\nORDER BY " + f.orderBy()
	if !f.All {
		sql += "\nLIMIT $" + strconv.Itoa(n+1) + " OFFSET $" + strconv.Itoa(n+2)
		args = append(args, f.Limit, f.Offset)
	}
	rows, err := collect(ctx, s.pool, sql, args...)
	if err != nil {
		return nil, 0, err
	}
	return rows, total, attachBookings(ctx, s.pool, eventID, rows)
}

// all returns every registration of the event that is not cancelled, in
// sign-up order: the rows of the exports.
func all(ctx context.Context, q db.Conn, eventID int64) ([]Row, error) {
	rows, err := collect(ctx, q, rowColumns+"\nFROM registrations r WHERE r.event_id = $1 AND r.status <> 'cancelled'\nORDER BY r.seq", eventID)
	if err != nil {
		return nil, err
	}
	return rows, attachBookings(ctx, q, eventID, rows)
}

func collect(ctx context.Context, q db.Conn, sql string, args ...any) ([]Row, error) {
	rows, _ := q.Query(ctx, sql, args...)
	list, err := pgx.CollectRows(rows, scanRow)
	if err != nil {
		return nil, fmt.Errorf("list registrations: %w", err)
	}
	return list, nil
}

func scanRow(row pgx.CollectableRow) (Row, error) {
	var r Row
	var answers []byte
	err := row.Scan(&r.ID, &r.Name, &r.Email, &r.Organisation, &r.Role, &r.Language, &r.Status, &answers, &r.Preferences,
		&r.Consents.PrivacyAt, &r.Consents.Photos, &r.RegisteredAt, &r.CheckedInAt, &r.WaitlistPosition)
	if err != nil {
		return r, err
	}
	r.Consents.Privacy = !r.Consents.PrivacyAt.IsZero()
	r.Bookings = []Booking{}
	return r, json.Unmarshal(answers, &r.Answers)
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

// attachBookings fills in the bookings of the rows, each waiting-list
// place numbered.
func attachBookings(ctx context.Context, q db.Conn, eventID int64, list []Row) error {
	if len(list) == 0 {
		return nil
	}
	ids := make([]string, len(list))
	at := make(map[string]*Row, len(list))
	for i := range list {
		ids[i], at[list[i].ID] = list[i].ID, &list[i]
	}
	rows, _ := q.Query(ctx, selectBookings, eventID, ids)
	var id string
	var b Booking
	_, err := pgx.ForEachRow(rows, []any{&id, &b.Slot, &b.Workshop, &b.Status, &b.WaitlistPosition}, func() error {
		at[id].Bookings = append(at[id].Bookings, b)
		return nil
	})
	if err != nil {
		return fmt.Errorf("list bookings: %w", err)
	}
	return nil
}

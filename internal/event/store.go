package event

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/fachtag/fachtag/internal/db"
)

// ErrNotFound means no event has the slug or id.
var ErrNotFound = errors.New("event not found")

// Event is an event with its slots and workshops as stored.
type Event struct {
	ID            int64
	Slug          string
	Title         string
	Description   string
	Organiser     Organiser
	Timezone      string
	StartsAt      time.Time
	EndsAt        time.Time
	Venue         Venue
	Capacity      int
	Confirmed     int
	Languages     []string
	Registration  Registration
	RetentionDays int
	Status        string
	Programme     []Item
	Questions     []Question
	Slots         []Slot
	Workshops     []Workshop
	Privacy       Legal
	Imprint       Legal
}

// Slot is a stored slot.
type Slot struct {
	ID       int64
	Key      string
	Title    string
	StartsAt time.Time
	EndsAt   time.Time
	Optional bool // may stay without a workshop in a first_come sign-up
}

// Workshop is a stored workshop with its live seat count.
type Workshop struct {
	ID              int64
	Key             string
	SlotID          int64
	SlotKey         string
	Title           string
	Description     string
	Hosts           []string
	Room            string
	Capacity        int
	MinParticipants int
	Topic           string
	Taken           int
	Waiting         int
}

// SeatsLeft is how many seats can still be booked.
func (w Workshop) SeatsLeft() int { return max(w.Capacity-w.Taken, 0) }

// SeatsLeft is how many event seats can still be booked.
func (e *Event) SeatsLeft() int { return max(e.Capacity-e.Confirmed, 0) }

// Location is the event's time zone, Europe/Berlin if it cannot be loaded.
func (e *Event) Location() *time.Location {
	if loc, err := time.LoadLocation(e.Timezone); err == nil {
		return loc
	}
	loc, _ := time.LoadLocation("Europe/Berlin")
	return loc
}

// Workshop returns the workshop with the key.
func (e *Event) Workshop(key string) (Workshop, bool) {
	for _, w := range e.Workshops {
		if w.Key == key {
			return w, true
		}
	}
	return Workshop{}, false
}

// Slot returns the slot with the key.
func (e *Event) Slot(key string) (Slot, bool) {
	for _, s := range e.Slots {
		if s.Key == key {
			return s, true
		}
	}
	return Slot{}, false
}

// MayStayEmpty reports whether a participant may hold no workshop in the
// slot: the slot is optional, or the event is still in its wish phase,
// where a slot without wishes simply stays empty.
func (e *Event) MayStayEmpty(s Slot) bool {
	return s.Optional || e.Registration.Mode == ModePreferences
}

// WorkshopsIn lists the workshops of a slot in the organiser's order.
func (e *Event) WorkshopsIn(slotKey string) []Workshop {
	var ws []Workshop
	for _, w := range e.Workshops {
		if w.SlotKey == slotKey {
			ws = append(ws, w)
		}
	}
	return ws
}

// OpenAt reports whether sign-ups are accepted at time now.
func (e *Event) OpenAt(now time.Time) bool {
	if e.Status != StatusOpen {
		return false
	}
	r := e.Registration
	return (r.OpensAt == nil || !now.Before(*r.OpensAt)) && (r.ClosesAt == nil || now.Before(*r.ClosesAt))
}

const selectEvent = `
SELECT id, slug, title, description, organiser_name, organiser_email, timezone,
       starts_at, ends_at, venue_name, venue_address, capacity,
       (SELECT s.taken FROM event_seats s WHERE s.event_id = events.id), languages,
       reg_mode, opens_at, closes_at, max_preferences, allow_unlisted, retention_days,
       status, programme, questions, privacy_text, privacy_url, imprint_text, imprint_url
FROM events`

// Load reads an event by slug with its slots and workshops, including the
// length of every waiting list.
func Load(ctx context.Context, q db.Conn, slug string) (*Event, error) {
	return load(ctx, q, selectEvent+` WHERE slug = $1`, slug, selectWorkshops)
}

// LoadByID reads an event by id like Load.
func LoadByID(ctx context.Context, q db.Conn, id int64) (*Event, error) {
	return load(ctx, q, selectEvent+` WHERE id = $1`, id, selectWorkshops)
}

// LoadRules reads an event by slug without counting waiting lists: what
// the booking rules need, at a fraction of the cost on a busy event.
func LoadRules(ctx context.Context, q db.Conn, slug string) (*Event, error) {
	return load(ctx, q, selectEvent+` WHERE slug = $1`, slug, selectWorkshopsNoQueues)
}

func load(ctx context.Context, q db.Conn, sql string, arg any, workshopsSQL string) (*Event, error) {
	var e Event
	err := scanEvent(q.QueryRow(ctx, sql, arg), &e)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("load event: %w", err)
	}
	if e.Slots, err = loadSlots(ctx, q, e.ID); err != nil {
		return nil, err
	}
	if e.Workshops, err = loadWorkshops(ctx, q, workshopsSQL, e.ID); err != nil {
		return nil, err
	}
	return &e, nil
}

// scanEvent reads a row of selectEvent into e, then the extra columns
// that follow it.
func scanEvent(row pgx.Row, e *Event, extra ...any) error {
	var programme, questions []byte
	err := row.Scan(append([]any{&e.ID, &e.Slug, &e.Title, &e.Description,
		&e.Organiser.Name, &e.Organiser.Email, &e.Timezone, &e.StartsAt, &e.EndsAt,
		&e.Venue.Name, &e.Venue.Address, &e.Capacity, &e.Confirmed, &e.Languages,
		&e.Registration.Mode, &e.Registration.OpensAt, &e.Registration.ClosesAt,
		&e.Registration.MaxPreferences, &e.Registration.AllowUnlisted, &e.RetentionDays,
		&e.Status, &programme, &questions, &e.Privacy.Text, &e.Privacy.URL, &e.Imprint.Text, &e.Imprint.URL}, extra...)...)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(programme, &e.Programme); err != nil {
		return fmt.Errorf("decode programme: %w", err)
	}
	if err := json.Unmarshal(questions, &e.Questions); err != nil {
		return fmt.Errorf("decode questions: %w", err)
	}
	return nil
}

const selectSlots = `
SELECT id, key, title, starts_at, ends_at, optional FROM slots
WHERE event_id = $1 ORDER BY starts_at, position, key`

func loadSlots(ctx context.Context, q db.Conn, eventID int64) ([]Slot, error) {
	rows, _ := q.Query(ctx, selectSlots, eventID)
	slots, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Slot, error) {
		var s Slot
		err := r.Scan(&s.ID, &s.Key, &s.Title, &s.StartsAt, &s.EndsAt, &s.Optional)
		return s, err
	})
	if err != nil {
		return nil, fmt.Errorf("load slots: %w", err)
	}
	return slots, nil
}

const workshopColumns = `
SELECT w.id, w.key, w.slot_id, s.key, w.title, w.description, w.hosts, w.room,
       w.capacity, w.min_participants, w.topic, w.taken,`

const workshopsFrom = `
FROM workshops w JOIN slots s ON s.id = w.slot_id
WHERE w.event_id = $1 ORDER BY s.starts_at, s.position, w.position, w.key`

const selectWorkshops = workshopColumns + `
       (SELECT count(*) FROM bookings b WHERE b.workshop_id = w.id AND b.status = 'waitlisted')` + workshopsFrom

const selectWorkshopsNoQueues = workshopColumns + ` 0::bigint` + workshopsFrom

func loadWorkshops(ctx context.Context, q db.Conn, sql string, eventID int64) ([]Workshop, error) {
	rows, _ := q.Query(ctx, sql, eventID)
	ws, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Workshop, error) {
		var w Workshop
		err := r.Scan(&w.ID, &w.Key, &w.SlotID, &w.SlotKey, &w.Title, &w.Description, &w.Hosts,
			&w.Room, &w.Capacity, &w.MinParticipants, &w.Topic, &w.Taken, &w.Waiting)
		return w, err
	})
	if err != nil {
		return nil, fmt.Errorf("load workshops: %w", err)
	}
	return ws, nil
}

const (
	lockStatus   = `SELECT status FROM events WHERE id = $1 FOR NO KEY UPDATE`
	updateStatus = `UPDATE events SET status = $2, updated_at = now() WHERE id = $1`
)

// SetStatus changes an event's status inside tx and returns the old one.
func SetStatus(ctx context.Context, tx pgx.Tx, eventID int64, status string) (string, error) {
	var old string
	if err := tx.QueryRow(ctx, lockStatus, eventID).Scan(&old); err != nil {
		return "", fmt.Errorf("lock event: %w", err)
	}
	if _, err := tx.Exec(ctx, updateStatus, eventID, status); err != nil {
		return "", fmt.Errorf("set status: %w", err)
	}
	return old, nil
}

package event

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/fachtag/fachtag/internal/db"
)

// Import creates the event of the file or updates it, keeping its
// registrations. Changes that would break a booking (a capacity below the
// seats taken, a removed or moved workshop that has bookings) are refused
// with the path of the offending field. created reports a new event.
// Import does not hand seats that a raised capacity frees to the waiting
// lists; booking.ImportEvent does, and is what the product uses.
func Import(ctx context.Context, pool *pgxpool.Pool, f *File) (created bool, err error) {
	err = db.Transact(ctx, pool, func(tx pgx.Tx) error {
		_, created, err = ImportTx(ctx, tx, f)
		return err
	})
	return created, err
}

// ImportTx is Import inside the caller's transaction; it returns the
// event's id.
func ImportTx(ctx context.Context, tx pgx.Tx, f *File) (id int64, created bool, err error) {
	if err := f.Validate(); err != nil {
		return 0, false, err
	}
	id, created, err = upsertEvent(ctx, tx, f)
	if err != nil {
		return 0, false, err
	}
	slotIDs, err := syncSlots(ctx, tx, id, f)
	if err != nil {
		return 0, false, err
	}
	if err := syncWorkshops(ctx, tx, id, slotIDs, f); err != nil {
		return 0, false, err
	}
	return id, created, deleteSlotsNotIn(ctx, tx, id, f)
}

const lockEvent = `
SELECT e.id, s.taken FROM events e JOIN event_seats s ON s.event_id = e.id
WHERE e.slug = $1 FOR NO KEY UPDATE OF e`

const insertEvent = `
INSERT INTO events (slug, title, description, organiser_name, organiser_email, timezone,
    starts_at, ends_at, venue_name, venue_address, capacity, languages, reg_mode, opens_at,
    closes_at, max_preferences, allow_unlisted, retention_days, status, programme, questions,
    privacy_text, privacy_url, imprint_text, imprint_url)
VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22,$23,$24,$25)
RETURNING id`

// An updated event may take registrations again (a yearly slug reused),
// so it is anonymised again once its new retention period has passed.
const updateEvent = `
UPDATE events SET title=$2, description=$3, organiser_name=$4, organiser_email=$5, timezone=$6,
    starts_at=$7, ends_at=$8, venue_name=$9, venue_address=$10, capacity=$11, languages=$12,
    reg_mode=$13, opens_at=$14, closes_at=$15, max_preferences=$16, allow_unlisted=$17,
    retention_days=$18, status=$19, programme=$20, questions=$21, privacy_text=$22, privacy_url=$23,
    imprint_text=$24, imprint_url=$25, updated_at=now(),
    anonymised_at=NULL
WHERE slug=$1 RETURNING id`

func upsertEvent(ctx context.Context, tx pgx.Tx, f *File) (id int64, created bool, err error) {
	var confirmed int
	err = tx.QueryRow(ctx, lockEvent, f.Slug).Scan(&id, &confirmed)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return 0, false, fmt.Errorf("lock event: %w", err)
	}
	exists := err == nil
	if exists && f.Capacity < confirmed {
		return 0, false, &Problems{NewProblem("$.capacity", "file.capacity_confirmed", confirmed)}
	}
	programme, _ := json.Marshal(nonNil(f.Programme))
	questions, _ := json.Marshal(nonNil(f.Questions))
	r := f.Registration
	sql := insertEvent
	if exists {
		sql = updateEvent
	}
	err = tx.QueryRow(ctx, sql, f.Slug, f.Title, f.Description, f.Organiser.Name, f.Organiser.Email,
		f.Timezone, f.StartsAt, f.EndsAt, f.Venue.Name, f.Venue.Address, f.Capacity, f.Languages,
		r.Mode, r.OpensAt, r.ClosesAt, r.MaxPreferences, r.AllowUnlisted, f.RetentionDays, f.Status,
		programme, questions, f.Privacy.Text, f.Privacy.URL, f.Imprint.Text, f.Imprint.URL).Scan(&id)
	if err != nil {
		return 0, false, fmt.Errorf("save event: %w", err)
	}
	return id, !exists, nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

const upsertSlot = `
INSERT INTO slots (event_id, key, title, starts_at, ends_at, position, optional)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (event_id, key) DO UPDATE
SET title = EXCLUDED.title, starts_at = EXCLUDED.starts_at, ends_at = EXCLUDED.ends_at,
    position = EXCLUDED.position, optional = EXCLUDED.optional
RETURNING id`

const deleteStaleSlots = `DELETE FROM slots WHERE event_id = $1 AND NOT (key = ANY($2))`

func syncSlots(ctx context.Context, tx pgx.Tx, eventID int64, f *File) (map[string]int64, error) {
	ids := make(map[string]int64, len(f.Slots))
	for i, s := range f.Slots {
		var id int64
		if err := tx.QueryRow(ctx, upsertSlot, eventID, s.Key, s.Title, s.StartsAt, s.EndsAt, i, s.Optional).Scan(&id); err != nil {
			return nil, fmt.Errorf("save slot %s: %w", s.Key, err)
		}
		ids[s.Key] = id
	}
	wkeys := make([]string, len(f.Workshops))
	for i, w := range f.Workshops {
		wkeys[i] = w.Key
	}
	if err := deleteWorkshopsNotIn(ctx, tx, eventID, wkeys); err != nil {
		return nil, err
	}
	return ids, nil
}

// deleteSlotsNotIn runs after the workshops have moved, so a slot the file
// dropped is gone even if one of its workshops moved elsewhere.
func deleteSlotsNotIn(ctx context.Context, tx pgx.Tx, eventID int64, f *File) error {
	keys := make([]string, len(f.Slots))
	for i, s := range f.Slots {
		keys[i] = s.Key
	}
	if _, err := tx.Exec(ctx, deleteStaleSlots, eventID, keys); err != nil {
		return fmt.Errorf("remove slots: %w", err)
	}
	return nil
}

// Workshops the file drops are locked first, so that a swap or promotion
// into one of them either commits before the check sees its booking or
// waits and then finds the workshop gone.
const lockDoomed = `
SELECT id FROM workshops WHERE event_id = $1 AND NOT (key = ANY($2)) ORDER BY id FOR NO KEY UPDATE`

const stuckWorkshop = `
SELECT w.key FROM workshops w
WHERE w.event_id = $1 AND NOT (w.key = ANY($2))
  AND EXISTS (SELECT 1 FROM bookings b WHERE b.workshop_id = w.id)
ORDER BY w.key LIMIT 1`

const deleteWorkshops = `DELETE FROM workshops WHERE event_id = $1 AND NOT (key = ANY($2))`

func deleteWorkshopsNotIn(ctx context.Context, tx pgx.Tx, eventID int64, keys []string) error {
	rows, err := tx.Query(ctx, lockDoomed, eventID, keys)
	if err != nil {
		return fmt.Errorf("lock removed workshops: %w", err)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("lock removed workshops: %w", err)
	}
	var key string
	err = tx.QueryRow(ctx, stuckWorkshop, eventID, keys).Scan(&key)
	if err == nil {
		return &Problems{NewProblem("$.workshops", "file.workshop_removed", key)}
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("check removed workshops: %w", err)
	}
	if _, err := tx.Exec(ctx, deleteWorkshops, eventID, keys); err != nil {
		return fmt.Errorf("remove workshops: %w", err)
	}
	return nil
}

const currentWorkshop = `
SELECT slot_id, taken, EXISTS (SELECT 1 FROM bookings b WHERE b.workshop_id = workshops.id)
FROM workshops WHERE event_id = $1 AND key = $2 FOR NO KEY UPDATE`

const upsertWorkshop = `
INSERT INTO workshops (event_id, slot_id, key, title, description, hosts, room, capacity,
    min_participants, topic, position)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
ON CONFLICT (event_id, key) DO UPDATE
SET slot_id = EXCLUDED.slot_id, title = EXCLUDED.title, description = EXCLUDED.description,
    hosts = EXCLUDED.hosts, room = EXCLUDED.room, capacity = EXCLUDED.capacity,
    min_participants = EXCLUDED.min_participants, topic = EXCLUDED.topic,
    position = EXCLUDED.position
RETURNING id`

func syncWorkshops(ctx context.Context, tx pgx.Tx, eventID int64, slotIDs map[string]int64, f *File) error {
	var problems Problems
	for i, w := range f.Workshops {
		if err := checkWorkshopChange(ctx, tx, eventID, slotIDs, w, i, &problems); err != nil {
			return err
		}
	}
	if len(problems) > 0 {
		return &problems
	}
	for i, w := range f.Workshops {
		// The bookings' key to their workshop (bookings_workshop_fkey) is
		// ON UPDATE CASCADE: a new topic reaches them in this statement.
		var id int64
		err := tx.QueryRow(ctx, upsertWorkshop, eventID, slotIDs[w.Slot], w.Key, w.Title, w.Description,
			nonNil(w.Hosts), w.Room, w.Capacity, w.MinParticipants, w.Topic, i).Scan(&id)
		if db.IsUniqueViolation(err, "bookings_topic_once") {
			return &Problems{NewProblem(fmt.Sprintf("$.workshops[%d].topic", i), "file.topic_held", w.Key, w.Topic)}
		}
		if err != nil {
			return fmt.Errorf("save workshop %s: %w", w.Key, err)
		}
	}
	return nil
}

func checkWorkshopChange(ctx context.Context, tx pgx.Tx, eventID int64, slotIDs map[string]int64, w WSFile, i int, p *Problems) error {
	var slotID int64
	var taken int
	var booked bool
	err := tx.QueryRow(ctx, currentWorkshop, eventID, w.Key).Scan(&slotID, &taken, &booked)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read workshop %s: %w", w.Key, err)
	}
	path := fmt.Sprintf("$.workshops[%d]", i)
	if w.Capacity < taken {
		p.add(path+".capacity", "file.capacity_taken", taken)
	}
	if booked && slotIDs[w.Slot] != slotID {
		p.add(path+".slot", "file.workshop_slot", w.Key)
	}
	return nil
}

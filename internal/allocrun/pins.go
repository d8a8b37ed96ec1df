package allocrun

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/fachtag/fachtag/internal/booking"
	"github.com/fachtag/fachtag/internal/db"
	"github.com/fachtag/fachtag/internal/event"
	"github.com/fachtag/fachtag/internal/registration"
)

// Pin is a hard assignment the solver must keep.
type Pin struct {
	RegistrationID string `json:"registration_id"`
	Name           string `json:"name"`
	Slot           string `json:"slot"`
	Workshop       string `json:"workshop"`
}

const (
	selectWisher = `SELECT status FROM registrations WHERE id = $1 AND event_id = $2`
	pinnedIn     = `
SELECT count(*) FROM allocation_pins p JOIN registrations r ON r.id = p.registration_id AND r.status = 'received'
WHERE p.workshop_id = $1 AND p.registration_id <> $2`
	pinnedTopic = `
SELECT w.title FROM allocation_pins p JOIN workshops w ON w.id = p.workshop_id
WHERE p.registration_id = $1 AND p.slot_id <> $2 AND w.topic = $3`
	upsertPin = `
INSERT INTO allocation_pins (event_id, registration_id, slot_id, workshop_id) VALUES ($1, $2, $3, $4)
ON CONFLICT (registration_id, slot_id) DO UPDATE SET workshop_id = EXCLUDED.workshop_id, created_at = now()`
	deletePin = `
DELETE FROM allocation_pins p USING slots s
WHERE p.slot_id = s.id AND p.event_id = $1 AND p.registration_id = $2 AND s.key = $3`
)

// Pin fixes a wish-phase participant to a workshop in a slot for every
// later run, whether or not they wished for it. It refuses a workshop
// whose seats are all pinned and a topic pinned in another slot.
func (s *Service) Pin(ctx context.Context, slug, registrationID, slot, workshop string) error {
	return db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
		ev, err := wishPhaseEvent(ctx, tx, slug)
		if err != nil {
			return err
		}
		if err := checkWisher(ctx, tx, ev, registrationID); err != nil {
			return err
		}
		w, err := checkPin(ctx, tx, ev, registrationID, slot, workshop)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, upsertPin, ev.ID, registrationID, w.SlotID, w.ID); err != nil {
			return fmt.Errorf("store pin: %w", err)
		}
		return nil
	})
}

// Unpin removes a pin; removing a pin that does not exist is no error.
func (s *Service) Unpin(ctx context.Context, slug, registrationID, slot string) error {
	ev, err := loadEvent(ctx, s.pool, slug)
	if err != nil {
		return err
	}
	if !validUUID(registrationID) {
		return ErrNotFound
	}
	if _, err := s.pool.Exec(ctx, deletePin, ev.ID, registrationID, slot); err != nil {
		return fmt.Errorf("delete pin: %w", err)
	}
	return nil
}

const selectEventPins = `
SELECT p.registration_id::text, r.name, s.key, w.key
FROM allocation_pins p
JOIN registrations r ON r.id = p.registration_id
JOIN slots s ON s.id = p.slot_id
JOIN workshops w ON w.id = p.workshop_id
JOIN events e ON e.id = p.event_id
WHERE e.slug = $1 AND r.status = 'received'
ORDER BY r.name, s.starts_at, s.key`

// Pins lists the event's pins of participants still in the wish phase.
func (s *Service) Pins(ctx context.Context, slug string) ([]Pin, error) {
	rows, _ := s.pool.Query(ctx, selectEventPins, slug)
	pins, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Pin, error) {
		var p Pin
		return p, r.Scan(&p.RegistrationID, &p.Name, &p.Slot, &p.Workshop)
	})
	if err != nil {
		return nil, fmt.Errorf("list pins: %w", err)
	}
	return pins, nil
}

func wishPhaseEvent(ctx context.Context, tx pgx.Tx, slug string) (*event.Event, error) {
	ev, err := loadEvent(ctx, tx, slug)
	if err != nil {
		return nil, err
	}
	if ev.Registration.Mode != event.ModePreferences {
		return nil, notWishPhase(ctx, tx, ev.ID)
	}
	return ev, nil
}

func checkWisher(ctx context.Context, tx pgx.Tx, ev *event.Event, regID string) error {
	var status registration.Status
	err := errors.New("invalid id")
	if validUUID(regID) {
		err = tx.QueryRow(ctx, selectWisher, regID, ev.ID).Scan(&status)
	}
	if err == nil && status == registration.Received {
		return nil
	}
	if err != nil && !errors.Is(err, pgx.ErrNoRows) && validUUID(regID) {
		return fmt.Errorf("load registration: %w", err)
	}
	return invalid("registration_id", "err.not_wisher")
}

// checkPin validates the pin under the workshop's row lock, so that two
// concurrent pins cannot both take its last seat.
func checkPin(ctx context.Context, tx pgx.Tx, ev *event.Event, regID, slot, key string) (event.Workshop, error) {
	if _, ok := ev.Slot(slot); !ok {
		return event.Workshop{}, invalid("slot", "err.unknown_slot", slot)
	}
	w, ok := ev.Workshop(key)
	switch {
	case !ok:
		return w, invalid("workshop", "err.unknown_workshop", key)
	case w.SlotKey != slot:
		return w, invalid("workshop", "err.wrong_slot", key, w.SlotKey)
	}
	var title string
	err := tx.QueryRow(ctx, pinnedTopic, regID, w.SlotID, w.Topic).Scan(&title)
	if err == nil {
		return w, invalid("workshop", "err.topic_twice", title)
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return w, fmt.Errorf("check pinned topics: %w", err)
	}
	var pinned int
	if _, err := tx.Exec(ctx, `SELECT 1 FROM workshops WHERE id = $1 FOR NO KEY UPDATE`, w.ID); err != nil {
		return w, fmt.Errorf("lock workshop: %w", err)
	}
	if err := tx.QueryRow(ctx, pinnedIn, w.ID, regID).Scan(&pinned); err != nil {
		return w, fmt.Errorf("count pins: %w", err)
	}
	if pinned >= w.Capacity-w.Taken {
		return w, invalid("workshop", "err.pin_full", w.Title)
	}
	return w, nil
}

func invalid(field, key string, args ...any) error {
	return &booking.ValidationError{Fields: map[string]booking.FieldError{field: {Key: key, Args: args}}}
}

// validUUID keeps malformed ids away from the uuid column, where they
// would be a database error instead of a clear "not found".
func validUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, c := range s {
		switch {
		case i == 8 || i == 13 || i == 18 || i == 23:
			if c != '-' {
				return false
			}
		case !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'):
			return false
		}
	}
	return true
}

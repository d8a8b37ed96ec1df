package roster

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/fachtag/fachtag/internal/registration"
	"github.com/jackc/pgx/v5"
)

// Participant is a person in a workshop list. The JSON names are the API
// contract.
type Participant struct {
	RegistrationID   string    `json:"registration_id"`
	Name             string    `json:"name"`
	Email            string    `json:"email"`
	Organisation     string    `json:"organisation"`
	Role             string    `json:"role"`
	WaitlistPosition int       `json:"waitlist_position,omitempty"`
	BookedAt         time.Time `json:"booked_at"`
}

// Workshop is a workshop's participant list and waiting list.
type Workshop struct {
	Key       string        `json:"key"`
	Slot      string        `json:"slot"`
	Title     string        `json:"title"`
	Capacity  int           `json:"capacity"`
	Taken     int           `json:"taken"`
	Confirmed []Participant `json:"confirmed"`
	Waiting   []Participant `json:"waiting"`
}

const selectWorkshop = `
SELECT w.id, w.key, s.key, w.title, w.capacity, w.taken
FROM workshops w JOIN slots s ON s.id = w.slot_id
WHERE w.event_id = $1 AND w.key = $2`

const selectParticipants = `
SELECT r.id, r.name, r.email, r.organisation, r.role, b.status, b.created_at,
       CASE WHEN b.status = 'waitlisted' THEN row_number() OVER (PARTITION BY b.status ORDER BY b.queue_seq)
       ELSE 0 END AS pos
FROM bookings b JOIN registrations r ON r.id = b.registration_id
WHERE b.workshop_id = $1
ORDER BY b.status, pos, lower(r.name), r.seq`

// Participants returns the confirmed participants of the event's workshop
// (by name) and its waiting list (first come first).
func (s *Service) Participants(ctx context.Context, eventID int64, key string) (*Workshop, error) {
	var id int64
	w := Workshop{Confirmed: []Participant{}, Waiting: []Participant{}}
	err := s.pool.QueryRow(ctx, selectWorkshop, eventID, key).Scan(&id, &w.Key, &w.Slot, &w.Title, &w.Capacity, &w.Taken)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrWorkshopNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("load workshop: %w", err)
	}
	rows, _ := s.pool.Query(ctx, selectParticipants, id)
	var p Participant
	var status registration.Status
	_, err = pgx.ForEachRow(rows, []any{&p.RegistrationID, &p.Name, &p.Email, &p.Organisation, &p.Role, &status, &p.BookedAt, &p.WaitlistPosition},
		func() error {
			if status == registration.Waitlisted {
				w.Waiting = append(w.Waiting, p)
			} else {
				w.Confirmed = append(w.Confirmed, p)
			}
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("list participants: %w", err)
	}
	return &w, nil
}

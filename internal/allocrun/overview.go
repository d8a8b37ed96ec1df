package allocrun

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/fachtag/fachtag/internal/event"
)

// Overview is what the organiser's allocation page shows: the latest
// runs, the demand of the current wishes (nil once the wish phase is
// over) and the reports of the runs asked for.
type Overview struct {
	Runs    []Summary
	Pins    []Pin
	Demand  []SlotDemand
	Reports []*Report
}

// Overview gathers the page's data; ids name the runs to report on.
func (s *Service) Overview(ctx context.Context, slug string, ids ...int64) (*Overview, error) {
	var o Overview
	var err error
	if o.Runs, err = s.List(ctx, slug); err != nil {
		return nil, err
	}
	if o.Pins, err = s.Pins(ctx, slug); err != nil {
		return nil, err
	}
	o.Demand, err = s.Demand(ctx, slug)
	if err != nil && !errors.Is(err, ErrPublished) && !errors.Is(err, ErrNotWishPhase) {
		return nil, err
	}
	for _, id := range ids {
		rep, err := s.Report(ctx, slug, id)
		if err != nil {
			return nil, err
		}
		o.Reports = append(o.Reports, rep)
	}
	return &o, nil
}

// Wisher is a wish-phase participant as the pin form shows them.
type Wisher struct {
	RegistrationID string
	Name           string
	Email          string
	Wishes         map[string][]string // slot → ranked workshop keys
	Pins           map[string]string   // slot → pinned workshop key
}

const selectWisherPins = `
SELECT r.name, r.email, r.preferences,
       coalesce((SELECT jsonb_object_agg(s.key, w.key) FROM allocation_pins p
                 JOIN slots s ON s.id = p.slot_id JOIN workshops w ON w.id = p.workshop_id
                 WHERE p.registration_id = r.id), '{}')
FROM registrations r WHERE r.id = $1 AND r.event_id = $2 AND r.status = 'received'`

// Wisher returns a participant of the event's wish phase with their
// wishes and pins; anyone else is ErrNotFound.
func (s *Service) Wisher(ctx context.Context, slug, registrationID string) (*Wisher, error) {
	ev, err := loadEvent(ctx, s.pool, slug)
	if err != nil {
		return nil, err
	}
	if ev.Registration.Mode != event.ModePreferences || !validUUID(registrationID) {
		return nil, ErrNotFound
	}
	wr := &Wisher{RegistrationID: registrationID}
	var raw map[string][]string
	err = s.pool.QueryRow(ctx, selectWisherPins, registrationID, ev.ID).Scan(&wr.Name, &wr.Email, &raw, &wr.Pins)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("load wisher: %w", err)
	}
	wr.Wishes = cleanWishes(ev, raw)
	return wr, nil
}

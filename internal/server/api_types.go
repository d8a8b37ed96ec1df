package server

import (
	"time"

	"github.com/fachtag/fachtag/internal/booking"
	"github.com/fachtag/fachtag/internal/event"
	"github.com/fachtag/fachtag/internal/registration"
)

// EventJSON is GET /api/v1/events/{slug}.
type EventJSON struct {
	Slug         string           `json:"slug"`
	Title        string           `json:"title"`
	Description  string           `json:"description"`
	Organiser    event.Organiser  `json:"organiser"`
	Timezone     string           `json:"timezone"`
	StartsAt     time.Time        `json:"starts_at"`
	EndsAt       time.Time        `json:"ends_at"`
	Venue        event.Venue      `json:"venue"`
	Capacity     int              `json:"capacity"`
	SeatsLeft    int              `json:"seats_left"`
	Languages    []string         `json:"languages"`
	Registration RegistrationInfo `json:"registration"`
	Status       string           `json:"status"`
	Programme    []event.Item     `json:"programme"`
	Slots        []SlotJSON       `json:"slots"`
	Workshops    []WorkshopJSON   `json:"workshops"`
	Questions    []event.Question `json:"questions"`
}

// RegistrationInfo is the event's sign-up rules and whether it is open now.
type RegistrationInfo struct {
	event.Registration
	Open bool `json:"open"`
}

// SlotJSON is one slot of an event.
type SlotJSON struct {
	Key      string    `json:"key"`
	Title    string    `json:"title"`
	StartsAt time.Time `json:"starts_at"`
	EndsAt   time.Time `json:"ends_at"`
}

// WorkshopJSON is one workshop with its live seats.
type WorkshopJSON struct {
	Key             string   `json:"key"`
	Slot            string   `json:"slot"`
	Title           string   `json:"title"`
	Description     string   `json:"description"`
	Hosts           []string `json:"hosts"`
	Room            string   `json:"room"`
	Capacity        int      `json:"capacity"`
	MinParticipants int      `json:"min_participants"`
	Topic           string   `json:"topic"`
	SeatsLeft       int      `json:"seats_left"`
	Waitlist        int      `json:"waitlist"`
}

// eventJSON writes every time in the event's zone, with the offset that
// zone has on that date (+01:00 in a Berlin January, +02:00 in July), not
// the offset the event file or the database happened to carry.
func eventJSON(ev *event.Event, now time.Time) EventJSON {
	loc := ev.Location()
	out := EventJSON{Slug: ev.Slug, Title: ev.Title, Description: ev.Description, Organiser: ev.Organiser,
		Timezone: ev.Timezone, StartsAt: ev.StartsAt.In(loc), EndsAt: ev.EndsAt.In(loc), Venue: ev.Venue,
		Capacity: ev.Capacity, SeatsLeft: ev.SeatsLeft(), Languages: ev.Languages, Status: ev.Status,
		Registration: RegistrationInfo{Registration: registrationIn(ev.Registration, loc), Open: ev.OpenAt(now)},
		Programme:    []event.Item{}, Questions: orEmpty(ev.Questions),
		Slots: []SlotJSON{}, Workshops: []WorkshopJSON{}}
	for _, it := range ev.Programme {
		it.StartsAt, it.EndsAt = it.StartsAt.In(loc), it.EndsAt.In(loc)
		out.Programme = append(out.Programme, it)
	}
	for _, s := range ev.Slots {
		out.Slots = append(out.Slots, SlotJSON{Key: s.Key, Title: s.Title, StartsAt: s.StartsAt.In(loc), EndsAt: s.EndsAt.In(loc)})
	}
	for _, w := range ev.Workshops {
		out.Workshops = append(out.Workshops, WorkshopJSON{Key: w.Key, Slot: w.SlotKey, Title: w.Title,
			Description: w.Description, Hosts: orEmpty(w.Hosts), Room: w.Room, Capacity: w.Capacity,
			MinParticipants: w.MinParticipants, Topic: w.Topic, SeatsLeft: w.SeatsLeft(), Waitlist: w.Waiting})
	}
	return out
}

// RegistrationJSON is the 201 reply of a sign-up and the current state
// behind a personal link.
type RegistrationJSON struct {
	ID               string              `json:"id"`
	Event            string              `json:"event"`
	Status           registration.Status `json:"status"`
	WaitlistPosition int                 `json:"waitlist_position,omitempty"`
	Token            string              `json:"token"`
	ManageURL        string              `json:"manage_url"`
	Name             string              `json:"name"`
	Email            string              `json:"email"`
	Language         string              `json:"language"`
	Bookings         []booking.Booking   `json:"bookings"`
	Preferences      map[string][]string `json:"preferences,omitempty"`
}

func (s *Server) registrationJSON(reg *booking.Registration, token string) RegistrationJSON {
	return RegistrationJSON{ID: reg.ID, Event: reg.EventSlug, Status: reg.Status,
		WaitlistPosition: reg.WaitlistPosition, Token: token, ManageURL: ManageLink(s.opts.BaseURL)(token),
		Name: reg.Name, Email: reg.Email, Language: reg.Language, Bookings: orEmpty(reg.Bookings),
		Preferences: reg.Preferences}
}

func registrationIn(r event.Registration, loc *time.Location) event.Registration {
	for _, t := range []**time.Time{&r.OpensAt, &r.ClosesAt} {
		if *t != nil {
			in := (*t).In(loc)
			*t = &in
		}
	}
	return r
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

package event

import (
	"slices"
	"time"
)

// File is the stored event as an event file: what the download gives and
// what a copy starts from.
func (e *Event) File() *File {
	f := &File{Slug: e.Slug, Title: e.Title, Description: e.Description, Organiser: e.Organiser,
		Timezone: e.Timezone, StartsAt: e.StartsAt, EndsAt: e.EndsAt, Venue: e.Venue, Capacity: e.Capacity,
		Languages: slices.Clone(e.Languages), Registration: e.Registration, Programme: slices.Clone(e.Programme),
		Questions: slices.Clone(e.Questions), RetentionDays: e.RetentionDays, Status: e.Status,
		Slots: []SlotFile{}, Workshops: []WSFile{}, Privacy: e.Privacy, Imprint: e.Imprint}
	for _, s := range e.Slots {
		f.Slots = append(f.Slots, SlotFile{Key: s.Key, Title: s.Title, StartsAt: s.StartsAt, EndsAt: s.EndsAt, Optional: s.Optional})
	}
	for _, w := range e.Workshops {
		f.Workshops = append(f.Workshops, WSFile{Key: w.Key, Slot: w.SlotKey, Title: w.Title, Description: w.Description,
			Hosts: w.Hosts, Room: w.Room, Capacity: w.Capacity, MinParticipants: w.MinParticipants, Topic: w.Topic})
	}
	return f
}

// CopyAs is a new draft of the same event under another slug and title,
// starting on the day of day at the same time of day: the programme, the
// slots and the registration window move by the same amount; workshops,
// questions and legal texts stay as they are. The file holds no
// registrations, so the copy starts with none.
func (f *File) CopyAs(slug, title string, day time.Time) *File {
	c := *f
	c.Slug, c.Title, c.Status = slug, title, StatusDraft
	c.Languages = slices.Clone(f.Languages)
	c.Programme = slices.Clone(f.Programme)
	c.Slots = slices.Clone(f.Slots)
	c.Workshops = slices.Clone(f.Workshops)
	c.Questions = slices.Clone(f.Questions)
	c.shift(c.offsetTo(day))
	return &c
}

// NextYear is the same weekday as t, 52 weeks later: where a yearly
// event's next edition usually falls.
func NextYear(t time.Time) time.Time { return t.AddDate(0, 0, 7*52) }

// ProgrammeKinds are the kinds of programme item the setup offers, each
// with the catalogue key "kind.<kind>". The event file takes any kind; one
// outside this list is shown as written.
var ProgrammeKinds = []string{"welcome", "talk", "keynote", "panel", "discussion", "break", "other"}

// Package event owns events, their slots and workshops: the event-file
// contract (parse, validate, import, export) and loading an event with its
// live seat counts.
package event

import (
	"bytes"
	"encoding/json"
	"strings"
	"time"
)

// File is the event-file contract of `fachtag import`.
type File struct {
	Slug          string       `json:"slug"`
	Title         string       `json:"title"`
	Description   string       `json:"description"`
	Organiser     Organiser    `json:"organiser"`
	Timezone      string       `json:"timezone"`
	StartsAt      time.Time    `json:"starts_at"`
	EndsAt        time.Time    `json:"ends_at"`
	Venue         Venue        `json:"venue"`
	Capacity      int          `json:"capacity"`
	Languages     []string     `json:"languages"`
	Registration  Registration `json:"registration"`
	Programme     []Item       `json:"programme"`
	Slots         []SlotFile   `json:"slots"`
	Workshops     []WSFile     `json:"workshops"`
	Questions     []Question   `json:"questions"`
	RetentionDays int          `json:"retention_days"`
	Status        string       `json:"status,omitempty"`
	// Privacy and Imprint are the event's own privacy notice and imprint;
	// without them the installation's defaults apply.
	Privacy Legal `json:"privacy,omitzero"`
	Imprint Legal `json:"imprint,omitzero"`
}

// Organiser is who runs the event.
type Organiser struct {
	Name  string `json:"name"`
	Email string `json:"email"`
}

// Venue is where the event takes place.
type Venue struct {
	Name    string `json:"name"`
	Address string `json:"address"`
}

// Registration holds the sign-up rules of an event.
type Registration struct {
	Mode           string     `json:"mode"`
	OpensAt        *time.Time `json:"opens_at,omitempty"`
	ClosesAt       *time.Time `json:"closes_at,omitempty"`
	MaxPreferences int        `json:"max_preferences"`
	AllowUnlisted  bool       `json:"allow_unlisted"`
}

// Item is one entry of the plenary programme.
type Item struct {
	StartsAt time.Time `json:"starts_at"`
	EndsAt   time.Time `json:"ends_at"`
	Title    string    `json:"title"`
	Kind     string    `json:"kind"`
	Speakers []string  `json:"speakers"`
}

// SlotFile is a time slot in which workshops run in parallel.
type SlotFile struct {
	Key      string    `json:"key"`
	Title    string    `json:"title"`
	StartsAt time.Time `json:"starts_at"`
	EndsAt   time.Time `json:"ends_at"`
	// Optional lets a participant of a first_come event leave the slot
	// without a workshop; otherwise a sign-up must choose one.
	Optional bool `json:"optional,omitempty"`
}

// WSFile is a workshop as written in the event file.
type WSFile struct {
	Key             string   `json:"key"`
	Slot            string   `json:"slot"`
	Title           string   `json:"title"`
	Description     string   `json:"description"`
	Hosts           []string `json:"hosts"`
	Room            string   `json:"room"`
	Capacity        int      `json:"capacity"`
	MinParticipants int      `json:"min_participants"`
	Topic           string   `json:"topic,omitempty"`
}

// Question is an extra field of the registration form.
type Question struct {
	Key      string   `json:"key"`
	Type     string   `json:"type"`
	Label    Label    `json:"label"`
	Required bool     `json:"required"`
	Options  []string `json:"options"`
}

// Label is a text in German and English.
type Label struct {
	DE string `json:"de"`
	EN string `json:"en"`
}

// In returns the label in lang, falling back to German.
func (l Label) In(lang string) string {
	if lang == "en" && l.EN != "" {
		return l.EN
	}
	return l.DE
}

// ParseFile decodes an event file and fills in defaults. Syntax errors name
// the byte offset; type errors name the field.
func ParseFile(data []byte) (*File, error) {
	var f File
	dec := json.NewDecoder(bytes.NewReader(data))
	// A misspelt or misplaced field would otherwise be dropped without a
	// word - a "closes_at" one level too high and registration never closes.
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, describeJSONError(err)
	}
	f.applyDefaults()
	return &f, nil
}

func (f *File) applyDefaults() {
	if f.Timezone == "" {
		f.Timezone = "Europe/Berlin"
	}
	if f.Status == "" {
		f.Status = StatusDraft
	}
	if len(f.Languages) == 0 {
		f.Languages = []string{"de"}
	}
	if f.Registration.MaxPreferences == 0 {
		f.Registration.MaxPreferences = 3
	}
	if f.RetentionDays == 0 {
		f.RetentionDays = 90
	}
	for i := range f.Workshops {
		if f.Workshops[i].Topic == "" {
			f.Workshops[i].Topic = f.Workshops[i].Key
		}
	}
}

func describeJSONError(err error) error {
	switch e := err.(type) {
	case *json.SyntaxError:
		return &Problems{NewProblem("$", "file.json_syntax", e.Offset, e)}
	case *json.UnmarshalTypeError:
		return &Problems{NewProblem("$."+e.Field, "file.json_type", e.Type, e.Value)}
	case *time.ParseError:
		return &Problems{NewProblem("$", "file.json_time", e.Error())}
	}
	if field, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return &Problems{NewProblem("$", "file.json_unknown_field", field)}
	}
	return &Problems{NewProblem("$", "file.unreadable", err.Error())}
}

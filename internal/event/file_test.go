package event_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/fachtag/fachtag/internal/event"
	"github.com/fachtag/fachtag/internal/scenarios"
)

func TestScenariosParseAndValidate(t *testing.T) {
	for _, name := range scenarios.Names {
		t.Run(name, func(t *testing.T) {
			data, err := scenarios.Read(name)
			if err != nil {
				t.Fatal(err)
			}
			f, err := event.ParseFile(data)
			if err != nil {
				t.Fatalf("ParseFile: got %v, want nil", err)
			}
			if err := f.Validate(); err != nil {
				t.Fatalf("Validate: got %v, want nil", err)
			}
			if (len(f.Slots) == 0) != (len(f.Workshops) == 0) {
				t.Errorf("got %d slots and %d workshops, want some of each or none at all", len(f.Slots), len(f.Workshops))
			}
			for i, w := range f.Workshops {
				if w.Topic == "" {
					t.Errorf("workshops[%d].topic: got empty, want a default (the key)", i)
				}
			}
		})
	}
}

func TestParseFileDefaults(t *testing.T) {
	f, err := event.ParseFile([]byte(`{"slug":"x","workshops":[{"key":"A1"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct{ name, got, want string }{
		{"timezone", f.Timezone, "Europe/Berlin"},
		{"status", f.Status, event.StatusDraft},
		{"languages", strings.Join(f.Languages, ","), "de"},
		{"topic", f.Workshops[0].Topic, "A1"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, c.got, c.want)
		}
	}
	if f.Registration.MaxPreferences != 3 || f.RetentionDays != 90 {
		t.Errorf("max_preferences, retention_days: got %d, %d, want 3, 90", f.Registration.MaxPreferences, f.RetentionDays)
	}
}

// validFile is a small, valid event file: two slots, four workshops.
func validFile() *event.File {
	day := time.Date(2030, 3, 14, 0, 0, 0, 0, time.UTC)
	at := func(h, m int) time.Time { return day.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute) }
	opens, closes := at(0, 0).AddDate(0, -1, 0), at(0, 0).AddDate(0, 0, -1)
	return &event.File{
		Slug: "test-event", Title: "Fachtag Test", Description: "Ein Test.",
		Organiser: event.Organiser{Name: "Netzwerk", Email: "team@example.org"},
		Timezone:  "Europe/Berlin", StartsAt: at(9, 0), EndsAt: at(16, 0),
		Venue: event.Venue{Name: "Rathaus", Address: "Erfurt"}, Capacity: 50, Languages: []string{"de", "en"},
		Registration: event.Registration{Mode: event.ModeFirstCome, OpensAt: &opens, ClosesAt: &closes, MaxPreferences: 3},
		Programme:    []event.Item{{StartsAt: at(9, 0), EndsAt: at(9, 30), Title: "Begrüßung", Kind: "talk"}},
		Slots: []event.SlotFile{
			{Key: "r1", Title: "Runde 1", StartsAt: at(10, 0), EndsAt: at(11, 30)},
			{Key: "r2", Title: "Runde 2", StartsAt: at(13, 0), EndsAt: at(14, 30)},
		},
		Workshops: []event.WSFile{
			{Key: "A1", Slot: "r1", Title: "Beratung", Capacity: 10, Topic: "A"},
			{Key: "B1", Slot: "r1", Title: "Arbeitsmarkt", Capacity: 10, Topic: "B"},
			{Key: "A2", Slot: "r2", Title: "Beratung (Wdh.)", Capacity: 10, Topic: "A"},
			{Key: "C2", Slot: "r2", Title: "Kommunen", Capacity: 10, Topic: "C"},
		},
		Questions: []event.Question{
			{Key: "diet", Type: "text", Label: event.Label{DE: "Ernährung", EN: "Diet"}},
			{Key: "format", Type: "choice", Label: event.Label{DE: "Format", EN: "Format"}, Options: []string{"vor Ort", "online"}},
		},
		RetentionDays: 30, Status: event.StatusOpen,
	}
}

func marshal(t *testing.T, f *event.File) []byte {
	t.Helper()
	b, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestValidFileIsValid(t *testing.T) {
	f, err := event.ParseFile(marshal(t, validFile()))
	if err != nil {
		t.Fatalf("ParseFile: %v", err)
	}
	if err := f.Validate(); err != nil {
		t.Fatalf("Validate: got %v, want nil", err)
	}
}

// problemsOf parses and validates data and returns the problems found.
func problemsOf(t *testing.T, data []byte) event.Problems {
	t.Helper()
	f, err := event.ParseFile(data)
	if err == nil {
		err = f.Validate()
	}
	if err == nil {
		return nil
	}
	var p *event.Problems
	if !errors.As(err, &p) {
		t.Fatalf("got error %T %v, want *event.Problems", err, err)
	}
	return *p
}

func TestBrokenFiles(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(f *event.File) // applied to validFile, or
		raw    string              // the raw file instead
		path   string              // want a problem at this path
		msg    string              // whose message contains this
	}{
		{name: "unknown slot", mutate: func(f *event.File) { f.Workshops[2].Slot = "r9" }, path: "$.workshops[2].slot", msg: "r9"},
		{name: "duplicate workshop key", mutate: func(f *event.File) { f.Workshops[3].Key = "A1" }, path: "$.workshops[3].key", msg: "duplicate"},
		{name: "duplicate slot key", mutate: func(f *event.File) { f.Slots[1].Key = "r1" }, path: "$.slots[1].key", msg: "duplicate"},
		{name: "workshop capacity zero", mutate: func(f *event.File) { f.Workshops[1].Capacity = 0 }, path: "$.workshops[1].capacity", msg: "greater than 0"},
		{name: "workshop capacity negative", mutate: func(f *event.File) { f.Workshops[0].Capacity = -3 }, path: "$.workshops[0].capacity", msg: "-3"},
		{name: "event capacity zero", mutate: func(f *event.File) { f.Capacity = 0 }, path: "$.capacity", msg: "greater than 0"},
		{name: "event ends before it starts", mutate: func(f *event.File) { f.EndsAt = f.StartsAt.Add(-time.Hour) }, path: "$.ends_at", msg: "after"},
		{name: "slot ends before it starts", mutate: func(f *event.File) { f.Slots[0].EndsAt = f.Slots[0].StartsAt.Add(-time.Minute) }, path: "$.slots[0].ends_at", msg: "after"},
		{name: "slot outside the event", mutate: func(f *event.File) { f.Slots[1].EndsAt = f.EndsAt.Add(time.Hour) }, path: "$.slots[1].starts_at", msg: "within"},
		{name: "programme item ends before it starts", mutate: func(f *event.File) { f.Programme[0].EndsAt = f.Programme[0].StartsAt }, path: "$.programme[0].ends_at", msg: "after"},
		{name: "registration closes before it opens", mutate: func(f *event.File) {
			c := f.Registration.OpensAt.Add(-time.Hour)
			f.Registration.ClosesAt = &c
		}, path: "$.registration.closes_at", msg: "after opens_at"},
		{name: "registration closes after the event", mutate: func(f *event.File) {
			c := f.EndsAt.Add(time.Hour)
			f.Registration.ClosesAt = &c
		}, path: "$.registration.closes_at", msg: "event ends"},
		{name: "bad mode", mutate: func(f *event.File) { f.Registration.Mode = "lottery" }, path: "$.registration.mode", msg: "lottery"},
		{name: "bad status", mutate: func(f *event.File) { f.Status = "published" }, path: "$.status", msg: "published"},
		{name: "unknown timezone", mutate: func(f *event.File) { f.Timezone = "Europe/Atlantis" }, path: "$.timezone", msg: "Europe/Atlantis"},
		{name: "topic twice in a slot", mutate: func(f *event.File) { f.Workshops[1].Topic = "A" }, path: "$.workshops[1].topic", msg: "A1"},
		{name: "choice question without options", mutate: func(f *event.File) { f.Questions[1].Options = nil }, path: "$.questions[1].options", msg: "options"},
		{name: "bad question type", mutate: func(f *event.File) { f.Questions[0].Type = "radio" }, path: "$.questions[0].type", msg: "radio"},
		{name: "duplicate question key", mutate: func(f *event.File) { f.Questions[1].Key = "diet" }, path: "$.questions[1].key", msg: "duplicate"},
		{name: "bad slug", mutate: func(f *event.File) { f.Slug = "Fachtag 2030!" }, path: "$.slug"},
		{name: "bad workshop key", mutate: func(f *event.File) { f.Workshops[0].Key = "A 1" }, path: "$.workshops[0].key"},
		{name: "unsupported language", mutate: func(f *event.File) { f.Languages = []string{"de", "fr"} }, path: "$.languages[1]", msg: "fr"},
		{name: "bad organiser mail", mutate: func(f *event.File) { f.Organiser.Email = "team at example" }, path: "$.organiser.email"},
		{name: "min participants above capacity", mutate: func(f *event.File) { f.Workshops[0].MinParticipants = 11 }, path: "$.workshops[0].min_participants"},
		{name: "max preferences too high", mutate: func(f *event.File) { f.Registration.MaxPreferences = 11 }, path: "$.registration.max_preferences"},
		{name: "malformed JSON", raw: `{"slug": "x", "title": }`, path: "$", msg: "invalid JSON"},
		{name: "truncated JSON", raw: `{"slug": "x"`, path: "$"},
		{name: "wrong type", raw: `{"slug": "x", "capacity": "hundert"}`, path: "$.capacity", msg: "int"},
		{name: "time not RFC 3339", raw: `{"slug": "x", "starts_at": "26.06.2024 09:30"}`, path: "$", msg: "RFC 3339"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := []byte(tt.raw)
			if tt.mutate != nil {
				f := validFile()
				tt.mutate(f)
				data = marshal(t, f)
			}
			problems := problemsOf(t, data)
			for _, p := range problems {
				if p.Path == tt.path && strings.Contains(p.Message, tt.msg) {
					return
				}
			}
			t.Errorf("got problems %+v, want one at %s containing %q", problems, tt.path, tt.msg)
		})
	}
}

// TestValidateListsEveryProblem: an organiser fixes a file in one go, so
// Validate must not stop at the first problem.
func TestValidateListsEveryProblem(t *testing.T) {
	f := validFile()
	f.Capacity = 0
	f.Workshops[0].Slot = "nope"
	f.Registration.Mode = "x"
	problems := problemsOf(t, marshal(t, f))
	want := map[string]bool{"$.capacity": false, "$.workshops[0].slot": false, "$.registration.mode": false}
	for _, p := range problems {
		if _, ok := want[p.Path]; ok {
			want[p.Path] = true
		}
	}
	for path, seen := range want {
		if !seen {
			t.Errorf("problem at %s: missing from %+v", path, problems)
		}
	}
}

// scenarioFile is the parsed event file of the scenario.
func scenarioFile(t *testing.T, name string) *event.File {
	t.Helper()
	data, err := scenarios.Read(name)
	if err != nil {
		t.Fatal(err)
	}
	f, err := event.ParseFile(data)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestMoveTo(t *testing.T) {
	for _, name := range scenarios.Names {
		t.Run(name, func(t *testing.T) {
			f := scenarioFile(t, name)
			loc, _ := time.LoadLocation(f.Timezone)
			oldStart := f.StartsAt.In(loc)
			itemOffset := f.Programme[len(f.Programme)-1].StartsAt.Sub(f.StartsAt)
			length := f.EndsAt.Sub(f.StartsAt)

			now := time.Now()
			start := now.AddDate(0, 0, 30)
			f.MoveTo(start, now)
			f.Status = event.StatusOpen
			if err := f.Validate(); err != nil {
				t.Fatalf("Validate after MoveTo: %v", err)
			}
			got := f.StartsAt.In(loc)
			wantDay := start.In(loc)
			if got.Year() != wantDay.Year() || got.YearDay() != wantDay.YearDay() {
				t.Errorf("starts on %s, want the day of %s", got.Format(time.DateOnly), wantDay.Format(time.DateOnly))
			}
			if got.Hour() != oldStart.Hour() || got.Minute() != oldStart.Minute() {
				t.Errorf("starts at %s, want the old time of day %s", got.Format("15:04"), oldStart.Format("15:04"))
			}
			if !f.StartsAt.After(now) {
				t.Errorf("starts at %v, want after now %v", f.StartsAt, now)
			}
			if d := f.EndsAt.Sub(f.StartsAt); d != length {
				t.Errorf("length: got %v, want %v", d, length)
			}
			if d := f.Programme[len(f.Programme)-1].StartsAt.Sub(f.StartsAt); d != itemOffset {
				t.Errorf("last programme item's offset: got %v, want %v", d, itemOffset)
			}
			r := f.Registration
			if r.OpensAt == nil || r.ClosesAt == nil {
				t.Fatalf("registration window: got %v–%v, want both set", r.OpensAt, r.ClosesAt)
			}
			if !(r.OpensAt.Before(now) && now.Before(*r.ClosesAt)) {
				t.Errorf("registration window %v–%v does not contain now %v", r.OpensAt, r.ClosesAt, now)
			}
			if !r.ClosesAt.Before(f.StartsAt) {
				t.Errorf("registration closes %v, want before the start %v", r.ClosesAt, f.StartsAt)
			}
			ev := &event.Event{Status: f.Status, Registration: f.Registration}
			if !ev.OpenAt(now) {
				t.Error("OpenAt(now): got false, want true")
			}
		})
	}
}

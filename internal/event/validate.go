package event

import (
	"fmt"
	"net/mail"
	"regexp"
	"strings"
	"time"
)

// Event statuses.
const (
	StatusDraft    = "draft"
	StatusOpen     = "open"
	StatusClosed   = "closed"
	StatusArchived = "archived"
)

// Registration modes.
const (
	ModeFirstCome   = "first_come"
	ModePreferences = "preferences"
)

// Problem is one validation failure at a JSON path such as
// `$.workshops[2].slot`, said in English and in German.
type Problem struct {
	Path    string `json:"path"`
	Message string `json:"message"`
	German  string `json:"-"`
}

// In returns the message in lang ("de" or "en").
func (p Problem) In(lang string) string {
	if lang == "de" && p.German != "" {
		return p.German
	}
	return p.Message
}

// Problems is every validation failure of one event file.
type Problems []Problem

func (p *Problems) Error() string {
	lines := make([]string, len(*p))
	for i, pr := range *p {
		lines[i] = pr.Path + ": " + pr.Message
	}
	return "invalid event file:\n  " + strings.Join(lines, "\n  ")
}

func (p *Problems) add(path, format string, args ...any) {
	*p = append(*p, Problem{Path: path, Message: fmt.Sprintf(format, args...),
		German: fmt.Sprintf(german[format], args...)})
}

// german says each validation message of add in German, keyed by the
// English format.
var german = map[string]string{
	"a choice question needs options":                               "Eine Auswahlfrage braucht Antwortmöglichkeiten.",
	"duplicate question key %q":                                     "Der Fragen-Schlüssel %q kommt doppelt vor.",
	"duplicate slot key %q":                                         "Der Zeitraum-Schlüssel %q kommt doppelt vor.",
	"duplicate workshop key %q":                                     "Der Workshop-Schlüssel %q kommt doppelt vor.",
	"is not a mail address":                                         "Das ist keine E-Mail-Adresse.",
	"is required":                                                   "Bitte ausfüllen.",
	"must be 1–64 letters, digits, '-', '_' or '.'":                 "Bitte 1–64 Buchstaben, Ziffern, „-“, „_“ oder „.“.",
	"must be after opens_at":                                        "Muss nach dem Anmeldebeginn liegen.",
	"must be after starts_at":                                       "Muss nach dem Beginn liegen.",
	"must be between 0 and capacity (%d)":                           "Muss zwischen 0 und der Kapazität (%d) liegen.",
	"must be between 1 and 10, got %d":                              "Muss zwischen 1 und 10 liegen, nicht %d.",
	"must be draft, open, closed or archived, got %q":               "Muss draft, open, closed oder archived sein, nicht %q.",
	"must be first_come or preferences, got %q":                     "Muss first_come oder preferences sein, nicht %q.",
	"must be greater than 0, got %d":                                "Muss größer als 0 sein, nicht %d.",
	"must be text, choice or checkbox, got %q":                      "Muss text, choice oder checkbox sein, nicht %q.",
	"must not be after the event ends":                              "Darf nicht nach dem Ende der Veranstaltung liegen.",
	"must not be negative":                                          "Darf nicht negativ sein.",
	"slot must lie within the event's starts_at and ends_at":        "Der Zeitraum muss innerhalb von Beginn und Ende der Veranstaltung liegen.",
	"starts_at and ends_at are required":                            "Beginn und Ende sind erforderlich.",
	"topic %q is already offered in slot %q by %s":                  "Das Thema %q wird im Zeitraum %q schon von %s angeboten.",
	"unknown slot %q":                                               "Unbekannter Zeitraum %q.",
	"unknown time zone %q":                                          "Unbekannte Zeitzone %q.",
	"unsupported language %q (de, en)":                              "Nicht unterstützte Sprache %q (de, en).",
	"%d seats are already taken; the capacity cannot go below that": "%d Plätze sind schon vergeben; die Kapazität kann nicht darunter sinken.",
	"workshop %q has bookings and cannot move to another slot":      "Workshop %q hat Buchungen und kann nicht in einen anderen Zeitraum wechseln.",
}

var keyPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$`)

// Validate lists every problem of the file; nil means it can be imported.
func (f *File) Validate() error {
	var p Problems
	f.validateEvent(&p)
	slots := f.validateSlots(&p)
	f.validateWorkshops(&p, slots)
	f.validateQuestions(&p)
	f.validateProgramme(&p)
	if len(p) == 0 {
		return nil
	}
	return &p
}

func (f *File) validateEvent(p *Problems) {
	if !keyPattern.MatchString(f.Slug) {
		p.add("$.slug", "must be 1–64 letters, digits, '-', '_' or '.'")
	}
	if strings.TrimSpace(f.Title) == "" {
		p.add("$.title", "is required")
	}
	if _, err := time.LoadLocation(f.Timezone); err != nil {
		p.add("$.timezone", "unknown time zone %q", f.Timezone)
	}
	if f.StartsAt.IsZero() || f.EndsAt.IsZero() {
		p.add("$.starts_at", "starts_at and ends_at are required")
	} else if !f.StartsAt.Before(f.EndsAt) {
		p.add("$.ends_at", "must be after starts_at")
	}
	if f.Capacity <= 0 {
		p.add("$.capacity", "must be greater than 0, got %d", f.Capacity)
	}
	if f.Organiser.Email != "" {
		if _, err := mail.ParseAddress(f.Organiser.Email); err != nil {
			p.add("$.organiser.email", "is not a mail address")
		}
	}
	for i, l := range f.Languages {
		if l != "de" && l != "en" {
			p.add(fmt.Sprintf("$.languages[%d]", i), "unsupported language %q (de, en)", l)
		}
	}
	f.validateRegistration(p)
	if !ValidStatus(f.Status) {
		p.add("$.status", "must be draft, open, closed or archived, got %q", f.Status)
	}
	if f.RetentionDays < 0 {
		p.add("$.retention_days", "must not be negative")
	}
}

func (f *File) validateRegistration(p *Problems) {
	r := f.Registration
	if r.Mode != ModeFirstCome && r.Mode != ModePreferences {
		p.add("$.registration.mode", "must be first_come or preferences, got %q", r.Mode)
	}
	if r.OpensAt != nil && r.ClosesAt != nil && !r.OpensAt.Before(*r.ClosesAt) {
		p.add("$.registration.closes_at", "must be after opens_at")
	}
	if r.ClosesAt != nil && !f.EndsAt.IsZero() && r.ClosesAt.After(f.EndsAt) {
		p.add("$.registration.closes_at", "must not be after the event ends")
	}
	if r.MaxPreferences < 1 || r.MaxPreferences > 10 {
		p.add("$.registration.max_preferences", "must be between 1 and 10, got %d", r.MaxPreferences)
	}
}

func (f *File) validateSlots(p *Problems) map[string]SlotFile {
	slots := make(map[string]SlotFile, len(f.Slots))
	for i, s := range f.Slots {
		path := fmt.Sprintf("$.slots[%d]", i)
		if !keyPattern.MatchString(s.Key) {
			p.add(path+".key", "must be 1–64 letters, digits, '-', '_' or '.'")
		}
		if _, dup := slots[s.Key]; dup {
			p.add(path+".key", "duplicate slot key %q", s.Key)
		}
		slots[s.Key] = s
		if !s.StartsAt.Before(s.EndsAt) {
			p.add(path+".ends_at", "must be after starts_at")
		}
		if !f.StartsAt.IsZero() && (s.StartsAt.Before(f.StartsAt) || s.EndsAt.After(f.EndsAt)) {
			p.add(path+".starts_at", "slot must lie within the event's starts_at and ends_at")
		}
	}
	return slots
}

func (f *File) validateWorkshops(p *Problems, slots map[string]SlotFile) {
	seen := make(map[string]bool, len(f.Workshops))
	topicSlot := make(map[string]string)
	for i, w := range f.Workshops {
		path := fmt.Sprintf("$.workshops[%d]", i)
		if !keyPattern.MatchString(w.Key) {
			p.add(path+".key", "must be 1–64 letters, digits, '-', '_' or '.'")
		}
		if seen[w.Key] {
			p.add(path+".key", "duplicate workshop key %q", w.Key)
		}
		seen[w.Key] = true
		if _, ok := slots[w.Slot]; !ok {
			p.add(path+".slot", "unknown slot %q", w.Slot)
		}
		if strings.TrimSpace(w.Title) == "" {
			p.add(path+".title", "is required")
		}
		if w.Capacity <= 0 {
			p.add(path+".capacity", "must be greater than 0, got %d", w.Capacity)
		}
		if w.MinParticipants < 0 || w.MinParticipants > w.Capacity {
			p.add(path+".min_participants", "must be between 0 and capacity (%d)", w.Capacity)
		}
		if s, ok := topicSlot[w.Topic+"\x00"+w.Slot]; ok {
			p.add(path+".topic", "topic %q is already offered in slot %q by %s", w.Topic, w.Slot, s)
		}
		topicSlot[w.Topic+"\x00"+w.Slot] = w.Key
	}
}

func (f *File) validateQuestions(p *Problems) {
	seen := make(map[string]bool)
	for i, q := range f.Questions {
		path := fmt.Sprintf("$.questions[%d]", i)
		if !keyPattern.MatchString(q.Key) {
			p.add(path+".key", "must be 1–64 letters, digits, '-', '_' or '.'")
		}
		if seen[q.Key] {
			p.add(path+".key", "duplicate question key %q", q.Key)
		}
		seen[q.Key] = true
		switch q.Type {
		case "text", "checkbox":
		case "choice":
			if len(q.Options) == 0 {
				p.add(path+".options", "a choice question needs options")
			}
		default:
			p.add(path+".type", "must be text, choice or checkbox, got %q", q.Type)
		}
		if strings.TrimSpace(q.Label.DE) == "" {
			p.add(path+".label.de", "is required")
		}
	}
}

func (f *File) validateProgramme(p *Problems) {
	for i, it := range f.Programme {
		path := fmt.Sprintf("$.programme[%d]", i)
		if strings.TrimSpace(it.Title) == "" {
			p.add(path+".title", "is required")
		}
		if !it.StartsAt.Before(it.EndsAt) {
			p.add(path+".ends_at", "must be after starts_at")
		}
	}
}

package event

import (
	"fmt"
	"net/mail"
	"regexp"
	"strings"
	"time"

	"github.com/fachtag/fachtag/internal/i18n"
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
// `$.workshops[2].slot`. Message is its English text; Key and Args find it
// in package i18n's catalogue in any language.
type Problem struct {
	Path    string `json:"path"`
	Message string `json:"message"`
	Key     string `json:"-"`
	Args    []any  `json:"-"`
}

// NewProblem is the problem at path said by the catalogue's key.
func NewProblem(path, key string, args ...any) Problem {
	return Problem{Path: path, Message: i18n.T("en", key, args...), Key: key, Args: args}
}

// In returns the message in lang ("de" or "en").
func (p Problem) In(lang string) string { return i18n.T(lang, p.Key, p.Args...) }

// Problems is every validation failure of one event file.
type Problems []Problem

func (p *Problems) Error() string {
	lines := make([]string, len(*p))
	for i, pr := range *p {
		lines[i] = pr.Path + ": " + pr.Message
	}
	return "invalid event file:\n  " + strings.Join(lines, "\n  ")
}

func (p *Problems) add(path, key string, args ...any) {
	*p = append(*p, NewProblem(path, key, args...))
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
	f.validateLegal(&p)
	if len(p) == 0 {
		return nil
	}
	return &p
}

func (f *File) validateEvent(p *Problems) {
	if !keyPattern.MatchString(f.Slug) {
		p.add("$.slug", "file.key_pattern")
	}
	if strings.TrimSpace(f.Title) == "" {
		p.add("$.title", "file.required")
	}
	if _, err := time.LoadLocation(f.Timezone); err != nil {
		p.add("$.timezone", "file.timezone", f.Timezone)
	}
	if f.StartsAt.IsZero() || f.EndsAt.IsZero() {
		p.add("$.starts_at", "file.times_required")
	} else if !f.StartsAt.Before(f.EndsAt) {
		p.add("$.ends_at", "file.after_start")
	}
	if f.Capacity <= 0 {
		p.add("$.capacity", "file.positive", f.Capacity)
	}
	if f.Organiser.Email != "" {
		if _, err := mail.ParseAddress(f.Organiser.Email); err != nil {
			p.add("$.organiser.email", "file.email")
		}
	}
	for i, l := range f.Languages {
		if l != "de" && l != "en" {
			p.add(fmt.Sprintf("$.languages[%d]", i), "file.language", l)
		}
	}
	f.validateRegistration(p)
	if !ValidStatus(f.Status) {
		p.add("$.status", "file.status", f.Status)
	}
	if f.RetentionDays < 0 {
		p.add("$.retention_days", "file.negative")
	}
}

func (f *File) validateRegistration(p *Problems) {
	r := f.Registration
	if r.Mode != ModeFirstCome && r.Mode != ModePreferences {
		p.add("$.registration.mode", "file.mode", r.Mode)
	}
	if r.OpensAt != nil && r.ClosesAt != nil && !r.OpensAt.Before(*r.ClosesAt) {
		p.add("$.registration.closes_at", "file.after_opens")
	}
	if r.ClosesAt != nil && !f.EndsAt.IsZero() && r.ClosesAt.After(f.EndsAt) {
		p.add("$.registration.closes_at", "file.after_event")
	}
	if r.MaxPreferences < 1 || r.MaxPreferences > 10 {
		p.add("$.registration.max_preferences", "file.max_preferences", r.MaxPreferences)
	}
}

func (f *File) validateSlots(p *Problems) map[string]SlotFile {
	slots := make(map[string]SlotFile, len(f.Slots))
	for i, s := range f.Slots {
		path := fmt.Sprintf("$.slots[%d]", i)
		if !keyPattern.MatchString(s.Key) {
			p.add(path+".key", "file.key_pattern")
		}
		if _, dup := slots[s.Key]; dup {
			p.add(path+".key", "file.duplicate_slot", s.Key)
		}
		slots[s.Key] = s
		if !s.StartsAt.Before(s.EndsAt) {
			p.add(path+".ends_at", "file.after_start")
		}
		if !f.StartsAt.IsZero() && (s.StartsAt.Before(f.StartsAt) || s.EndsAt.After(f.EndsAt)) {
			p.add(path+".starts_at", "file.slot_outside")
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
			p.add(path+".key", "file.key_pattern")
		}
		if seen[w.Key] {
			p.add(path+".key", "file.duplicate_workshop", w.Key)
		}
		seen[w.Key] = true
		if _, ok := slots[w.Slot]; !ok {
			p.add(path+".slot", "file.unknown_slot", w.Slot)
		}
		if strings.TrimSpace(w.Title) == "" {
			p.add(path+".title", "file.required")
		}
		if w.Capacity <= 0 {
			p.add(path+".capacity", "file.positive", w.Capacity)
		}
		if w.MinParticipants < 0 || w.MinParticipants > w.Capacity {
			p.add(path+".min_participants", "file.min_participants", w.Capacity)
		}
		if s, ok := topicSlot[w.Topic+"\x00"+w.Slot]; ok {
			p.add(path+".topic", "file.topic_twice", w.Topic, w.Slot, s)
		}
		topicSlot[w.Topic+"\x00"+w.Slot] = w.Key
	}
}

func (f *File) validateQuestions(p *Problems) {
	seen := make(map[string]bool)
	for i, q := range f.Questions {
		path := fmt.Sprintf("$.questions[%d]", i)
		if !keyPattern.MatchString(q.Key) {
			p.add(path+".key", "file.key_pattern")
		}
		if seen[q.Key] {
			p.add(path+".key", "file.duplicate_question", q.Key)
		}
		seen[q.Key] = true
		switch q.Type {
		case "text", "checkbox":
		case "choice":
			if len(q.Options) == 0 {
				p.add(path+".options", "file.options")
			}
		default:
			p.add(path+".type", "file.question_type", q.Type)
		}
		if strings.TrimSpace(q.Label.DE) == "" {
			p.add(path+".label.de", "file.required")
		}
	}
}

func (f *File) validateProgramme(p *Problems) {
	for i, it := range f.Programme {
		path := fmt.Sprintf("$.programme[%d]", i)
		if strings.TrimSpace(it.Title) == "" {
			p.add(path+".title", "file.required")
		}
		if !it.StartsAt.Before(it.EndsAt) {
			p.add(path+".ends_at", "file.after_start")
		}
	}
}

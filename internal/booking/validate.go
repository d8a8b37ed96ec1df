package booking

import (
	"net/mail"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/fachtag/fachtag/internal/event"
)

// FieldError is one invalid field: a message key of package i18n and its
// arguments, so the caller can say it in the participant's language.
type FieldError struct {
	Key  string
	Args []any
}

// ValidationError lists every invalid field of a request by its JSON path,
// e.g. "email", "choices.r1", "answers.accessibility".
type ValidationError struct {
	Fields map[string]FieldError
}

func (v *ValidationError) Error() string {
	keys := make([]string, 0, len(v.Fields))
	for k := range v.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + ": " + v.Fields[k].Key
	}
	return "invalid registration: " + strings.Join(parts, ", ")
}

func (v *ValidationError) add(field, key string, args ...any) {
	if _, seen := v.Fields[field]; !seen {
		v.Fields[field] = FieldError{Key: key, Args: args}
	}
}

func (v *ValidationError) orNil() error {
	if len(v.Fields) == 0 {
		return nil
	}
	return v
}

// validate checks a sign-up against the event and normalises it in place.
func validate(ev *event.Event, r *Request) error {
	v := &ValidationError{Fields: map[string]FieldError{}}
	checkPerson(v, r)
	if r.Language == "" {
		r.Language = "de"
	} else if r.Language != "de" && r.Language != "en" {
		v.add("language", "err.language")
	}
	if !r.Consents.Privacy {
		v.add("consents.privacy", "err.privacy")
	}
	checkAnswers(v, ev, r.Answers)
	if ev.Registration.Mode == event.ModePreferences {
		if len(r.Choices) > 0 {
			v.add("choices", "err.mode_choices")
		}
		checkPreferences(v, ev, r.Preferences)
	} else {
		if len(r.Preferences) > 0 {
			v.add("preferences", "err.mode_preferences")
		}
		checkChoices(v, ev, r.Choices)
		checkChosen(v, ev, r.Choices)
	}
	return v.orNil()
}

// checkPerson trims and checks who signs up: name, e-mail, organisation
// and role.
func checkPerson(v *ValidationError, r *Request) {
	r.Name = strings.TrimSpace(r.Name)
	r.Email = strings.TrimSpace(r.Email)
	r.Organisation = strings.TrimSpace(r.Organisation)
	r.Role = strings.TrimSpace(r.Role)
	checkLine(v, "name", r.Name, 200, true)
	checkLine(v, "organisation", r.Organisation, 200, false)
	checkLine(v, "role", r.Role, 200, false)
	checkEmail(v, r.Email)
}

// checkLine rejects what would break a mail header, a CSV row or a page:
// control characters (CR, LF, NUL, …), bidi overrides that make a name
// read backwards (bidiOverride), and angle brackets; a required line must show something
// (zero-width characters alone do not).
func checkLine(v *ValidationError, field, s string, maxLen int, required bool) {
	switch {
	case required && strings.TrimFunc(s, invisible) == "":
		v.add(field, "err.required")
	case utf8.RuneCountInString(s) > maxLen:
		v.add(field, "err.too_long", maxLen)
	case strings.IndexFunc(s, func(r rune) bool { return unicode.IsControl(r) || bidiOverride(r) }) >= 0:
		v.add(field, "err.line_break")
	case strings.ContainsAny(s, "<>"):
		v.add(field, "err.angle_brackets")
	}
}

// invisible is white space and the characters that take no room: zero-width
// spaces and joiners, bidi marks, the byte-order mark.
func invisible(r rune) bool {
	return unicode.IsSpace(r) || unicode.Is(unicode.Cf, r)
}

// badInText is what a free-text answer may not hold: control characters
// other than line breaks and tabs (PostgreSQL refuses NUL outright), and
// bidi overrides.
func badInText(r rune) bool {
	if r == '\n' || r == '\r' || r == '\t' {
		return false
	}
	return unicode.IsControl(r) || bidiOverride(r)
}

// bidiOverride is a bidi embedding, override or isolate (U+202A–U+202E,
// U+2066–U+2069), which can make text read in another order than it is
// stored. The plain direction marks (LRM, RLM, ALM) stay allowed: they
// come with names copied from Arabic or Hebrew text.
func bidiOverride(r rune) bool {
	return (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069)
}

func checkEmail(v *ValidationError, s string) {
	if s == "" {
		v.add("email", "err.required")
		return
	}
	addr, err := mail.ParseAddress(s)
	if err != nil || addr.Address != s || len(s) > 254 || !strings.Contains(s[strings.LastIndex(s, "@"):], ".") {
		v.add("email", "err.email")
	}
}

func checkAnswers(v *ValidationError, ev *event.Event, answers map[string]any) {
	known := make(map[string]bool, len(ev.Questions))
	for _, q := range ev.Questions {
		known[q.Key] = true
		checkAnswer(v, q, answers[q.Key])
	}
	for k := range answers {
		if !known[k] {
			v.add("answers."+k, "err.unknown_question", k)
		}
	}
}

func checkAnswer(v *ValidationError, q event.Question, a any) {
	field := "answers." + q.Key
	switch q.Type {
	case "checkbox":
		b, ok := a.(bool)
		if a != nil && !ok {
			v.add(field, "err.not_bool")
		} else if q.Required && !b {
			v.add(field, "err.required")
		}
	default:
		s, ok := a.(string)
		if a != nil && !ok {
			v.add(field, "err.not_text")
			return
		}
		s = strings.TrimSpace(s)
		switch {
		case q.Required && strings.TrimFunc(s, invisible) == "":
			v.add(field, "err.required")
		case utf8.RuneCountInString(s) > 2000:
			v.add(field, "err.too_long", 2000)
		case strings.IndexFunc(s, badInText) >= 0:
			v.add(field, "err.control_char")
		case q.Type == "choice" && s != "" && !contains(q.Options, s):
			v.add(field, "err.invalid_option")
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func checkChoices(v *ValidationError, ev *event.Event, choices map[string]string) {
	topics := map[string]string{}
	for _, slot := range sortedKeys(choices) {
		key := choices[slot]
		field := "choices." + slot
		if key == "" {
			delete(choices, slot)
			continue
		}
		if !checkWorkshopInSlot(v, ev, field, slot, key) {
			continue
		}
		w, _ := ev.Workshop(key)
		if _, clash := topics[w.Topic]; clash {
			v.add(field, "err.topic_twice", w.Title)
		}
		topics[w.Topic] = key
	}
}

// checkChosen wants a workshop in every slot that offers some, unless the
// event lets the slot stay empty (slots[].optional): a sign-up without a
// workshop is rarely meant.
func checkChosen(v *ValidationError, ev *event.Event, choices map[string]string) {
	for _, sl := range ev.Slots {
		if _, chosen := choices[sl.Key]; !chosen && !sl.Optional && len(ev.WorkshopsIn(sl.Key)) > 0 {
			v.add("choices."+sl.Key, "err.choose_workshop")
		}
	}
}

func checkWorkshopInSlot(v *ValidationError, ev *event.Event, field, slot, key string) bool {
	if _, ok := ev.Slot(slot); !ok {
		v.add(field, "err.unknown_slot", slot)
		return false
	}
	w, ok := ev.Workshop(key)
	if !ok {
		v.add(field, "err.unknown_workshop", key)
		return false
	}
	if w.SlotKey != slot {
		v.add(field, "err.wrong_slot", key, w.SlotKey)
		return false
	}
	return true
}

func checkPreferences(v *ValidationError, ev *event.Event, prefs map[string][]string) {
	for _, slot := range sortedKeys(prefs) {
		list := prefs[slot]
		field := "preferences." + slot
		if len(list) > ev.Registration.MaxPreferences {
			v.add(field, "err.too_many_wishes", ev.Registration.MaxPreferences)
			continue
		}
		seen := map[string]bool{}
		for _, key := range list {
			if seen[key] {
				v.add(field, "err.duplicate_wish", key)
			}
			seen[key] = true
			checkWorkshopInSlot(v, ev, field, slot, key)
		}
		if len(list) == 0 {
			delete(prefs, slot)
		}
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

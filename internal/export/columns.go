package export

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/fachtag/fachtag/internal/event"
	"github.com/fachtag/fachtag/internal/i18n"
	"github.com/fachtag/fachtag/internal/roster"
)

// Column is one column of the registration list an organiser may show
// or export: its key (as in the URL), its header and how a row reads in
// it. The name is not a column: every list and file starts with it.
//
// Keys: email, organisation, role, status, waitlist, slot:SLOT (the
// workshop booked), wish:SLOT (the ranked wishes), q:QUESTION (the
// answer), privacy, photos, registered, checked_in.
type Column struct {
	Key    string
	Header string
	cell   func(roster.Row) string
}

// Cell is the row's value in the column, as text.
func (c Column) Cell(r roster.Row) string { return c.cell(r) }

// UnknownColumnError names a column key the event does not offer.
type UnknownColumnError struct{ Key string }

func (e *UnknownColumnError) Error() string { return "unknown column " + strconv.Quote(e.Key) }

// Columns are all the columns the event offers, in the order lists and
// files show them; wishes only where the event collects them.
func Columns(ev *event.Event, lang string) []Column {
	loc := ev.Location()
	cols := []Column{
		{"email", i18n.T(lang, "export.email"), func(r roster.Row) string { return r.Email }},
		{"organisation", i18n.T(lang, "export.organisation"), func(r roster.Row) string { return r.Organisation }},
		{"role", i18n.T(lang, "export.role"), func(r roster.Row) string { return r.Role }},
		{"status", i18n.T(lang, "export.status"), func(r roster.Row) string { return statusText(lang, r.Status, r.WaitlistPosition) }},
		{"waitlist", i18n.T(lang, "bulk.col_waitlist"), func(r roster.Row) string { return place(r.WaitlistPosition) }},
	}
	for _, s := range ev.Slots {
		cols = append(cols, Column{"slot:" + s.Key, i18n.T(lang, "export.workshop_in", slotTitle(s)),
			func(r roster.Row) string { return slotCell(ev, r, s.Key, lang) }})
	}
	if ev.Registration.Mode == event.ModePreferences {
		for _, s := range ev.Slots {
			cols = append(cols, Column{"wish:" + s.Key, i18n.T(lang, "bulk.col_wishes", slotTitle(s)),
				func(r roster.Row) string { return wishes(r.Preferences[s.Key]) }})
		}
	}
	for _, q := range ev.Questions {
		cols = append(cols, Column{"q:" + q.Key, q.Label.In(lang), func(r roster.Row) string { return answerText(lang, r.Answers[q.Key]) }})
	}
	return append(cols,
		Column{"privacy", i18n.T(lang, "export.privacy"), func(r roster.Row) string {
			if !r.Consents.Privacy {
				return ""
			}
			return i18n.T(lang, "export.yes") + " (" + r.Consents.PrivacyAt.In(loc).Format("2006-01-02 15:04") + ")"
		}},
		Column{"photos", i18n.T(lang, "export.photos"), func(r roster.Row) string { return yesNo(lang, r.Consents.Photos) }},
		Column{"registered", i18n.T(lang, "export.registered_at"), func(r roster.Row) string { return r.RegisteredAt.In(loc).Format("2006-01-02 15:04") }},
		Column{"checked_in", i18n.T(lang, "export.checked_in"), func(r roster.Row) string { return checkedIn(r, loc) }},
	)
}

func place(pos int) string {
	if pos == 0 {
		return ""
	}
	return strconv.Itoa(pos)
}

// wishes writes ranked wishes as "1. A1, 2. B1".
func wishes(keys []string) string {
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%d. %s", i+1, k)
	}
	return strings.Join(parts, ", ")
}

// Choose returns the columns with the given keys, in the order of
// Columns; a key the event does not offer is an *UnknownColumnError.
func Choose(ev *event.Event, lang string, keys []string) ([]Column, error) {
	cols := Known(ev, lang, keys)
	offered := make(map[string]bool, len(cols))
	for _, c := range cols {
		offered[c.Key] = true
	}
	for _, k := range keys {
		if !offered[k] {
			return nil, &UnknownColumnError{Key: k}
		}
	}
	return cols, nil
}

// Known returns the columns with the given keys that the event still
// offers (a question or slot may be gone since), in the order of Columns.
func Known(ev *event.Event, lang string, keys []string) []Column {
	want := make(map[string]bool, len(keys))
	for _, k := range keys {
		want[k] = true
	}
	var out []Column
	for _, c := range Columns(ev, lang) {
		if want[c.Key] {
			out = append(out, c)
		}
	}
	return out
}

// ListColumns are the keys a list page shows until the organiser
// chooses: contact, status, the workshops (or wishes) and the check-in.
func ListColumns(ev *event.Event) []string {
	keys := []string{"email", "organisation", "status"}
	for _, s := range ev.Slots {
		keys = append(keys, "slot:"+s.Key)
		if ev.Registration.Mode == event.ModePreferences {
			keys = append(keys, "wish:"+s.Key)
		}
	}
	return append(keys, "checked_in", "registered")
}

// fileColumns are the columns of an export that names none: every
// column but the waiting-list place, which the status already says.
func fileColumns(ev *event.Event, lang string) []Column {
	var out []Column
	for _, c := range Columns(ev, lang) {
		if c.Key != "waitlist" {
			out = append(out, c)
		}
	}
	return out
}

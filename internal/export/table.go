package export

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/fachtag/fachtag/internal/event"
	"github.com/fachtag/fachtag/internal/i18n"
	"github.com/fachtag/fachtag/internal/registration"
	"github.com/fachtag/fachtag/internal/roster"
)

// table is a header row and data rows of text cells, what both file
// formats write.
type table struct {
	name   string // sheet name
	header []string
	rows   [][]string
}

// registrationsTable has one row per registration: the name, then the
// columns (nil: every column of fileColumns).
func registrationsTable(ev *event.Event, regs []roster.Row, cols []Column, lang string) table {
	if cols == nil {
		cols = fileColumns(ev, lang)
	}
	t := table{name: i18n.T(lang, "export.sheet_all"), header: []string{i18n.T(lang, "export.name")}}
	for _, c := range cols {
		t.header = append(t.header, c.Header)
	}
	for _, r := range regs {
		row := []string{r.Name}
		for _, c := range cols {
			row = append(row, c.Cell(r))
		}
		t.rows = append(t.rows, row)
	}
	return t
}

// checkedIn is the time of the registration's check-in, empty before.
func checkedIn(r roster.Row, loc *time.Location) string {
	if r.CheckedInAt == nil {
		return ""
	}
	return r.CheckedInAt.In(loc).Format("2006-01-02 15:04")
}

func slotTitle(s event.Slot) string {
	if s.Title != "" {
		return s.Title
	}
	return s.Key
}

// slotCell names the registration's workshop in a slot, and its waiting
// list with the position; a seat and a queue place in one slot both show.
func slotCell(ev *event.Event, r roster.Row, slot, lang string) string {
	var parts []string
	for _, b := range r.Bookings {
		if b.Slot != slot {
			continue
		}
		text := workshopLabel(ev, b.Workshop)
		if b.Status == registration.Waitlisted {
			text += " (" + i18n.T(lang, "export.waitlist_pos", b.WaitlistPosition) + ")"
		}
		parts = append(parts, text)
	}
	return strings.Join(parts, " / ")
}

func workshopLabel(ev *event.Event, key string) string {
	if w, ok := ev.Workshop(key); ok && w.Title != "" {
		return key + " – " + w.Title
	}
	return key
}

func statusText(lang string, status registration.Status, pos int) string {
	text := i18n.T(lang, "export.status_"+string(status))
	if status == registration.Waitlisted && pos > 0 {
		text += " (" + i18n.T(lang, "export.waitlist_pos", pos) + ")"
	}
	return text
}

func yesNo(lang string, b bool) string {
	if b {
		return i18n.T(lang, "export.yes")
	}
	return i18n.T(lang, "export.no")
}

// answerText writes an answer as text: a list joined by commas, a
// yes/no for a checkbox.
func answerText(lang string, v any) string {
	switch a := v.(type) {
	case nil:
		return ""
	case string:
		return a
	case bool:
		return yesNo(lang, a)
	case []any:
		parts := make([]string, len(a))
		for i, x := range a {
			parts[i] = answerText(lang, x)
		}
		return strings.Join(parts, ", ")
	}
	return fmt.Sprint(v)
}

// workshopTables has one table per workshop: the participants by name,
// then the waiting list in order, each with the time of check-in.
func workshopTables(ev *event.Event, regs []roster.Row, lang string) []table {
	var out []table
	loc := ev.Location()
	for _, w := range ev.Workshops {
		t := table{name: w.Key, header: []string{i18n.T(lang, "export.status"), i18n.T(lang, "export.name"),
			i18n.T(lang, "export.email"), i18n.T(lang, "export.organisation"), i18n.T(lang, "export.role"), i18n.T(lang, "export.checked_in")}}
		var confirmed, waiting []roster.Row
		pos := map[string]int{}
		for _, r := range regs {
			for _, b := range r.Bookings {
				if b.Workshop != w.Key {
					continue
				}
				if b.Status == registration.Waitlisted {
					waiting = append(waiting, r)
					pos[r.ID] = b.WaitlistPosition
				} else {
					confirmed = append(confirmed, r)
				}
			}
		}
		sort.SliceStable(confirmed, func(i, j int) bool { return strings.ToLower(confirmed[i].Name) < strings.ToLower(confirmed[j].Name) })
		sort.SliceStable(waiting, func(i, j int) bool { return pos[waiting[i].ID] < pos[waiting[j].ID] })
		for _, r := range confirmed {
			t.rows = append(t.rows, []string{i18n.T(lang, "export.status_confirmed"), r.Name, r.Email, r.Organisation, r.Role, checkedIn(r, loc)})
		}
		for _, r := range waiting {
			t.rows = append(t.rows, []string{i18n.T(lang, "export.waitlist_pos", pos[r.ID]), r.Name, r.Email, r.Organisation, r.Role, checkedIn(r, loc)})
		}
		out = append(out, t)
	}
	return out
}

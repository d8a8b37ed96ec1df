package server

import (
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/fachtag/fachtag/internal/event"
)

// setupForm is the event form as typed: every value a string, so a
// rejected form comes back exactly as it was sent. Field names (and ids)
// are the event file's JSON paths with "$." dropped and "." and "[i]"
// turned into "-": $.workshops[2].capacity is workshops-2-capacity.
type setupForm struct {
	New                                                    bool
	Slug, Title, Description, OrganiserName, OrganiserMail string
	Timezone, Date, StartsAt, EndsAt                       string
	VenueName, VenueAddress, Capacity                      string
	LangDE, LangEN                                         bool
	Mode, OpensAt, ClosesAt, MaxPreferences                string
	AllowUnlisted                                          bool
	RetentionDays, Status                                  string
	PrivacyText, PrivacyURL, ImprintText, ImprintURL       string
	Programme                                              []itemRow
	Slots                                                  []slotRow
	Workshops                                              []workshopRow
	Questions                                              []questionRow
}

type itemRow struct{ StartsAt, EndsAt, Title, Kind, Speakers string }
type slotRow struct {
	Key, Title, StartsAt, EndsAt string
	Optional                     bool
}
type workshopRow struct {
	Key, Slot, Title, Description, Hosts, Room, Capacity, MinParticipants, Topic string
}
type questionRow struct {
	Key, Type, LabelDE, LabelEN, Options string
	Required                             bool
}

// maxRows bounds every list of the form; a congress has some twenty
// workshops, so this is far beyond any real event.
const maxRows = 200

const (
	dateLayout     = "2006-01-02"
	timeLayout     = "15:04"
	dateTimeLayout = "2006-01-02T15:04"
)

func newSetupForm() setupForm {
	return setupForm{New: true, Timezone: "Europe/Berlin", LangDE: true, Mode: event.ModeFirstCome,
		MaxPreferences: "3", RetentionDays: "90", Status: event.StatusDraft}
}

// read takes the fields of one section of the posted form; the others
// keep what f holds. A new event's form also reads the slug.
func (f *setupForm) read(section string, v url.Values) {
	g := v.Get
	switch section {
	case tabBasics:
		if f.New || f.Status == event.StatusDraft {
			f.Slug = strings.TrimSpace(g("slug"))
		}
		f.Title, f.Description, f.OrganiserName = g("title"), g("description"), g("organiser-name")
		f.OrganiserMail, f.VenueName, f.VenueAddress = strings.TrimSpace(g("organiser-email")), g("venue-name"), g("venue-address")
		f.Capacity, f.RetentionDays = g("capacity"), g("retention_days")
		f.LangDE, f.LangEN = g("languages-de") != "", g("languages-en") != ""
	case tabDates:
		f.Timezone, f.Date, f.StartsAt, f.EndsAt = strings.TrimSpace(g("timezone")), g("date"), g("starts_at"), g("ends_at")
	case tabRegistration:
		f.Mode, f.OpensAt, f.ClosesAt = g("registration-mode"), g("registration-opens_at"), g("registration-closes_at")
		f.MaxPreferences, f.AllowUnlisted = g("registration-max_preferences"), g("registration-allow_unlisted") != ""
	case tabProgramme:
		f.Programme = readRows(v, "programme", func(g func(string) string) itemRow {
			return itemRow{g("starts_at"), g("ends_at"), g("title"), g("kind"), g("speakers")}
		})
	case tabWorkshops:
		f.Slots = readRows(v, "slots", func(g func(string) string) slotRow {
			return slotRow{strings.TrimSpace(g("key")), g("title"), g("starts_at"), g("ends_at"), g("optional") != ""}
		})
		f.Workshops = readRows(v, "workshops", func(g func(string) string) workshopRow {
			return workshopRow{strings.TrimSpace(g("key")), g("slot"), g("title"), g("description"), g("hosts"),
				g("room"), g("capacity"), g("min_participants"), strings.TrimSpace(g("topic"))}
		})
	case tabQuestions:
		f.Questions = readRows(v, "questions", func(g func(string) string) questionRow {
			return questionRow{strings.TrimSpace(g("key")), g("type"), g("label-de"), g("label-en"), g("options"), g("required") != ""}
		})
	case tabLegal:
		f.PrivacyText, f.PrivacyURL = g("privacy-text"), strings.TrimSpace(g("privacy-url"))
		f.ImprintText, f.ImprintURL = g("imprint-text"), strings.TrimSpace(g("imprint-url"))
	}
}

// readRows reads the rows of a repeating group: list-rows says how many,
// list-<i>-<field> holds each value.
func readRows[T any](v url.Values, list string, row func(g func(string) string) T) []T {
	var out []T
	for i := range rowCount(v, list) {
		p := fmt.Sprintf("%s-%d-", list, i)
		out = append(out, row(func(field string) string { return v.Get(p + field) }))
	}
	return out
}

func rowCount(v url.Values, list string) int {
	n, err := strconv.Atoi(v.Get(list + "-rows"))
	if err != nil || n < 0 {
		return 0
	}
	return min(n, maxRows)
}

// edit applies an "add" or "remove" button of a list on the section's
// tab: add=workshops appends an empty row, remove=workshops-2 drops that
// row. It reports whether it did.
func (f *setupForm) edit(section, add, remove string) bool {
	if add != "" && listSection[add] == section {
		switch add {
		case "programme":
			f.Programme = appendRow(f.Programme, itemRow{})
		case "slots":
			f.Slots = appendRow(f.Slots, slotRow{})
		case "workshops":
			f.Workshops = appendRow(f.Workshops, workshopRow{})
		case "questions":
			f.Questions = appendRow(f.Questions, questionRow{Type: "text"})
		}
		return true
	}
	list, idx, _ := strings.Cut(remove, "-")
	i, err := strconv.Atoi(idx)
	if err != nil || listSection[list] != section {
		return false
	}
	switch list {
	case "programme":
		f.Programme = dropRow(f.Programme, i)
	case "slots":
		f.Slots = dropRow(f.Slots, i)
	case "workshops":
		f.Workshops = dropRow(f.Workshops, i)
	case "questions":
		f.Questions = dropRow(f.Questions, i)
	}
	return true
}

func appendRow[T any](rows []T, r T) []T {
	if len(rows) >= maxRows {
		return rows
	}
	return append(rows, r)
}

func dropRow[T any](rows []T, i int) []T {
	if i < 0 || i >= len(rows) {
		return rows
	}
	return append(rows[:i:i], rows[i+1:]...)
}

// formErrors are messages by field id; "" holds those that belong to no
// field of the form.
type formErrors map[string]string

func (e formErrors) add(id, msg string) {
	if prev, ok := e[id]; ok {
		msg = prev + "; " + msg
	}
	e[id] = msg
}

// fileBuilder turns the typed form into an event file, collecting every
// value it cannot read under the field's id. Empty rows are left out;
// rows maps each kept row back to its form row for the problem paths.
type fileBuilder struct {
	errs formErrors
	loc  *time.Location
	day  time.Time
	rows map[string][]int // "workshops" → file index → form index
	msg  func(key string) string
}

func (f setupForm) toFile(msg func(key string) string) (*event.File, formErrors, map[string][]int) {
	b := &fileBuilder{errs: formErrors{}, rows: map[string][]int{}, msg: msg}
	file := &event.File{
		Slug: f.Slug, Title: f.Title, Description: strings.TrimSpace(f.Description),
		Organiser: event.Organiser{Name: strings.TrimSpace(f.OrganiserName), Email: f.OrganiserMail},
		Timezone:  f.Timezone, Venue: event.Venue{Name: strings.TrimSpace(f.VenueName), Address: strings.TrimSpace(f.VenueAddress)},
		Status:  f.Status,
		Privacy: event.Legal{Text: strings.TrimSpace(f.PrivacyText), URL: f.PrivacyURL},
		Imprint: event.Legal{Text: strings.TrimSpace(f.ImprintText), URL: f.ImprintURL},
	}
	var err error
	if b.loc, err = time.LoadLocation(f.Timezone); err != nil || f.Timezone == "" {
		b.errs.add("timezone", msg("setup.err_timezone"))
		b.loc = time.UTC
	}
	if b.day, err = time.ParseInLocation(dateLayout, f.Date, b.loc); err != nil {
		b.errs.add("date", msg("setup.err_date"))
	}
	file.StartsAt, file.EndsAt = b.clock("starts_at", f.StartsAt), b.clock("ends_at", f.EndsAt)
	file.Capacity = b.number("capacity", f.Capacity)
	file.RetentionDays = b.number("retention_days", f.RetentionDays)
	if f.LangDE {
		file.Languages = append(file.Languages, "de")
	}
	if f.LangEN {
		file.Languages = append(file.Languages, "en")
	}
	if len(file.Languages) == 0 {
		b.errs.add("languages", msg("setup.err_languages"))
	}
	file.Registration = event.Registration{Mode: f.Mode, AllowUnlisted: f.AllowUnlisted,
		OpensAt: b.dateTime("registration-opens_at", f.OpensAt), ClosesAt: b.dateTime("registration-closes_at", f.ClosesAt),
		MaxPreferences: b.number("registration-max_preferences", f.MaxPreferences)}
	b.lists(f, file)
	return file, b.errs, b.rows
}

func (b *fileBuilder) lists(f setupForm, file *event.File) {
	for i, r := range f.Programme {
		if r == (itemRow{}) {
			continue
		}
		id := fmt.Sprintf("programme-%d-", i)
		b.rows["programme"] = append(b.rows["programme"], i)
		file.Programme = append(file.Programme, event.Item{StartsAt: b.clock(id+"starts_at", r.StartsAt),
			EndsAt: b.clock(id+"ends_at", r.EndsAt), Title: strings.TrimSpace(r.Title), Kind: strings.TrimSpace(r.Kind),
			Speakers: splitLines(r.Speakers)})
	}
	for i, r := range f.Slots {
		if r == (slotRow{}) {
			continue
		}
		id := fmt.Sprintf("slots-%d-", i)
		b.rows["slots"] = append(b.rows["slots"], i)
		file.Slots = append(file.Slots, event.SlotFile{Key: r.Key, Title: strings.TrimSpace(r.Title),
			StartsAt: b.clock(id+"starts_at", r.StartsAt), EndsAt: b.clock(id+"ends_at", r.EndsAt), Optional: r.Optional})
	}
	for i, r := range f.Workshops {
		if r == (workshopRow{}) || r == (workshopRow{Slot: r.Slot}) {
			continue
		}
		id := fmt.Sprintf("workshops-%d-", i)
		b.rows["workshops"] = append(b.rows["workshops"], i)
		w := event.WSFile{Key: r.Key, Slot: r.Slot, Title: strings.TrimSpace(r.Title), Description: strings.TrimSpace(r.Description),
			Hosts: splitLines(r.Hosts), Room: strings.TrimSpace(r.Room), Capacity: b.number(id+"capacity", r.Capacity),
			MinParticipants: b.optNumber(id+"min_participants", r.MinParticipants), Topic: r.Topic}
		if w.Topic == "" {
			w.Topic = w.Key
		}
		file.Workshops = append(file.Workshops, w)
	}
	for i, r := range f.Questions {
		if r == (questionRow{Type: r.Type}) {
			continue
		}
		b.rows["questions"] = append(b.rows["questions"], i)
		file.Questions = append(file.Questions, event.Question{Key: r.Key, Type: r.Type, Required: r.Required,
			Label: event.Label{DE: strings.TrimSpace(r.LabelDE), EN: strings.TrimSpace(r.LabelEN)}, Options: splitLines(r.Options)})
	}
}

// applyTo is the stored file with the fields of section as typed, and
// the problems of reading them: what the tab does not show stays exactly
// as stored. A new date or time zone moves the programme and the slots.
func (f setupForm) applyTo(stored *event.File, section string, msg func(key string) string) (*event.File, formErrors, map[string][]int) {
	typed, errs, rows := f.toFile(msg)
	for id := range errs {
		if tab, _, _ := fieldPlace("de", id); tab != section {
			delete(errs, id)
		}
	}
	out := *stored
	switch section {
	case tabBasics:
		out.Slug, out.Title, out.Description, out.Organiser = typed.Slug, typed.Title, typed.Description, typed.Organiser
		out.Venue, out.Capacity, out.Languages, out.RetentionDays = typed.Venue, typed.Capacity, typed.Languages, typed.RetentionDays
	case tabDates:
		if len(errs) == 0 {
			out.Reschedule(typed.Timezone, typed.StartsAt, typed.EndsAt)
		}
	case tabRegistration:
		out.Registration = typed.Registration
	case tabProgramme:
		out.Programme = typed.Programme
	case tabWorkshops:
		out.Slots, out.Workshops = typed.Slots, typed.Workshops
	case tabQuestions:
		out.Questions = typed.Questions
	case tabLegal:
		out.Privacy, out.Imprint = typed.Privacy, typed.Imprint
	}
	return &out, errs, rows
}

// clock is a time of day on the event's date.
func (b *fileBuilder) clock(id, s string) time.Time {
	t, err := time.Parse(timeLayout, strings.TrimSpace(s))
	if err != nil {
		b.errs.add(id, b.msg("setup.err_time"))
		return time.Time{}
	}
	if b.day.IsZero() {
		return time.Time{}
	}
	return time.Date(b.day.Year(), b.day.Month(), b.day.Day(), t.Hour(), t.Minute(), 0, 0, b.loc)
}

func (b *fileBuilder) dateTime(id, s string) *time.Time {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	t, err := time.ParseInLocation(dateTimeLayout, strings.TrimSpace(s), b.loc)
	if err != nil {
		b.errs.add(id, b.msg("setup.err_datetime"))
		return nil
	}
	return &t
}

func (b *fileBuilder) number(id, s string) int {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		b.errs.add(id, b.msg("setup.err_number"))
	}
	return n
}

func (b *fileBuilder) optNumber(id, s string) int {
	if strings.TrimSpace(s) == "" {
		return 0
	}
	return b.number(id, s)
}

func splitLines(s string) []string {
	var out []string
	for _, p := range strings.Split(s, "\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

var pathIndex = regexp.MustCompile(`^(programme|slots|workshops|questions)\[(\d+)\]`)

// fieldID maps a problem's JSON path to the id of the form field showing
// it, translating the file's row index back to the form's row.
func fieldID(path string, rows map[string][]int) string {
	p := strings.TrimPrefix(strings.TrimPrefix(path, "$"), ".")
	if m := pathIndex.FindStringSubmatch(p); m != nil {
		i, _ := strconv.Atoi(m[2])
		if kept := rows[m[1]]; i < len(kept) {
			i = kept[i]
		}
		p = fmt.Sprintf("%s-%d%s", m[1], i, p[len(m[0]):])
	}
	if strings.HasPrefix(p, "languages[") {
		return "languages"
	}
	return strings.ReplaceAll(p, ".", "-")
}

// formFromEvent fills the form with a stored event, times in its zone.
func formFromEvent(ev *event.Event) setupForm {
	loc := ev.Location()
	clock := func(t time.Time) string { return t.In(loc).Format(timeLayout) }
	dt := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.In(loc).Format(dateTimeLayout)
	}
	f := setupForm{Slug: ev.Slug, Title: ev.Title, Description: ev.Description,
		OrganiserName: ev.Organiser.Name, OrganiserMail: ev.Organiser.Email, Timezone: ev.Timezone,
		Date: ev.StartsAt.In(loc).Format(dateLayout), StartsAt: clock(ev.StartsAt), EndsAt: clock(ev.EndsAt),
		VenueName: ev.Venue.Name, VenueAddress: ev.Venue.Address, Capacity: strconv.Itoa(ev.Capacity),
		Mode: ev.Registration.Mode, OpensAt: dt(ev.Registration.OpensAt), ClosesAt: dt(ev.Registration.ClosesAt),
		MaxPreferences: strconv.Itoa(ev.Registration.MaxPreferences), AllowUnlisted: ev.Registration.AllowUnlisted,
		RetentionDays: strconv.Itoa(ev.RetentionDays), Status: ev.Status,
		PrivacyText: ev.Privacy.Text, PrivacyURL: ev.Privacy.URL, ImprintText: ev.Imprint.Text, ImprintURL: ev.Imprint.URL}
	for _, l := range ev.Languages {
		f.LangDE = f.LangDE || l == "de"
		f.LangEN = f.LangEN || l == "en"
	}
	for _, it := range ev.Programme {
		f.Programme = append(f.Programme, itemRow{clock(it.StartsAt), clock(it.EndsAt), it.Title, it.Kind, strings.Join(it.Speakers, "\n")})
	}
	for _, s := range ev.Slots {
		f.Slots = append(f.Slots, slotRow{s.Key, s.Title, clock(s.StartsAt), clock(s.EndsAt), s.Optional})
	}
	for _, w := range ev.Workshops {
		f.Workshops = append(f.Workshops, workshopRow{w.Key, w.SlotKey, w.Title, w.Description, strings.Join(w.Hosts, "\n"),
			w.Room, strconv.Itoa(w.Capacity), strconv.Itoa(w.MinParticipants), w.Topic})
	}
	// An event without slots gets an empty row of each to start from;
	// empty rows are left out when saving.
	if len(f.Slots) == 0 {
		f.Slots, f.Workshops = []slotRow{{}}, []workshopRow{{}}
	}
	for _, q := range ev.Questions {
		f.Questions = append(f.Questions, questionRow{q.Key, q.Type, q.Label.DE, q.Label.EN, strings.Join(q.Options, "\n"), q.Required})
	}
	return f
}

package mail

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"regexp"
	"slices"
	"strings"
	texttemplate "text/template"
	"time"

	"github.com/fachtag/fachtag/internal/event"
	"github.com/fachtag/fachtag/internal/i18n"
	"github.com/fachtag/fachtag/internal/registration"
)

//go:embed templates/*.tmpl
var templateFS embed.FS

// Languages fachtag writes mails in; the first is the default.
var languages = i18n.Languages

var allKinds = []Kind{KindConfirmed, KindWaitlisted, KindReceived, KindPromoted, KindSwapped, KindCancelled, KindLink, KindPublished, KindLeft, KindAlready}

// templateSet holds one language's templates: "<kind>.subject" and
// "<kind>.intro" for every kind, and the layouts "text" and "html". All
// languages share the template files; their words come from package i18n.
type templateSet struct {
	text *texttemplate.Template
	html *htmltemplate.Template
}

// templates are parsed once at start-up; a missing one stops the program
// right away instead of failing the first mail of that kind.
var templates = mustParseTemplates()

func mustParseTemplates() map[string]templateSet {
	sets := make(map[string]templateSet, len(languages))
	for _, lang := range languages {
		text := texttemplate.Must(texttemplate.New(lang).Funcs(textFuncs).Funcs(texttemplate.FuncMap(langFuncs(lang))).
			ParseFS(templateFS, "templates/mail.tmpl", "templates/text.tmpl"))
		html := htmltemplate.Must(htmltemplate.New(lang).Funcs(htmltemplate.FuncMap(langFuncs(lang))).
			ParseFS(templateFS, "templates/mail.tmpl", "templates/html.tmpl"))
		for _, name := range kindTemplates() {
			if text.Lookup(name) == nil || html.Lookup(name) == nil {
				panic(fmt.Sprintf("mail templates: %q missing", name))
			}
		}
		if text.Lookup("text") == nil || html.Lookup("html") == nil {
			panic("mail templates: layout missing")
		}
		sets[lang] = templateSet{text: text, html: html}
	}
	return sets
}

var textFuncs = texttemplate.FuncMap{"add": func(a, b int) int { return a + b }}

// langFuncs give the templates their language: t looks a text up in the
// catalogue, lang names the language.
func langFuncs(lang string) map[string]any {
	return map[string]any{
		"t":    func(key string, args ...any) string { return i18n.T(lang, key, args...) },
		"lang": func() string { return lang },
	}
}

func kindTemplates() []string {
	var names []string
	for _, k := range allKinds {
		names = append(names, string(k)+".subject", string(k)+".intro")
	}
	return names
}

// Rendered is a mail ready to be put on the wire.
type Rendered struct {
	Subject string
	Text    string
	HTML    string
	ICS     []byte // nil when the mail carries no calendar file
	Files   []File // further attachments (a certificate's PDF)
}

// Render writes the mail for m in m.Language (German when unknown). link
// turns the raw token into the participant's personal link; nil leaves
// the link out.
func Render(m Message, ev *event.Event, link func(token string) string) (Rendered, error) {
	set, ok := templates[m.Language]
	if !ok {
		set = templates[languages[0]]
	}
	v := newView(m, ev, link)
	if wantsCalendar(m) {
		v.Calendar = true
	}
	var r Rendered
	var err error
	if r.Subject, err = execText(set.text, string(m.Kind)+".subject", v); err != nil {
		return Rendered{}, err
	}
	r.Subject = oneLine(r.Subject)
	if v.Intro, err = execText(set.text, string(m.Kind)+".intro", v); err != nil {
		return Rendered{}, err
	}
	if r.Text, err = execText(set.text, "text", v); err != nil {
		return Rendered{}, err
	}
	r.Text = tidyText(r.Text)
	if r.HTML, err = execHTML(set.html, string(m.Kind), v); err != nil {
		return Rendered{}, err
	}
	if v.Calendar {
		r.ICS = Calendar(ev, m.RegistrationID, m.Bookings)
	}
	return r, nil
}

// wantsCalendar: mails that tell a confirmed participant where to be carry
// the calendar file; waiting and cancelled ones do not.
func wantsCalendar(m Message) bool {
	switch m.Kind {
	case KindConfirmed, KindPromoted, KindSwapped, KindLink, KindPublished, KindAlready:
		return m.RegistrationStatus == "" || m.RegistrationStatus == registration.Confirmed
	}
	return false
}

func execText(t *texttemplate.Template, name string, v *view) (string, error) {
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, name, v); err != nil {
		return "", fmt.Errorf("render %s: %w", name, err)
	}
	return b.String(), nil
}

// execHTML renders the HTML intro with html/template first (so names are
// escaped there too) and hands it to the layout as trusted HTML.
func execHTML(t *htmltemplate.Template, kind string, v *view) (string, error) {
	var intro bytes.Buffer
	if err := t.ExecuteTemplate(&intro, kind+".intro", v); err != nil {
		return "", fmt.Errorf("render %s.intro: %w", kind, err)
	}
	hv := *v
	hv.IntroHTML = htmltemplate.HTML(intro.String())
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, "html", &hv); err != nil {
		return "", fmt.Errorf("render html: %w", err)
	}
	return b.String(), nil
}

var blankLines = regexp.MustCompile(`\n[ \t]*(\n[ \t]*)+\n`)

// tidyText lets the text templates be written readably: runs of blank
// lines collapse to one.
func tidyText(s string) string {
	return strings.TrimSpace(blankLines.ReplaceAllString(s, "\n\n")) + "\n"
}

// oneLine removes line breaks, so no name or title can start a new header.
func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.NewReplacer("\r", " ", "\n", " ").Replace(s)), " ")
}

// view is what the templates see.
type view struct {
	Kind               Kind
	Name               string
	RegistrationStatus registration.Status
	Event              eventView
	Change             *changeView
	Bookings           []bookingView
	Empty              []bookingView // wanted slots the allocation left without a seat
	Wishes             []wishView
	Programme          []itemView
	Link               string
	PrivacyURL         string // the event's privacy notice; "" for none
	ImprintURL         string // the event's imprint; "" for none
	Calendar           bool
	Intro              string            // rendered "<kind>.intro", text
	IntroHTML          htmltemplate.HTML // the same, rendered by html/template
}

type eventView struct {
	Title, Date, Time, Venue, Address, Organiser, OrganiserEmail string
	Workshops                                                    bool // the event offers workshops: mails speak of them
}

type changeView struct {
	Slot, Time, From, To, Room string
	Waitlisted                 bool
	Position                   int
}

type bookingView struct {
	Slot, Time, Workshop, Room string
	Waitlisted                 bool
	Position                   int
	Wish, Why                  string // which wish it is and why not the first (published mails)
}

type wishView struct {
	Slot      string
	Workshops []string
}

type itemView struct {
	Time, Title, Speakers string
}

func newView(m Message, ev *event.Event, link func(token string) string) *view {
	f := formatterFor(m.Language, ev.Location())
	v := &view{
		Kind:               m.Kind,
		Name:               oneLine(m.Name),
		RegistrationStatus: m.RegistrationStatus,
		Event: eventView{
			Title: ev.Title, Date: f.date(ev.StartsAt), Time: f.span(ev.StartsAt, ev.EndsAt),
			Venue: ev.Venue.Name, Address: ev.Venue.Address,
			Organiser: ev.Organiser.Name, OrganiserEmail: ev.Organiser.Email, Workshops: len(ev.Workshops) > 0,
		},
		Change:     changeOf(m.Change, ev, f),
		Bookings:   bookingsOf(m.Bookings, m.Outcomes, ev, f),
		Wishes:     wishesOf(m.Preferences, ev),
		PrivacyURL: m.PrivacyURL, ImprintURL: m.ImprintURL,
	}
	if m.RegistrationStatus == registration.Confirmed {
		v.Empty = emptySlots(m.Outcomes, ev, f)
	}
	if m.Kind != KindCancelled {
		v.Programme = programmeOf(ev.Programme, f)
	}
	if m.Token != "" && link != nil {
		v.Link = link(m.Token)
	}
	return v
}

func changeOf(c *Change, ev *event.Event, f formatter) *changeView {
	if c == nil {
		return nil
	}
	cv := &changeView{Slot: c.Slot, From: workshopTitle(ev, c.From), To: workshopTitle(ev, c.To),
		Waitlisted: c.Waitlisted, Position: c.Position}
	if s, ok := ev.Slot(c.Slot); ok {
		cv.Slot, cv.Time = slotTitle(s), f.span(s.StartsAt, s.EndsAt)
	}
	if w, ok := ev.Workshop(c.To); ok {
		cv.Room = w.Room
	}
	return cv
}

// bookingsOf lists the bookings in the event's slot order, each with the
// wish it is when an allocation outcome describes it.
func bookingsOf(bs []Booking, outcomes []registration.Outcome, ev *event.Event, f formatter) []bookingView {
	var out []bookingView
	for _, s := range ev.Slots {
		for _, b := range bs {
			if b.Slot != s.Key {
				continue
			}
			bv := bookingView{Slot: slotTitle(s), Time: f.span(s.StartsAt, s.EndsAt),
				Workshop: workshopTitle(ev, b.Workshop), Waitlisted: b.Status == registration.Waitlisted, Position: b.WaitlistPosition}
			if w, ok := ev.Workshop(b.Workshop); ok {
				bv.Room = w.Room
			}
			for _, o := range outcomes {
				if o.Seated(b) {
					bv.Wish, bv.Why = o.Wish(f.lang), o.Why(f.lang, func(k string) string { return workshopTitle(ev, k) })
				}
			}
			out = append(out, bv)
		}
	}
	return out
}

// emptySlots are the wanted slots an allocation left without a seat, with
// the reason where one is certain.
func emptySlots(outcomes []registration.Outcome, ev *event.Event, f formatter) []bookingView {
	var out []bookingView
	for _, o := range outcomes {
		s, ok := ev.Slot(o.Slot)
		if o.Workshop != "" || !ok {
			continue
		}
		out = append(out, bookingView{Slot: slotTitle(s), Time: f.span(s.StartsAt, s.EndsAt),
			Wish: o.Wish(f.lang), Why: o.Why(f.lang, func(k string) string { return workshopTitle(ev, k) })})
	}
	return out
}

func wishesOf(prefs map[string][]string, ev *event.Event) []wishView {
	var out []wishView
	for _, s := range ev.Slots {
		keys := prefs[s.Key]
		if len(keys) == 0 {
			continue
		}
		wv := wishView{Slot: slotTitle(s)}
		for _, k := range keys {
			wv.Workshops = append(wv.Workshops, workshopTitle(ev, k))
		}
		out = append(out, wv)
	}
	return out
}

func programmeOf(items []event.Item, f formatter) []itemView {
	items = slices.Clone(items)
	slices.SortStableFunc(items, func(a, b event.Item) int { return a.StartsAt.Compare(b.StartsAt) })
	out := make([]itemView, 0, len(items))
	for _, it := range items {
		out = append(out, itemView{Time: f.span(it.StartsAt, it.EndsAt), Title: it.Title,
			Speakers: strings.Join(it.Speakers, ", ")})
	}
	return out
}

func slotTitle(s event.Slot) string {
	if s.Title != "" {
		return s.Title
	}
	return s.Key
}

func workshopTitle(ev *event.Event, key string) string {
	if w, ok := ev.Workshop(key); ok {
		return w.Title
	}
	return key
}

// formatter writes dates and times the way readers of each language
// expect, in the event's time zone.
type formatter struct {
	lang string
	loc  *time.Location
}

func formatterFor(lang string, loc *time.Location) formatter {
	return formatter{lang: i18n.Normalize(lang), loc: loc}
}

func (f formatter) date(t time.Time) string { return i18n.LongDate(f.lang, t.In(f.loc)) }

func (f formatter) span(from, to time.Time) string {
	return i18n.TimeSpan(f.lang, from.In(f.loc), to.In(f.loc))
}

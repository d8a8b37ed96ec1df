package mail

import (
	"fmt"
	htmltemplate "html/template"
	"strings"
	texttemplate "text/template"

	"github.com/fachtag/fachtag/internal/event"
)

// Organiser mails: a message an organiser wrote to some participants, and
// the automatic reminder before the event. Their outbox rows carry the
// org_messages id (Message.OrgMessageID), so a participant's history can
// list them; the organiser's text travels in the payload.
const (
	KindOrgMessage Kind = "org_message"
	KindReminder   Kind = "reminder"
)

// isOrgMail reports the kinds RenderOrg renders.
func isOrgMail(k Kind) bool { return k == KindOrgMessage || k == KindReminder }

// renderKind picks the renderer of an event mail by its kind.
func renderKind(m Message, ev *event.Event, baseURL string) (Rendered, error) {
	if isOrgMail(m.Kind) {
		return RenderOrg(m, ev)
	}
	return Render(m, ev, baseURL)
}

var orgTexts = map[string]map[string]string{
	"de": {
		"greeting":       "Guten Tag {{.Name}},",
		"footer":         "Sie erhalten diese Nachricht, weil Sie sich für „{{.Event.Title}}“ angemeldet haben.",
		"contact":        "Fragen? {{with .Event.Organiser}}{{.}} {{end}}{{with .Event.OrganiserEmail}}<{{.}}>{{end}}",
		"when":           "Wann",
		"where":          "Wo",
		"reminder.subj":  "Erinnerung: {{.Event.Title}} am {{.Event.Date}}",
		"reminder.intro": "wir freuen uns auf Sie bei „{{.Event.Title}}“.",
		"reminder.ws":    "Ihre Workshops",
		"reminder.off":   "Falls Sie nicht kommen können, sagen Sie bitte über den persönlichen Link aus Ihrer Anmeldebestätigung ab, damit jemand von der Warteliste nachrücken kann.",
	},
	"en": {
		"greeting":       "Hello {{.Name}},",
		"footer":         "You receive this message because you registered for “{{.Event.Title}}”.",
		"contact":        "Questions? {{with .Event.Organiser}}{{.}} {{end}}{{with .Event.OrganiserEmail}}<{{.}}>{{end}}",
		"when":           "When",
		"where":          "Where",
		"reminder.subj":  "Reminder: {{.Event.Title}} on {{.Event.Date}}",
		"reminder.intro": "we look forward to seeing you at “{{.Event.Title}}”.",
		"reminder.ws":    "Your workshops",
		"reminder.off":   "If you cannot come, please cancel through the personal link in your confirmation mail so that someone from the waiting list can move up.",
	},
}

// orgTemplates are parsed once at start-up, like the other mail templates.
var orgTemplates = mustParseOrgTemplates()

func mustParseOrgTemplates() map[string]*texttemplate.Template {
	out := make(map[string]*texttemplate.Template, len(orgTexts))
	for lang, texts := range orgTexts {
		t := texttemplate.New(lang)
		for name, text := range texts {
			texttemplate.Must(t.New(name).Parse(text))
		}
		out[lang] = t
	}
	return out
}

// orgView is the data of an organiser mail in one language.
type orgView struct {
	Lang, Subject, Greeting, When, Where, Intro, Footer, Contact string
	WorkshopsHeading, CancelHint                                 string
	Event                                                        eventView
	Bookings                                                     []bookingView
	Paragraphs                                                   [][]string // body: paragraphs of lines
	Reminder                                                     bool
}

var orgHTML = htmltemplate.Must(htmltemplate.New("org").Parse(`<!doctype html>
<html lang="{{.Lang}}"><body style="font-family: sans-serif; line-height: 1.5">
<p>{{.Greeting}}</p>
{{if .Reminder}}<p>{{.Intro}}</p>
<p><strong>{{.When}}:</strong> {{.Event.Date}}, {{.Event.Time}}<br>
<strong>{{.Where}}:</strong> {{.Event.Venue}}{{with .Event.Address}}, {{.}}{{end}}</p>
{{with .Bookings}}<p><strong>{{$.WorkshopsHeading}}</strong></p><ul>{{range .}}<li>{{.Slot}} ({{.Time}}): {{.Workshop}}{{with .Room}} – {{.}}{{end}}</li>{{end}}</ul>{{end}}
<p>{{.CancelHint}}</p>
{{else}}{{range .Paragraphs}}<p>{{range $i, $l := .}}{{if $i}}<br>{{end}}{{$l}}{{end}}</p>
{{end}}{{end}}<hr>
<p style="color: #555">{{.Footer}}{{with .Contact}}<br>{{.}}{{end}}</p>
</body></html>`))

// RenderOrg writes an organiser message or a reminder for one recipient.
// The preview of the messages page calls it too, so the organiser sees
// exactly what goes out.
func RenderOrg(p Message, ev *event.Event) (Rendered, error) {
	v, err := newOrgView(p, ev)
	if err != nil {
		return Rendered{}, err
	}
	var html strings.Builder
	if err := orgHTML.Execute(&html, v); err != nil {
		return Rendered{}, fmt.Errorf("render organiser mail: %w", err)
	}
	return Rendered{Subject: v.Subject, Text: orgText(v, p.Body), HTML: html.String()}, nil
}

func newOrgView(p Message, ev *event.Event) (*orgView, error) {
	lang := p.Language
	if _, ok := orgTemplates[lang]; !ok {
		lang = "de"
	}
	base := newView(p, ev, "")
	v := &orgView{Lang: lang, Event: base.Event, Bookings: base.Bookings, Reminder: p.Kind == KindReminder}
	t := orgTemplates[lang]
	exec := func(name string) string {
		var b strings.Builder
		_ = t.ExecuteTemplate(&b, name, base) // the texts are fixed and parsed at start-up
		return b.String()
	}
	v.Greeting, v.Footer, v.When, v.Where = exec("greeting"), exec("footer"), exec("when"), exec("where")
	if ev.Organiser.Name != "" || ev.Organiser.Email != "" {
		v.Contact = strings.TrimSpace(exec("contact"))
	}
	switch p.Kind {
	case KindReminder:
		v.Subject, v.Intro = oneLine(exec("reminder.subj")), exec("reminder.intro")
		v.WorkshopsHeading, v.CancelHint = exec("reminder.ws"), exec("reminder.off")
	case KindOrgMessage:
		if strings.TrimSpace(p.Subject) == "" || strings.TrimSpace(p.Body) == "" {
			return nil, fmt.Errorf("organiser message without subject or body")
		}
		v.Subject, v.Paragraphs = oneLine(p.Subject), paragraphs(p.Body)
	default:
		return nil, fmt.Errorf("%s is not an organiser mail", p.Kind)
	}
	return v, nil
}

func orgText(v *orgView, body string) string {
	var b strings.Builder
	b.WriteString(v.Greeting + "\n\n")
	if v.Reminder {
		fmt.Fprintf(&b, "%s\n\n%s: %s, %s\n%s: %s", v.Intro, v.When, v.Event.Date, v.Event.Time, v.Where, v.Event.Venue)
		if v.Event.Address != "" {
			b.WriteString(", " + v.Event.Address)
		}
		b.WriteString("\n\n")
		if len(v.Bookings) > 0 {
			b.WriteString(v.WorkshopsHeading + ":\n")
			for _, bk := range v.Bookings {
				fmt.Fprintf(&b, "- %s (%s): %s", bk.Slot, bk.Time, bk.Workshop)
				if bk.Room != "" {
					b.WriteString(" – " + bk.Room)
				}
				b.WriteString("\n")
			}
			b.WriteString("\n")
		}
		b.WriteString(v.CancelHint + "\n")
	} else {
		b.WriteString(strings.TrimSpace(strings.ReplaceAll(body, "\r\n", "\n")) + "\n")
	}
	b.WriteString("\n-- \n" + v.Footer + "\n")
	if v.Contact != "" {
		b.WriteString(v.Contact + "\n")
	}
	return b.String()
}

// paragraphs splits a plain-text body at blank lines.
func paragraphs(body string) [][]string {
	var out [][]string
	for _, p := range strings.Split(strings.ReplaceAll(body, "\r\n", "\n"), "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, strings.Split(p, "\n"))
		}
	}
	return out
}

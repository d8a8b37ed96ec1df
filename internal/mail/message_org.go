package mail

import (
	"fmt"
	htmltemplate "html/template"
	"strings"

	"github.com/fachtag/fachtag/internal/event"
	"github.com/fachtag/fachtag/internal/i18n"
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
func renderKind(m Message, ev *event.Event, link func(token string) string, answer AnswerLink) (Rendered, error) {
	if isReconfirmMail(m.Kind) {
		return RenderReconfirm(m, ev, answer)
	}
	if isOrgMail(m.Kind) {
		return RenderOrg(m, ev, link)
	}
	if m.Kind == KindCertificate {
		return RenderCertificate(m, ev)
	}
	return Render(m, ev, link)
}

// orgView is the data of an organiser mail in one language.
type orgView struct {
	Lang, Subject, Greeting, When, Where, Intro, Footer, Contact string
	WorkshopsHeading, CancelHint                                 string
	Privacy, Imprint                                             string // footer lines with the legal links; "" for none
	PrivacyURL, ImprintURL                                       string
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
<p style="color: #555">{{.Footer}}{{with .Contact}}<br>{{.}}{{end}}{{with .PrivacyURL}}<br><a href="{{.}}">{{$.Privacy}}</a>{{end}}{{with .ImprintURL}}<br><a href="{{.}}">{{$.Imprint}}</a>{{end}}</p>
</body></html>`))

// RenderOrg writes an organiser message or a reminder for one recipient.
// The preview of the messages page calls it too, so the organiser sees
// exactly what goes out. The organiser's subject and text may use the
// placeholders {name}, {event} and {link} (the personal link, made with
// link from the mail's token; a preview or a test send has none and shows
// a stand-in).
func RenderOrg(m Message, ev *event.Event, link func(token string) string) (Rendered, error) {
	v, err := newOrgView(m, ev)
	if err != nil {
		return Rendered{}, err
	}
	if m.Kind == KindOrgMessage {
		m.Body = placeholders(m, ev, link).Replace(m.Body)
		v.Paragraphs = paragraphs(m.Body)
	}
	var html strings.Builder
	if err := orgHTML.Execute(&html, v); err != nil {
		return Rendered{}, fmt.Errorf("render organiser mail: %w", err)
	}
	return Rendered{Subject: v.Subject, Text: orgText(v, m.Body), HTML: html.String()}, nil
}

func newOrgView(m Message, ev *event.Event) (*orgView, error) {
	v := orgBase(m, ev)
	t := func(key string, args ...any) string { return i18n.T(v.Lang, key, args...) }
	switch m.Kind {
	case KindReminder:
		v.Subject, v.Intro = oneLine(t("mail.reminder.subject", ev.Title, v.Event.Date)), t("mail.reminder.intro", ev.Title)
		v.WorkshopsHeading, v.CancelHint = t("mail.your_workshops"), t("mail.reminder.cancel")
	case KindOrgMessage:
		if strings.TrimSpace(m.Subject) == "" || strings.TrimSpace(m.Body) == "" {
			return nil, fmt.Errorf("organiser message without subject or body")
		}
		v.Subject = oneLine(placeholders(m, ev, nil).Replace(m.Subject))
	default:
		return nil, fmt.Errorf("%s is not an organiser mail", m.Kind)
	}
	return v, nil
}

// orgBase is the part of an organiser mail every kind shares: greeting,
// event, bookings and the footer with the contact and the legal links.
func orgBase(m Message, ev *event.Event) *orgView {
	lang := i18n.Normalize(m.Language)
	t := func(key string, args ...any) string { return i18n.T(lang, key, args...) }
	base := newView(m, ev, nil)
	v := &orgView{Lang: lang, Event: base.Event, Bookings: base.Bookings, Reminder: m.Kind == KindReminder,
		Greeting: t("mail.org.greeting", base.Name), Footer: t("mail.org.footer", ev.Title),
		When: t("mail.org.when"), Where: t("mail.org.where"), Contact: orgContact(lang, ev),
		PrivacyURL: m.PrivacyURL, ImprintURL: m.ImprintURL}
	if m.PrivacyURL != "" {
		v.Privacy = t("legal.mail_privacy", m.PrivacyURL)
	}
	if m.ImprintURL != "" {
		v.Imprint = t("legal.mail_imprint", m.ImprintURL)
	}
	return v
}

// orgContact names whom to ask, "" when the event names nobody.
func orgContact(lang string, ev *event.Event) string {
	var who []string
	if ev.Organiser.Name != "" {
		who = append(who, ev.Organiser.Name)
	}
	if ev.Organiser.Email != "" {
		who = append(who, "<"+ev.Organiser.Email+">")
	}
	if len(who) == 0 {
		return ""
	}
	return i18n.T(lang, "mail.org.contact", strings.Join(who, " "))
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
	for _, line := range []string{v.Contact, v.Privacy, v.Imprint} {
		if line != "" {
			b.WriteString(line + "\n")
		}
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

// Placeholders the organiser's text may use; the messages page lists them.
const (
	PlaceholderName  = "{name}"
	PlaceholderEvent = "{event}"
	PlaceholderLink  = "{link}"
)

// placeholders fills in the recipient's name, the event's title and the
// personal link (a stand-in without token or link function).
func placeholders(m Message, ev *event.Event, link func(token string) string) *strings.Replacer {
	personal := i18n.T(i18n.Normalize(m.Language), "mail.org.link_sample")
	if m.Token != "" && link != nil {
		personal = link(m.Token)
	}
	return strings.NewReplacer(PlaceholderName, m.Name, PlaceholderEvent, ev.Title, PlaceholderLink, personal)
}

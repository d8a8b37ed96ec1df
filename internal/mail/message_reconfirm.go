package mail

import (
	"fmt"
	htmltemplate "html/template"
	"strings"
	"time"

	"github.com/fachtag/fachtag/internal/event"
	"github.com/fachtag/fachtag/internal/i18n"
)

// Reconfirmation mails ("Kommen Sie?"): the question with its two answer
// links, the one reminder, and the notice that an unanswered seat was
// released at the deadline. Message.Token is the raw answer token (erased
// once sent, like every token); Message.Reconfirm carries the deadline.
const (
	KindReconfirm         Kind = "reconfirm"
	KindReconfirmReminder Kind = "reconfirm_reminder"
	KindReconfirmReleased Kind = "reconfirm_released"
)

// Reconfirm is what a reconfirmation mail says besides the registration.
type Reconfirm struct {
	Deadline time.Time `json:"deadline"`
	Release  bool      `json:"release"` // unanswered seats go to the waiting list at the deadline
}

// AnswerLink turns a raw answer token into the address of the answer page
// with "yes" or "no" preselected. The page asks for one button press, so
// a mail scanner that follows the link changes nothing.
type AnswerLink func(token string, yes bool) string

func isReconfirmMail(k Kind) bool {
	return k == KindReconfirm || k == KindReconfirmReminder || k == KindReconfirmReleased
}

// reconfirmView is a reconfirmation mail in one language.
type reconfirmView struct {
	Lang, Subject, Greeting, Intro, Consequence, Press string
	Yes, No, YesLink, NoLink                           string
	WorkshopsHeading, Footer, Contact                  string
	Privacy, Imprint, PrivacyURL, ImprintURL           string
	Bookings                                           []bookingView
}

var reconfirmHTML = htmltemplate.Must(htmltemplate.New("reconfirm").Parse(`<!doctype html>
<html lang="{{.Lang}}"><body style="font-family: sans-serif; line-height: 1.5; color: #222; max-width: 40em">
<p>{{.Greeting}}</p>
<p>{{.Intro}}</p>
{{if .YesLink}}<p><a href="{{.YesLink}}" style="display: inline-block; padding: 0.5em 1em; background: #0b5cad; color: #fff; text-decoration: none; border-radius: 4px">{{.Yes}}</a>
&nbsp; <a href="{{.NoLink}}" style="display: inline-block; padding: 0.5em 1em; background: #fff; color: #0b5cad; border: 2px solid #0b5cad; text-decoration: none; border-radius: 4px">{{.No}}</a></p>
<p style="color: #555">{{.Press}}</p>{{end}}
<p>{{.Consequence}}</p>
{{with .Bookings}}<p><strong>{{$.WorkshopsHeading}}</strong></p><ul>{{range .}}<li>{{.Slot}} ({{.Time}}): {{.Workshop}}{{with .Room}} – {{.}}{{end}}</li>{{end}}</ul>{{end}}
<hr>
<p style="color: #555">{{.Footer}}{{with .Contact}}<br>{{.}}{{end}}{{with .PrivacyURL}}<br><a href="{{.}}">{{$.Privacy}}</a>{{end}}{{with .ImprintURL}}<br><a href="{{.}}">{{$.Imprint}}</a>{{end}}</p>
</body></html>`))

// RenderReconfirm writes a reconfirmation mail for one participant; the
// question and the reminder need answer to make their links.
func RenderReconfirm(m Message, ev *event.Event, answer AnswerLink) (Rendered, error) {
	if m.Reconfirm == nil {
		return Rendered{}, fmt.Errorf("%s mail without its deadline", m.Kind)
	}
	v := newReconfirmView(m, ev)
	if m.Kind != KindReconfirmReleased {
		if answer == nil || m.Token == "" {
			return Rendered{}, fmt.Errorf("%s mail without answer links", m.Kind)
		}
		v.YesLink, v.NoLink = answer(m.Token, true), answer(m.Token, false)
	}
	var html strings.Builder
	if err := reconfirmHTML.Execute(&html, v); err != nil {
		return Rendered{}, fmt.Errorf("render reconfirmation mail: %w", err)
	}
	return Rendered{Subject: v.Subject, Text: reconfirmText(v), HTML: html.String()}, nil
}

func newReconfirmView(m Message, ev *event.Event) *reconfirmView {
	lang := i18n.Normalize(m.Language)
	t := func(key string, args ...any) string { return i18n.T(lang, key, args...) }
	base := newView(m, ev, nil)
	f := formatterFor(lang, ev.Location())
	deadline := t("mail.rc.at", f.date(m.Reconfirm.Deadline), m.Reconfirm.Deadline.In(ev.Location()).Format("15:04"))
	v := &reconfirmView{Lang: lang, Greeting: t("mail.greeting", base.Name), Footer: t("mail.org.footer", ev.Title),
		Contact: orgContact(lang, ev), Yes: t("mail.rc.yes"), No: t("mail.rc.no"), Press: t("mail.rc.press"),
		WorkshopsHeading: t("mail.your_workshops"), Bookings: base.Bookings,
		PrivacyURL: m.PrivacyURL, ImprintURL: m.ImprintURL}
	if m.PrivacyURL != "" {
		v.Privacy = t("legal.mail_privacy", m.PrivacyURL)
	}
	if m.ImprintURL != "" {
		v.Imprint = t("legal.mail_imprint", m.ImprintURL)
	}
	v.Consequence = t("mail.rc.keep", deadline)
	if m.Reconfirm.Release {
		v.Consequence = t("mail.rc.release", deadline)
	}
	switch m.Kind {
	case KindReconfirm:
		v.Subject = t("mail.rc.subject", ev.Title, base.Event.Date)
		v.Intro = t("mail.rc.intro", ev.Title, base.Event.Date, deadline)
	case KindReconfirmReminder:
		v.Subject = t("mail.rc.reminder_subject", ev.Title, deadline)
		v.Intro = t("mail.rc.reminder_intro", ev.Title, base.Event.Date, deadline)
	default:
		v.Subject = t("mail.rc.released_subject", ev.Title)
		v.Intro, v.Consequence = t("mail.rc.released_intro", deadline, ev.Title, base.Event.Date), t("mail.rc.released_why")
		v.Bookings = nil // given up with the seat
	}
	v.Subject = oneLine(v.Subject)
	return v
}

func reconfirmText(v *reconfirmView) string {
	var b strings.Builder
	b.WriteString(v.Greeting + "\n\n" + v.Intro + "\n\n")
	if v.YesLink != "" {
		fmt.Fprintf(&b, "%s:\n%s\n\n%s:\n%s\n\n%s\n\n", v.Yes, v.YesLink, v.No, v.NoLink, v.Press)
	}
	b.WriteString(v.Consequence + "\n\n")
	if len(v.Bookings) > 0 {
		b.WriteString(v.WorkshopsHeading + ":\n")
		for _, bk := range v.Bookings {
			fmt.Fprintf(&b, "- %s (%s): %s\n", bk.Slot, bk.Time, bk.Workshop)
		}
		b.WriteString("\n")
	}
	b.WriteString("-- \n" + v.Footer + "\n")
	for _, line := range []string{v.Contact, v.Privacy, v.Imprint} {
		if line != "" {
			b.WriteString(line + "\n")
		}
	}
	return b.String()
}

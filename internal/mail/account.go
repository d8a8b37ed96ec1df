package mail

import (
	"fmt"
	htmltemplate "html/template"
	"strings"

	"github.com/fachtag/fachtag/internal/i18n"
)

// Account mails belong to no event, so they have their own small renderer:
// the organiser's password-reset mail, and the invitation into an event's
// team with the link to set a first password (Message.EventTitle names the
// event).
const (
	KindPasswordReset Kind = "password_reset"
	KindInvite        Kind = "invite"
)

var resetHTML = htmltemplate.Must(htmltemplate.New("reset").Parse(`<!doctype html>
<html lang="{{.Lang}}"><body style="font-family: sans-serif; line-height: 1.5">
<p>{{.Greeting}}</p>
<p>{{.Body}}</p>
<p><a href="{{.Link}}">{{.Link}}</a></p>
<p>{{.Ignore}}</p>
</body></html>`))

// isAccountMail reports the kinds rendered without an event (the
// webhook mail is about an event, but its payload holds all it needs).
func isAccountMail(k Kind) bool {
	return k == KindPasswordReset || k == KindInvite || k == KindWebhookDisabled
}

// resetView is the password-reset mail in one language.
type resetView struct{ Lang, Link, Subject, Greeting, Body, Ignore string }

// RenderAccount renders a mail about an organiser's account.
func RenderAccount(m Message) (Rendered, error) {
	if m.Kind == KindWebhookDisabled {
		return renderWebhookDisabled(m)
	}
	if m.Link == "" {
		return Rendered{}, fmt.Errorf("%s mail without a link", m.Kind)
	}
	lang := i18n.Normalize(m.Language)
	v := resetView{Lang: lang, Link: m.Link, Subject: i18n.T(lang, "mail.reset.subject"),
		Greeting: i18n.T(lang, "mail.reset.greeting"), Body: i18n.T(lang, "mail.reset.body"),
		Ignore: i18n.T(lang, "mail.reset.ignore")}
	if m.Kind == KindInvite {
		v.Subject, v.Body = oneLine(i18n.T(lang, "mail.invite.subject", m.EventTitle)), i18n.T(lang, "mail.invite.body", m.EventTitle)
		v.Ignore = i18n.T(lang, "mail.invite.ignore")
	}
	var html strings.Builder
	if err := resetHTML.Execute(&html, v); err != nil {
		return Rendered{}, err
	}
	text := strings.Join([]string{v.Greeting, "", v.Body, "", m.Link, "", v.Ignore, ""}, "\n")
	return Rendered{Subject: v.Subject, Text: text, HTML: html.String()}, nil
}

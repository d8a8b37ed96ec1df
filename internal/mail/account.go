package mail

import (
	"fmt"
	htmltemplate "html/template"
	"strings"
)

// KindPasswordReset is the organiser's password-reset mail. Account mails
// belong to no event, so they have their own small renderer.
const KindPasswordReset Kind = "password_reset"

var resetTexts = map[string]struct{ Subject, Greeting, Body, Ignore string }{
	"de": {
		Subject:  "Passwort zurücksetzen – fachtag",
		Greeting: "Guten Tag,",
		Body:     "Sie (oder jemand anderes) haben ein neues Passwort für Ihr fachtag-Konto angefordert. Über diesen Link legen Sie es fest; er gilt eine Stunde und nur einmal:",
		Ignore:   "Wenn Sie das nicht waren, ignorieren Sie diese E-Mail einfach. Ihr Passwort bleibt dann unverändert.",
	},
	"en": {
		Subject:  "Reset your password – fachtag",
		Greeting: "Hello,",
		Body:     "You (or someone else) asked for a new password for your fachtag account. Set it with this link; it works once and for one hour:",
		Ignore:   "If that was not you, simply ignore this e-mail. Your password stays as it is.",
	},
}

var resetHTML = htmltemplate.Must(htmltemplate.New("reset").Parse(`<!doctype html>
<html lang="{{.Lang}}"><body style="font-family: sans-serif; line-height: 1.5">
<p>{{.T.Greeting}}</p>
<p>{{.T.Body}}</p>
<p><a href="{{.Link}}">{{.Link}}</a></p>
<p>{{.T.Ignore}}</p>
</body></html>`))

// isAccountMail reports the kinds rendered without an event.
func isAccountMail(k Kind) bool { return k == KindPasswordReset }

// RenderAccount renders a mail about an organiser's account.
func RenderAccount(m Message) (Rendered, error) {
	lang := m.Language
	t, ok := resetTexts[lang]
	if !ok {
		lang, t = "de", resetTexts["de"]
	}
	if m.Link == "" {
		return Rendered{}, fmt.Errorf("%s mail without a link", m.Kind)
	}
	var html strings.Builder
	err := resetHTML.Execute(&html, struct {
		Lang, Link string
		T          struct{ Subject, Greeting, Body, Ignore string }
	}{lang, m.Link, t})
	if err != nil {
		return Rendered{}, err
	}
	text := strings.Join([]string{t.Greeting, "", t.Body, "", m.Link, "", t.Ignore, ""}, "\n")
	return Rendered{Subject: t.Subject, Text: text, HTML: html.String()}, nil
}

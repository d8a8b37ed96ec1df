package mail

import (
	htmltemplate "html/template"
	"strings"

	"github.com/fachtag/fachtag/internal/i18n"
)

// KindWebhookDisabled tells an event's organiser that a webhook endpoint
// was switched off after a day of failed deliveries (package webhook).
// Message.EventTitle names the event, WebhookURL the endpoint, Link the
// event's webhooks page ("" for none). Like the account mails it needs no
// event loaded.
const KindWebhookDisabled Kind = "webhook_disabled"

var webhookHTML = htmltemplate.Must(htmltemplate.New("webhook").Parse(`<!doctype html>
<html lang="{{.Lang}}"><body style="font-family: sans-serif; line-height: 1.5">
<p>{{.Greeting}}</p>
<p>{{.Body}}</p>
<p><code>{{.URL}}</code></p>
<p>{{.Hint}}{{with .Link}}<br><a href="{{.}}">{{.}}</a>{{end}}</p>
</body></html>`))

type webhookView struct{ Lang, Greeting, Body, URL, Hint, Link string }

// renderWebhookDisabled renders the mail of KindWebhookDisabled.
func renderWebhookDisabled(m Message) (Rendered, error) {
	lang := i18n.Normalize(m.Language)
	v := webhookView{Lang: lang, Greeting: i18n.T(lang, "mail.webhook.greeting"), URL: m.WebhookURL,
		Body: i18n.T(lang, "mail.webhook.body", m.EventTitle), Hint: i18n.T(lang, "mail.webhook.hint"), Link: m.Link}
	var html strings.Builder
	if err := webhookHTML.Execute(&html, v); err != nil {
		return Rendered{}, err
	}
	text := strings.Join([]string{v.Greeting, "", v.Body, "", v.URL, "", v.Hint, v.Link, ""}, "\n")
	return Rendered{Subject: oneLine(i18n.T(lang, "mail.webhook.subject", m.EventTitle)), Text: text, HTML: html.String()}, nil
}

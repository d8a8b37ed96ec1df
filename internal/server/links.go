package server

import (
	"net/url"
	"strings"

	"github.com/fachtag/fachtag/internal/mail"
)

// ManageLink returns the builder of a participant's personal link under
// baseURL: the page of the /r/{token} route. The mail worker gets it at
// wiring time, so the route has one owner.
func ManageLink(baseURL string) func(token string) string {
	prefix := strings.TrimRight(baseURL, "/") + "/r/"
	return func(token string) string { return prefix + token }
}

// AnswerLink returns the builder of the answer links of a reconfirmation
// mail under baseURL: the /attend/{token} page with the answer preselected.
func AnswerLink(baseURL string) mail.AnswerLink {
	prefix := strings.TrimRight(baseURL, "/") + "/attend/"
	return func(token string, yes bool) string {
		if yes {
			return prefix + token + "?answer=yes"
		}
		return prefix + token + "?answer=no"
	}
}

// WebhooksLink makes the absolute address of an event's webhooks page, for
// the mail that says an endpoint was disabled.
func WebhooksLink(baseURL string) func(slug string) string {
	prefix := strings.TrimRight(baseURL, "/") + "/org/events/"
	return func(slug string) string { return prefix + url.PathEscape(slug) + "/webhooks" }
}

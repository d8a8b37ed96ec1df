package server

import (
	"net/url"
	"strings"
)

// ManageLink returns the builder of a participant's personal link under
// baseURL: the page of the /r/{token} route. The mail worker gets it at
// wiring time, so the route has one owner.
func ManageLink(baseURL string) func(token string) string {
	prefix := strings.TrimRight(baseURL, "/") + "/r/"
	return func(token string) string { return prefix + token }
}

// WebhooksLink makes the absolute address of an event's webhooks page, for
// the mail that says an endpoint was disabled.
func WebhooksLink(baseURL string) func(slug string) string {
	prefix := strings.TrimRight(baseURL, "/") + "/org/events/"
	return func(slug string) string { return prefix + url.PathEscape(slug) + "/webhooks" }
}

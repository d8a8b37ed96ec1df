package server

import "strings"

// ManageLink returns the builder of a participant's personal link under
// baseURL: the page of the /r/{token} route. The mail worker gets it at
// wiring time, so the route has one owner.
func ManageLink(baseURL string) func(token string) string {
	prefix := strings.TrimRight(baseURL, "/") + "/r/"
	return func(token string) string { return prefix + token }
}

package server_test

import (
	"net/http"
	"testing"
)

// With an https BASE_URL every response carries HSTS — pages, the API,
// errors, probes and static files; with an http one none does.
func TestHSTSFollowsBaseURL(t *testing.T) {
	paths := []string{"/", "/events/" + slugOpen, "/api/v1/events/" + slugOpen, "/api/v1/nothing",
		"/no-such-page", "/healthz", "/readyz", "/static/style.css", "/org/login"}
	for _, tc := range []struct {
		base string
		want string
	}{
		{"https://anmeldung.example.org", "max-age=31536000; includeSubDomains"},
		{"http://127.0.0.1:8080", ""},
	} {
		f := newFixture(t, fixtureOpts{baseURL: tc.base})
		for _, p := range paths {
			r := f.get(p)
			if got := r.header.Get("Strict-Transport-Security"); got != tc.want {
				t.Errorf("BASE_URL %s, GET %s (%d): Strict-Transport-Security %q, want %q", tc.base, p, r.status, got, tc.want)
			}
		}
		if r := f.get("/api/v1/events/" + slugOpen); r.status != http.StatusOK {
			t.Errorf("BASE_URL %s: event API answered %v", tc.base, r)
		}
	}
}

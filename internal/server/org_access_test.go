package server_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

type route struct {
	method, path, body string
}

// eventRoutes are every organiser API route that names slugOpen.
var eventRoutes = []route{
	{"PUT", "/api/v1/events/" + slugOpen, `{"slug": "` + slugOpen + `"}`},
	{"POST", "/api/v1/events/" + slugOpen + "/status", `{"status": "closed"}`},
	{"GET", "/api/v1/events/" + slugOpen + "/registrations", ""},
	{"GET", "/api/v1/events/" + slugOpen + "/workshops/A1/participants", ""},
	{"GET", "/api/v1/events/" + slugOpen + "/export.csv", ""},
	{"GET", "/api/v1/events/" + slugOpen + "/export.xlsx", ""},
}

// TestOrgAPIAccess calls every organiser API route with each kind of
// wrong credential and checks the refusal and that it leaks nothing.
func TestOrgAPIAccess(t *testing.T) {
	of := newOrgFixture(t)
	of.register(of.person(map[string]string{"r1": "A1"}))
	create := route{"POST", "/api/v1/events", `{"slug": "neu"}`}
	cases := []struct {
		account   string
		eventWant int // routes naming slugOpen
		postWant  int // POST /api/v1/events
	}{
		{"", http.StatusUnauthorized, http.StatusUnauthorized},
		{"revoked", http.StatusUnauthorized, http.StatusUnauthorized},
		{"checkin", http.StatusForbidden, http.StatusForbidden},
		{"orgB", http.StatusNotFound, http.StatusUnprocessableEntity},
	}
	for _, c := range cases {
		for _, rt := range append(eventRoutes, create) {
			want := c.eventWant
			if rt == create {
				want = c.postWant
			}
			r := of.do(rt.method, rt.path, strings.NewReader(rt.body), append([]string{"Content-Type", "application/json"}, of.bearer(c.account)...)...)
			if r.status != want {
				t.Errorf("%q %s %s: got %v, want %d", c.account, rt.method, rt.path, r, want)
			}
			for _, secret := range []string{"Teilhabe", "Teilnehmerin", "person", "Beratung", "A1"} {
				if r.status != http.StatusUnprocessableEntity && strings.Contains(string(r.body), secret) {
					t.Errorf("%q %s %s: body leaks %q: %s", c.account, rt.method, rt.path, secret, r.body)
				}
			}
			if want == http.StatusUnauthorized && !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("%q %s %s: no Bearer challenge", c.account, rt.method, rt.path)
			}
		}
	}
	// A missing event answers exactly like a hidden one.
	hidden := of.get("/api/v1/events/"+slugOpen+"/registrations", of.bearer("orgB")...)
	missing := of.get("/api/v1/events/gibt-es-nicht/registrations", of.bearer("orgB")...)
	if hidden.status != missing.status || string(hidden.body) != string(missing.body) {
		t.Errorf("hidden event %v differs from missing event %v", hidden, missing)
	}
	// The member and the admin get through.
	for _, account := range []string{"orgA", "admin"} {
		for _, rt := range eventRoutes[2:] {
			if r := of.do(rt.method, rt.path, nil, of.bearer(account)...); r.status != http.StatusOK {
				t.Errorf("%s %s %s: got %v, want 200", account, rt.method, rt.path, r)
			}
		}
	}
}

// TestOrgPageAccess does the same for the organiser pages.
func TestOrgPageAccess(t *testing.T) {
	of := newOrgFixture(t)
	of.settle()
	of.register(of.person(map[string]string{"r1": "A1"}))
	pages := []string{
		"/org/events/" + slugOpen + "/lists",
		"/org/events/" + slugOpen + "/export.csv",
		"/org/events/" + slugOpen + "/export.xlsx",
	}
	for _, p := range append(pages, "/org/", "/org/password") {
		r := of.get(p)
		if r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), "/org/login?") {
			t.Errorf("no session: GET %s: got %d Location %q, want 303 to the login", p, r.status, r.header.Get("Location"))
		}
	}
	for _, c := range []struct {
		account string
		want    int
	}{{"orgB", http.StatusNotFound}, {"checkin", http.StatusForbidden}, {"orgA", http.StatusOK}, {"admin", http.StatusOK}} {
		cookie := of.login(c.account)
		for _, p := range pages {
			r := of.get(p, cookie...)
			if r.status != c.want {
				t.Errorf("%s: GET %s: got %d, want %d", c.account, p, r.status, c.want)
			}
			if c.want != http.StatusOK && (strings.Contains(string(r.body), "Teilhabe") || strings.Contains(string(r.body), "Teilnehmerin")) {
				t.Errorf("%s: GET %s leaks event data", c.account, p)
			}
		}
		home := of.get("/org/", cookie...)
		shows := strings.Contains(string(home.body), slugOpen)
		if wantShows := c.account != "orgB"; home.status != http.StatusOK || shows != wantShows {
			t.Errorf("%s: start page %d lists %s = %v, want %v", c.account, home.status, slugOpen, shows, wantShows)
		}
	}
}

// TestOrgCrossSite checks that a state change from another site is
// refused before any handler runs.
func TestOrgCrossSite(t *testing.T) {
	of := newOrgFixture(t)
	of.settle()
	cookie := of.login("orgA")
	for _, h := range [][]string{{"Sec-Fetch-Site", "cross-site"}, {"Origin", "https://evil.example"}} {
		r := of.postForm("/org/logout", url.Values{}, append(cookie, h...)...)
		if r.status != http.StatusForbidden {
			t.Errorf("cross-site logout with %s: got %d, want 403", h[0], r.status)
		}
		r = of.postForm("/org/login", url.Values{"email": {emailOf("orgA")}, "password": {of.password["orgA"]}}, h...)
		if r.status != http.StatusForbidden || sessionCookie(r) != "" {
			t.Errorf("cross-site login with %s: got %d, want 403 and no session", h[0], r.status)
		}
		r = of.postForm("/org/password", url.Values{"current": {of.password["orgA"]}, "new": {"x1234567890"}, "confirm": {"x1234567890"}}, append(cookie, h...)...)
		if r.status != http.StatusForbidden {
			t.Errorf("cross-site password change with %s: got %d, want 403", h[0], r.status)
		}
	}
	if r := of.get("/org/", cookie...); r.status != http.StatusOK {
		t.Errorf("session after refused logout: got %d, want 200", r.status)
	}
}

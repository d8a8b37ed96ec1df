package server_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestOrgLoginRotatesSession: a session id planted before the login is
// not the one after it, and the old session is ended.
func TestOrgLoginRotatesSession(t *testing.T) {
	of := newOrgFixture(t)
	of.settle()
	first := of.login("orgA")
	r := of.postForm("/org/login", url.Values{"email": {emailOf("orgA")}, "password": {of.password["orgA"]}}, first...)
	second := sessionCookie(r)
	if second == "" || "fachtag_session="+second == first[1] {
		t.Fatalf("second login: cookie %q, want a new id", second)
	}
	if r := of.get("/org/", first...); r.status != http.StatusSeeOther {
		t.Errorf("old session after new login: got %d, want 303 to the login", r.status)
	}
	if r := of.get("/org/", "Cookie", "fachtag_session="+second); r.status != http.StatusOK {
		t.Errorf("new session: got %d, want 200", r.status)
	}
	for _, attr := range []string{"HttpOnly", "SameSite=Lax", "Path=/"} {
		if !strings.Contains(r.header.Get("Set-Cookie"), attr) {
			t.Errorf("session cookie %q lacks %s", r.header.Get("Set-Cookie"), attr)
		}
	}
}

// TestOrgOneTimePassword: the first login must choose a password; the
// change ends the old session and the new password works.
func TestOrgOneTimePassword(t *testing.T) {
	of := newOrgFixture(t)
	cookie := of.login("orgA")
	if r := of.get("/org/", cookie...); r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), "/org/password") {
		t.Fatalf("start page before the change: got %d %q, want 303 to /org/password", r.status, r.header.Get("Location"))
	}
	bad := of.postForm("/org/password", url.Values{"current": {of.password["orgA"]}, "new": {"kurz"}, "confirm": {"kurz"}}, cookie...)
	if bad.status != http.StatusUnprocessableEntity || !strings.Contains(string(bad.body), `id="new-error"`) {
		t.Errorf("short password: got %d, want 422 with the error beside the field", bad.status)
	}
	r := of.postForm("/org/password", url.Values{"current": {of.password["orgA"]}, "new": {testPassword}, "confirm": {testPassword}}, cookie...)
	if r.status != http.StatusSeeOther || sessionCookie(r) == "" {
		t.Fatalf("change: got %v, want 303 with a new session", r)
	}
	if old := of.get("/org/", cookie...); old.status != http.StatusSeeOther {
		t.Errorf("old session after the change: got %d, want 303", old.status)
	}
	of.password["orgA"] = testPassword
	if home := of.get("/org/", of.login("orgA")...); home.status != http.StatusOK {
		t.Errorf("login with the new password: start page %d, want 200", home.status)
	}
}

// TestOrgPasswordReset: the link comes from BASE_URL whatever the Host
// header says, works once, and the new password logs in.
func TestOrgPasswordReset(t *testing.T) {
	of := newOrgFixture(t)
	for _, email := range []string{emailOf("orgA"), "niemand@example.org"} {
		r := of.postForm("/org/reset", url.Values{"email": {email}}, "Host", "evil.example")
		if r.status != http.StatusOK {
			t.Fatalf("reset request for %s: got %d, want 200", email, r.status)
		}
	}
	if len(of.links) != 1 {
		t.Fatalf("reset links: got %d, want 1 (none for an unknown address)", len(of.links))
	}
	link := of.links[0]
	if !strings.HasPrefix(link, of.url+"/org/reset/") {
		t.Fatalf("reset link %q does not start with BASE_URL %s", link, of.url)
	}
	path := strings.TrimPrefix(link, of.url)
	if r := of.get(path); r.status != http.StatusOK {
		t.Fatalf("reset form: got %d, want 200", r.status)
	}
	newPW := "ein ganz neues Passwort"
	form := url.Values{"new": {newPW}, "confirm": {newPW}}
	if r := of.postForm(path, form); r.status != http.StatusSeeOther {
		t.Fatalf("set new password: got %v, want 303", r)
	}
	if r := of.postForm(path, form); r.status != http.StatusNotFound {
		t.Errorf("second use of the link: got %d, want 404", r.status)
	}
	of.password["orgA"] = newPW
	of.login("orgA")
}

package server_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

const (
	frameNone  = "frame-ancestors 'none'"
	frameHosts = "frame-ancestors 'self' https://www.example.org http://localhost:8000"
)

// wantFraming checks that a response may be framed exactly by want
// (frameNone: by nobody, with X-Frame-Options DENY as before).
func wantFraming(t *testing.T, name string, r reply, want string) {
	t.Helper()
	csp := r.header.Get("Content-Security-Policy")
	if !strings.HasSuffix(csp, "; "+want) || !strings.HasPrefix(csp, "default-src 'self'") {
		t.Errorf("%s: Content-Security-Policy %q, want default-src 'self' … %s", name, csp, want)
	}
	xfo := r.header.Get("X-Frame-Options")
	if want == frameNone && xfo != "DENY" || want != frameNone && xfo != "" {
		t.Errorf("%s: X-Frame-Options %q", name, xfo)
	}
}

// allowHosts saves the event's allowed websites through the organiser page.
func (of *orgFixture) allowHosts(slug, list string, session []string) reply {
	of.t.Helper()
	return of.postForm("/org/events/"+slug+"/embed?lang=de", url.Values{"origins": {list}}, session...)
}

// TestEmbedFramedOnlyByListedOrigins: the embeddable form refuses every
// frame until the organiser lists websites, then allows exactly those (and
// the site itself); every other page, an unknown event and another event
// keep refusing.
func TestEmbedFramedOnlyByListedOrigins(t *testing.T) {
	of := newOrgFixture(t)
	of.settle()
	form := "/events/" + slugOpen + "/embed"
	r := of.get(form + "?lang=de")
	wantStatus(t, "embed before any origin", r, http.StatusOK)
	wantFraming(t, "embed before any origin", r, frameNone)

	r = of.allowHosts(slugOpen, "https://www.example.org/\nhttp://localhost:8000\nhttps://WWW.example.org", of.login("orgA"))
	wantStatus(t, "save origins", r, http.StatusSeeOther)
	for _, path := range []string{form, form + "?lang=en", form + "/registered"} {
		r := of.get(path)
		wantStatus(t, path, r, http.StatusOK)
		wantFraming(t, path, r, frameHosts)
	}
	r = of.get(form + "?lang=de")
	wantContains(t, "embedded form", r, `action="/events/`+slugOpen+`/embed?lang=de"`, `<label for="name">`,
		`/static/embed-frame.js`)
	if strings.Contains(string(r.body), `<header class="site">`) {
		t.Errorf("embedded form has the site header")
	}
	for _, path := range []string{"/events/" + slugOpen, "/events/" + slugOpen + "/register", "/events/" + slugClosed + "/embed",
		"/events/gibt-es-nicht/embed", "/org/login", "/embed.js"} {
		wantFraming(t, path, of.get(path), frameNone)
	}
	r = of.get("/events/gibt-es-nicht/embed")
	wantStatus(t, "unknown event", r, http.StatusNotFound)
}

// TestEmbedErrorsInsideTheFrame: a closed registration and a rate-limited
// POST answer with an embeddable page, not the site's.
func TestEmbedErrorsInsideTheFrame(t *testing.T) {
	of := newOrgFixture(t)
	of.settle()
	a := of.login("admin")
	for _, slug := range []string{slugClosed, slugOpen} {
		if _, err := of.pool.Exec(t.Context(), `INSERT INTO event_members (event_id, user_id)
			SELECT e.id, u.id FROM events e, users u WHERE e.slug = $1 AND u.email = $2 ON CONFLICT DO NOTHING`, slug, emailOf("admin")); err != nil {
			t.Fatal(err)
		}
		wantStatus(t, "save origins "+slug, of.allowHosts(slug, "https://www.example.org\nhttp://localhost:8000", a), http.StatusSeeOther)
	}
	r := of.get("/events/" + slugClosed + "/embed?lang=de")
	wantStatus(t, "closed", r, http.StatusGone)
	wantFraming(t, "closed", r, frameHosts)
	wantContains(t, "closed", r, "Die Anmeldung ist nicht geöffnet.", `href="/events/`+slugClosed+`?lang=de" target="_blank"`)

	limited := newFixture(t, fixtureOpts{rateLimit: 1})
	if _, err := limited.pool.Exec(t.Context(), `INSERT INTO embed_origins (event_id, position, origin)
		SELECT id, 1, 'https://www.example.org' FROM events WHERE slug = $1`, slugOpen); err != nil {
		t.Fatal(err)
	}
	path := "/events/" + slugOpen + "/embed?lang=de"
	wantStatus(t, "first POST", limited.postForm(path, registerForm("Anna", "anna@example.org")), http.StatusSeeOther)
	r = limited.postForm(path, registerForm("Bea", "bea@example.org"))
	wantStatus(t, "second POST", r, http.StatusTooManyRequests)
	wantFraming(t, "second POST", r, "frame-ancestors 'self' https://www.example.org")
	wantContains(t, "second POST", r, "Zu viele Anfragen.", "/static/embed-frame.js")
}

// TestEmbedSignUpNeedsNoCookie: the embedded form signs up without any
// cookie, sets none, answers a registered address like a new one, keeps
// the form's errors inside the frame, and refuses a cross-site POST.
func TestEmbedSignUpNeedsNoCookie(t *testing.T) {
	of := newOrgFixture(t)
	of.settle()
	wantStatus(t, "save origins", of.allowHosts(slugOpen, "https://www.example.org\nhttp://localhost:8000", of.login("orgA")), http.StatusSeeOther)
	path := "/events/" + slugOpen + "/embed?lang=de"
	sameOrigin := []string{"Sec-Fetch-Site", "same-origin", "Origin", of.url}
	for i := range 2 { // the second time the address is registered already
		r := of.postForm(path, registerForm("Anna Beispiel", "anna@example.org"), sameOrigin...)
		wantStatus(t, "sign-up", r, http.StatusSeeOther)
		if got, want := r.header.Get("Location"), "/events/"+slugOpen+"/embed/registered?lang=de"; got != want {
			t.Errorf("sign-up %d: Location %q, want %q", i+1, got, want)
		}
		if c := r.header.Values("Set-Cookie"); len(c) > 0 {
			t.Errorf("sign-up %d set cookies %q", i+1, c)
		}
	}
	if got := of.column(`SELECT email FROM registrations`); len(got) != 1 || got[0] != "anna@example.org" {
		t.Errorf("registrations = %q, want anna once", got)
	}

	before := of.counts()
	r := of.postForm(path, registerForm("", "keine-adresse"), sameOrigin...)
	wantStatus(t, "invalid", r, http.StatusUnprocessableEntity)
	wantFraming(t, "invalid", r, frameHosts)
	wantContains(t, "invalid", r, `id="error-summary"`, `id="name-error">Bitte ausfüllen.`, `action="/events/`+slugOpen+`/embed?lang=de"`)
	r = of.postForm(path, registerForm("Bea", "bea@example.org"), "Sec-Fetch-Site", "cross-site")
	wantStatus(t, "cross-site", r, http.StatusForbidden)
	if of.counts() != before {
		t.Errorf("refused sign-ups changed rows")
	}
}

// TestEmbedOriginsPage: every bad line is named beside the field and
// nothing is saved; a good list replaces the old one; the snippets carry
// BASE_URL and the slug; only the event's team reaches the page.
func TestEmbedOriginsPage(t *testing.T) {
	of := newOrgFixture(t)
	of.settle()
	a := of.login("orgA")
	page := "/org/events/" + slugOpen + "/embed"
	r := of.get(page+"?lang=de", a...)
	wantStatus(t, "page", r, http.StatusOK)
	wantContains(t, "page", r, `class="org-menu"`, `/setup?lang=de" aria-current="true"`, "Noch keine Website eingetragen",
		`&lt;script src=&#34;`+of.url+`/embed.js&#34; data-event=&#34;`+slugOpen+`&#34; async&gt;&lt;/script&gt;`,
		`&lt;iframe src=&#34;`+of.url+`/events/`+slugOpen+`/embed?lang=de&#34;`, `href="/events/`+slugOpen+`/embed?lang=de"`)

	r = of.allowHosts(slugOpen, "https://gut.example.org\nhttp://schlecht.example.org\n\nhttps://example.org/pfad", a)
	wantStatus(t, "bad lines", r, http.StatusUnprocessableEntity)
	wantContains(t, "bad lines", r, `id="origins-error"`, `aria-invalid="true"`,
		"Zeile 2 („http://schlecht.example.org“): Bitte https:// verwenden: https://schlecht.example.org",
		"Zeile 4 („https://example.org/pfad“): Bitte nur die Website ohne Pfad angeben: https://example.org",
		"https://gut.example.org\nhttp://schlecht.example.org")
	if got := of.column(`SELECT origin FROM embed_origins`); len(got) != 0 || of.auditCount("event.embed_origins") != 0 {
		t.Errorf("a refused list saved %q", got)
	}

	wantStatus(t, "good list", of.allowHosts(slugOpen, "https://b.example.org\nhttps://a.example.org", a), http.StatusSeeOther)
	r = of.get(page+"?done=saved&lang=en", a...)
	wantContains(t, "saved, English", r, "The list of websites has been saved.", "https://b.example.org\nhttps://a.example.org")
	if got := of.column(`SELECT origin FROM embed_origins ORDER BY position`); strings.Join(got, " ") != "https://b.example.org https://a.example.org" {
		t.Errorf("saved %q", got)
	}

	for _, acct := range []string{"orgB", "checkin"} {
		s := of.login(acct)
		if r := of.get(page, s...); r.status != http.StatusNotFound && r.status != http.StatusForbidden {
			t.Errorf("%s: GET %s answered %d", acct, page, r.status)
		}
		if r := of.allowHosts(slugOpen, "https://evil.example", s); r.status != http.StatusNotFound && r.status != http.StatusForbidden {
			t.Errorf("%s: POST %s answered %d", acct, page, r.status)
		}
	}
	if got := of.column(`SELECT origin FROM embed_origins ORDER BY position`); len(got) != 2 {
		t.Errorf("after refused changes: %q", got)
	}
}

// TestEmbedScript: /embed.js carries the installation's origin, sets no
// cookie and is cached like a static file.
func TestEmbedScript(t *testing.T) {
	f := newFixture(t, fixtureOpts{baseURL: "https://anmeldung.example.org"})
	r := f.get("/embed.js")
	wantStatus(t, "embed.js", r, http.StatusOK)
	if ct := r.header.Get("Content-Type"); ct != "text/javascript; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	wantContains(t, "embed.js", r, `"origin":"https://anmeldung.example.org"`, `"base":"https://anmeldung.example.org"`,
		`"de":"Anmeldung zur Veranstaltung"`)
	if strings.Contains(string(r.body), "FACHTAG_CONFIG") || len(r.header.Values("Set-Cookie")) > 0 ||
		r.header.Get("Cache-Control") != "public, max-age=3600" || r.header.Get("Cross-Origin-Resource-Policy") != "cross-origin" {
		t.Errorf("embed.js: headers %v", r.header)
	}
	if again := f.get("/embed.js", "If-None-Match", r.header.Get("ETag")); again.status != http.StatusNotModified {
		t.Errorf("embed.js revalidated with its ETag %q: status %d, want 304", r.header.Get("ETag"), again.status)
	}
}

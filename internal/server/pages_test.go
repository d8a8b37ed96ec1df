package server_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

func wantStatus(t *testing.T, name string, r reply, status int) {
	t.Helper()
	if r.status != status {
		t.Fatalf("%s: got status %d, want %d; body:\n%.2000s", name, r.status, status, r.body)
	}
}

func wantContains(t *testing.T, name string, r reply, texts ...string) {
	t.Helper()
	for _, s := range texts {
		if !strings.Contains(string(r.body), s) {
			t.Errorf("%s: page lacks %q", name, s)
		}
	}
}

func TestEventPageLanguages(t *testing.T) {
	f := newFixture(t, fixtureOpts{})
	tests := []struct {
		name   string
		path   string
		header []string
		want   []string
	}{
		{"German by default", "/events/" + slugOpen, nil, []string{`<html lang="de"`, "Jetzt anmelden", "Fachtag Teilhabe", "Kommunen als Akteure", "1 Platz frei", "2 Plätze frei"}},
		{"English by ?lang=en", "/events/" + slugOpen + "?lang=en", nil, []string{`<html lang="en"`, "Register now", "1 seat left", "2 seats left"}},
		{"English by Accept-Language", "/events/" + slugOpen, []string{"Accept-Language", "en-US,en;q=0.8"}, []string{`<html lang="en"`, "Register now"}},
		{"?lang wins over Accept-Language", "/events/" + slugOpen + "?lang=de", []string{"Accept-Language", "en"}, []string{`<html lang="de"`, "Jetzt anmelden"}},
		{"closed event", "/events/" + slugClosed, nil, []string{"Die Anmeldung ist zurzeit nicht geöffnet."}},
		{"start page lists the open event", "/", nil, []string{"Fachtag Teilhabe"}},
	}
	for _, tt := range tests {
		r := f.get(tt.path, tt.header...)
		wantStatus(t, tt.name, r, http.StatusOK)
		if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
			t.Errorf("%s: Content-Type %q, want text/html", tt.name, ct)
		}
		wantContains(t, tt.name, r, tt.want...)
	}
	if r := f.get("/events/" + slugClosed); strings.Contains(string(r.body), "Jetzt anmelden") {
		t.Error("closed event offers the register button")
	}
	for _, path := range []string{"/events/" + slugDraft, "/events/gibt-es-nicht", "/events/" + slugDraft + "/register"} {
		if r := f.get(path); r.status != http.StatusNotFound {
			t.Errorf("GET %s: got %d, want 404", path, r.status)
		}
	}
	if r := f.get("/events/" + slugClosed + "/register"); r.status != http.StatusGone {
		t.Errorf("register form of a closed event: got %d, want 410", r.status)
	}
}

// registerForm is a valid form as the register page posts it.
func registerForm(name, email string) url.Values {
	return url.Values{"language": {"de"}, "name": {name}, "email": {email}, "organisation": {"Jobcenter"},
		"role": {"Beratung"}, "q.diet": {"vegetarisch"}, "slot.r1": {"B1"}, "slot.r2": {""}, "privacy": {"yes"}}
}

// getManage fetches a manage page and stops the test if it fails to render.
func (f *fixture) getManage(path string) reply {
	f.t.Helper()
	r := f.get(path)
	if r.status == http.StatusInternalServerError {
		f.t.Fatalf("GET %s: 500 internal error", path)
	}
	return r
}

// registerByForm posts the form, wants the thank-you page, and returns
// the token of the personal link from the last mail to the address.
func (f *fixture) registerByForm(form url.Values, lang string) string {
	f.t.Helper()
	sink := f.startMail()
	r := f.postForm("/events/"+slugOpen+"/register?lang="+lang, form)
	wantStatus(f.t, "register form", r, http.StatusSeeOther)
	if loc, want := r.header.Get("Location"), "/events/"+slugOpen+"/registered?lang="+lang; loc != want {
		f.t.Fatalf("Location %q, want %q", loc, want)
	}
	msgs := mailsTo(f.drainOutbox(sink), form.Get("email"))
	if len(msgs) == 0 {
		f.t.Fatalf("no mail to %s after the form", form.Get("email"))
	}
	return strings.TrimPrefix(personalLink(f.t, f, msgs[len(msgs)-1].Text), "/r/")
}

func TestRegisterFormFlow(t *testing.T) {
	f := newFixture(t, fixtureOpts{})
	r := f.get("/events/" + slugOpen + "/register?workshop=C2")
	wantStatus(t, "GET form", r, http.StatusOK)
	wantContains(t, "GET form", r, `name="name"`, `name="email"`, `name="privacy"`, `value="C2" checked`, "Verbindlich anmelden")

	token := f.registerByForm(registerForm("Anna Beispiel", "anna@example.org"), "de")
	reg := decode[registrationJSON](t, f.get("/api/v1/registrations/"+token))
	if reg.Language != "de" || reg.Status != "confirmed" || len(reg.Bookings) != 1 || reg.Bookings[0].Workshop != "B1" {
		t.Errorf("stored registration: %+v, want de, confirmed, B1", reg)
	}

	enToken := f.registerByForm(registerForm("Ben Example", "ben@example.org"), "en")
	if reg := decode[registrationJSON](t, f.get("/api/v1/registrations/"+enToken)); reg.Language != "en" {
		t.Errorf("English form: language %q, want en", reg.Language)
	}

	// The same address again gets the answer of a new sign-up, and the
	// address its link; the registration stays as it was.
	before := f.counts()
	fresh := f.postForm("/events/"+slugOpen+"/register?lang=de", registerForm("Carla Neu", "carla@example.org"))
	dup := f.postForm("/events/"+slugOpen+"/register?lang=de", registerForm("Anna B.", "ANNA@example.org"))
	wantStatus(t, "duplicate", dup, http.StatusSeeOther)
	if dup.header.Get("Location") != fresh.header.Get("Location") || string(dup.body) != string(fresh.body) {
		t.Errorf("duplicate answered %v (Location %q), a new sign-up %v (Location %q)",
			dup, dup.header.Get("Location"), fresh, fresh.header.Get("Location"))
	}
	after := f.counts()
	if after.registrations != before.registrations+1 || after.bookings != before.bookings+1 {
		t.Errorf("rows before %+v, after %+v: want only Carla's registration and booking added", before, after)
	}
	msgs := mailsTo(f.drainOutbox(f.startMail()), "anna@example.org")
	if last := msgs[len(msgs)-1]; !strings.HasPrefix(last.Subject, "Sie sind bereits angemeldet") || !strings.Contains(last.Text, "/r/") {
		t.Errorf("mail to the registered address: %q, want the already-registered mail with the link:\n%s", last.Subject, last.Text)
	}
	if reg := decode[registrationJSON](t, f.get("/api/v1/registrations/"+token)); reg.Name != "Anna Beispiel" || reg.Bookings[0].Workshop != "B1" {
		t.Errorf("registration after the duplicate: %+v, want it unchanged", reg)
	}
	page := f.get("/events/" + slugOpen + "/registered?lang=de")
	wantStatus(t, "thank-you page", page, http.StatusOK)
	wantContains(t, "thank-you page", page, "Vielen Dank für Ihre Anmeldung", "Wir haben Ihnen gerade eine E-Mail geschickt")
}

func TestRegisterFormErrors(t *testing.T) {
	f := newFixture(t, fixtureOpts{})
	form := registerForm(`<script>alert(1)</script>`, "anna@")
	form.Set("organisation", `Amt "Nord" & Co`)
	form.Set("q.diet", `</textarea><script>alert(3)</script>`)
	form.Set("slot.r1", "A1")
	form.Set("slot.r2", "A2") // same topic as A1
	form.Del("privacy")
	before := f.counts()
	r := f.postForm("/events/"+slugOpen+"/register?lang=de", form)
	if f.counts() != before {
		t.Error("invalid form changed rows")
	}
	wantStatus(t, "invalid form", r, http.StatusUnprocessableEntity)
	body := string(r.body)
	if strings.Contains(body, "<script>alert") {
		t.Errorf("typed <script> appears unescaped:\n%s", body)
	}
	wantContains(t, "invalid form", r,
		"Bitte prüfen Sie die markierten Felder.",
		`id="name-error">Darf keine spitzen Klammern`,
		`id="email-error">Das ist keine gültige E-Mail-Adresse.`,
		`id="privacy-error">Bitte stimmen Sie der Datenschutzerklärung zu.`,
		`id="choices-r2-error">Workshop „`, "hat dasselbe Thema",
		`value="&lt;script&gt;alert(1)&lt;/script&gt;"`, // typed values are kept, escaped
		`value="anna@"`,
		`value="Amt &#34;Nord&#34; &amp; Co"`,
		`&lt;/textarea&gt;&lt;script&gt;alert(3)&lt;/script&gt;`,
		`value="A1" checked`, `value="A2" checked`,
	)
	for _, id := range []string{"name", "email", "privacy"} {
		re := regexp.MustCompile(`id="` + id + `"[^>]*aria-invalid="true"`)
		if !re.MatchString(body) {
			t.Errorf("field %s: no aria-invalid=\"true\"", id)
		}
	}
	if re := regexp.MustCompile(`id="organisation"[^>]*aria-invalid`); re.MatchString(body) {
		t.Error("organisation marked invalid, want only the broken fields")
	}

	// In English.
	r = f.postForm("/events/"+slugOpen+"/register?lang=en", form)
	wantStatus(t, "invalid form, English", r, http.StatusUnprocessableEntity)
	wantContains(t, "invalid form, English", r, "Please check the marked fields.", "Must not contain angle brackets", "This is not a valid e-mail address.")
}

// Bad form bodies: each gets a 4xx page that says what is wrong, in the
// participant's language, and changes nothing.
func TestRegisterFormBadInput(t *testing.T) {
	f := newFixture(t, fixtureOpts{})
	path := "/events/" + slugOpen + "/register"
	long := registerForm(strings.Repeat("a", 100_000), "lang@example.org").Encode()
	tests := []struct {
		name, lang, body string
		status           int
		want             []string
	}{
		{"name of 100,000 characters", "de", long, 422, []string{`id="name-error">Bitte höchstens 200 Zeichen`}},
		{"name of 100,000 characters, English", "en", long, 422, []string{`id="name-error">Please use at most 200 characters`}},
		{"broken % escape", "de", "name=Anna%zzB&email=anna%40example.org&privacy=yes", 400, []string{"„name“ kam beschädigt an"}},
		{"broken % escape, English", "en", "name=Anna&email=anna%4&privacy=yes", 400, []string{"“email” arrived damaged"}},
		{"broken % escape in a name", "de", "na%zzme=Anna&privacy=yes", 400, []string{"Das Formular kam beschädigt an"}},
		{"body of 10 MB", "de", "name=" + strings.Repeat("a", 10<<20), 413, []string{"Die Anfrage ist zu groß"}},
		{"body of 10 MB, English", "en", "name=" + strings.Repeat("a", 10<<20), 413, []string{"The request is too large"}},
	}
	for _, tc := range tests {
		before := f.counts()
		r := f.do(http.MethodPost, path+"?lang="+tc.lang, strings.NewReader(tc.body), "Content-Type", "application/x-www-form-urlencoded")
		if f.counts() != before {
			t.Errorf("%s: rows changed", tc.name)
		}
		wantStatus(t, tc.name, r, tc.status)
		wantContains(t, tc.name, r, tc.want...)
	}
}

// TestManagePageShowsBookings renders the manage page of a registration
// with a workshop seat.
func TestManagePageShowsBookings(t *testing.T) {
	f := newFixture(t, fixtureOpts{})
	token := f.registerByForm(registerForm("Anna Beispiel", "anna@example.org"), "de")
	r := f.getManage("/r/" + token + "?lang=de")
	wantStatus(t, "manage", r, http.StatusOK)
	wantContains(t, "manage", r, "Anna Beispiel", "anna@example.org",
		"Ausbildung und Betrieb", "Platz sicher", "Angemeldet", `action="/r/`+token+`/swap`, `action="/r/`+token+`/cancel`)
	r = f.getManage("/r/" + token + "?lang=en")
	wantContains(t, "manage, English", r, "Your registration", "Seat confirmed", "Registered")
}

// noChoice is registerForm without a workshop, whose manage page renders
// on its own.
func noChoice(name, email string) url.Values {
	v := registerForm(name, email)
	v.Set("slot.r1", "")
	return v
}

func TestManageSwapForm(t *testing.T) {
	f := newFixture(t, fixtureOpts{})
	token := f.registerByForm(noChoice("Anna Beispiel", "anna@example.org"), "de")
	manage := "/r/" + token

	r := f.get(manage)
	wantStatus(t, "manage", r, http.StatusOK)
	wantContains(t, "manage", r, "Kein Workshop", `action="/r/`+token+`/swap`, `value="A1"`)

	r = f.postForm(manage+"/swap?lang=de", url.Values{"slot": {"r1"}, "workshop": {"A1"}})
	wantStatus(t, "swap", r, http.StatusSeeOther)
	if loc := r.header.Get("Location"); !strings.HasPrefix(loc, manage+"?done=swapped") {
		t.Errorf("swap Location %q, want %s?done=swapped…", loc, manage)
	}
	reg := decode[registrationJSON](t, f.get("/api/v1/registrations/"+token))
	if b, ok := reg.booking("r1", "confirmed"); !ok || b.Workshop != "A1" {
		t.Errorf("after swap: bookings %+v, want A1 confirmed in r1", reg.Bookings)
	}

	// A swap that breaks a rule re-renders the page with the reason and
	// changes nothing.
	before := f.counts()
	clash := f.postForm(manage+"/swap?lang=de", url.Values{"slot": {"r2"}, "workshop": {"A2"}})
	unknown := f.postForm(manage+"/swap?lang=en", url.Values{"slot": {"r1"}, "workshop": {"Z9"}})
	if f.counts() != before {
		t.Error("refused swaps changed rows")
	}
	if clash.status == http.StatusInternalServerError {
		t.Fatal("swap form: 500 internal error")
	}
	wantStatus(t, "topic clash", clash, http.StatusUnprocessableEntity)
	wantContains(t, "topic clash", clash, "dasselbe Thema")
	wantStatus(t, "unknown workshop", unknown, http.StatusUnprocessableEntity)
	wantContains(t, "unknown workshop", unknown, "Unknown workshop")

	r = f.getManage(manage + "?done=swapped&lang=de")
	wantContains(t, "after swap", r, "Ihre Änderung ist gespeichert.", "Beratung im ländlichen Raum", "Platz sicher")
}

func TestManageCancelForm(t *testing.T) {
	f := newFixture(t, fixtureOpts{})
	token := f.registerByForm(noChoice("Anna Beispiel", "anna@example.org"), "de")
	manage := "/r/" + token

	before := f.counts()
	r := f.postForm(manage+"/cancel?lang=de", url.Values{})
	wantStatus(t, "cancel unconfirmed", r, http.StatusUnprocessableEntity)
	wantContains(t, "cancel unconfirmed", r, "Bitte bestätigen Sie die Stornierung mit dem Häkchen.")
	if f.counts() != before {
		t.Error("unconfirmed cancel changed rows")
	}
	if reg := decode[registrationJSON](t, f.get("/api/v1/registrations/"+token)); reg.Status != "confirmed" {
		t.Errorf("after unconfirmed cancel: status %q, want confirmed", reg.Status)
	}
	r = f.postForm(manage+"/cancel?lang=en", url.Values{})
	wantContains(t, "cancel unconfirmed, English", r, "Please tick the box to confirm the cancellation.")

	r = f.postForm(manage+"/cancel?lang=de", url.Values{"confirm": {"yes"}})
	wantStatus(t, "cancel", r, http.StatusSeeOther)
	if loc := r.header.Get("Location"); !strings.HasPrefix(loc, manage+"?done=cancelled") {
		t.Errorf("cancel Location %q, want %s?done=cancelled…", loc, manage)
	}
	r = f.get(manage + "?done=cancelled&lang=de")
	wantStatus(t, "after cancel", r, http.StatusOK)
	wantContains(t, "after cancel", r, "Ihre Anmeldung ist storniert.", "Storniert")
	if strings.Contains(string(r.body), "/cancel") {
		t.Error("cancelled registration still offers the cancel form")
	}
	if ev := f.event(slugOpen); ev.SeatsLeft != 10 {
		t.Errorf("after cancel: event seats_left %d, want 10", ev.SeatsLeft)
	}
}

func TestManageCancelFreesSeat(t *testing.T) {
	f := newFixture(t, fixtureOpts{})
	token := f.registerByForm(registerForm("Anna Beispiel", "anna@example.org"), "de")
	r := f.postForm("/r/"+token+"/cancel?lang=de", url.Values{"confirm": {"yes"}})
	wantStatus(t, "cancel", r, http.StatusSeeOther)
	if ev := f.event(slugOpen); ev.seatsLeft("B1") != 2 || ev.SeatsLeft != 10 {
		t.Errorf("after cancel: B1 seats_left %d event %d, want 2 10", ev.seatsLeft("B1"), ev.SeatsLeft)
	}
}

func TestManageUnknownLink(t *testing.T) {
	f := newFixture(t, fixtureOpts{})
	for _, path := range []string{"/r/" + strings.Repeat("x", 43), "/r/kurz", "/r/" + strings.Repeat("x", 43) + "/calendar.ics"} {
		r := f.get(path)
		if r.status != http.StatusNotFound {
			t.Errorf("GET %s: got %d, want 404", path, r.status)
		}
		wantContains(t, path, r, "Dieser Link ist ungültig oder abgelaufen.")
	}
	r := f.postForm("/r/"+strings.Repeat("x", 43)+"/cancel", url.Values{"confirm": {"yes"}})
	if r.status != http.StatusNotFound {
		t.Errorf("cancel with unknown link: got %d, want 404", r.status)
	}
}

func TestCalendarDownload(t *testing.T) {
	f := newFixture(t, fixtureOpts{})
	token := f.registerByForm(registerForm("Anna Beispiel", "anna@example.org"), "de")
	r := f.get("/r/" + token + "/calendar.ics")
	wantStatus(t, "calendar", r, http.StatusOK)
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/calendar") {
		t.Errorf("Content-Type %q, want text/calendar", ct)
	}
	if cd := r.header.Get("Content-Disposition"); !strings.Contains(cd, slugOpen+".ics") {
		t.Errorf("Content-Disposition %q, want a %s.ics file", cd, slugOpen)
	}
	if cc := r.header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q, want no-store", cc)
	}
	wantContains(t, "calendar", r, "BEGIN:VCALENDAR", "BEGIN:VEVENT", "END:VCALENDAR")
}

func TestSecurityHeaders(t *testing.T) {
	f := newFixture(t, fixtureOpts{})
	token := f.registerByForm(registerForm("Anna Beispiel", "anna@example.org"), "de")
	for _, path := range []string{"/", "/events/" + slugOpen, "/events/" + slugOpen + "/register", "/r/" + token,
		"/api/v1/events/" + slugOpen, "/api/v1/registrations/" + token, "/events/gibt-es-nicht"} {
		r := f.get(path)
		h := r.header
		if got := h.Get("Referrer-Policy"); got != "no-referrer" {
			t.Errorf("%s: Referrer-Policy %q, want no-referrer", path, got)
		}
		if got := h.Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("%s: X-Content-Type-Options %q, want nosniff", path, got)
		}
		if got := h.Get("Content-Security-Policy"); !strings.Contains(got, "default-src 'self'") || !strings.Contains(got, "frame-ancestors 'none'") {
			t.Errorf("%s: Content-Security-Policy %q, want default-src 'self' and frame-ancestors 'none'", path, got)
		}
	}
	for _, path := range []string{"/r/" + token, "/r/" + token + "?lang=en", "/api/v1/registrations/" + token} {
		if got := f.get(path).header.Get("Cache-Control"); got != "no-store" {
			t.Errorf("%s: Cache-Control %q, want no-store", path, got)
		}
	}
}

func TestResendLink(t *testing.T) {
	f := newFixture(t, fixtureOpts{})
	sink := f.startMail()
	f.register(map[string]any{"name": "Anna Beispiel", "email": "anna@example.org", "consents": map[string]any{"privacy": true}})
	f.drainOutbox(sink)
	sink.Reset()

	r := f.get("/events/" + slugOpen + "/link")
	wantStatus(t, "resend form", r, http.StatusOK)
	wantContains(t, "resend form", r, `name="email"`, "Link senden")

	path := "/events/" + slugOpen + "/link?lang=de"
	known := f.postForm(path, url.Values{"email": {"Anna@Example.org"}})
	unknown := f.postForm(path, url.Values{"email": {"niemand@example.org"}})
	wantStatus(t, "known address", known, http.StatusOK)
	wantStatus(t, "unknown address", unknown, http.StatusOK)
	wantContains(t, "known address", known, "Falls diese Adresse für die Veranstaltung angemeldet ist")
	if string(known.body) != string(unknown.body) {
		t.Errorf("answers differ for a registered and an unregistered address:\n%s\n---\n%s", known.body, unknown.body)
	}
	bad := f.postForm(path, url.Values{"email": {"kein-mail"}})
	wantStatus(t, "bad address", bad, http.StatusUnprocessableEntity)
	wantContains(t, "bad address", bad, `id="email-error">Das ist keine gültige E-Mail-Adresse.`)

	msgs := f.drainOutbox(sink)
	if got := mailsTo(msgs, "niemand@example.org"); len(got) != 0 {
		t.Errorf("unregistered address got %d mails, want 0", len(got))
	}
	got := mailsTo(msgs, "anna@example.org")
	if len(got) != 1 {
		t.Fatalf("registered address got %d mails, want 1", len(got))
	}
	if !strings.HasPrefix(got[0].Subject, "Ihr Link zur Anmeldung") {
		t.Errorf("subject %q, want the link mail", got[0].Subject)
	}
	link := personalLink(t, f, got[0].Text)
	wantStatus(t, "new link", f.get(link), http.StatusOK)
}

var linkPattern = regexp.MustCompile(`https?://[^\s/]+(/r/[A-Za-z0-9_-]{43})`)

// personalLink finds the personal link in a mail text; it must point at
// the configured BaseURL. It returns the link's path.
func personalLink(t *testing.T, f *fixture, text string) string {
	t.Helper()
	m := linkPattern.FindStringSubmatch(text)
	if m == nil {
		t.Fatalf("no personal link in mail:\n%s", text)
	}
	if !strings.HasPrefix(m[0], f.url+"/r/") {
		t.Errorf("link %q, want it under BaseURL %s", m[0], f.url)
	}
	return m[1]
}

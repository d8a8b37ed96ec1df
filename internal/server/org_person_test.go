package server_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/fachtag/fachtag/internal/event"
	"github.com/fachtag/fachtag/internal/retention"
)

// withQuestions adds a choice and a checkbox question to the open event,
// beside its text question "diet".
func withQuestions(f *event.File) {
	f.Questions = append(f.Questions,
		event.Question{Key: "access", Type: "choice", Label: event.Label{DE: "Barrierefreiheit", EN: "Access needs"},
			Options: []string{"Rollstuhl", "Gebärdensprache"}},
		event.Question{Key: "lunch", Type: "checkbox", Label: event.Label{DE: "Mittagessen", EN: "Lunch"}})
}

func personPath(id string) string { return "/org/events/" + slugOpen + "/lists/people/" + id }

// queryString reads one text value.
func queryString(t *testing.T, of *orgFixture, sql string, args ...any) string {
	t.Helper()
	var s string
	if err := of.pool.QueryRow(context.Background(), sql, args...).Scan(&s); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return s
}

// TestPersonPageShowsEverything: answers under their labels in the page
// language, consents with their time, the waiting-list place, the mails
// and the history in the event's time zone.
func TestPersonPageShowsEverything(t *testing.T) {
	of := newOrgFixtureWith(t, withQuestions)
	of.settle()
	sink := of.startMail()
	of.register(of.person(map[string]string{"r1": "A1"})) // A1 (1 seat) is full now
	body := of.person(map[string]string{"r1": "A1"})
	body["answers"] = map[string]any{"diet": "vegan", "access": "Rollstuhl", "lunch": true}
	body["consents"] = map[string]any{"privacy": true, "photos": true}
	reg := of.register(body)
	of.drainOutbox(sink)
	cookie := of.login("orgA")

	r := of.get(personPath(reg.ID)+"?lang=de", cookie...)
	wantStatus(t, "person page", r, http.StatusOK)
	wantContains(t, "person page de", r, "Ernährung", "vegan", "Barrierefreiheit", "Rollstuhl", "Mittagessen",
		"erteilt am", "Warteliste, Platz 1", "Warteliste", "gesendet", "Verlauf", "angemeldet, Platz bestätigt",
		"Daten korrigieren", "Diese Person jetzt löschen")
	var created time.Time
	if err := of.pool.QueryRow(context.Background(), `SELECT created_at FROM registrations WHERE id = $1`, reg.ID).Scan(&created); err != nil {
		t.Fatal(err)
	}
	berlin, _ := time.LoadLocation("Europe/Berlin")
	wantContains(t, "time in the event's zone", r, created.In(berlin).Format("15:04")+" Uhr")

	r = of.get(personPath(reg.ID)+"?lang=en", cookie...)
	wantContains(t, "person page en", r, "Diet", "Access needs", "Lunch", "given on", "Waiting list, position 1", "History")
}

// TestPersonPageWishes: in a wish-phase event the page lists the wishes
// per slot in the order ranked.
func TestPersonPageWishes(t *testing.T) {
	of := newOrgFixtureWith(t, func(f *event.File) { f.Registration.Mode = event.ModePreferences })
	of.settle()
	body := of.person(nil)
	body["preferences"] = map[string][]string{"r1": {"B1", "A1"}, "r2": {"C2"}}
	reg := of.register(body)
	r := of.get(personPath(reg.ID), of.login("orgA")...)
	wantStatus(t, "person page", r, http.StatusOK)
	page := string(r.body)
	wishes := page[strings.Index(page, `id="wishes-title"`):]
	b1, a1 := strings.Index(wishes, "Ausbildung und Betrieb"), strings.Index(wishes, "Beratung im ländlichen Raum")
	if b1 < 0 || a1 < 0 || b1 > a1 {
		t.Errorf("wishes: B1 at %d, A1 at %d; want both, B1 first", b1, a1)
	}
	wantContains(t, "wishes", r, "Kommunen als Akteure", "Wünsche eingegangen")
}

// TestPersonCorrect: a valid correction changes the data, keeps the link
// and is audited without old values; every refusal names the field by its
// label and leaves the database as it was.
func TestPersonCorrect(t *testing.T) {
	of := newOrgFixtureWith(t, withQuestions)
	of.settle()
	other := of.register(of.person(nil))
	reg := of.register(of.person(nil))
	cookie := of.login("orgA")
	path := personPath(reg.ID) + "/correct?lang=de"
	form := func(change func(url.Values)) url.Values {
		v := url.Values{"name": {"Erika Mustermann"}, "email": {"erika@example.org"}, "organisation": {"Caritas"},
			"role": {"Leitung"}, "q.diet": {"glutenfrei"}, "q.access": {"Gebärdensprache"}, "reason": {"Tippfehler laut Anruf"}}
		if change != nil {
			change(v)
		}
		return v
	}
	snapshot := func() string {
		return queryString(t, of, `SELECT name || '|' || email || '|' || organisation || '|' || answers::text FROM registrations WHERE id = $1`, reg.ID)
	}
	before := snapshot()
	refused := []struct {
		name   string
		change func(url.Values)
		status int
		want   []string
	}{
		{"bad e-mail", func(v url.Values) { v.Set("email", "erika(at)example.org") }, 422, []string{"E-Mail-Adresse: Das ist keine gültige E-Mail-Adresse."}},
		{"no name", func(v url.Values) { v.Set("name", " ") }, 422, []string{"Vor- und Nachname: Bitte ausfüllen."}},
		{"bad answer", func(v url.Values) { v.Set("q.access", "Aufzug") }, 422, []string{"Barrierefreiheit: Bitte eine der angebotenen Antworten wählen."}},
		{"no reason", func(v url.Values) { v.Set("reason", "") }, 422, []string{"Grund: Bitte ausfüllen."}},
		{"address of another", func(v url.Values) { v.Set("email", strings.ToUpper(other.Email)) }, 422,
			[]string{"E-Mail-Adresse: Diese E-Mail-Adresse hat schon eine andere Anmeldung dieser Veranstaltung."}},
	}
	for _, c := range refused {
		r := of.postForm(path, form(c.change), cookie...)
		wantStatus(t, c.name, r, c.status)
		wantContains(t, c.name, r, c.want...)
		if got := snapshot(); got != before {
			t.Errorf("%s: registration changed to %q", c.name, got)
		}
	}
	if n := countRows(t, of, `SELECT count(*) FROM audit_log WHERE action = 'registration.correct'`); n != 0 {
		t.Errorf("audit entries after refusals: got %d, want 0", n)
	}

	r := of.postForm(path, form(nil), cookie...)
	wantStatus(t, "correction", r, http.StatusSeeOther)
	if got, want := snapshot(), `Erika Mustermann|erika@example.org|Caritas|{"diet": "glutenfrei", "lunch": false, "access": "Gebärdensprache"}`; got != want {
		t.Errorf("after correction: got %q, want %q", got, want)
	}
	detail := queryString(t, of, `SELECT detail::text FROM audit_log WHERE action = 'registration.correct'`)
	for _, want := range []string{`"registration_id": "` + reg.ID + `"`, `"answers.diet"`, `"answers.access"`, `"name"`, `"email"`, "Tippfehler laut Anruf"} {
		if !strings.Contains(detail, want) {
			t.Errorf("audit detail %s lacks %s", detail, want)
		}
	}
	for _, old := range []string{reg.Name, reg.Email, "Jobcenter"} {
		if strings.Contains(detail, old) {
			t.Errorf("audit detail %s holds the old value %q", detail, old)
		}
	}
	wantStatus(t, "personal link", of.get("/api/v1/registrations/"+reg.Token), http.StatusOK)
	wantContains(t, "personal link", of.get("/api/v1/registrations/"+reg.Token), "Erika Mustermann")
	page := of.get(personPath(reg.ID), cookie...)
	wantContains(t, "history", page, "Daten korrigiert", "Vor- und Nachname, E-Mail-Adresse, Organisation, Funktion", "Ernährung")

	r = of.postForm(path, form(nil), cookie...)
	wantStatus(t, "nothing to change", r, http.StatusUnprocessableEntity)
	wantContains(t, "nothing to change", r, "Die Korrektur ändert nichts.")
}

// TestPersonDeleteNow: deleting anonymises at once, passes the seat to
// the waiting list with its mail, gives up the person's pending mails and
// leaves an audit entry without their data; a check-in helper may not.
func TestPersonDeleteNow(t *testing.T) {
	of := newOrgFixtureWith(t, nil)
	of.settle()
	body := of.person(map[string]string{"r1": "A1"})
	body["name"] = "Quirin Zauberstab"
	x := of.register(body) // holds A1 (1 seat); its confirmation mail waits in the outbox
	y := of.register(of.person(map[string]string{"r1": "A1"}))
	del := personPath(x.ID) + "/delete?lang=de"

	helper := of.login("checkin")
	wantStatus(t, "helper: confirm page", of.get(del, helper...), http.StatusForbidden)
	wantStatus(t, "helper: delete", of.postForm(del, url.Values{"confirm": {"yes"}}, helper...), http.StatusForbidden)
	wantStatus(t, "helper: correct", of.postForm(personPath(x.ID)+"/correct", url.Values{"name": {"X"}, "reason": {"r"}}, helper...), http.StatusForbidden)

	cookie := of.login("orgA")
	r := of.get(del, cookie...)
	wantStatus(t, "confirm page", r, http.StatusOK)
	wantContains(t, "confirm page", r, "Diese Person jetzt löschen", "nicht rückgängig", `name="confirm"`)
	r = of.postForm(del, url.Values{}, cookie...)
	wantStatus(t, "unconfirmed", r, http.StatusUnprocessableEntity)
	wantContains(t, "unconfirmed", r, "Bitte bestätigen Sie das Löschen.")
	if got := queryString(t, of, `SELECT name FROM registrations WHERE id = $1`, x.ID); got != "Quirin Zauberstab" {
		t.Fatalf("unconfirmed delete changed the name to %q", got)
	}

	r = of.postForm(del, url.Values{"confirm": {"yes"}}, cookie...)
	wantStatus(t, "delete", r, http.StatusSeeOther)
	row := queryString(t, of, `SELECT name || '|' || email || '|' || status || '|' || organisation FROM registrations WHERE id = $1`, x.ID)
	if want := retention.DeletedName + "|deleted-" + x.ID + "@invalid|cancelled|"; row != want {
		t.Errorf("registration: got %q, want %q", row, want)
	}
	if got := queryString(t, of, `SELECT b.status FROM bookings b JOIN workshops w ON w.id = b.workshop_id WHERE b.registration_id = $1 AND w.key = 'A1'`, y.ID); got != "confirmed" {
		t.Errorf("waiting person's A1 booking: got %s, want confirmed", got)
	}
	if n := countRows(t, of, `SELECT count(*) FROM outbox WHERE registration_id = '`+y.ID+`' AND kind = 'promoted'`); n != 1 {
		t.Errorf("promoted mails to the waiting person: got %d, want 1", n)
	}
	if n := countRows(t, of, `SELECT count(*) FROM outbox WHERE registration_id = '`+x.ID+`' AND (status IN ('pending', 'sending') OR recipient <> '')`); n != 0 {
		t.Errorf("mails still waiting for the deleted person: %d", n)
	}
	if n := countRows(t, of, `SELECT count(*) FROM tokens WHERE registration_id = '`+x.ID+`'`); n != 0 {
		t.Errorf("personal links left: %d", n)
	}
	wantStatus(t, "old link", of.get("/api/v1/registrations/"+x.Token), http.StatusNotFound)
	detail := queryString(t, of, `SELECT detail::text FROM audit_log WHERE action = 'registration.delete'`)
	if !strings.Contains(detail, x.ID) {
		t.Errorf("audit detail %s does not name the registration", detail)
	}
	if n := countRows(t, of, `SELECT count(*) FROM audit_log WHERE detail::text ILIKE '%zauberstab%' OR detail::text ILIKE '%`+x.Email+`%'`); n != 0 {
		t.Errorf("audit entries with the deleted person's data: %d", n)
	}
	page := of.get(personPath(x.ID)+"?done=deleted", cookie...)
	wantStatus(t, "page after delete", page, http.StatusOK)
	wantContains(t, "page after delete", page, retention.DeletedName, "gelöscht auf Wunsch", "Die Person ist gelöscht")
	if strings.Contains(string(page.body), "Zauberstab") || strings.Contains(string(page.body), `id="form-correct"`) {
		t.Errorf("page after delete still shows the name or the correction form")
	}
	again := of.postForm(del, url.Values{"confirm": {"yes"}}, cookie...)
	wantStatus(t, "delete again", again, http.StatusGone)
	wantContains(t, "delete again", again, "Die Daten dieser Person sind gelöscht.")

	sink := of.startMail()
	waitSent(t, of)
	if got := mailsTo(sink.Messages(), x.Email); len(got) != 0 {
		t.Errorf("mails to the deleted person: got %d, want 0", len(got))
	}
	if got := mailsTo(sink.Messages(), y.Email); len(got) != 2 {
		t.Errorf("mails to the waiting person: got %d, want 2 (sign-up, moved up)", len(got))
	}
}

// waitSent waits until the outbox holds nothing still to send.
func waitSent(t *testing.T, of *orgFixture) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for countRows(t, of, `SELECT count(*) FROM outbox WHERE status IN ('pending', 'sending')`) > 0 {
		if time.Now().After(deadline) {
			t.Fatal("outbox: mails still unsent")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

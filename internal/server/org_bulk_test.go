package server_test

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/fachtag/fachtag/internal/event"
)

var exportLink = regexp.MustCompile(`export\.csv\?[^"]*`)

// withLunch adds a choice and a checkbox question to the open event.
func withLunch(f *event.File) {
	f.Questions = append(f.Questions,
		event.Question{Key: "lunch", Type: "choice", Label: event.Label{DE: "Mittagessen", EN: "Lunch"}, Options: []string{"Fleisch", "Vegetarisch", "Vegan"}},
		event.Question{Key: "quiet", Type: "checkbox", Label: event.Label{DE: "Ruheraum", EN: "Quiet room"}})
}

// TestListPageSizesAndColumns: the page size is kept in the URL, the
// columns an account chooses are kept per event and shown, and the
// export writes the same columns.
func TestListPageSizesAndColumns(t *testing.T) {
	of := newOrgFixtureWith(t, withLunch)
	of.settle()
	cookie := of.login("orgA")
	for i := 0; i < 3; i++ {
		p := of.person(nil)
		p["answers"] = map[string]any{"lunch": "Vegetarisch", "diet": "=SUMME(A1)"}
		of.register(p)
	}
	base := "/org/events/" + slugOpen + "/lists"
	r := of.get(base+"?limit=2&sort=name", cookie...)
	wantStatus(t, "list", r, http.StatusOK)
	wantContains(t, "list", r, `<option value="25">`, `rel="next"`, "limit=2")
	if got := len(listNames(t, r)); got != 2 {
		t.Errorf("limit=2: got %d rows, want 2", got)
	}
	r = of.get(base+"?limit=all", cookie...)
	wantContains(t, "all", r, `<option value="all" selected>`)
	if got := len(listNames(t, r)); got != 3 || strings.Contains(string(r.body), `rel="next"`) {
		t.Errorf("limit=all: got %d rows (want 3) or a next page", got)
	}
	wantContains(t, "default columns", r, ">E-Mail</th>", ">Workshop Runde 1</th>")
	if strings.Contains(string(r.body), ">Mittagessen</th>") {
		t.Error("the answers are shown before the account chose them")
	}

	back := url.Values{"sort": {"name"}, "limit": {"all"}, "lang": {"de"}}.Encode()
	r = of.postForm(base+"/columns", url.Values{"col": {"status", "q:lunch"}, "back": {back}}, cookie...)
	wantStatus(t, "save columns", r, http.StatusSeeOther)
	if loc := r.header.Get("Location"); loc != base+"?"+back {
		t.Errorf("after saving columns: to %q, want the list as it was", loc)
	}
	r = of.get(base+"?"+back, cookie...)
	wantContains(t, "chosen columns", r, ">Mittagessen</th>", "<td>Vegetarisch</td>")
	if !strings.Contains(string(r.body), "export.csv?col=status&amp;col=q%3Alunch&amp;lang=de") {
		t.Errorf("the export link does not name the chosen columns: %s", exportLink.Find(r.body))
	}
	if strings.Contains(string(r.body), ">E-Mail</th>") {
		t.Error("the e-mail column is shown after the account left it out")
	}
	other := of.login("admin")
	wantContains(t, "another account", of.get(base, other...), ">E-Mail</th>")

	r = of.get("/org/events/"+slugOpen+"/export.csv?col=q:diet&col=status", cookie...)
	wantStatus(t, "export", r, http.StatusOK)
	lines := strings.Split(strings.TrimPrefix(string(r.body), "\ufeff"), "\r\n")
	if lines[0] != "Name;Status;Ernährung" || !strings.HasSuffix(lines[1], ";'=SUMME(A1)") {
		t.Errorf("export with columns: got %q, want Name;Status;Ernährung and a neutralised formula", lines[:2])
	}
	r = of.get("/org/events/"+slugOpen+"/export.csv?col=password", cookie...)
	wantStatus(t, "unknown export column", r, http.StatusUnprocessableEntity)
	r = of.postForm(base+"/columns", url.Values{"col": {"nope"}}, cookie...)
	wantStatus(t, "unknown column", r, http.StatusUnprocessableEntity)

	wantStatus(t, "reset", of.postForm(base+"/columns", url.Values{"reset": {"yes"}}, cookie...), http.StatusSeeOther)
	wantContains(t, "after reset", of.get(base, cookie...), ">E-Mail</th>")
}

// bulkPost posts the list's bulk form.
func (of *orgFixture) bulkPost(cookie []string, action, workshop, reason string, confirm bool, ids ...string) reply {
	of.t.Helper()
	form := url.Values{"action": {action}, "workshop": {workshop}, "reason": {reason}, "id": ids, "back": {"sort=name"}}
	if confirm {
		form.Set("confirm", "yes")
	}
	return of.postForm("/org/events/"+slugOpen+"/lists/bulk?lang=de", form, cookie...)
}

// TestBulkActionsPages walks the bulk actions through the pages: the
// confirmation names everyone, a missing reason changes nothing, the
// summary says who was done and who skipped and why, and every person
// changed has their own audit entry.
func TestBulkActionsPages(t *testing.T) {
	of := newOrgFixture(t)
	of.settle()
	cookie := of.login("orgA")
	anna := of.register(of.person(map[string]string{"r1": "B1"}))
	ben := of.register(of.person(map[string]string{"r1": "B1"}))
	cara := of.register(of.person(map[string]string{"r1": "A1"})) // A1 has one seat

	r := of.get("/org/events/"+slugOpen+"/lists?select=all", cookie...)
	wantContains(t, "select all", r, `value="`+anna.ID+`" id="sel-`+anna.ID+`" checked`,
		`<label for="sel-`+anna.ID+`" class="visually-hidden">`+anna.Name+` auswählen</label>`, "3 ausgewählt.")

	r = of.bulkPost(cookie, "move", "A1", "", false, anna.ID, ben.ID)
	wantStatus(t, "confirm move", r, http.StatusOK)
	wantContains(t, "confirm move", r, "2 Personen in „A1 – Beratung im ländlichen Raum“ verschieben",
		anna.Name, ben.Name, `name="confirm" value="yes"`)
	r = of.bulkPost(cookie, "move", "A1", " ", true, anna.ID, ben.ID)
	wantStatus(t, "move without reason", r, http.StatusUnprocessableEntity)
	wantContains(t, "move without reason", r, `id="bulk-reason-error"`)
	if n := of.column(`SELECT count(*)::text FROM audit_log WHERE action LIKE 'registration.%'`); n[0] != "0" {
		t.Fatalf("a refused bulk action wrote %s audit rows", n[0])
	}

	wantStatus(t, "free A1", of.sendJSON(http.MethodDelete, "/api/v1/registrations/"+cara.Token, nil), http.StatusOK)
	r = of.bulkPost(cookie, "move", "A1", "Raumtausch", true, anna.ID, ben.ID)
	wantStatus(t, "move", r, http.StatusOK)
	wantContains(t, "move", r, "1 Personen verschoben.", "1 übersprungen", "der Workshop ist voll")

	r = of.bulkPost(cookie, "checkin", "", "am Eingang gesammelt", true, anna.ID, ben.ID, cara.ID)
	wantContains(t, "check in", r, "2 Personen eingecheckt.", html.EscapeString(cara.Name)+"</a>: hat noch keinen bestätigten Platz")

	r = of.bulkPost(cookie, "cancel", "", "Absage des Trägers", true, anna.ID, ben.ID)
	wantContains(t, "cancel", r, "2 Anmeldungen storniert.", `href="/org/events/`+slugOpen+`/lists?sort=name"`)
	for action, want := range map[string]int{"registration.move": 1, "checkin.in": 2, "registration.cancel": 2} {
		n := of.column(`SELECT count(*)::text FROM audit_log WHERE action = $1 AND detail->>'bulk' = 'true' AND detail->>'reason' <> ''`, action)
		if n[0] != fmt.Sprint(want) {
			t.Errorf("%s audit rows with reason: got %s, want %d", action, n[0], want)
		}
	}
	for _, bad := range []struct{ action, workshop string }{{"explode", ""}, {"move", "Z9"}} {
		r = of.bulkPost(cookie, bad.action, bad.workshop, "x", false, anna.ID)
		wantStatus(t, "bad "+bad.action, r, http.StatusUnprocessableEntity)
	}
	r = of.bulkPost(cookie, "cancel", "", "x", false)
	wantStatus(t, "nobody selected", r, http.StatusUnprocessableEntity)
	wantContains(t, "nobody selected", r, "Bitte wählen Sie mindestens eine Person aus.")
}

// TestDashboardAnswerTotals counts the choices among confirmed and
// waiting people and lists the text answers with links to the people.
func TestDashboardAnswerTotals(t *testing.T) {
	of := newOrgFixtureWith(t, withLunch)
	of.settle()
	cookie := of.login("orgA")
	var first registrationJSON
	for i, a := range []map[string]any{
		{"lunch": "Vegetarisch", "quiet": true, "diet": "keine Nüsse"},
		{"lunch": "Vegetarisch"},
		{"lunch": "Vegan", "diet": " "},
	} {
		p := of.person(nil)
		p["answers"] = a
		reg := of.register(p)
		if i == 0 {
			first = reg
		}
	}
	r := of.get("/org/events/"+slugOpen+"/dashboard", cookie...)
	wantStatus(t, "dashboard", r, http.StatusOK)
	wantContains(t, "dashboard", r, "Mittagessen", `<th scope="row">Vegetarisch</th><td>2</td><td>0</td>`,
		`<th scope="row">Vegan</th><td>1</td>`, `<th scope="row">Fleisch</th><td>0</td>`,
		`<th scope="row">angekreuzt</th><td>1</td>`,
		`/lists/people/`+first.ID+`?lang=de">`+first.Name+`</a>: keine Nüsse`)
}

// TestBulkMailHandsOverToComposer: "mail" takes the ticked people to the
// message composer, which names them, keeps them through the preview and
// sends to them only, with an audit entry per person.
func TestBulkMailHandsOverToComposer(t *testing.T) {
	of := newOrgFixture(t)
	of.settle()
	cookie := of.login("orgA")
	anna := of.register(of.person(map[string]string{"r1": "B1"}))
	ben := of.register(of.person(map[string]string{"r1": "B1"}))
	of.register(of.person(nil)) // not picked
	r := of.bulkPost(cookie, "mail", "", "", false, anna.ID, ben.ID, "kein-uuid")
	wantStatus(t, "mail", r, http.StatusSeeOther)
	loc := r.header.Get("Location")
	r = of.get(loc, cookie...)
	wantStatus(t, "composer", r, http.StatusOK)
	wantContains(t, "composer", r, "2 in der Anmeldeliste ausgewählte Personen", anna.Name, ben.Name,
		`name="id" value="`+anna.ID+`"`, `href="/org/events/`+slugOpen+`/lists?sort=name"`)

	before := of.counts().outbox
	form := url.Values{"audience": {"selected"}, "id": {anna.ID, ben.ID}, "subject": {"Raum 201"}, "body": {"Bis bald!"}, "action": {"send"}}
	r = of.postForm("/org/events/"+slugOpen+"/messages", form, cookie...)
	wantStatus(t, "send without reason", r, http.StatusUnprocessableEntity)
	wantContains(t, "send without reason", r, `id="reason-error"`, `name="id" value="`+ben.ID+`"`)
	if got := of.counts().outbox; got != before {
		t.Fatalf("a refused send queued %d mails", got-before)
	}
	form.Set("reason", "Raumänderung betrifft nur diese beiden")
	wantStatus(t, "send", of.postForm("/org/events/"+slugOpen+"/messages", form, cookie...), http.StatusSeeOther)
	if got := of.counts().outbox - before; got != 2 {
		t.Errorf("mails queued: got %d, want 2", got)
	}
	to := of.column(`SELECT registration_id::text FROM outbox WHERE kind = 'org_message' ORDER BY 1`)
	audited := of.column(`SELECT detail->>'registration_id' FROM audit_log WHERE action = 'registration.message' AND detail->>'reason' <> '' ORDER BY 1`)
	if fmt.Sprint(to) != fmt.Sprint(audited) || len(to) != 2 {
		t.Errorf("mailed %v, audited %v; want the two picked people in both", to, audited)
	}
	wantContains(t, "history", of.get("/org/events/"+slugOpen+"/lists/people/"+anna.ID, cookie...), "Nachricht erhalten", "Raumänderung betrifft nur diese beiden")
	form.Del("id")
	r = of.postForm("/org/events/"+slugOpen+"/messages", form, cookie...)
	wantStatus(t, "nobody picked", r, http.StatusUnprocessableEntity)
}

package server_test

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

var personLink = regexp.MustCompile(`/lists/people/([0-9a-f-]{36})\?`)

// listNames returns the names in the list page's table, in order.
func listNames(t *testing.T, r reply) []string {
	t.Helper()
	re := regexp.MustCompile(`<th scope="row"><a href="[^"]+">([^<]+)</a>`)
	var names []string
	for _, m := range re.FindAllSubmatch(r.body, -1) {
		names = append(names, string(m[1]))
	}
	return names
}

// TestListPagingFilterSort checks the list against what was registered.
func TestListPagingFilterSort(t *testing.T) {
	of := newOrgFixture(t)
	of.settle()
	cookie := of.login("orgA")
	for i := 0; i < 7; i++ {
		of.register(of.person(nil)) // Teilnehmerin 1 … 7
	}
	base := "/org/events/" + slugOpen + "/lists"
	r := of.get(base+"?sort=name&dir=desc&limit=3", cookie...)
	wantStatus(t, "list", r, http.StatusOK)
	if got, want := listNames(t, r), []string{"Teilnehmerin 7", "Teilnehmerin 6", "Teilnehmerin 5"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("page 1 by name desc: got %v, want %v", got, want)
	}
	r = of.get(base+"?sort=name&dir=desc&limit=3&offset=6", cookie...)
	if got := listNames(t, r); fmt.Sprint(got) != "[Teilnehmerin 1]" {
		t.Errorf("page 3: got %v, want [Teilnehmerin 1]", got)
	}
	wantContains(t, "page 3", r, `rel="prev"`)
	r = of.get(base+"?q=nehmerin+3", cookie...)
	if got := listNames(t, r); fmt.Sprint(got) != "[Teilnehmerin 3]" {
		t.Errorf("search: got %v", got)
	}
	r = of.get(base+"?q=100%25", cookie...) // a literal %, not a wildcard
	if got := listNames(t, r); len(got) != 0 {
		t.Errorf("search for 100%%: got %v, want none", got)
	}
	for _, bad := range []string{"sort=email", "status=lost", "checked_in=maybe", "limit=-1"} {
		if r := of.get(base+"?"+bad, cookie...); r.status != http.StatusUnprocessableEntity {
			t.Errorf("%s: got %d, want 422", bad, r.status)
		}
	}
	// Check someone in and filter on it.
	r = of.get(base+"?sort=registered&limit=1", cookie...)
	id := personLink.FindSubmatch(r.body)
	if id == nil {
		t.Fatalf("no person link in %s", r.body)
	}
	wantStatus(t, "check in", of.postForm("/org/events/"+slugOpen+"/checkin/"+string(id[1]), url.Values{"action": {"in"}}, cookie...), http.StatusSeeOther)
	if got := listNames(t, of.get(base+"?checked_in=yes", cookie...)); fmt.Sprint(got) != "[Teilnehmerin 1]" {
		t.Errorf("checked in: got %v", got)
	}
	if got := listNames(t, of.get(base+"?checked_in=no&limit=500", cookie...)); len(got) != 6 {
		t.Errorf("not checked in: got %d, want 6", len(got))
	}
}

// TestCheckinAccess: the checkin role reaches the check-in pages of its
// events and nothing else; other organisers get 404.
func TestCheckinAccess(t *testing.T) {
	of := newOrgFixture(t)
	of.settle()
	reg := of.register(of.person(map[string]string{"r1": "A1"}))
	checkinPages := []string{"/org/events/" + slugOpen + "/checkin", "/org/events/" + slugOpen + "/checkin/counts.json"}
	orgPages := []string{
		"/org/events/" + slugOpen + "/lists",
		"/org/events/" + slugOpen + "/lists/new",
		"/org/events/" + slugOpen + "/lists/people/" + reg.ID,
		"/org/events/" + slugOpen + "/lists/people/" + reg.ID + "/qr.png",
		"/org/events/" + slugOpen + "/lists/workshops/A1",
		"/org/events/" + slugOpen + "/print/attendance/A1",
		"/org/events/" + slugOpen + "/print/badges",
	}
	for _, p := range append(checkinPages, orgPages...) {
		if r := of.get(p); r.status != http.StatusSeeOther {
			t.Errorf("no session: GET %s: got %d, want 303", p, r.status)
		}
	}
	for _, c := range []struct {
		account         string
		checkin, others int
	}{{"checkin", 200, 403}, {"orgA", 200, 200}, {"admin", 200, 200}, {"orgB", 404, 404}} {
		cookie := of.login(c.account)
		for _, p := range checkinPages {
			if r := of.get(p, cookie...); r.status != c.checkin {
				t.Errorf("%s: GET %s: got %d, want %d", c.account, p, r.status, c.checkin)
			}
		}
		for _, p := range orgPages {
			r := of.get(p, cookie...)
			if r.status != c.others {
				t.Errorf("%s: GET %s: got %d, want %d", c.account, p, r.status, c.others)
			}
			if r.status >= 400 && bytes.Contains(r.body, []byte("Teilnehmerin")) {
				t.Errorf("%s: GET %s leaks a name", c.account, p)
			}
		}
		form := url.Values{"action": {"in"}, "reason": {"x"}}
		want := map[string]int{"checkin": 303, "orgA": 303, "admin": 303, "orgB": 404}[c.account]
		if r := of.postForm("/org/events/"+slugOpen+"/checkin/"+reg.ID, form, cookie...); r.status != want {
			t.Errorf("%s: POST check-in: got %d, want %d", c.account, r.status, want)
		}
		wantMove := map[string]int{"checkin": 403, "orgA": 422, "admin": 422, "orgB": 404}[c.account]
		if r := of.postForm("/org/events/"+slugOpen+"/lists/people/"+reg.ID+"/move", url.Values{"slot": {"r1"}, "workshop": {"B1"}}, cookie...); r.status != wantMove {
			t.Errorf("%s: POST move without reason: got %d, want %d", c.account, r.status, wantMove)
		}
	}
	// A cross-site check-in is refused before any handler runs.
	cookie := of.login("checkin")
	r := of.postForm("/org/events/"+slugOpen+"/checkin/"+reg.ID, url.Values{"action": {"undo"}}, append(cookie, "Sec-Fetch-Site", "cross-site")...)
	if r.status != http.StatusForbidden {
		t.Errorf("cross-site check-in: got %d, want 403", r.status)
	}
}

// TestCheckinFlow: look up by typed code, check in, undo, counts.
func TestCheckinFlow(t *testing.T) {
	of := newOrgFixture(t)
	of.settle()
	reg := of.register(of.person(map[string]string{"r1": "A1"}))
	var code string
	if err := of.pool.QueryRow(context.Background(), `SELECT checkin_code FROM registrations WHERE id = $1`, reg.ID).Scan(&code); err != nil {
		t.Fatal(err)
	}
	cookie := of.login("checkin")
	page := "/org/events/" + slugOpen + "/checkin"
	typed := strings.ToLower(code[:4] + " " + code[4:10] + "-" + code[10:])
	r := of.get(page+"?q="+url.QueryEscape(typed), cookie...)
	wantStatus(t, "look up code", r, http.StatusOK)
	wantContains(t, "look up code", r, reg.Name, "/checkin/"+reg.ID, `value="in"`)
	r = of.postForm(page+"/"+reg.ID, url.Values{"action": {"in"}, "q": {reg.Name}}, cookie...)
	wantStatus(t, "check in", r, http.StatusSeeOther)
	if loc := r.header.Get("Location"); !strings.Contains(loc, "done=in") {
		t.Errorf("Location %q, want done=in", loc)
	}
	wantContains(t, "counts", of.get(page+"/counts.json", cookie...), `"workshop":"A1","checked_in":1,"confirmed":1`, `"workshop":"","checked_in":1,"confirmed":1`)
	r = of.get(page+"?q="+url.QueryEscape(reg.Name), cookie...)
	wantContains(t, "after check-in", r, `value="undo"`)
	wantStatus(t, "undo", of.postForm(page+"/"+reg.ID, url.Values{"action": {"undo"}}, cookie...), http.StatusSeeOther)
	wantContains(t, "counts after undo", of.get(page+"/counts.json", cookie...), `"workshop":"A1","checked_in":0,"confirmed":1`)
	if n := countRows(t, of, `SELECT count(*) FROM audit_log WHERE action LIKE 'checkin.%'`); n != 2 {
		t.Errorf("check-in audit rows: got %d, want 2", n)
	}
	if r := of.postForm(page+"/00000000-0000-4000-8000-000000000000", url.Values{"action": {"in"}}, cookie...); r.status != http.StatusNotFound {
		t.Errorf("check-in of an unknown id: got %d, want 404", r.status)
	}
}

func countRows(t *testing.T, of *orgFixture, sql string) int {
	t.Helper()
	var n int
	if err := of.pool.QueryRow(context.Background(), sql).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestParticipantQR: the QR route answers a PNG for a valid personal link
// only, and the manage page shows it.
func TestParticipantQR(t *testing.T) {
	of := newOrgFixture(t)
	reg := of.register(of.person(map[string]string{"r1": "B1"}))
	r := of.get("/r/" + reg.Token + "/qr.png")
	wantStatus(t, "qr", r, http.StatusOK)
	if ct := r.header.Get("Content-Type"); ct != "image/png" {
		t.Errorf("Content-Type %q, want image/png", ct)
	}
	if _, err := png.Decode(bytes.NewReader(r.body)); err != nil {
		t.Errorf("qr.png is no PNG: %v", err)
	}
	wantContains(t, "manage page", of.get("/r/"+reg.Token), "/r/"+reg.Token+"/qr.png")
	for _, bad := range []string{"x", strings.Repeat("A", 43), reg.Token[:42] + "_"} {
		if r := of.get("/r/" + bad + "/qr.png"); r.status != http.StatusNotFound || r.header.Get("Content-Type") == "image/png" {
			t.Errorf("qr for token %q: got %d %s, want 404", bad, r.status, r.header.Get("Content-Type"))
		}
	}
	if r := of.do(http.MethodDelete, "/api/v1/registrations/"+reg.Token, nil); r.status != http.StatusOK {
		t.Fatalf("cancel: %v", r)
	}
	if r := of.get("/r/" + reg.Token + "/qr.png"); r.status != http.StatusNotFound {
		t.Errorf("qr after cancelling: got %d, want 404", r.status)
	}
}

// TestManualMovePage: the move form needs a reason; with override it moves
// beyond capacity and the history shows the action and the mail.
func TestManualMovePage(t *testing.T) {
	of := newOrgFixture(t)
	of.settle()
	of.register(of.person(map[string]string{"r1": "A1"})) // A1 (1 seat) is full now
	reg := of.register(of.person(map[string]string{"r1": "B1"}))
	cookie := of.login("orgA")
	person := "/org/events/" + slugOpen + "/lists/people/" + reg.ID
	r := of.postForm(person+"/move", url.Values{"slot": {"r1"}, "workshop": {"A1"}, "reason": {""}}, cookie...)
	wantStatus(t, "move without reason", r, http.StatusUnprocessableEntity)
	wantContains(t, "move without reason", r, `id="move-r1-reason-error"`)
	r = of.postForm(person+"/move", url.Values{"slot": {"r1"}, "workshop": {"A1"}, "reason": {"Referentin bittet darum"}}, cookie...)
	wantStatus(t, "move into full A1", r, http.StatusConflict)
	r = of.postForm(person+"/move", url.Values{"slot": {"r1"}, "workshop": {"A1"}, "reason": {"Referentin bittet darum"}, "override": {"yes"}}, cookie...)
	wantStatus(t, "move with override", r, http.StatusSeeOther)
	r = of.get(person, cookie...)
	wantStatus(t, "person page", r, http.StatusOK)
	wantContains(t, "person page", r, "Referentin bittet darum", "A1", emailOf("orgA"))
	if n := countRows(t, of, `SELECT w.capacity FROM workshops w JOIN events e ON e.id = w.event_id WHERE e.slug = '`+slugOpen+`' AND w.key = 'A1'`); n != 2 {
		t.Errorf("A1 capacity: got %d, want 2", n)
	}
	for _, p := range []string{"/org/events/" + slugOpen + "/lists/workshops/A1", "/org/events/" + slugOpen + "/print/attendance/A1",
		"/org/events/" + slugOpen + "/print/badges", "/org/events/" + slugOpen + "/lists/new"} {
		r := of.get(p, cookie...)
		wantStatus(t, p, r, http.StatusOK)
	}
	wantContains(t, "attendance", of.get("/org/events/"+slugOpen+"/print/attendance/A1", cookie...), reg.Name, "/static/print.css")
}

package server_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/fachtag/fachtag/internal/auth"
	"github.com/fachtag/fachtag/internal/event"
)

// wishFixture is the fixture with its open event in the wish phase, an
// organiser token for it and a token of an organiser of no event.
func wishFixture(t *testing.T) (f *fixture, token, stranger string) {
	t.Helper()
	f = newFixture(t, fixtureOpts{mutate: func(e *event.File) { e.Registration.Mode = event.ModePreferences }})
	a := auth.New(f.pool, auth.Options{Params: auth.Params{Memory: 1024, Time: 1, Threads: 1}})
	ctx := context.Background()
	for _, u := range []struct{ email, slug string }{{"org@example.org", slugOpen}, {"other@example.org", ""}} {
		if _, _, err := a.CreateUser(ctx, u.email, auth.RoleOrganiser, u.slug); err != nil {
			t.Fatal(err)
		}
	}
	_, token, err := a.CreateToken(ctx, "org@example.org", "test")
	if err != nil {
		t.Fatal(err)
	}
	_, stranger, err = a.CreateToken(ctx, "other@example.org", "test")
	if err != nil {
		t.Fatal(err)
	}
	return f, token, stranger
}

func (f *fixture) wisher(prefs map[string][]string) registrationJSON {
	f.t.Helper()
	body := f.person(nil)
	body["preferences"] = prefs
	return f.register(body)
}

func prefsOf(t *testing.T, f *fixture, regID string) string {
	t.Helper()
	var s string
	if err := f.pool.QueryRow(context.Background(), `SELECT preferences::text FROM registrations WHERE id = $1`, regID).Scan(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestChangeWishesAPI(t *testing.T) {
	f, _, _ := wishFixture(t)
	p := f.wisher(map[string][]string{"r1": {"A1"}})
	path := "/api/v1/registrations/" + p.Token + "/preferences"
	before := prefsOf(t, f, p.ID)
	bad := []struct {
		name  string
		body  string
		field string
	}{
		{"too many", `{"preferences": {"r1": ["A1", "B1", "A1", "B1"]}}`, "preferences.r1"},
		{"duplicate", `{"preferences": {"r1": ["A1", "A1"]}}`, "preferences.r1"},
		{"wrong slot", `{"preferences": {"r1": ["A2"]}}`, "preferences.r1"},
		{"unknown slot", `{"preferences": {"r9": ["A1"]}}`, "preferences.r9"},
	}
	for _, tc := range bad {
		r := f.sendJSON(http.MethodPut, path, tc.body)
		e := decode[errorJSON](t, r)
		if r.status != http.StatusUnprocessableEntity || e.Error.Fields[tc.field] == "" {
			t.Errorf("%s: got %v, want 422 naming %s", tc.name, r, tc.field)
		}
	}
	if got := prefsOf(t, f, p.ID); got != before {
		t.Errorf("preferences after bad input = %s, want %s", got, before)
	}
	if r := f.sendJSON(http.MethodPut, "/api/v1/registrations/"+strings.Repeat("x", 43)+"/preferences", `{"preferences": {}}`); r.status != http.StatusNotFound {
		t.Errorf("unknown token: got %v, want 404", r)
	}
	r := f.sendJSON(http.MethodPut, path, `{"preferences": {"r1": ["B1", "A1"], "r2": ["C2"]}}`)
	if r.status != http.StatusOK || !strings.Contains(prefsOf(t, f, p.ID), `"r1": ["B1", "A1"]`) {
		t.Errorf("valid change: got %v, stored %s", r, prefsOf(t, f, p.ID))
	}

	// The manage page offers the form with the current wishes selected.
	page := f.get("/r/" + p.Token + "?lang=en")
	if !strings.Contains(string(page.body), `name="pref.r1.1"`) || !strings.Contains(string(page.body), `<option value="B1" selected>`) {
		t.Errorf("manage page lacks the wish form with B1 selected:\n%s", page.body)
	}
	form := url.Values{"pref.r1.1": {"A1"}, "pref.r1.2": {""}, "pref.r2.1": {"A2"}}
	if r := f.postForm("/r/"+p.Token+"/wishes?lang=en", form); r.status != http.StatusSeeOther {
		t.Errorf("form post: got %v, want 303", r)
	}
	if got := prefsOf(t, f, p.ID); !strings.Contains(got, `"r1": ["A1"]`) || !strings.Contains(got, `"r2": ["A2"]`) {
		t.Errorf("after form post: %s", got)
	}
	var mails int
	_ = f.pool.QueryRow(context.Background(), `SELECT count(*) FROM outbox WHERE registration_id = $1 AND kind = 'received'`, p.ID).Scan(&mails)
	if mails != 3 {
		t.Errorf("received mails = %d, want 3 (sign-up and two changes)", mails)
	}
}

func TestAllocationAPI(t *testing.T) {
	f, token, stranger := wishFixture(t)
	bearer := []string{"Authorization", "Bearer " + token}
	var people []registrationJSON
	for _, prefs := range []map[string][]string{
		{"r1": {"A1", "B1"}, "r2": {"A2"}},
		{"r1": {"A1"}, "r2": {"A2", "C2"}},
		{"r1": {"B1"}, "r2": {"C2"}},
		{"r2": {"A2"}},
	} {
		people = append(people, f.wisher(prefs))
	}
	base := "/api/v1/events/" + slugOpen + "/allocations"
	if r := f.postJSON(base, `{}`); r.status != http.StatusUnauthorized {
		t.Fatalf("without token: got %v, want 401", r)
	}
	if r := f.postJSON(base, `{}`, "Authorization", "Bearer "+stranger); r.status != http.StatusNotFound {
		t.Fatalf("other organiser: got %v, want 404", r)
	}
	r := f.postJSON(base, `{"fair": true}`, bearer...)
	if r.status != http.StatusCreated {
		t.Fatalf("run: got %v, want 201", r)
	}
	type runJSON struct {
		ID          int64            `json:"id"`
		Status      string           `json:"status"`
		Profile     map[string]int   `json:"profile"`
		Optimal     bool             `json:"optimal"`
		Assignments []map[string]any `json:"assignments"`
		Fill        []map[string]any `json:"fill"`
	}
	run := decode[runJSON](t, r)
	if run.ID == 0 || run.Status != "draft" || !run.Optimal || len(run.Assignments) == 0 {
		t.Fatalf("run reply %v", r)
	}
	id := strconv.FormatInt(run.ID, 10)
	got := decode[runJSON](t, f.get(base+"/"+id, bearer...))
	if got.ID != run.ID || len(got.Fill) != 4 {
		t.Errorf("GET run: %+v", got)
	}
	if r := f.get(base+"/999999", bearer...); r.status != http.StatusNotFound {
		t.Errorf("unknown run: got %v, want 404", r)
	}
	pin := "/api/v1/events/" + slugOpen + "/pins/" + people[3].ID + "/r1"
	if r := f.sendJSON(http.MethodPut, pin, `{"workshop": "B1"}`, bearer...); r.status != http.StatusOK {
		t.Errorf("pin: got %v", r)
	}
	if r := f.postJSON(base+"/"+id+"/publish", ``, bearer...); r.status != http.StatusConflict {
		t.Errorf("publish after a pin: got %v, want 409 stale", r)
	}
	run = decode[runJSON](t, f.postJSON(base, ``, bearer...))
	id = strconv.FormatInt(run.ID, 10)
	if r := f.postJSON(base+"/"+id+"/publish", ``, bearer...); r.status != http.StatusOK {
		t.Fatalf("publish: got %v", r)
	}
	if r := f.postJSON(base+"/"+id+"/publish", ``, bearer...); r.status != http.StatusConflict || !strings.Contains(string(r.body), "already_published") {
		t.Errorf("publish twice: got %v, want 409 already_published", r)
	}
	reg := decode[registrationJSON](t, f.get("/api/v1/registrations/"+people[3].Token))
	if b, ok := reg.booking("r1", "confirmed"); reg.Status != "confirmed" || !ok || b.Workshop != "B1" {
		t.Errorf("pinned participant after publication: %+v", reg)
	}
	var published int
	_ = f.pool.QueryRow(context.Background(), `SELECT count(*) FROM outbox WHERE kind = 'published'`).Scan(&published)
	if published != len(people) {
		t.Errorf("published mails = %d, want %d", published, len(people))
	}
	if r := f.sendJSON(http.MethodPut, "/api/v1/registrations/"+people[0].Token+"/preferences", `{"preferences": {}}`); r.status != http.StatusConflict {
		t.Errorf("wish change after publication: got %v, want 409", r)
	}
}

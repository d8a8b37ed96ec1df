package server_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fachtag/fachtag/internal/auth"
	"github.com/fachtag/fachtag/internal/event"
)

// allocUXFixture is the wish-phase fixture with a free workshop D2 that
// nobody wishes for, B1 with three seats, an organiser logged in through
// the page (cookie) and an API token, and four wishers:
//
//	p0: r1 A1, B1   r2 A2
//	p1: r1 A1, B1   r2 C2, A2
//	p2: r1 B1       r2 C2
//	p3:             r2 A2
//
// A1 has one seat and topic A like A2, so the best plan gives A1 to p1
// (p0 keeps A2 in round 2) and B1 to p0 as the second wish; C2 has one
// seat for two first wishes (p1, p2), and the lottery decides.
type allocUXFixture struct {
	*fixture
	cookie, bearer []string
	people         []registrationJSON
	base, page     string
}

func newAllocUXFixture(t *testing.T) *allocUXFixture {
	t.Helper()
	f := newFixture(t, fixtureOpts{mutate: func(e *event.File) {
		e.Registration.Mode = event.ModePreferences
		e.Workshops[1].Capacity = 3
		e.Workshops = append(e.Workshops, event.WSFile{Key: "D2", Slot: "r2", Title: "Digitale Beratung", Capacity: 3, Topic: "D", Room: "104"})
	}})
	a := auth.New(f.pool, testAuth)
	ctx := context.Background()
	_, pw, err := a.CreateUser(ctx, "org@example.org", auth.RoleOrganiser, slugOpen)
	if err != nil {
		t.Fatal(err)
	}
	_, token, err := a.CreateToken(ctx, "org@example.org", "test")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.pool.Exec(ctx, `UPDATE users SET must_change = false`); err != nil {
		t.Fatal(err)
	}
	r := f.postForm("/org/login", url.Values{"email": {"org@example.org"}, "password": {pw}})
	if r.status != http.StatusSeeOther || sessionCookie(r) == "" {
		t.Fatalf("login: %v", r)
	}
	x := &allocUXFixture{fixture: f, cookie: []string{"Cookie", "fachtag_session=" + sessionCookie(r)},
		bearer: []string{"Authorization", "Bearer " + token},
		base:   "/api/v1/events/" + slugOpen + "/allocations", page: "/org/events/" + slugOpen + "/allocations"}
	for _, prefs := range []map[string][]string{
		{"r1": {"A1", "B1"}, "r2": {"A2"}},
		{"r1": {"A1", "B1"}, "r2": {"C2", "A2"}},
		{"r1": {"B1"}, "r2": {"C2"}},
		{"r2": {"A2"}},
	} {
		x.people = append(x.people, f.wisher(prefs))
	}
	return x
}

// runPage runs the allocation through the page's form and returns the
// new run's id.
func (x *allocUXFixture) runPage(form url.Values) int64 {
	x.t.Helper()
	r := x.postForm(x.page+"?lang=de", form, x.cookie...)
	loc, _ := url.Parse(r.header.Get("Location"))
	if r.status != http.StatusSeeOther || loc == nil {
		x.t.Fatalf("run through the page: %v", r)
	}
	id, err := strconv.ParseInt(loc.Query().Get("run"), 10, 64)
	if err != nil {
		x.t.Fatalf("redirect %s names no run", loc)
	}
	return id
}

type outcomeJSON struct {
	Slot, Workshop, Reason, First, Other string
	Rank                                 int
}

type reportJSON struct {
	ID        int64            `json:"id"`
	CreatedAt time.Time        `json:"created_at"`
	Profile   map[string]int   `json:"profile"`
	Worst     []map[string]any `json:"worst"`
	People    []struct {
		RegistrationID string        `json:"registration_id"`
		Name           string        `json:"name"`
		Outcomes       []outcomeJSON `json:"outcomes"`
	} `json:"people"`
	FreeSeats []struct {
		Workshop, Reason string
		Free, Wishes     int
	} `json:"free_seats"`
	Publish *struct{ Mails, Confirmed, Waitlisted int } `json:"publish"`
	Stale   bool                                        `json:"stale"`
}

func (x *allocUXFixture) report(id int64) reportJSON {
	x.t.Helper()
	r := x.get(x.base+"/"+strconv.FormatInt(id, 10), x.bearer...)
	if r.status != http.StatusOK {
		x.t.Fatalf("report: %v", r)
	}
	return decode[reportJSON](x.t, r)
}

func (rep reportJSON) outcome(t *testing.T, regID, slot string) outcomeJSON {
	t.Helper()
	for _, p := range rep.People {
		for _, o := range p.Outcomes {
			if p.RegistrationID == regID && o.Slot == slot {
				return o
			}
		}
	}
	t.Fatalf("no outcome of %s in %s: %+v", regID, slot, rep.People)
	return outcomeJSON{}
}

func TestAllocationDemand(t *testing.T) {
	x := newAllocUXFixture(t)
	type demandJSON struct {
		Slots []struct {
			Slot      string `json:"slot"`
			Workshops []struct {
				Workshop string `json:"workshop"`
				Seats    int    `json:"seats"`
				ByRank   []int  `json:"by_rank"`
				Wishes   int    `json:"wishes"`
			} `json:"workshops"`
		} `json:"slots"`
	}
	r := x.get(x.base+"/demand", x.bearer...)
	if r.status != http.StatusOK {
		t.Fatalf("demand: %v", r)
	}
	got := map[string]string{}
	for _, s := range decode[demandJSON](t, r).Slots {
		for _, w := range s.Workshops {
			got[w.Workshop] = fmt.Sprint(w.ByRank, w.Wishes, w.Seats)
		}
	}
	want := map[string]string{"A1": "[2 0 0] 2 1", "B1": "[1 2 0] 3 3", "A2": "[2 1 0] 3 2", "C2": "[2 0 0] 2 1", "D2": "[0 0 0] 0 3"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("demand = %v, want %v", got, want)
	}
	page := string(x.get(x.page+"?lang=de", x.cookie...).body)
	for _, w := range []string{`<section class="demand"`, "1. Wunsch: 2 · 2. Wunsch: 0 · 3. Wunsch: 0", "1. Wunsch: 1 · 2. Wunsch: 2", "1 Erstwünsche mehr als Plätze", `<svg class="demand-bar"`} {
		if !strings.Contains(page, w) {
			t.Errorf("allocation page lacks %q", w)
		}
	}
	if r := x.get(x.base+"/demand", "Authorization", "Bearer nope"); r.status != http.StatusUnauthorized {
		t.Errorf("demand without a valid token: %v, want 401", r)
	}
}

func TestAllocationPreviewAndFreeSeats(t *testing.T) {
	x := newAllocUXFixture(t)
	id := x.runPage(url.Values{})
	rep := x.report(id)
	p0, p1, p2 := x.people[0].ID, x.people[1].ID, x.people[2].ID
	if o := rep.outcome(t, p0, "r1"); o.Workshop != "B1" || o.Rank != 2 || o.Reason != "topic" || o.First != "A1" || o.Other != "A2" {
		t.Errorf("p0 in r1: %+v, want B1 as wish 2 because A1 has the topic of A2", o)
	}
	if o := rep.outcome(t, p1, "r1"); o.Workshop != "A1" || o.Rank != 1 || o.Reason != "" {
		t.Errorf("p1 in r1: %+v, want A1 as wish 1 without a reason", o)
	}
	loser := p2
	if rep.outcome(t, p2, "r2").Workshop == "C2" {
		loser = p1
	}
	if o := rep.outcome(t, loser, "r2"); o.Workshop != "" || o.Reason != "full_first" || o.First != "C2" {
		t.Errorf("lottery loser in r2: %+v, want no seat because C2 was full with first wishes", o)
	}
	if len(rep.People) != 4 || rep.People[0].Name == "" {
		t.Errorf("people: %+v, want all four, named, worst first", rep.People)
	}
	free := map[string]string{}
	for _, f := range rep.FreeSeats {
		free[f.Workshop] = fmt.Sprintf("%d %s %d", f.Free, f.Reason, f.Wishes)
	}
	if want := map[string]string{"B1": "1 all_placed 3", "D2": "3 no_wishes 0"}; fmt.Sprint(free) != fmt.Sprint(want) {
		t.Errorf("free seats = %v, want %v", free, want)
	}

	page := string(x.get(fmt.Sprintf("%s?run=%d&lang=de", x.page, id), x.cookie...).body)
	for _, w := range []string{
		"Wer bekommt was",
		"Ausbildung und Betrieb – <em>2. Wunsch</em>",
		"Ihr 1. Wunsch „Beratung im ländlichen Raum“ hat dasselbe Thema wie „Beratung (Wiederholung)“, den Sie in einer anderen Runde bekommen, und niemand bekommt ein Thema zweimal.",
		"Ihr 1. Wunsch „Kommunen als Akteure“ war voll: Alle Plätze gingen an Personen, die ihn ebenfalls als 1. Wunsch angegeben hatten.",
		"1 Plätze frei – alle 3, die ihn gewählt hatten, haben ihn oder einen ihrer höheren Wünsche bekommen",
		"3 Plätze frei – niemand hatte ihn auf der Wunschliste",
		"Möglichst viele Erstwünsche",
	} {
		if !strings.Contains(page, w) {
			t.Errorf("allocation page lacks %q", w)
		}
	}
	// Times in the event's zone (Europe/Berlin), not UTC.
	loc, _ := time.LoadLocation("Europe/Berlin")
	en := string(x.get(fmt.Sprintf("%s?run=%d&lang=en", x.page, id), x.cookie...).body)
	if want := rep.CreatedAt.In(loc).Format("2 January 2006, 15:04"); !strings.Contains(en, want) {
		t.Errorf("runs list lacks the run's time in Berlin %q", want)
	}
	fairID := x.runPage(url.Values{"fair": {"on"}})
	fair := string(x.get(fmt.Sprintf("%s?run=%d&lang=de", x.page, fairID), x.cookie...).body)
	// One wanted seat stays empty (C2), so "nobody worse than wish 2"
	// would not be true: the page names the worst wish given instead.
	if !strings.Contains(fair, "Fair: schlechtester vergebener Wunsch ist Wunsch 2") {
		t.Errorf("fair run not named in plain words")
	}
	for _, body := range []string{page, en, fair} {
		for _, jargon := range []string{"rank-max", "Rang-maximal", "rank-maximal", "Rank profile"} {
			if strings.Contains(body, jargon) {
				t.Errorf("allocation page says %q", jargon)
			}
		}
	}
}

// TestAllocationPinForm: a pin set through the browser form (session,
// same-origin POST) makes the next run keep it, with the reason the
// participant will read; bad input names the problem and changes nothing.
func TestAllocationPinForm(t *testing.T) {
	x := newAllocUXFixture(t)
	first := x.runPage(url.Values{})
	p3 := x.people[3].ID
	pinPage := x.page + "/pins/" + p3
	r := x.get(pinPage+"?lang=de&run="+strconv.FormatInt(first, 10), x.cookie...)
	if r.status != http.StatusOK || !strings.Contains(string(r.body), `<select id="pin-r1" name="workshop">`) {
		t.Fatalf("pin page: %v", r)
	}
	if r := x.get(pinPage+"?lang=de", x.bearer...); r.status == http.StatusOK {
		t.Errorf("pin page without a session: %v", r.status)
	}
	r = x.postForm(pinPage+"?lang=de", url.Values{"slot": {"r1"}, "workshop": {"A2"}}, x.cookie...)
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(string(r.body), "findet im Zeitraum „r2“ statt") {
		t.Errorf("pin into the wrong slot: %v, want 422 naming the slot", r.status)
	}
	var pins int
	_ = x.pool.QueryRow(context.Background(), `SELECT count(*) FROM allocation_pins`).Scan(&pins)
	if pins != 0 {
		t.Fatalf("refused pin stored %d rows", pins)
	}
	r = x.postForm(pinPage+"?lang=de", url.Values{"slot": {"r1"}, "workshop": {"A1"}, "run": {strconv.FormatInt(first, 10)}}, x.cookie...)
	if r.status != http.StatusSeeOther || !strings.Contains(r.header.Get("Location"), "done=pinned") {
		t.Fatalf("pin through the form: %v", r)
	}
	page := string(x.get(r.header.Get("Location"), x.cookie...).body)
	if !strings.Contains(page, "Die feste Zuteilung gilt ab dem nächsten Lauf") || !strings.Contains(page, "Beratung im ländlichen Raum</strong>") {
		t.Errorf("page after pinning lacks the notice or the pin list")
	}
	old := x.report(first)
	if o := old.outcome(t, p3, "r2"); o.Workshop != "A2" || !old.Stale || old.Publish != nil || o.Reason != "" {
		t.Errorf("first run after the pin: stale %v, publish %+v, outcome %+v; want stale, unchanged, no reasons", old.Stale, old.Publish, o)
	}
	confirm := string(x.get(fmt.Sprintf("%s/%d/publish?lang=de", x.page, first), x.cookie...).body)
	if !strings.Contains(confirm, "Bitte neu verteilen.") || strings.Contains(confirm, `class="publish"`) {
		t.Errorf("confirmation page of a stale run offers publishing")
	}
	rep := x.report(x.runPage(url.Values{}))
	if o := rep.outcome(t, p3, "r1"); o.Workshop != "A1" || o.Reason != "pinned" {
		t.Errorf("p3 in r1 after the pin: %+v, want A1, pinned", o)
	}
	if o := rep.outcome(t, p3, "r2"); o.Workshop != "" || o.Reason != "topic" || o.Other != "A1" {
		t.Errorf("p3 in r2 after the pin: %+v, want no seat because of the topic of A1", o)
	}
	r = x.postForm(pinPage+"?lang=de", url.Values{"slot": {"r1"}, "workshop": {""}}, x.cookie...)
	_ = x.pool.QueryRow(context.Background(), `SELECT count(*) FROM allocation_pins`).Scan(&pins)
	if r.status != http.StatusSeeOther || pins != 0 {
		t.Errorf("unpin through the form: %v, %d pins left", r.status, pins)
	}
}

// TestAllocationPublishConfirmation: the confirmation page says how many
// mails go out, and exactly that many are queued when it is confirmed;
// the mail and the personal page say which wish and why.
func TestAllocationPublishConfirmation(t *testing.T) {
	x := newAllocUXFixture(t)
	sink := x.startMail()
	id := x.runPage(url.Values{})
	rep := x.report(id)
	if rep.Publish == nil || rep.Publish.Mails != len(x.people) {
		t.Fatalf("report publish preview: %+v, want %d mails", rep.Publish, len(x.people))
	}
	confirm := fmt.Sprintf("%s/%d/publish?lang=de", x.page, id)
	r := x.get(confirm, x.cookie...)
	want := fmt.Sprintf("%d E-Mails werden versendet.", rep.Publish.Mails)
	if r.status != http.StatusOK || !strings.Contains(string(r.body), want) || !strings.Contains(string(r.body), `class="publish"`) {
		t.Fatalf("confirmation page: %v, want %q and a POST form", r.status, want)
	}
	var queued int
	_ = x.pool.QueryRow(context.Background(), `SELECT count(*) FROM outbox WHERE kind = 'published'`).Scan(&queued)
	if queued != 0 {
		t.Fatalf("the confirmation page queued %d mails", queued)
	}
	if r := x.postForm(confirm, url.Values{}, x.cookie...); r.status != http.StatusSeeOther {
		t.Fatalf("publish: %v", r)
	}
	_ = x.pool.QueryRow(context.Background(), `SELECT count(*) FROM outbox WHERE kind = 'published'`).Scan(&queued)
	if queued != rep.Publish.Mails {
		t.Errorf("published mails queued = %d, the confirmation said %d", queued, rep.Publish.Mails)
	}
	if r := x.get(confirm, x.cookie...); !strings.Contains(string(r.body), "bereits veröffentlicht") || strings.Contains(string(r.body), `class="publish"`) {
		t.Errorf("confirmation page of a published run offers publishing again")
	}
	why := "Ihr 1. Wunsch „Beratung im ländlichen Raum“ hat dasselbe Thema wie „Beratung (Wiederholung)“, den Sie in einer anderen Runde bekommen, und niemand bekommt ein Thema zweimal."
	mails := mailsTo(x.drainOutbox(sink), x.people[0].email(t, x.fixture))
	if len(mails) != 2 || !strings.Contains(mails[1].Text, "Ausbildung und Betrieb, 102 – Ihr 2. Wunsch") || !strings.Contains(mails[1].Text, why) {
		t.Errorf("published mail of p0 does not say which wish and why:\n%v", mails)
	}
	page := string(x.get("/r/" + x.people[0].Token + "?lang=de").body)
	if !strings.Contains(page, "(Ihr 2. Wunsch)") || !strings.Contains(page, why) {
		t.Errorf("personal page of p0 does not say which wish and why")
	}
	// The published run's report shows what the participants were told.
	if o := x.report(id).outcome(t, x.people[0].ID, "r1"); o.Reason != "topic" {
		t.Errorf("published report outcome %+v", o)
	}
}

func (r registrationJSON) email(t *testing.T, f *fixture) string {
	t.Helper()
	var e string
	if err := f.pool.QueryRow(context.Background(), `SELECT email FROM registrations WHERE id = $1`, r.ID).Scan(&e); err != nil {
		t.Fatal(err)
	}
	return e
}

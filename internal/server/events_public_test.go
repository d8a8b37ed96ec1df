package server_test

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/fachtag/fachtag/internal/event"
)

// publicFixture is the fixture's events (open, draft, closed, passed: all
// on one day in two weeks) plus an open event a week later, an archived
// one and one that ended yesterday.
func publicFixture(t *testing.T) *fixture {
	t.Helper()
	f := newFixture(t, fixtureOpts{})
	later := openEvent("fachtag-spaeter")
	shift(later, 7*24*time.Hour)
	archived := openEvent("fachtag-archiv")
	archived.Status = event.StatusArchived
	past := openEvent("fachtag-gestern")
	shift(past, -16*24*time.Hour)
	for _, e := range []*event.File{later, archived, past} {
		if _, err := event.Import(context.Background(), f.pool, e); err != nil {
			t.Fatalf("import %s: %v", e.Slug, err)
		}
	}
	return f
}

// shift moves an event file's times by d, its registration window too.
func shift(f *event.File, d time.Duration) {
	f.StartsAt, f.EndsAt = f.StartsAt.Add(d), f.EndsAt.Add(d)
	for i := range f.Programme {
		f.Programme[i].StartsAt, f.Programme[i].EndsAt = f.Programme[i].StartsAt.Add(d), f.Programme[i].EndsAt.Add(d)
	}
	for i := range f.Slots {
		f.Slots[i].StartsAt, f.Slots[i].EndsAt = f.Slots[i].StartsAt.Add(d), f.Slots[i].EndsAt.Add(d)
	}
	opens, closes := f.Registration.OpensAt.Add(d), f.Registration.ClosesAt.Add(d)
	f.Registration.OpensAt, f.Registration.ClosesAt = &opens, &closes
}

type eventListJSON struct {
	Events []struct {
		Slug         string                `json:"slug"`
		StartsAt     string                `json:"starts_at"`
		Timezone     string                `json:"timezone"`
		Status       string                `json:"status"`
		SeatsLeft    int                   `json:"seats_left"`
		URL          string                `json:"url"`
		Organiser    struct{ Name string } `json:"organiser"`
		Registration struct {
			Mode string `json:"mode"`
			Open bool   `json:"open"`
		} `json:"registration"`
	} `json:"events"`
	Total int    `json:"total"`
	Page  int    `json:"page"`
	Limit int    `json:"limit"`
	Next  string `json:"next"`
}

func (l eventListJSON) slugs() []string {
	var out []string
	for _, e := range l.Events {
		out = append(out, e.Slug)
	}
	return out
}

// TestPublicEventList pages through GET /api/v1/events: open and closed
// events that are not over, soonest first (ties by slug), never a draft,
// an archived or a past event; next and Link lead to the following page.
func TestPublicEventList(t *testing.T) {
	f := publicFixture(t)
	want := []string{slugOpen, slugPassed, slugClosed, "fachtag-spaeter"}
	r := f.get("/api/v1/events?limit=3")
	wantStatus(t, "page 1", r, http.StatusOK)
	if cc := r.header.Get("Cache-Control"); cc != "public, max-age=60" {
		t.Errorf("Cache-Control %q, want public, max-age=60", cc)
	}
	first := decode[eventListJSON](t, r)
	if got := strings.Join(first.slugs(), " "); got != strings.Join(want[:3], " ") || first.Total != 4 || first.Page != 1 || first.Limit != 3 {
		t.Fatalf("page 1: got %s (total %d, page %d, limit %d), want %v of 4", got, first.Total, first.Page, first.Limit, want[:3])
	}
	if wantNext := f.url + "/api/v1/events?limit=3&page=2"; first.Next != wantNext || r.header.Get("Link") != "<"+wantNext+`>; rel="next"` {
		t.Errorf("next %q, Link %q, want %s", first.Next, r.header.Get("Link"), wantNext)
	}
	e := first.Events[0]
	if e.Timezone != "Europe/Berlin" || !regexp.MustCompile(`T10:00:00\+0[12]:00$`).MatchString(e.StartsAt) ||
		e.URL != f.url+"/events/"+slugOpen || e.SeatsLeft != 10 || !e.Registration.Open || e.Registration.Mode != "first_come" ||
		e.Organiser.Name != "Netzwerk Teilhabe" || e.Status != "open" {
		t.Errorf("first event: %+v", e)
	}
	if first.Events[1].Registration.Open || first.Events[2].Status != "closed" {
		t.Errorf("passed and closed events: %+v", first.Events[1:])
	}
	r = f.get("/api/v1/events?limit=3&page=2")
	second := decode[eventListJSON](t, r)
	if got := second.slugs(); len(got) != 1 || got[0] != want[3] || second.Next != "" || r.header.Get("Link") != "" {
		t.Errorf("page 2: got %v, next %q, Link %q, want [%s] and no next", got, second.Next, r.header.Get("Link"), want[3])
	}
	if got := decode[eventListJSON](t, f.get("/api/v1/events")); got.Limit != 20 || len(got.Events) != 4 || got.Next != "" {
		t.Errorf("default page: limit %d, %d events, next %q; want 20, 4, none", got.Limit, len(got.Events), got.Next)
	}
	if got := decode[eventListJSON](t, f.get("/api/v1/events?page=9")); len(got.Events) != 0 || got.Total != 4 {
		t.Errorf("page past the end: %+v, want no events of 4", got)
	}
}

func TestPublicEventListBadPage(t *testing.T) {
	f := newFixture(t, fixtureOpts{})
	tests := []struct {
		query, field, lang, message string
	}{
		{"page=0", "page", "de", "Bitte eine ganze Zahl ab 1."},
		{"page=zwei", "page", "en", "Please give a whole number from 1."},
		{"limit=101", "limit", "de", "Bitte eine ganze Zahl von 1 bis 100."},
		{"limit=0&page=1", "limit", "en", "Please give a whole number from 1 to 100."},
	}
	for _, tt := range tests {
		r := f.get("/api/v1/events?"+tt.query, "Accept-Language", tt.lang)
		wantStatus(t, tt.query, r, http.StatusUnprocessableEntity)
		if got := decode[errorJSON](t, r).Error; got.Code != "invalid" || got.Fields[tt.field] != tt.message {
			t.Errorf("%s: got %+v, want fields.%s %q", tt.query, got, tt.field, tt.message)
		}
	}
}

// TestEventsFeedAndStartPage: /events.ics holds the same events as the
// list, and the start page lists them in date order and links the feed.
func TestEventsFeedAndStartPage(t *testing.T) {
	f := publicFixture(t)
	r := f.get("/events.ics")
	wantStatus(t, "feed", r, http.StatusOK)
	if ct := r.header.Get("Content-Type"); ct != "text/calendar; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	body := string(r.body)
	if !strings.HasPrefix(body, "BEGIN:VCALENDAR\r\n") || !strings.HasSuffix(body, "END:VCALENDAR\r\n") {
		t.Errorf("not a calendar:\n%s", body)
	}
	uids := regexp.MustCompile(`(?m)^UID:(.*)\r$`).FindAllStringSubmatch(body, -1)
	var got []string
	for _, m := range uids {
		got = append(got, m[1])
	}
	if want := slugOpen + "@fachtag " + slugPassed + "@fachtag " + slugClosed + "@fachtag fachtag-spaeter@fachtag"; strings.Join(got, " ") != want {
		t.Errorf("feed UIDs %v, want %s", got, want)
	}
	if !strings.Contains(body, "URL:"+f.url+"/events/"+slugOpen+"\r\n") {
		t.Error("feed lacks the event's URL")
	}
	page := f.get("/")
	wantContains(t, "start page", page, `<link rel="alternate" type="text/calendar" href="/events.ics"`,
		`href="/events.ics"`, "Alle Termine als Kalender abonnieren")
	var at []int
	for _, slug := range []string{slugOpen, slugPassed, slugClosed, "fachtag-spaeter"} {
		at = append(at, strings.Index(string(page.body), `href="/events/`+slug+`?`))
	}
	for i := 1; i < len(at); i++ {
		if at[i-1] < 0 || at[i] < at[i-1] {
			t.Errorf("start page order: positions %v, want ascending", at)
		}
	}
	for _, slug := range []string{slugDraft, "fachtag-archiv", "fachtag-gestern"} {
		if strings.Contains(string(page.body), "/events/"+slug+"?") || strings.Contains(body, slug+"@") {
			t.Errorf("%s is listed", slug)
		}
	}
}

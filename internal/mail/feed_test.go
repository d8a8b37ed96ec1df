package mail

import (
	"strings"
	"testing"
	"time"

	"github.com/fachtag/fachtag/internal/event"
)

// TestFeed writes a feed of two events in two time zones whose texts need
// escaping (commas, semicolons, a backslash, line breaks, umlauts) and
// folding, and reads it back with the strict parser: every text returns
// unchanged, each event has its zone and a UID made of its slug.
func TestFeed(t *testing.T) {
	berlin := testEvent(t)
	berlin.Title = "Spitzentreffen „Fachkräfte, Zuwanderung; Übergänge“ – Größere Öffnung für Geflüchtete \\ Beschäftigung"
	berlin.Description = "Gespräch der Kammern, Jobcenter; Ministerien\nund Betriebe: Äpfel, Öl, Übermut."
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	other := &event.Event{Slug: "mentoring-ny", Title: "Mentoring evening", Timezone: "America/New_York",
		StartsAt: time.Date(2026, 3, 20, 17, 30, 0, 0, ny), EndsAt: time.Date(2026, 3, 20, 20, 30, 0, 0, ny),
		Venue: event.Venue{Name: "Goethe-Institut", Address: "30 Irving Pl, New York"}}
	page := func(slug string) string { return "https://fachtag.example/events/" + slug }
	cal, err := parseICS(Feed([]*event.Event{berlin, other}, "Veranstaltungen, Netzwerk; Süd", page))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	if p, _ := cal.get("X-WR-CALNAME"); unescapeText(p.value) != "Veranstaltungen, Netzwerk; Süd" {
		t.Errorf("X-WR-CALNAME = %q", p.value)
	}
	zones, events := map[string]bool{}, map[string]*icsComponent{}
	for _, c := range cal.subs {
		switch c.name {
		case "VTIMEZONE":
			p, _ := c.get("TZID")
			zones[p.value] = true
		case "VEVENT":
			p, _ := c.get("UID")
			events[p.value] = c
		}
	}
	if !zones["Europe/Berlin"] || !zones["America/New_York"] || len(zones) != 2 {
		t.Errorf("VTIMEZONEs %v, want Europe/Berlin and America/New_York", zones)
	}
	tests := []struct {
		ev             *event.Event
		tzid, start    string
		location, desc string
	}{
		{berlin, "Europe/Berlin", "20250626T093000", "Tagungszentrum, Juri-Gagarin-Ring 1, Erfurt", berlin.Description + "\n\n" + page(berlin.Slug)},
		{other, "America/New_York", "20260320T173000", "Goethe-Institut, 30 Irving Pl, New York", page(other.Slug)},
	}
	for _, tt := range tests {
		ve, ok := events[tt.ev.Slug+"@fachtag"]
		if !ok {
			t.Errorf("no VEVENT with UID %s@fachtag; have %v", tt.ev.Slug, events)
			continue
		}
		want := map[string]string{"SUMMARY": tt.ev.Title, "LOCATION": tt.location, "DESCRIPTION": tt.desc, "URL": page(tt.ev.Slug)}
		for prop, w := range want {
			if p, _ := ve.get(prop); unescapeText(p.value) != w {
				t.Errorf("%s %s = %q, want %q", tt.ev.Slug, prop, unescapeText(p.value), w)
			}
		}
		if p, _ := ve.get("DTSTART"); p.params != "TZID="+tt.tzid || p.value != tt.start {
			t.Errorf("%s DTSTART = %s:%s, want TZID=%s:%s", tt.ev.Slug, p.params, p.value, tt.tzid, tt.start)
		}
		if p, _ := ve.get("DTSTAMP"); !strings.HasSuffix(p.value, "Z") {
			t.Errorf("%s DTSTAMP = %q, want a UTC time", tt.ev.Slug, p.value)
		}
	}
	if p, _ := events[berlin.Slug+"@fachtag"].get("SUMMARY"); !strings.Contains(p.value, `Fachkräfte\, Zuwanderung\; Übergänge`) || !strings.Contains(p.value, `\\ Beschäftigung`) {
		t.Errorf("SUMMARY %q: want commas, semicolons and the backslash escaped, umlauts as they are", p.value)
	}
}

// TestFeedEmpty: without events the feed is still a calendar.
func TestFeedEmpty(t *testing.T) {
	cal, err := parseICS(Feed(nil, "Veranstaltungen", func(string) string { return "" }))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	if len(cal.subs) != 0 {
		t.Errorf("got %d components, want none", len(cal.subs))
	}
}

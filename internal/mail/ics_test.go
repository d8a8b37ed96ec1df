package mail

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

// icsComponent is a parsed BEGIN/END block.
type icsComponent struct {
	name  string
	props []icsProp
	subs  []*icsComponent
}

type icsProp struct{ name, params, value string }

func (c *icsComponent) get(name string) (icsProp, bool) {
	for _, p := range c.props {
		if p.name == name {
			return p, true
		}
	}
	return icsProp{}, false
}

// parseICS is deliberately strict: every line ends in CRLF, no physical
// line exceeds 75 octets, folds split no UTF-8 sequence, and BEGIN/END
// nest properly with exactly one top-level VCALENDAR.
func parseICS(data []byte) (*icsComponent, error) {
	if !bytes.HasSuffix(data, []byte("\r\n")) {
		return nil, fmt.Errorf("file does not end in CRLF")
	}
	physical := strings.Split(strings.TrimSuffix(string(data), "\r\n"), "\r\n")
	var logical []string
	for i, l := range physical {
		if strings.ContainsAny(l, "\r\n") {
			return nil, fmt.Errorf("line %d: bare CR or LF", i+1)
		}
		if len(l) > 75 {
			return nil, fmt.Errorf("line %d: %d octets, want ≤ 75", i+1, len(l))
		}
		if !utf8.ValidString(l) {
			return nil, fmt.Errorf("line %d: fold split a UTF-8 sequence", i+1)
		}
		if strings.HasPrefix(l, " ") {
			if len(logical) == 0 {
				return nil, fmt.Errorf("line %d: continuation without a line", i+1)
			}
			logical[len(logical)-1] += l[1:]
			continue
		}
		logical = append(logical, l)
	}
	var stack []*icsComponent
	var root *icsComponent
	for _, l := range logical {
		name, value, ok := strings.Cut(l, ":")
		if !ok {
			return nil, fmt.Errorf("line %q has no colon", l)
		}
		name, params, _ := strings.Cut(name, ";")
		switch name {
		case "BEGIN":
			c := &icsComponent{name: value}
			if len(stack) > 0 {
				top := stack[len(stack)-1]
				top.subs = append(top.subs, c)
			} else if root != nil {
				return nil, fmt.Errorf("second top-level component %s", value)
			} else {
				root = c
			}
			stack = append(stack, c)
		case "END":
			if len(stack) == 0 || stack[len(stack)-1].name != value {
				return nil, fmt.Errorf("END:%s does not close the open component", value)
			}
			stack = stack[:len(stack)-1]
		default:
			if len(stack) == 0 {
				return nil, fmt.Errorf("property %s outside a component", name)
			}
			top := stack[len(stack)-1]
			top.props = append(top.props, icsProp{name: name, params: params, value: value})
		}
	}
	if len(stack) != 0 || root == nil || root.name != "VCALENDAR" {
		return nil, fmt.Errorf("unbalanced or missing VCALENDAR")
	}
	return root, nil
}

func unescapeText(s string) string {
	return strings.NewReplacer(`\\`, `\`, `\;`, `;`, `\,`, `,`, `\n`, "\n", `\N`, "\n").Replace(s)
}

func TestCalendar(t *testing.T) {
	ev := testEvent(t)
	ev.Title = `Fachtag; "Stadt, Land" \ Flucht – ein sehr langer Titel, der über die Zeilengrenze von 75 Oktetten hinausgeht`
	regID := "0b7e6f2a-1c1d-4c1e-9d55-0a9f0c1e2d3f"
	bookings := []Booking{
		{Slot: "r1", Workshop: "B1", Status: "confirmed"},
		{Slot: "r2", Workshop: "C2", Status: "waitlisted", WaitlistPosition: 2},
	}
	cal, err := parseICS(Calendar(ev, regID, bookings))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	if p, _ := cal.get("METHOD"); p.value != "PUBLISH" {
		t.Errorf("METHOD = %q, want PUBLISH", p.value)
	}
	var tz *icsComponent
	events := map[string]*icsComponent{}
	for _, c := range cal.subs {
		switch c.name {
		case "VTIMEZONE":
			tz = c
		case "VEVENT":
			uid, _ := c.get("UID")
			events[uid.value] = c
		}
	}
	if tz == nil {
		t.Fatal("no VTIMEZONE")
	}
	if p, _ := tz.get("TZID"); p.value != "Europe/Berlin" {
		t.Errorf("VTIMEZONE TZID = %q, want Europe/Berlin", p.value)
	}
	if !hasObservance(tz, "DAYLIGHT", "20250330T020000", "+0100", "+0200") ||
		!hasObservance(tz, "STANDARD", "20251026T030000", "+0200", "+0100") {
		t.Errorf("VTIMEZONE lacks the 2025 CEST/CET changes")
	}
	tests := []struct {
		uid, start, end, summary, location string
	}{
		{regID + "-event@fachtag", "20250626T093000", "20250626T160000", ev.Title, "Tagungszentrum, Juri-Gagarin-Ring 1, Erfurt"},
		{regID + "-r1@fachtag", "20250626T130000", "20250626T143000", "Ausbildung, Beruf; Zukunft – " + ev.Title, "Raum 2, Tagungszentrum, Juri-Gagarin-Ring 1, Erfurt"},
	}
	if len(events) != len(tests) {
		t.Errorf("got %d VEVENTs, want %d (waitlisted bookings have none)", len(events), len(tests))
	}
	for _, tt := range tests {
		ve, ok := events[tt.uid]
		if !ok {
			t.Errorf("no VEVENT with UID %s", tt.uid)
			continue
		}
		for prop, want := range map[string]string{"DTSTART": tt.start, "DTEND": tt.end} {
			p, _ := ve.get(prop)
			if p.params != "TZID=Europe/Berlin" || p.value != want {
				t.Errorf("%s %s = %s:%s, want TZID=Europe/Berlin:%s", tt.uid, prop, p.params, p.value, want)
			}
		}
		if p, _ := ve.get("SUMMARY"); unescapeText(p.value) != tt.summary {
			t.Errorf("%s SUMMARY = %q, want %q", tt.uid, unescapeText(p.value), tt.summary)
		}
		if p, _ := ve.get("LOCATION"); unescapeText(p.value) != tt.location {
			t.Errorf("%s LOCATION = %q, want %q", tt.uid, unescapeText(p.value), tt.location)
		}
		if _, ok := ve.get("DTSTAMP"); !ok {
			t.Errorf("%s has no DTSTAMP", tt.uid)
		}
	}
	if p, _ := events[regID+"-event@fachtag"].get("DESCRIPTION"); p.value != `Vorträge\, Workshops\; Podium\nund Austausch` {
		t.Errorf("DESCRIPTION = %q, want commas, semicolons and newline escaped", p.value)
	}
}

func hasObservance(tz *icsComponent, kind, start, from, to string) bool {
	for _, o := range tz.subs {
		s, _ := o.get("DTSTART")
		f, _ := o.get("TZOFFSETFROM")
		tt, _ := o.get("TZOFFSETTO")
		if o.name == kind && s.value == start && f.value == from && tt.value == to {
			return true
		}
	}
	return false
}

func TestFold(t *testing.T) {
	tests := []struct {
		name string
		in   string
	}{
		{"short", "SUMMARY:kurz"},
		{"exactly 75", "SUMMARY:" + strings.Repeat("x", 67)},
		{"ascii long", "SUMMARY:" + strings.Repeat("abcdefghij", 30)},
		{"umlauts across the edge", "SUMMARY:" + strings.Repeat("ä", 100)},
		{"emoji", "SUMMARY:" + strings.Repeat("🎉", 50)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := fold(tt.in)
			for i, l := range strings.Split(got, "\r\n") {
				if len(l) > 75 {
					t.Errorf("line %d has %d octets, want ≤ 75", i, len(l))
				}
				if !utf8.ValidString(l) {
					t.Errorf("line %d splits a UTF-8 sequence: %q", i, l)
				}
			}
			if unfolded := strings.ReplaceAll(got, "\r\n ", ""); unfolded != tt.in {
				t.Errorf("unfolded = %q, want %q", unfolded, tt.in)
			}
		})
	}
}

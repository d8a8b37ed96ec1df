package mail

import (
	"bytes"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/fachtag/fachtag/internal/event"
	"github.com/fachtag/fachtag/internal/registration"
)

// Calendar returns an iCalendar file (RFC 5545, METHOD:PUBLISH) with one
// VEVENT for the whole event and one per confirmed workshop booking. UIDs
// are derived from the registration and slot, so a later file (after a
// swap) updates the entries a calendar already holds instead of adding new
// ones.
func Calendar(ev *event.Event, regID string, bookings []Booking) []byte {
	loc := ev.Location()
	tzid := loc.String()
	stamp := time.Now().UTC().Format("20060102T150405Z")
	w := &icsWriter{}
	w.begin()
	writeTimezone(w, loc, ev.StartsAt, ev.StartsAt)
	w.vevent(vevent{
		uid: regID + "-event@fachtag", stamp: stamp, tzid: tzid, loc: loc,
		start: ev.StartsAt, end: ev.EndsAt, summary: ev.Title,
		location:    joinNonEmpty(", ", ev.Venue.Name, ev.Venue.Address),
		description: ev.Description,
	})
	for _, b := range bookings {
		if registration.Status(b.Status) != registration.Confirmed {
			continue
		}
		if v, ok := workshopEvent(ev, b); ok {
			v.uid, v.stamp, v.tzid, v.loc = regID+"-"+b.Slot+"@fachtag", stamp, tzid, loc
			w.vevent(v)
		}
	}
	w.line("END:VCALENDAR")
	return w.buf.Bytes()
}

// Feed returns the calendar feed of events (RFC 5545, METHOD:PUBLISH)
// named name: one VEVENT per event, its UID made of the slug, so a
// subscribed calendar updates the entry when the event changes; page gives
// the address of an event's public page.
func Feed(events []*event.Event, name string, page func(slug string) string) []byte {
	stamp := time.Now().UTC().Format("20060102T150405Z")
	w := &icsWriter{}
	w.begin()
	w.line("X-WR-CALNAME:" + escapeText(name))
	zones := map[string][2]time.Time{} // zone → first and last start in it
	var order []*time.Location
	for _, ev := range events {
		loc := ev.Location()
		span, seen := zones[loc.String()]
		if !seen {
			order, span = append(order, loc), [2]time.Time{ev.StartsAt, ev.StartsAt}
		}
		zones[loc.String()] = [2]time.Time{minTime(span[0], ev.StartsAt), maxTime(span[1], ev.StartsAt)}
	}
	for _, loc := range order {
		span := zones[loc.String()]
		writeTimezone(w, loc, span[0], span[1])
	}
	for _, ev := range events {
		loc := ev.Location()
		url := page(ev.Slug)
		w.vevent(vevent{uid: ev.Slug + "@fachtag", stamp: stamp, tzid: loc.String(), loc: loc,
			start: ev.StartsAt, end: ev.EndsAt, summary: ev.Title, url: url,
			location:    joinNonEmpty(", ", ev.Venue.Name, ev.Venue.Address),
			description: joinNonEmpty("\n\n", ev.Description, url)})
	}
	w.line("END:VCALENDAR")
	return w.buf.Bytes()
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

type vevent struct {
	uid, stamp, tzid               string
	loc                            *time.Location
	start, end                     time.Time
	summary, location, description string
	url                            string // the event's page; "" for none
}

// workshopEvent describes a booked workshop at its slot's times.
func workshopEvent(ev *event.Event, b Booking) (vevent, bool) {
	ws, ok := ev.Workshop(b.Workshop)
	if !ok {
		return vevent{}, false
	}
	slot, ok := ev.Slot(ws.SlotKey)
	if !ok {
		return vevent{}, false
	}
	desc := ws.Description
	if len(ws.Hosts) > 0 {
		desc = joinNonEmpty("\n\n", desc, strings.Join(ws.Hosts, ", "))
	}
	return vevent{
		start: slot.StartsAt, end: slot.EndsAt,
		summary:     ws.Title + " – " + ev.Title,
		location:    joinNonEmpty(", ", ws.Room, ev.Venue.Name, ev.Venue.Address),
		description: desc,
	}, true
}

// icsWriter writes content lines with CRLF, folded at 75 octets.
type icsWriter struct{ buf bytes.Buffer }

func (w *icsWriter) line(s string) {
	w.buf.WriteString(fold(s))
	w.buf.WriteString("\r\n")
}

// begin writes the calendar's opening lines.
func (w *icsWriter) begin() {
	w.line("BEGIN:VCALENDAR")
	w.line("VERSION:2.0")
	w.line("PRODID:-//fachtag//fachtag//DE")
	w.line("CALSCALE:GREGORIAN")
	w.line("METHOD:PUBLISH")
}

func (w *icsWriter) vevent(v vevent) {
	w.line("BEGIN:VEVENT")
	w.line("UID:" + v.uid)
	w.line("DTSTAMP:" + v.stamp)
	w.line("DTSTART;TZID=" + v.tzid + ":" + v.start.In(v.loc).Format("20060102T150405"))
	w.line("DTEND;TZID=" + v.tzid + ":" + v.end.In(v.loc).Format("20060102T150405"))
	w.line("SUMMARY:" + escapeText(v.summary))
	if v.location != "" {
		w.line("LOCATION:" + escapeText(v.location))
	}
	if v.description != "" {
		w.line("DESCRIPTION:" + escapeText(v.description))
	}
	if v.url != "" {
		w.line("URL:" + v.url)
	}
	w.line("STATUS:CONFIRMED")
	w.line("TRANSP:OPAQUE")
	w.line("END:VEVENT")
}

// fold breaks a content line so that no physical line exceeds 75 octets,
// never inside a UTF-8 sequence; continuation lines start with a space.
func fold(s string) string {
	const limit = 75
	if len(s) <= limit {
		return s
	}
	var b strings.Builder
	width := limit
	for len(s) > width {
		cut := width
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		b.WriteString(s[:cut])
		b.WriteString("\r\n ")
		s = s[cut:]
		width = limit - 1 // the leading space counts
	}
	b.WriteString(s)
	return b.String()
}

// escapeText escapes a TEXT value (RFC 5545 §3.3.11).
var textEscaper = strings.NewReplacer(`\`, `\\`, `;`, `\;`, `,`, `\,`, "\r\n", `\n`, "\n", `\n`, "\r", `\n`)

func escapeText(s string) string { return textEscaper.Replace(s) }

func joinNonEmpty(sep string, parts ...string) string {
	var keep []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			keep = append(keep, p)
		}
	}
	return strings.Join(keep, sep)
}

// writeTimezone writes a VTIMEZONE whose observances are the zone's real
// offset changes from the year before first to the year after last, taken
// from Go's zone database, so any IANA zone works, not only Berlin.
func writeTimezone(w *icsWriter, loc *time.Location, first, last time.Time) {
	from := time.Date(first.In(loc).Year()-1, 1, 1, 0, 0, 0, 0, loc)
	to := time.Date(last.In(loc).Year()+2, 1, 1, 0, 0, 0, 0, loc)
	w.line("BEGIN:VTIMEZONE")
	w.line("TZID:" + loc.String())
	ts := transitions(from, to)
	if len(ts) == 0 {
		name, off := from.Zone()
		w.observance("STANDARD", "19700101T000000", off, off, name)
	}
	for _, t := range ts {
		kind := "STANDARD"
		if t.at.IsDST() {
			kind = "DAYLIGHT"
		}
		name, after := t.at.Zone()
		onset := t.at.UTC().Add(time.Duration(t.before) * time.Second).Format("20060102T150405")
		w.observance(kind, onset, t.before, after, name)
	}
	w.line("END:VTIMEZONE")
}

func (w *icsWriter) observance(kind, onset string, from, to int, name string) {
	w.line("BEGIN:" + kind)
	w.line("DTSTART:" + onset)
	w.line("TZOFFSETFROM:" + utcOffset(from))
	w.line("TZOFFSETTO:" + utcOffset(to))
	w.line("TZNAME:" + escapeText(name))
	w.line("END:" + kind)
}

type transition struct {
	at     time.Time // first instant of the new offset
	before int       // offset in seconds before it
}

// transitions finds the offset changes in [from, to): a daily scan, then
// bisection to the second.
func transitions(from, to time.Time) []transition {
	var ts []transition
	_, prev := from.Zone()
	for t := from; t.Before(to); {
		next := t.Add(24 * time.Hour)
		if _, off := next.Zone(); off != prev {
			at := bisect(t, next, prev)
			ts = append(ts, transition{at: at, before: prev})
			prev = off
		}
		t = next
	}
	return ts
}

func bisect(lo, hi time.Time, before int) time.Time {
	for hi.Sub(lo) > time.Second {
		mid := lo.Add(hi.Sub(lo) / 2).Truncate(time.Second)
		if _, off := mid.Zone(); off == before {
			lo = mid
		} else {
			hi = mid
		}
	}
	return hi
}

func utcOffset(sec int) string {
	sign := '+'
	if sec < 0 {
		sign, sec = '-', -sec
	}
	return fmt.Sprintf("%c%02d%02d", sign, sec/3600, sec/60%60)
}

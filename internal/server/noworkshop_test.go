package server_test

import (
	"bytes"
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/fachtag/fachtag/internal/event"
	"github.com/fachtag/fachtag/internal/messages"
)

// withoutWorkshops turns the open event into an evening without
// workshops (a mentoring evening: only the event seat counts), with two
// seats so that the third person waits.
func withoutWorkshops(f *event.File) {
	f.Title, f.Description = "Mentoring-Abend", "Mentees und Mentor*innen lernen sich kennen."
	f.Slots, f.Workshops, f.Capacity = nil, nil, 2
}

// workshopWord is the vocabulary an event without workshops must not show.
var workshopWord = regexp.MustCompile(`(?i)workshop`)

// TestNoWorkshopVocabulary signs people up for an event without
// workshops through the API and the form, in German and English, fills
// the event so one waits, cancels one (the waiting one moves up), asks
// for the link again and sends a reminder and an organiser message; then
// it reads every page a participant and an organiser reach from there,
// every mail and the API's answers: none may speak of workshops.
func TestNoWorkshopVocabulary(t *testing.T) {
	of := newOrgFixtureWith(t, withoutWorkshops)
	of.settle()
	sink := of.startMail()
	first := of.register(of.person(nil))
	if first.Status != "confirmed" || len(first.Bookings) != 0 {
		t.Fatalf("sign-up: got %+v, want confirmed without bookings", first)
	}
	form := url.Values{"language": {"en"}, "name": {"Ben Example"}, "email": {"ben@example.org"},
		"organisation": {"Jobcenter"}, "privacy": {"yes"}}
	second := of.registerByForm(form, "en")
	waiting := of.register(of.person(nil))
	if waiting.Status != "waitlisted" {
		t.Fatalf("third sign-up: got %q, want waitlisted", waiting.Status)
	}
	wantStatus(t, "cancel", of.postForm("/r/"+first.Token+"/cancel", url.Values{"confirm": {"yes"}}), http.StatusSeeOther)
	wantStatus(t, "resend", of.postForm("/events/"+slugOpen+"/link?lang=en", url.Values{"email": {"ben@example.org"}}), http.StatusOK)
	of.remindAndMessage()

	pages := of.crawlEvent(of.login("orgA"), "/", "/events/"+slugOpen, "/r/"+second, "/r/"+waiting.Token,
		"/events/"+slugOpen+"/registered", "/org/events/"+slugOpen+"/print/badges")
	for _, lang := range []string{"de", "en"} {
		for _, p := range pages {
			r := of.get(p+sep(p)+"lang="+lang, of.login("orgA")...)
			if m := workshopWord.FindString(visibleText(string(r.body))); m != "" {
				t.Errorf("%s (%s): shows %q:\n%s", p, lang, m, around(visibleText(string(r.body)), m))
			}
		}
	}
	wantReached(t, pages, "/events/"+slugOpen+"/register", "/events/"+slugOpen+"/link", "/r/"+second,
		"/org/events/"+slugOpen+"/checkin", "/org/events/"+slugOpen+"/lists/people/", "/org/events/"+slugOpen+"/dashboard",
		"/org/events/"+slugOpen+"/print/attendance")
	mails := of.drainOutbox(sink)
	var subjects []string
	for _, m := range mails {
		subjects = append(subjects, m.Subject)
	}
	wantReached(t, subjects, "Anmeldung bestätigt", "Registration confirmed", "Warteliste", "nachgerückt", "storniert",
		"Your registration link", "Erinnerung", "Bis bald")
	for _, m := range mails {
		if w := workshopWord.FindString(m.Subject + m.Text + visibleText(m.HTML)); w != "" {
			t.Errorf("mail %q to %v shows %q:\n%s", m.Subject, m.To, w, m.Text)
		}
	}
	for _, p := range []string{"/api/v1/events/" + slugOpen, "/api/v1/registrations/" + second} {
		if r := of.get(p); workshopWord.Match(jsonValues(r.body)) {
			t.Errorf("%s: a value speaks of workshops: %s", p, r.body)
		}
	}
	att := of.get("/org/events/"+slugOpen+"/print/attendance", of.login("orgA")...)
	wantContains(t, "attendance list", att, "Anwesenheitsliste: Mentoring-Abend", "Ben Example")
	csv := of.get("/org/events/"+slugOpen+"/export.csv", of.login("orgA")...)
	if head, _, _ := strings.Cut(string(csv.body), "\n"); workshopWord.MatchString(head) {
		t.Errorf("export columns: %s", head)
	}
	of.checkXLSX(t)
}

// checkXLSX wants the workbook of an event without workshops to be one
// sheet whose header speaks of none.
func (of *orgFixture) checkXLSX(t *testing.T) {
	t.Helper()
	x := of.get("/org/events/"+slugOpen+"/export.xlsx", of.login("orgA")...)
	f, err := excelize.OpenReader(bytes.NewReader(x.body))
	if err != nil {
		t.Fatalf("open xlsx: %v", err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	rows, err := f.GetRows(sheets[0])
	if err != nil || len(sheets) != 1 || len(rows) == 0 || workshopWord.MatchString(strings.Join(rows[0], " ")+strings.Join(sheets, " ")) {
		t.Errorf("xlsx sheets %v, header %v (%v): want one sheet, no workshop column", sheets, rows, err)
	}
}

// wantReached fails for each text no item contains.
func wantReached(t *testing.T, items []string, prefixes ...string) {
	t.Helper()
	for _, p := range prefixes {
		if !slices.ContainsFunc(items, func(s string) bool { return strings.Contains(s, p) }) {
			t.Errorf("never reached %q in %q", p, items)
		}
	}
}

// remindAndMessage sets a reminder that is due at once and queues it, and
// sends every participant an organiser message.
func (of *orgFixture) remindAndMessage() {
	of.t.Helper()
	base := "/org/events/" + slugOpen + "/messages"
	r := of.postForm(base+"/reminder", url.Values{"reminder_days": {"30"}}, of.login("orgA")...)
	wantStatus(of.t, "reminder", r, http.StatusSeeOther)
	if _, err := messages.QueueDueReminders(context.Background(), of.pool, time.Now()); err != nil {
		of.t.Fatal(err)
	}
	r = of.postForm(base, url.Values{"audience": {"all"}, "subject": {"Bis bald"}, "body": {"Hallo {name}, {link}"},
		"action": {"send"}}, of.login("orgA")...)
	wantStatus(of.t, "organiser message", r, http.StatusSeeOther)
}

// crawlEvent follows every link from start that stays on the open event's
// pages (public, personal and organiser), GET only, and returns the paths
// it reached. The setup and the allocation pages are left out: setup is
// where an organiser would add workshops.
func (of *orgFixture) crawlEvent(cookie []string, start ...string) []string {
	of.t.Helper()
	seen := map[string]bool{}
	queue := append([]string(nil), start...)
	var out []string
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		r := of.get(p, cookie...)
		if r.status >= 400 {
			of.t.Errorf("GET %s: %d", p, r.status)
		}
		out = append(out, p)
		if !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") {
			continue
		}
		for _, m := range hrefs.FindAllStringSubmatch(string(r.body), -1) {
			next := eventLink(html.UnescapeString(m[1]))
			if next != "" && !seen[next] {
				seen[next] = true
				queue = append(queue, next)
			}
		}
	}
	return out
}

var hrefs = regexp.MustCompile(`<a [^>]*href="([^"]+)"`)

// eventLink keeps a link on the open event's pages without its language
// and fragment; "" for anything else.
func eventLink(href string) string {
	u, err := url.Parse(href)
	if err != nil || u.Host != "" {
		return ""
	}
	ok := strings.HasPrefix(u.Path, "/events/"+slugOpen) || strings.HasPrefix(u.Path, "/r/") ||
		strings.HasPrefix(u.Path, "/org/events/"+slugOpen+"/")
	for _, skip := range []string{"/setup", "/allocations", "/event.json", "/export.", "/qr.png", "/calendar.ics"} {
		ok = ok && !strings.Contains(u.Path, skip)
	}
	if !ok {
		return ""
	}
	q := u.Query()
	q.Del("lang")
	u.RawQuery, u.Fragment = q.Encode(), ""
	return u.RequestURI()
}

func sep(p string) string {
	if strings.Contains(p, "?") {
		return "&"
	}
	return "?"
}

var (
	scripts  = regexp.MustCompile(`(?s)<(script|style)[^>]*>.*?</(script|style)>`)
	internal = regexp.MustCompile(`\s(href|src|action|class|id|for|name|value|data-[a-z-]+|aria-(labelledby|describedby|controls))="[^"]*"`)
	tags     = regexp.MustCompile(`<[^>]*>`)
)

// visibleText is what a reader or a screen reader meets in a page: the
// text and the attributes that are read out (labels, titles, alt texts),
// without addresses, class names and field names.
func visibleText(page string) string {
	s := internal.ReplaceAllString(scripts.ReplaceAllString(page, ""), "")
	s = strings.NewReplacer(`aria-label="`, "> ", `title="`, "> ", `alt="`, "> ", `placeholder="`, "> ").Replace(s)
	return html.UnescapeString(tags.ReplaceAllString(s, " "))
}

// jsonValues are the string values of a JSON document without its keys
// (the keys "slots" and "workshops" are the contract's shape).
func jsonValues(b []byte) []byte {
	return regexp.MustCompile(`"[a-z_]+":`).ReplaceAll(b, nil)
}

func around(s, m string) string {
	i := strings.Index(s, m)
	return strings.Join(strings.Fields(s[max(0, i-200):min(len(s), i+200)]), " ")
}

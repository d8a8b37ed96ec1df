package server_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/fachtag/fachtag/internal/mail/mailtest"
)

func TestMailOnRegistration(t *testing.T) {
	tests := []struct {
		name     string
		language string // in the body; "" for the default
		header   []string
		subject  string
		text     []string
	}{
		{"German by default", "", nil, "Anmeldung bestätigt: Fachtag Teilhabe",
			[]string{"Guten Tag Anna Beispiel", "Ihr Platz ist bestätigt", "Ausbildung und Betrieb", "Anmeldung ansehen, Workshop tauschen oder stornieren"}},
		{"English by body", "en", nil, "Registration confirmed: Fachtag Teilhabe",
			[]string{"Anna Beispiel", "Your place is confirmed", "Ausbildung und Betrieb"}},
		{"English by Accept-Language", "", []string{"Accept-Language", "en"}, "Registration confirmed: Fachtag Teilhabe",
			[]string{"Your place is confirmed"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, fixtureOpts{})
			sink := f.startMail()
			body := map[string]any{"name": "Anna Beispiel", "email": "anna@example.org",
				"consents": map[string]any{"privacy": true}, "choices": map[string]string{"r1": "B1"}}
			if tt.language != "" {
				body["language"] = tt.language
			}
			reg := f.register(body, tt.header...)
			msgs := f.drainOutbox(sink)
			if len(msgs) != 1 {
				t.Fatalf("got %d mails, want 1: %v", len(msgs), subjects(msgs))
			}
			m := msgs[0]
			if len(m.To) != 1 || m.To[0] != "anna@example.org" {
				t.Errorf("envelope To %v, want [anna@example.org]", m.To)
			}
			if m.From != "noreply@fachtag.test" {
				t.Errorf("envelope From %q, want noreply@fachtag.test", m.From)
			}
			if from := m.Header.Get("From"); !strings.Contains(from, "fachtag") || !strings.Contains(from, "<noreply@fachtag.test>") {
				t.Errorf("From header %q, want fachtag <noreply@fachtag.test>", from)
			}
			if !strings.HasSuffix(m.MessageID, "@fachtag.test>") {
				t.Errorf("Message-ID %q, want …@fachtag.test>", m.MessageID)
			}
			if m.Subject != tt.subject {
				t.Errorf("subject %q, want %q", m.Subject, tt.subject)
			}
			for _, s := range tt.text {
				if !strings.Contains(m.Text, s) {
					t.Errorf("text lacks %q:\n%s", s, m.Text)
				}
			}
			if m.HTML == "" {
				t.Error("no HTML part")
			}
			if !hasCalendar(m) {
				t.Errorf("no .ics attachment; attachments %+v", m.Attachments)
			}
			path := personalLink(t, f, m.Text)
			if path != "/r/"+reg.Token {
				t.Errorf("mailed link %s, want the token of the 201 reply", path)
			}
			if !strings.Contains(m.HTML, f.url+path) {
				t.Error("HTML part lacks the personal link")
			}
			r := f.getManage(path)
			wantStatus(t, "mailed link", r, http.StatusOK)
			wantContains(t, "mailed link", r, "Anna Beispiel", "Ausbildung und Betrieb")
		})
	}
}

func hasCalendar(m mailtest.Received) bool {
	for _, a := range m.Attachments {
		if strings.HasSuffix(a.Filename, ".ics") && strings.HasPrefix(a.ContentType, "text/calendar") &&
			strings.Contains(string(a.Data), "BEGIN:VCALENDAR") {
			return true
		}
	}
	return false
}

func subjects(msgs []mailtest.Received) []string {
	var out []string
	for _, m := range msgs {
		out = append(out, strings.Join(m.To, ",")+": "+m.Subject)
	}
	return out
}

func TestMailOnCancelAndPromotion(t *testing.T) {
	f := newFixture(t, fixtureOpts{})
	sink := f.startMail()
	holder := f.register(map[string]any{"name": "Anna Beispiel", "email": "anna@example.org",
		"consents": map[string]any{"privacy": true}, "choices": map[string]string{"r1": "A1"}})
	waiting := f.register(map[string]any{"name": "Ben Beispiel", "email": "ben@example.org", "language": "en",
		"consents": map[string]any{"privacy": true}, "choices": map[string]string{"r1": "A1"}})
	msgs := f.drainOutbox(sink)
	// Ben holds an event seat and waits for A1: one confirmation that
	// mentions the waiting list.
	if got := mailsTo(msgs, "ben@example.org"); len(got) != 1 || !strings.Contains(got[0].Text, "waiting list") {
		t.Errorf("waiting person: got %v, want one mail that mentions the waiting list", subjects(got))
	}
	sink.Reset()

	if r := f.do(http.MethodDelete, "/api/v1/registrations/"+holder.Token, nil); r.status != http.StatusOK {
		t.Fatalf("DELETE: %v", r)
	}
	msgs = f.drainOutbox(sink)
	if len(msgs) != 2 {
		t.Fatalf("after cancel: got %d mails %v, want 2 (cancelled, promoted)", len(msgs), subjects(msgs))
	}
	cancelled := mailsTo(msgs, "anna@example.org")
	if len(cancelled) != 1 || cancelled[0].Subject != "Anmeldung storniert: Fachtag Teilhabe" {
		t.Errorf("canceller: got %v, want exactly one cancelled mail", subjects(cancelled))
	} else if hasCalendar(cancelled[0]) {
		t.Error("cancelled mail carries a calendar file")
	}
	promoted := mailsTo(msgs, "ben@example.org")
	if len(promoted) != 1 || !strings.HasPrefix(promoted[0].Subject, "You have moved up: Fachtag Teilhabe") {
		t.Fatalf("promoted person: got %v, want exactly one promoted mail (in English)", subjects(promoted))
	}
	p := promoted[0]
	if !strings.Contains(p.Text, "Beratung im ländlichen Raum") {
		t.Errorf("promoted mail does not name the workshop:\n%s", p.Text)
	}
	if !hasCalendar(p) {
		t.Error("promoted mail lacks the calendar file")
	}
	// The promoted mail carries a fresh link; it and the old one both work.
	path := personalLink(t, f, p.Text)
	for _, token := range []string{strings.TrimPrefix(path, "/r/"), waiting.Token} {
		reg := decode[registrationJSON](t, f.get("/api/v1/registrations/"+token))
		if b, ok := reg.booking("r1", "confirmed"); !ok || b.Workshop != "A1" {
			t.Errorf("token %.6s…: bookings %+v, want A1 confirmed", token, reg.Bookings)
		}
	}
	r := f.getManage(path + "?lang=en")
	wantContains(t, "promoted link", r, "Ben Beispiel", "Seat confirmed")
}

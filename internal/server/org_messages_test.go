package server_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// outboxOf lists the recipients of the outbox rows of one message.
func (of *orgFixture) outboxOf(where string, args ...any) []string {
	of.t.Helper()
	return of.column(`SELECT recipient FROM outbox WHERE `+where+` ORDER BY recipient`, args...)
}

func TestMessages(t *testing.T) {
	of := newOrgFixture(t)
	of.settle()
	sink := of.startMail()
	a := of.login("orgA")
	ctx := context.Background()
	path := "/org/events/" + slugOpen + "/messages"

	// p1 holds A1's only seat, p2 waits for it, p3 is in B1.
	p1 := of.person(map[string]string{"r1": "A1"})
	of.register(p1)
	p2 := of.person(map[string]string{"r1": "A1"})
	if r := of.register(p2); r.Bookings[0].Status != "waitlisted" {
		t.Fatalf("p2 booking: %+v, want waitlisted", r.Bookings)
	}
	p3 := of.person(map[string]string{"r1": "B1"})
	of.register(p3)
	of.drainOutbox(sink)
	email := func(p map[string]any) string { return p["email"].(string) }
	name := func(p map[string]any) string { return p["name"].(string) }

	if r := of.get(path, a...); r.status != 200 || !strings.Contains(string(r.body), `value="waitlist:A1"`) {
		t.Fatalf("messages page: %d", r.status)
	}
	// The waiting list's page links to a message to exactly that list.
	ws := of.get("/org/events/"+slugOpen+"/lists/workshops/A1", a...)
	mailLink := path + "?audience=waitlist:A1&amp;lang=de"
	if !strings.Contains(string(ws.body), mailLink) {
		t.Errorf("workshop page lacks the link %s", mailLink)
	}
	if r := of.get(html.UnescapeString(mailLink), a...); !strings.Contains(string(r.body), `value="waitlist:A1" selected`) {
		t.Errorf("the waiting list is not preselected")
	}
	draft := url.Values{"audience": {"workshop:A1"}, "subject": {"Raumänderung"}, "body": {"Der Workshop findet in Raum 201 statt.\n\nBis bald!"}}

	t.Run("preview shows a real participant's mail and sends nothing", func(t *testing.T) {
		before := of.counts().outbox
		f := cloneValues(draft)
		f.Set("action", "preview")
		r := of.postForm(path, f, a...)
		body := string(r.body)
		for _, want := range []string{"Guten Tag " + name(p1) + ",", "Raum 201", "Betreff: Raumänderung", `value="send"`, "An 1 Personen senden"} {
			if !strings.Contains(body, want) {
				t.Errorf("preview lacks %q", want)
			}
		}
		if after := of.counts().outbox; r.status != 200 || after != before {
			t.Errorf("preview: status %d, outbox %d → %d", r.status, before, after)
		}
	})

	t.Run("test send goes only to the organiser", func(t *testing.T) {
		before := of.counts().outbox
		f := cloneValues(draft)
		f.Set("action", "test")
		r := of.postForm(path, f, a...)
		if r.status != http.StatusOK {
			t.Fatalf("test send: %v", r)
		}
		// The draft stays: subject, text and the chosen recipients.
		for _, want := range []string{`value="Raumänderung"`, html.EscapeString(f.Get("body")),
			`value="` + f.Get("audience") + `" selected`, "Die Testnachricht ist an Ihre eigene Adresse unterwegs."} {
			if !strings.Contains(string(r.body), want) {
				t.Errorf("page after the test send lacks %q", want)
			}
		}
		if after := of.counts().outbox; after != before+1 {
			t.Fatalf("outbox grew by %d, want 1", after-before)
		}
		got := of.outboxOf(`kind = 'org_message' AND org_message_id IS NULL AND registration_id IS NULL`)
		if !slices.Equal(got, []string{emailOf("orgA")}) {
			t.Errorf("test mail to %q, want only %s", got, emailOf("orgA"))
		}
		msgs := mailsTo(of.drainOutbox(sink), emailOf("orgA"))
		// The test mail greets the sample person, never a real participant.
		if len(msgs) != 1 || msgs[0].Subject != "[Test] Raumänderung" || !strings.Contains(msgs[0].Text, "Guten Tag Erika Mustermann") ||
			strings.Contains(msgs[0].Text, name(p1)) {
			t.Errorf("test mail: %+v", msgs)
		}
	})

	cases := []struct {
		audience string
		want     []string
	}{
		{"workshop:A1", []string{email(p1)}},
		{"waitlist:A1", []string{email(p2)}},
		{"workshop:B1", []string{email(p3)}},
		{"all", []string{email(p1), email(p2), email(p3)}},
	}
	for _, c := range cases {
		t.Run("send to "+c.audience, func(t *testing.T) {
			f := cloneValues(draft)
			f.Set("audience", c.audience)
			f.Set("subject", "An "+c.audience)
			f.Set("action", "send")
			r := of.postForm(path, f, a...)
			if r.status != http.StatusSeeOther {
				t.Fatalf("send: %v", r)
			}
			var id int64
			if err := of.pool.QueryRow(ctx, `SELECT id FROM org_messages WHERE subject = $1`, "An "+c.audience).Scan(&id); err != nil {
				t.Fatal(err)
			}
			got := of.outboxOf(`org_message_id = $1 AND registration_id IS NOT NULL`, id)
			want := slices.Clone(c.want)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("recipients = %q, want %q", got, want)
			}
		})
	}
	var got []string
	for _, m := range mailsTo(of.drainOutbox(sink), email(p2)) {
		if strings.HasPrefix(m.Subject, "An ") && strings.Contains(m.Text, "Raum 201") && strings.Contains(m.HTML, "Raum 201") {
			got = append(got, m.Subject)
		}
	}
	if slices.Sort(got); !slices.Equal(got, []string{"An all", "An waitlist:A1"}) {
		t.Errorf("p2 got the messages %q, want the waiting list's and everyone's", got)
	}
	if r := of.get(path, a...); !strings.Contains(string(r.body), "An waitlist:A1") {
		t.Errorf("history does not list the sent message")
	}

	t.Run("placeholders in test and real sends", func(t *testing.T) {
		f := url.Values{"audience": {"workshop:B1"}, "subject": {"Für {name}"},
			"body": {"Hallo {name}, zu {event}: {link}"}, "action": {"test"}}
		if r := of.postForm(path, f, a...); r.status != http.StatusOK {
			t.Fatalf("test send: %v", r)
		}
		f.Set("action", "send")
		if r := of.postForm(path, f, a...); r.status != http.StatusSeeOther {
			t.Fatalf("send: %v", r)
		}
		msgs := of.drainOutbox(sink)
		test := mailsTo(msgs, emailOf("orgA"))
		last := test[len(test)-1]
		if last.Subject != "[Test] Für Erika Mustermann" || !strings.Contains(last.Text, "Hallo Erika Mustermann, zu Fachtag Teilhabe: [Ihr persönlicher Link]") {
			t.Errorf("test mail: %q\n%s", last.Subject, last.Text)
		}
		real := mailsTo(msgs, email(p3))
		got := real[len(real)-1]
		if got.Subject != "Für "+name(p3) || !strings.Contains(got.Text, "Hallo "+name(p3)+", zu Fachtag Teilhabe: "+of.url+"/r/") {
			t.Fatalf("real mail: %q\n%s", got.Subject, got.Text)
		}
		// The link in the mail is a working personal link.
		i := strings.Index(got.Text, of.url+"/r/")
		link := strings.Fields(got.Text[i:])[0]
		if r := of.get(strings.TrimPrefix(link, of.url)); r.status != http.StatusOK {
			t.Errorf("GET %s: %d", link, r.status)
		}
	})

	t.Run("invalid drafts change nothing", func(t *testing.T) {
		before := of.counts().outbox
		for _, f := range []url.Values{
			{"audience": {"workshop:A1"}, "subject": {""}, "body": {"x"}, "action": {"send"}},
			{"audience": {"workshop:ZZ"}, "subject": {"x"}, "body": {"x"}, "action": {"send"}},
			{"audience": {"waitlist:C2"}, "subject": {"x"}, "body": {"x"}, "action": {"send"}},
		} {
			if r := of.postForm(path, f, a...); r.status != http.StatusUnprocessableEntity {
				t.Errorf("%v: got %d, want 422", f, r.status)
			}
		}
		if r := of.postForm(path, url.Values{"audience": {"all"}, "subject": {"x"}, "body": {"x"}, "action": {"send"}}, of.login("orgB")...); r.status != 404 {
			t.Errorf("orgB: got %d, want 404", r.status)
		}
		if after := of.counts().outbox; after != before {
			t.Errorf("outbox grew by %d", after-before)
		}
	})

	t.Run("reminder setting", func(t *testing.T) {
		rp := path + "/reminder"
		if r := of.postForm(rp, url.Values{"reminder_days": {"99"}}, a...); r.status != 422 || !strings.Contains(string(r.body), `id="reminder_days-error"`) {
			t.Errorf("99 days: got %d, want 422 beside the field", r.status)
		}
		for _, c := range []struct {
			in   string
			want any
		}{{"7", 7}, {"", nil}} {
			if r := of.postForm(rp, url.Values{"reminder_days": {c.in}}, a...); r.status != http.StatusSeeOther {
				t.Fatalf("%q: %v", c.in, r)
			}
			var days *int
			_ = of.pool.QueryRow(ctx, `SELECT reminder_days FROM events WHERE slug = $1`, slugOpen).Scan(&days)
			if (c.want == nil) != (days == nil) || (days != nil && *days != c.want.(int)) {
				t.Errorf("%q: reminder_days = %v, want %v", c.in, days, c.want)
			}
		}
	})
}

func TestDashboard(t *testing.T) {
	of := newOrgFixture(t)
	of.settle()
	a := of.login("orgA")
	path := "/org/events/" + slugOpen + "/dashboard"
	r := of.get(path, a...)
	if r.status != 200 || !strings.Contains(string(r.body), "Noch keine Anmeldungen") || strings.Contains(string(r.body), "<svg") {
		t.Fatalf("empty dashboard: %d", r.status)
	}
	of.register(of.person(map[string]string{"r1": "A1"}))
	of.register(of.person(map[string]string{"r1": "A1"}))
	of.register(of.person(map[string]string{"r1": "B1", "r2": "C2"}))
	_, err := of.pool.Exec(context.Background(), `INSERT INTO allocation_runs (event_id, options, fingerprint, result)
		SELECT id, '{}', '\x00', '{"profile": {"1": 5, "2": 2, "none": 1}}' FROM events WHERE slug = $1`, slugOpen)
	if err != nil {
		t.Fatal(err)
	}
	_, err = of.pool.Exec(context.Background(), `UPDATE registrations SET checked_in_at = now()
		WHERE id = (SELECT id FROM registrations ORDER BY seq LIMIT 1)`)
	checkIn := err == nil // the column comes with check-in; without it the section stays away
	r = of.get(path, a...)
	body := string(r.body)
	want := []string{`<svg class="chart"`, `<title id="chart-title">`, `<desc id="chart-desc">`, `id="signups-table"`,
		`<meter min="0" max="1" value="1"`, `id="profile-table"`, "1. Wunsch</th><td>5</td>"}
	if checkIn {
		want = append(want, "1 von 3 Bestätigten eingecheckt")
	}
	for _, w := range want {
		if !strings.Contains(body, w) {
			t.Errorf("dashboard lacks %q", w)
		}
	}
	if r.status != 200 {
		t.Errorf("status %d", r.status)
	}
	if r := of.get(path, of.login("orgB")...); r.status != 404 {
		t.Errorf("orgB: %d, want 404", r.status)
	}
}

package e2e_test

import (
	"bytes"
	"context"
	"net/url"
	"path"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

const scenario = "stadt-land-flucht-2024"

// brokenPage tells whether the page just loaded is the bare 500 reply.
func brokenPage(t *testing.T, ctx context.Context, status int64) bool {
	t.Helper()
	return status == 500 && pageText(t, ctx) == "internal error"
}

// TestParticipantPath walks a participant through the real pages in
// headless Chromium: event page, sign-up form, confirmation mail with
// calendar file and personal link, workshop swap, cancellation that
// promotes a waiting person, the form's error handling, accessibility smoke
// checks on every page, and screenshots at desktop and phone width.
func TestParticipantPath(t *testing.T) {
	chromium := chromiumPath(t)
	// Workshop A has one seat: the first participant takes it by swapping,
	// the second waits for it.
	s := startStack(t, scenario, map[string]int{"A": 1, "B": 3, "C": 2, "D": 2})
	ctx := newBrowser(t, chromium)

	eventURL := s.base + "/events/" + scenario
	const (
		p1Name  = "Erika Mustermann"
		p1Email = "erika.mustermann@example.org"
		p2Email = "jonas.wartend@example.org"
	)
	wsA, wsB := s.workshopTitle(t, "A"), s.workshopTitle(t, "B")
	var (
		token string // the first participant's token, from the mailed link
		link  string // the first participant's personal link, from the mail
	)

	ok := t.Run("1 event page", func(t *testing.T) {
		if got := navigate(t, ctx, eventURL+"?lang=de"); got != 200 {
			t.Fatalf("GET event page: status %d, want 200", got)
		}
		if got, want := get(t, ctx, "title", chromedp.Title()), s.ev.Title+" – fachtag"; got != want {
			t.Errorf("title = %q, want %q", got, want)
		}
		if got := text(t, ctx, "h1"); got != s.ev.Title {
			t.Errorf("h1 = %q, want %q", got, s.ev.Title)
		}
		type card struct {
			Title string `json:"title"`
			Seats string `json:"seats"`
		}
		cards := eval[[]card](t, ctx, "workshop cards", `[...document.querySelectorAll('li.workshop')].map(li => ({
			title: li.querySelector('h4').textContent.trim(),
			seats: (li.querySelector('.seats') || {textContent: ''}).textContent.trim()}))`)
		want := map[string]string{wsA: "1 Platz frei", wsB: "3 Plätze frei",
			s.workshopTitle(t, "C"): "2 Plätze frei", s.workshopTitle(t, "D"): "2 Plätze frei"}
		if len(cards) != len(want) {
			t.Errorf("got %d workshop cards, want %d: %+v", len(cards), len(want), cards)
		}
		for _, c := range cards {
			if c.Seats != want[c.Title] {
				t.Errorf("workshop %q shows seats %q, want %q", c.Title, c.Seats, want[c.Title])
			}
		}
		checkA11y(t, ctx, "event")
		screenshot(t, ctx, "event")

		resp := follow(t, ctx, "follow „Jetzt anmelden“", chromedp.Click(chromedp.CSS(`.cta a.button`)))
		if resp.Status != 200 || !strings.Contains(resp.URL, "/events/"+scenario+"/register") {
			t.Fatalf("„Jetzt anmelden“ led to %s (status %d), want the form", resp.URL, resp.Status)
		}
	})
	if !ok {
		return
	}

	ok = t.Run("2 register with the form", func(t *testing.T) {
		if got := text(t, ctx, "h1"); got != "Anmeldung: "+s.ev.Title {
			t.Errorf("form h1 = %q", got)
		}
		checkA11y(t, ctx, "form")
		screenshot(t, ctx, "form")
		do(t, ctx, "fill the form",
			chromedp.SendKeys(chromedp.ID("name"), p1Name),
			chromedp.SendKeys(chromedp.ID("email"), p1Email),
			chromedp.SendKeys(chromedp.ID("organisation"), "Beratungsstelle Nord"),
			chromedp.SetValue(chromedp.ID("q-organisation_type"), "Beratungsstelle"),
			chromedp.Click(chromedp.ID("ws-B")),
			chromedp.Click(chromedp.ID("privacy")),
		)
		resp := follow(t, ctx, "submit the form", chromedp.Click(chromedp.CSS(`form button[type=submit]`)))
		u, err := url.Parse(resp.URL)
		if err != nil || resp.Status != 200 || u.Path != "/events/"+scenario+"/registered" {
			t.Fatalf("after submit: %s (status %d), want the thank-you page; page says %q",
				resp.URL, resp.Status, pageText(t, ctx))
		}
		if got := text(t, ctx, `.success[role=status]`); !strings.HasPrefix(got, "Wir haben Ihnen gerade eine E-Mail geschickt.") {
			t.Errorf("thank-you notice = %q", got)
		}
		checkA11y(t, ctx, "registered")
		screenshot(t, ctx, "registered")
	})
	if !ok {
		return
	}

	ok = t.Run("3 confirmation mail and personal link", func(t *testing.T) {
		m := s.waitMail(t, p1Email, "Anmeldung bestätigt: ")
		if want := "Anmeldung bestätigt: " + s.ev.Title; m.Subject != want {
			t.Errorf("subject = %q, want %q", m.Subject, want)
		}
		var ics bool
		for _, a := range m.Attachments {
			if strings.HasSuffix(a.Filename, ".ics") && strings.HasPrefix(a.ContentType, "text/calendar") &&
				bytes.Contains(a.Data, []byte("BEGIN:VCALENDAR")) {
				ics = true
			}
		}
		if !ics {
			t.Errorf("confirmation mail has no .ics calendar attachment; attachments: %+v", m.Attachments)
		}
		if !strings.Contains(m.Text, wsB) || m.HTML == "" {
			t.Errorf("mail text lacks the workshop %q or the HTML part is empty:\n%s", wsB, m.Text)
		}
		var err error
		if link, err = personalLink(s.base, m.Text); err != nil {
			t.Fatalf("%v:\n%s", err, m.Text)
		}
		token = path.Base(link)
		var reg registrationJSON
		s.api(t, "GET", "/api/v1/registrations/"+token, nil, 200, &reg)
		if reg.Status != "confirmed" || len(reg.Bookings) != 1 || reg.Bookings[0].Workshop != "B" || reg.Bookings[0].Status != "confirmed" {
			t.Errorf("registration after the form: %+v, want confirmed with a seat in B", reg)
		}
		status := navigate(t, ctx, link)
		if brokenPage(t, ctx, status) {
			t.Fatal("manage page answered 500")
		}
		if status != 200 {
			t.Fatalf("open personal link: status %d; page says %q", status, pageText(t, ctx))
		}
		page := text(t, ctx, "main")
		for _, want := range []string{"Ihre Anmeldung", p1Name, p1Email, "Angemeldet", wsB} {
			if !strings.Contains(page, want) {
				t.Errorf("manage page lacks %q:\n%s", want, page)
			}
		}
		if got := text(t, ctx, `ul.bookings`); !strings.Contains(got, wsB) || !strings.Contains(got, "Platz sicher") {
			t.Errorf("bookings = %q, want a confirmed seat in %q", got, wsB)
		}
		checkA11y(t, ctx, "manage")
		screenshot(t, ctx, "manage")
	})
	if !ok {
		return
	}

	ok = t.Run("4 swap workshop", func(t *testing.T) {
		do(t, ctx, "choose workshop A", chromedp.Click(chromedp.ID("swap-A")))
		resp := follow(t, ctx, "submit the swap form", chromedp.Click(chromedp.CSS(`form.swap button[type=submit]`)))
		if resp.Status != 200 || !strings.Contains(resp.URL, "done=swapped") {
			t.Fatalf("after swap: %s (status %d); page says %q", resp.URL, resp.Status, pageText(t, ctx))
		}
		if got := text(t, ctx, `.success[role=status]`); !strings.HasPrefix(got, "Ihre Änderung ist gespeichert.") {
			t.Errorf("swap notice = %q", got)
		}
		got := text(t, ctx, `ul.bookings`)
		if !strings.Contains(got, wsA) || strings.Contains(got, wsB) {
			t.Errorf("bookings after swap = %q, want only %q", got, wsA)
		}
		checkA11y(t, ctx, "manage (swapped)")
		m := s.waitMail(t, p1Email, "Workshop gewechselt: ")
		if !strings.Contains(m.Text, wsA) {
			t.Errorf("swap mail does not name the new workshop %q:\n%s", wsA, m.Text)
		}
	})
	if !ok {
		return
	}

	ok = t.Run("5 cancel promotes the waiting person", func(t *testing.T) {
		var p2 registrationJSON
		s.api(t, "POST", "/api/v1/events/"+scenario+"/registrations", map[string]any{
			"name": "Jonas Wartend", "email": p2Email, "organisation": "Jobcenter Erfurt", "language": "de",
			"answers":  map[string]any{"organisation_type": "Jobcenter / Agentur für Arbeit"},
			"consents": map[string]bool{"privacy": true},
			"choices":  map[string]string{"ws": "A"},
		}, 201, &p2)
		if len(p2.Bookings) != 1 || p2.Bookings[0].Workshop != "A" || p2.Bookings[0].Status != "waitlisted" {
			t.Fatalf("second participant: %+v, want waiting for A", p2)
		}
		s.waitMail(t, p2Email, "") // the waiting-list mail; the promotion must come on top

		// The browser is still on the first participant's page.
		cancelInBrowser(t, ctx)

		var now registrationJSON
		s.api(t, "GET", "/api/v1/registrations/"+p2.Token, nil, 200, &now)
		if len(now.Bookings) != 1 || now.Bookings[0].Workshop != "A" || now.Bookings[0].Status != "confirmed" {
			t.Errorf("second participant after the cancellation: %+v, want a seat in A", now.Bookings)
		}
		s.waitMail(t, p1Email, "Anmeldung storniert: ")
		s.waitMail(t, p2Email, "Sie sind nachgerückt: ")
		// Give a duplicate time to show up: several poll rounds of the worker.
		time.Sleep(20 * pollInterval)
		if got := s.mailsTo(p2Email, "Sie sind nachgerückt: "); len(got) != 1 {
			t.Errorf("second participant got %d promoted mails, want exactly 1", len(got))
		} else if !strings.Contains(got[0].Text, wsA) {
			t.Errorf("promoted mail does not name %q:\n%s", wsA, got[0].Text)
		}
		if got := len(s.mailsTo(p2Email, "")); got != 2 {
			t.Errorf("second participant got %d mails, want 2 (waiting list, promoted)", got)
		}
		if got := len(s.mailsTo(p1Email, "")); got != 3 {
			t.Errorf("first participant got %d mails, want 3 (confirmed, swapped, cancelled)", got)
		}
	})
	if !ok {
		return
	}

	t.Run("6 form errors", func(t *testing.T) {
		if got := navigate(t, ctx, eventURL+"/register?lang=de"); got != 200 {
			t.Fatalf("GET form: status %d", got)
		}
		do(t, ctx, "fill the form without a name and with a bad e-mail",
			chromedp.SendKeys(chromedp.ID("email"), "keine-adresse"),
			chromedp.SendKeys(chromedp.ID("organisation"), "Verein Süd"),
			chromedp.SetValue(chromedp.ID("q-organisation_type"), "Kommune"),
			chromedp.Click(chromedp.ID("ws-C")),
			chromedp.Click(chromedp.ID("privacy")),
		)
		resp := follow(t, ctx, "submit the form", chromedp.Click(chromedp.CSS(`form button[type=submit]`)))
		if resp.Status != 422 {
			t.Errorf("status = %d, want 422", resp.Status)
		}
		summary := text(t, ctx, `#error-summary[role=alert]`)
		for _, want := range []string{"Bitte prüfen Sie die markierten Felder.", "Vor- und Nachname: Bitte ausfüllen.",
			"E-Mail-Adresse: Das ist keine gültige E-Mail-Adresse."} {
			if !strings.Contains(summary, want) {
				t.Errorf("error summary lacks %q:\n%s", want, summary)
			}
		}
		type state struct {
			Invalid []string `json:"invalid"`
			Email   string   `json:"email"`
			Org     string   `json:"org"`
			Type    string   `json:"type"`
			WS      string   `json:"ws"`
			Privacy bool     `json:"privacy"`
		}
		got := eval[state](t, ctx, "form state", `({
			invalid: [...document.querySelectorAll('[aria-invalid=true]')].map(e => e.id),
			email: document.getElementById('email').value,
			org: document.getElementById('organisation').value,
			type: document.getElementById('q-organisation_type').value,
			ws: (document.querySelector('input[name="slot.ws"]:checked') || {}).id || '',
			privacy: document.getElementById('privacy').checked})`)
		want := state{Invalid: []string{"name", "email"}, Email: "keine-adresse", Org: "Verein Süd",
			Type: "Kommune", WS: "ws-C", Privacy: true}
		if strings.Join(got.Invalid, ",") != strings.Join(want.Invalid, ",") || got.Email != want.Email ||
			got.Org != want.Org || got.Type != want.Type || got.WS != want.WS || got.Privacy != want.Privacy {
			t.Errorf("form after errors = %+v, want %+v", got, want)
		}
		checkA11y(t, ctx, "form with errors")
		screenshot(t, ctx, "form-errors")
	})

	t.Run("7 English event page and other pages", func(t *testing.T) {
		if got := navigate(t, ctx, eventURL+"?lang=en"); got != 200 {
			t.Fatalf("GET English event page: status %d", got)
		}
		if got := eval[string](t, ctx, "lang", `document.documentElement.lang`); got != "en" {
			t.Errorf("html lang = %q, want en", got)
		}
		if got := text(t, ctx, `.cta a.button`); got != "Register now" {
			t.Errorf("call to action = %q, want Register now", got)
		}
		// A is taken again (by the promoted person), so it offers the waiting list.
		if got := pageText(t, ctx); !strings.Contains(got, "fully booked – waiting list available") {
			t.Errorf("English event page does not show workshop A as fully booked:\n%s", got)
		}
		checkA11y(t, ctx, "event (en)")
		screenshot(t, ctx, "event-en")

		for _, p := range []struct{ name, path string }{
			{"index", "/?lang=de"},
			{"resend link", "/events/" + scenario + "/link?lang=de"},
			{"form (en)", "/events/" + scenario + "/register?lang=en"},
			{"unknown link", "/r/not-a-token?lang=de"},
		} {
			navigate(t, ctx, s.base+p.path)
			checkA11y(t, ctx, p.name)
		}
	})
}

// cancelInBrowser cancels the registration of the open manage page with
// its cancel form and checks the page that follows.
func cancelInBrowser(t *testing.T, ctx context.Context) {
	t.Helper()
	do(t, ctx, "tick the confirm box", chromedp.Click(chromedp.ID("confirm-cancel")))
	resp := follow(t, ctx, "submit the cancel form", chromedp.Click(chromedp.CSS(`form.cancel button[type=submit]`)))
	if resp.Status != 200 || !strings.Contains(resp.URL, "done=cancelled") {
		t.Fatalf("after cancel: %s (status %d); page says %q", resp.URL, resp.Status, pageText(t, ctx))
	}
	if got := text(t, ctx, `.success[role=status]`); !strings.HasPrefix(got, "Ihre Anmeldung ist storniert.") {
		t.Errorf("cancel notice = %q", got)
	}
	if got := text(t, ctx, `dd.status-cancelled`); got != "Storniert" {
		t.Errorf("status = %q, want Storniert", got)
	}
	if n := eval[int](t, ctx, "forms left", `document.querySelectorAll('form.cancel, form.swap').length`); n != 0 {
		t.Errorf("cancelled registration still shows %d swap/cancel forms", n)
	}
	checkA11y(t, ctx, "manage (cancelled)")
}

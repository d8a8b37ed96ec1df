package e2e_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestParticipantChanges walks the changes a participant makes after
// signing up, in headless Chromium: a swap into a full workshop (waiting
// list, seat kept, the right mail), leaving that waiting list, signing up
// again with a registered address (same answer, link by mail), and the
// legal pages behind the footer and the consent. Screenshots at desktop
// and phone width; accessibility smoke checks on every page.
func TestParticipantChanges(t *testing.T) {
	chromium := chromiumPath(t)
	s := startStack(t, scenario, map[string]int{"A": 1, "B": 3, "C": 2, "D": 2})
	ctx := newBrowser(t, chromium)
	wsA, wsB := s.workshopTitle(t, "A"), s.workshopTitle(t, "B")
	const holderEmail, email = "hanna.halter@example.org", "paul.wechsel@example.org"
	person := func(name, addr, ws string) map[string]any {
		return map[string]any{"name": name, "email": addr, "organisation": "Jobcenter Erfurt", "language": "de",
			"answers":  map[string]any{"organisation_type": "Jobcenter / Agentur für Arbeit"},
			"consents": map[string]bool{"privacy": true}, "choices": map[string]string{"ws": ws}}
	}
	var holder, p registrationJSON
	s.api(t, "POST", "/api/v1/events/"+scenario+"/registrations", person("Hanna Halter", holderEmail, "A"), 201, &holder)
	s.api(t, "POST", "/api/v1/events/"+scenario+"/registrations", person("Paul Wechsel", email, "B"), 201, &p)

	ok := t.Run("1 swap into a full workshop", func(t *testing.T) {
		if got := navigate(t, ctx, p.ManageURL+"?lang=de"); got != 200 {
			t.Fatalf("open personal page: status %d", got)
		}
		do(t, ctx, "choose the full workshop A", chromedp.Click(chromedp.ID("swap-A")))
		resp := follow(t, ctx, "submit the swap", chromedp.Click(chromedp.CSS(`form.swap button[type=submit]`)))
		if resp.Status != 200 || !strings.Contains(resp.URL, "done=swapped") {
			t.Fatalf("after swap: %s (status %d); page says %q", resp.URL, resp.Status, pageText(t, ctx))
		}
		got := text(t, ctx, "ul.bookings")
		if !strings.Contains(got, wsB) || !strings.Contains(got, "Platz sicher") || !strings.Contains(got, "Warteliste") {
			t.Errorf("bookings = %q, want the seat in %q kept and a waiting-list place for %q", got, wsB, wsA)
		}
		checkA11y(t, ctx, "manage (waiting for a swap)")
		screenshot(t, ctx, "manage-waitlisted")
		m := s.waitMail(t, email, "Warteliste für Ihren Workshop-Wechsel: ")
		for _, w := range []string{"leider voll; Sie stehen dort auf der Warteliste (Platz 1)", "Bis dahin behalten Sie Ihren Platz in „" + wsB + "“"} {
			if !strings.Contains(m.Text, w) {
				t.Errorf("swap mail lacks %q:\n%s", w, m.Text)
			}
		}
		if strings.Contains(m.Text, "besuchen Sie jetzt") {
			t.Errorf("swap mail says the person now attends the full workshop:\n%s", m.Text)
		}
	})
	if !ok {
		return
	}

	ok = t.Run("2 leave the waiting list", func(t *testing.T) {
		resp := follow(t, ctx, "leave the waiting list", chromedp.Click(chromedp.CSS(`li.booking-waitlisted form.leave button`)))
		if resp.Status != 200 || !strings.Contains(resp.URL, "done=left_queue") {
			t.Fatalf("after leaving: %s (status %d); page says %q", resp.URL, resp.Status, pageText(t, ctx))
		}
		if got := text(t, ctx, `.success[role=status]`); got != "Sie stehen nicht mehr auf der Warteliste." {
			t.Errorf("notice = %q", got)
		}
		if got := text(t, ctx, "ul.bookings"); strings.Contains(got, wsA) || !strings.Contains(got, wsB) {
			t.Errorf("bookings = %q, want only the seat in %q", got, wsB)
		}
		// The slot needs a workshop: the seat can be changed, not given up.
		if n := eval[int](t, ctx, "leave forms", `document.querySelectorAll('form.leave').length`); n != 0 {
			t.Errorf("%d leave forms left, want none in a slot that needs a workshop", n)
		}
		checkA11y(t, ctx, "manage (left the waiting list)")
		screenshot(t, ctx, "manage-left-queue")
		s.waitMail(t, email, "Änderung Ihrer Anmeldung: ")
	})
	if !ok {
		return
	}

	ok = t.Run("3 sign up again with a registered address", func(t *testing.T) {
		if got := navigate(t, ctx, s.base+"/events/"+scenario+"/register?lang=de"); got != 200 {
			t.Fatalf("GET form: status %d", got)
		}
		if n := eval[int](t, ctx, "checked radios", `document.querySelectorAll('input[type=radio]:checked').length`); n != 0 {
			t.Errorf("form has %d preselected workshops, want none", n)
		}
		if got := eval[string](t, ctx, "consent link", `document.querySelector('label[for=privacy] a').getAttribute('href')`); got != "/events/"+scenario+"/privacy" {
			t.Errorf("consent links %q, want the event's privacy page", got)
		}
		do(t, ctx, "fill the form with the registered address",
			chromedp.SendKeys(chromedp.ID("name"), "Hanna Halter"),
			chromedp.SendKeys(chromedp.ID("email"), strings.ToUpper(holderEmail)),
			chromedp.SetValue(chromedp.ID("q-organisation_type"), "Kommune"),
			chromedp.Click(chromedp.ID("ws-C")),
			chromedp.Click(chromedp.ID("privacy")),
		)
		resp := follow(t, ctx, "submit the form", chromedp.Click(chromedp.CSS(`form button[type=submit]`)))
		u, err := url.Parse(resp.URL)
		if err != nil || resp.Status != 200 || u.Path != "/events/"+scenario+"/registered" {
			t.Fatalf("after submit: %s (status %d), want the thank-you page of every sign-up", resp.URL, resp.Status)
		}
		m := s.waitMail(t, holderEmail, "Sie sind bereits angemeldet: ")
		if _, err := personalLink(s.base, m.Text); err != nil {
			t.Errorf("already-registered mail: %v:\n%s", err, m.Text)
		}
		var now registrationJSON
		s.api(t, "GET", "/api/v1/registrations/"+holder.Token, nil, 200, &now)
		if len(now.Bookings) != 1 || now.Bookings[0].Workshop != "A" {
			t.Errorf("registered person after the second sign-up: %+v, want the seat in A unchanged", now.Bookings)
		}
	})
	if !ok {
		return
	}

	t.Run("4 legal pages", func(t *testing.T) {
		for _, doc := range []struct{ link, h1, shot string }{
			{"Datenschutz", "Datenschutz", "privacy"}, {"Impressum", "Impressum", "imprint"},
		} {
			if got := navigate(t, ctx, s.base+"/events/"+scenario+"?lang=de"); got != 200 {
				t.Fatalf("GET event page: status %d", got)
			}
			resp := follow(t, ctx, "footer link "+doc.link,
				chromedp.Click(chromedp.CSS(`footer nav.legal a[href$="/`+doc.shot+`"]`)))
			if resp.Status != 200 || !strings.HasSuffix(resp.URL, "/events/"+scenario+"/"+doc.shot) {
				t.Fatalf("footer link %s led to %s (status %d)", doc.link, resp.URL, resp.Status)
			}
			if got := text(t, ctx, "h1"); got != doc.h1 {
				t.Errorf("h1 = %q, want %q", got, doc.h1)
			}
			if got := text(t, ctx, ".legal-text"); !strings.Contains(got, "BEISPIELTEXT") {
				t.Errorf("legal text = %q, want the example text", got)
			}
			checkA11y(t, ctx, doc.shot)
			screenshot(t, ctx, doc.shot)
		}
	})
}

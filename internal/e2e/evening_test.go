package e2e_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestEveningWithoutWorkshops walks a participant of the demo's mentoring
// evening (no slots, no workshops) through the start page, the event
// page, the form, the thank-you page and the personal page in Chromium:
// the start page lists the evening and links the calendar feed, no page
// speaks of workshops, the sign-up holds the event seat; every page is
// checked for accessibility and saved at desktop and phone width.
func TestEveningWithoutWorkshops(t *testing.T) {
	const slug, email = "mentoring-abend-2025", "dawit.tesfaye@example.org"
	chromium := chromiumPath(t)
	s := startStack(t, slug, nil)
	ctx := newBrowser(t, chromium)
	workshop := regexp.MustCompile(`(?i)workshop`)
	look := func(name string) {
		t.Helper()
		if w := workshop.FindString(pageText(t, ctx)); w != "" {
			t.Errorf("%s shows %q", name, w)
		}
		checkA11y(t, ctx, name)
		screenshot(t, ctx, name)
	}

	if st := navigate(t, ctx, s.base+"/?lang=de"); st != 200 {
		t.Fatalf("start page: %d", st)
	}
	if got := text(t, ctx, `.feed a[href="/events.ics"]`); got != "Alle Termine als Kalender abonnieren" {
		t.Errorf("feed link = %q", got)
	}
	if !strings.Contains(text(t, ctx, "ul.cards"), s.ev.Title) {
		t.Errorf("start page lacks %q", s.ev.Title)
	}
	look("index")

	follow(t, ctx, "open the evening", chromedp.Click(chromedp.CSS(`ul.cards a`)))
	look("evening")
	resp := follow(t, ctx, "follow „Jetzt anmelden“", chromedp.Click(chromedp.CSS(`.cta a.button`)))
	if !strings.Contains(resp.URL, "/events/"+slug+"/register") {
		t.Fatalf("„Jetzt anmelden“ led to %s", resp.URL)
	}
	look("evening-form")
	do(t, ctx, "fill the form",
		chromedp.SendKeys(chromedp.ID("name"), "Dawit Tesfaye"),
		chromedp.SendKeys(chromedp.ID("email"), email),
		chromedp.SetValue(chromedp.ID("q-role_in_programme"), "Mentee"),
		chromedp.Click(chromedp.ID("privacy")),
	)
	resp = follow(t, ctx, "submit the form", chromedp.Click(chromedp.CSS(`form button[type=submit]`)))
	if u, err := url.Parse(resp.URL); err != nil || u.Path != "/events/"+slug+"/registered" {
		t.Fatalf("after submit: %s; page says %q", resp.URL, pageText(t, ctx))
	}
	look("evening-registered")

	m := s.waitMail(t, email, "Anmeldung bestätigt: ")
	if w := workshop.FindString(m.Text); w != "" {
		t.Errorf("confirmation mail shows %q:\n%s", w, m.Text)
	}
	link, err := personalLink(s.base, m.Text)
	if err != nil {
		t.Fatalf("%v:\n%s", err, m.Text)
	}
	if st := navigate(t, ctx, link); st != 200 {
		t.Fatalf("personal page: %d", st)
	}
	if got := text(t, ctx, "main"); !strings.Contains(got, "Angemeldet") {
		t.Errorf("personal page does not say the seat is held:\n%s", got)
	}
	look("evening-manage")
}

package e2e_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestOrganiserPersonPage opens a person on the waiting list of a full
// workshop, corrects their address (first wrongly, then rightly), and
// deletes the person holding the seat, so that the first one moves up;
// the page is checked for accessibility and saved as a screenshot at
// desktop and phone width at each step.
func TestOrganiserPersonPage(t *testing.T) {
	chromium := chromiumPath(t)
	s, email, password := startOrgStack(t)
	ids := map[string]string{}
	for _, p := range []struct{ name, email string }{{"Amira Haddad", "amira@example.org"}, {"Bernd Vogel", "bernd@example.org"}} {
		body := map[string]any{"name": p.name, "email": p.email, "organisation": "Jobcenter Saale-Orla",
			"consents": map[string]any{"privacy": true, "photos": true},
			"answers": map[string]any{"organisation_type": "Kommune", "accessibility": "Induktionsschleife",
				"lunch_vegetarian": true}, "choices": map[string]string{"ws": "A"}}
		var out struct{ ID string }
		s.api(t, "POST", "/api/v1/events/"+scenario+"/registrations", body, 201, &out)
		ids[p.name] = out.ID
	}
	s.waitMail(t, "bernd@example.org", "")
	ctx := newBrowser(t, chromium)
	people := s.base + "/org/events/" + scenario + "/lists/people/"

	navigate(t, ctx, s.base+"/org/login?lang=de&next=/org/events/"+scenario+"/lists/people/"+ids["Bernd Vogel"])
	resp := follow(t, ctx, "log in",
		chromedp.SendKeys(chromedp.CSS("#email"), email),
		chromedp.SendKeys(chromedp.CSS("#password"), password),
		chromedp.Click(chromedp.CSS(`form button[type=submit]`)))
	if !strings.Contains(resp.URL, ids["Bernd Vogel"]) {
		t.Fatalf("login led to %s, want Bernd's page", resp.URL)
	}
	got := pageText(t, ctx)
	for _, want := range []string{"Art Ihrer Organisation", "Kommune", "Induktionsschleife", "Vegetarisches Mittagessen",
		"erteilt am", "Warteliste, Platz 1", "Verlauf", "Daten korrigieren"} {
		if !strings.Contains(got, want) {
			t.Errorf("person page lacks %q", want)
		}
	}
	checkA11y(t, ctx, "org person")
	screenshot(t, ctx, "org-person-whole")

	resp = follow(t, ctx, "correct with a bad address",
		chromedp.SetValue(chromedp.CSS("#email"), "bernd(at)example.org"),
		chromedp.SendKeys(chromedp.CSS("#correct-reason"), "Tippfehler laut Anruf"),
		chromedp.Click(chromedp.CSS("#form-correct button[type=submit]")))
	if resp.Status != 422 || !strings.Contains(text(t, ctx, "#error-summary"), "E-Mail-Adresse: Das ist keine gültige E-Mail-Adresse.") {
		t.Fatalf("bad correction: %d\n%s", resp.Status, pageText(t, ctx))
	}
	checkA11y(t, ctx, "org person correction error")
	screenshot(t, ctx, "org-person-correct-error")
	resp = follow(t, ctx, "correct the address",
		chromedp.SetValue(chromedp.CSS("#email"), "bernd.vogel@example.org"),
		chromedp.Click(chromedp.CSS("#form-correct button[type=submit]")))
	if !strings.Contains(resp.URL, "done=corrected") || !strings.Contains(pageText(t, ctx), "bernd.vogel@example.org") {
		t.Fatalf("correction led to %d %s\n%s", resp.Status, resp.URL, pageText(t, ctx))
	}

	navigate(t, ctx, people+ids["Amira Haddad"]+"?lang=de")
	resp = follow(t, ctx, "ask to delete Amira", chromedp.Click(chromedp.CSS(`.danger-zone a.button`)))
	if !strings.HasSuffix(strings.Split(resp.URL, "?")[0], "/delete") {
		t.Fatalf("delete link led to %s", resp.URL)
	}
	checkA11y(t, ctx, "org person delete")
	screenshot(t, ctx, "org-person-delete")
	resp = follow(t, ctx, "delete Amira",
		chromedp.Click(chromedp.CSS("#delete-confirm")),
		chromedp.Click(chromedp.CSS("#form-delete button[type=submit]")))
	if !strings.Contains(resp.URL, "done=deleted") || strings.Contains(pageText(t, ctx), "Amira") {
		t.Fatalf("delete led to %d %s\n%s", resp.Status, resp.URL, pageText(t, ctx))
	}
	checkA11y(t, ctx, "org person deleted")
	screenshot(t, ctx, "org-person-deleted")
	s.waitMail(t, "bernd.vogel@example.org", "Sie sind nachgerückt")
}

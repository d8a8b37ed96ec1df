package e2e_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/fachtag/fachtag/internal/auth"
)

// TestAllocationPages walks the organiser's allocation in Chromium: the
// demand chart before the run, a run through the form, the preview of who
// gets what, a participant placed by hand through the pin form (which the
// next run keeps), the confirmation page that counts the mails, and the
// published mail that says which wish and why. Every page is checked at
// phone width for sideways scrolling and saved as screenshots.
func TestAllocationPages(t *testing.T) {
	chromium := chromiumPath(t)
	s := startStack(t, wishScenario, map[string]int{"A1": 3, "B1": 4, "C1": 4, "D1": 4, "A2": 3, "B2": 4, "C2": 4, "D2": 4})
	const amira = "amira.haddad@example.org"
	s.api(t, "POST", "/api/v1/events/"+wishScenario+"/registrations", wisher("Amira Haddad", amira,
		[]string{"A1", "B1"}, []string{"C2", "B2"}), 201, nil)
	for i := range 11 {
		r1, r2 := []string{"A1", "B1", "C1"}, []string{"A2", "C2"}
		if i%3 == 1 {
			r1, r2 = []string{"C1", "A1"}, []string{"B2", "A2", "D2"}
		}
		s.api(t, "POST", "/api/v1/events/"+wishScenario+"/registrations", wisher(fmt.Sprintf("Person %02d", i),
			fmt.Sprintf("person%02d@example.org", i), r1, r2), 201, nil)
	}
	const email = "orga@example.org"
	_, password, err := auth.New(s.pool, auth.Options{}).CreateUser(t.Context(), email, auth.RoleOrganiser, wishScenario)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.pool.Exec(t.Context(), `UPDATE users SET must_change = false`); err != nil {
		t.Fatal(err)
	}
	ctx := newBrowser(t, chromium)
	navigate(t, ctx, s.base+"/org/login?lang=de&next=/org/events/"+wishScenario+"/allocations")
	resp := follow(t, ctx, "log in",
		chromedp.SendKeys(chromedp.CSS("#email"), email),
		chromedp.SendKeys(chromedp.CSS("#password"), password),
		chromedp.Click(chromedp.CSS(`form button[type=submit]`)))
	if !strings.Contains(resp.URL, "/allocations") {
		t.Fatalf("login led to %s, want the allocation page", resp.URL)
	}
	if got := text(t, ctx, "section.demand"); !strings.Contains(got, "1. Wunsch: 8") {
		t.Errorf("demand chart of A1 should count 8 first wishes:\n%s", got)
	}
	if n := eval[int](t, ctx, "bars", `document.querySelectorAll('svg.demand-bar rect').length`); n < 8 {
		t.Errorf("%d bar rectangles, want the track and bars of 8 workshops", n)
	}
	checkPage(t, ctx, "alloc-demand")

	follow(t, ctx, "run", chromedp.Click(chromedp.CSS(`form.alloc-run button:not([name])`)))
	if got := text(t, ctx, "section.preview"); !strings.Contains(got, "Amira Haddad") || !strings.Contains(got, "Wunsch") {
		t.Fatalf("preview lacks Amira or the wish:\n%s", got)
	}
	checkPage(t, ctx, "alloc-preview")

	follow(t, ctx, "open Amira's pin form", chromedp.Click(chromedp.CSS(`a[aria-label="Amira Haddad fest zuteilen"]`)))
	checkPage(t, ctx, "alloc-pin")
	resp = follow(t, ctx, "pin Amira to D1 by keyboard",
		pickByKeyboard("pin-r1", 4), // none, A1, B1, C1, D1
		chromedp.Click(chromedp.CSS(`form.pin button`)))
	if !strings.Contains(resp.URL, "done=pinned") {
		t.Fatalf("pin form led to %s:\n%s", resp.URL, pageText(t, ctx))
	}
	if got := text(t, ctx, "#pins"); !strings.Contains(got, "Amira Haddad") || !strings.Contains(got, s.workshopTitle(t, "D1")) {
		t.Errorf("pins list after the form: %q", got)
	}
	follow(t, ctx, "run again", chromedp.Click(chromedp.CSS(`form.alloc-run button:not([name])`)))
	pinned := "Das Organisationsteam hat Sie diesem Workshop fest zugeteilt."
	amiraRow := eval[string](t, ctx, "Amira's preview",
		`[...document.querySelectorAll('.preview-list > li')].find(li => li.innerText.includes('Amira Haddad')).innerText`)
	if !strings.Contains(amiraRow, s.workshopTitle(t, "D1")) || !strings.Contains(amiraRow, pinned) {
		t.Errorf("the next run does not keep the pin:\n%s", amiraRow)
	}

	follow(t, ctx, "review publication", chromedp.Click(chromedp.CSS(`.publish a.button`)))
	if got := text(t, ctx, ".confirm-mails"); got != "12 E-Mails werden versendet." {
		t.Errorf("confirmation says %q, want 12 mails", got)
	}
	checkPage(t, ctx, "alloc-publish-confirm")
	resp = follow(t, ctx, "publish", chromedp.Click(chromedp.CSS(`form.publish button[type=submit]`)))
	if !strings.Contains(resp.URL, "done=published") {
		t.Fatalf("publish led to %s:\n%s", resp.URL, pageText(t, ctx))
	}
	m := s.waitMail(t, amira, "Ihre Workshops: ")
	if !strings.Contains(m.Text, s.workshopTitle(t, "D1")) || !strings.Contains(m.Text, pinned) || !strings.Contains(m.Text, "Wunsch") {
		t.Errorf("Amira's mail does not say which wish and why:\n%s", m.Text)
	}
	link, err := personalLink(s.base, m.Text)
	if err != nil {
		t.Fatal(err)
	}
	navigate(t, ctx, link+"?lang=de")
	if got := text(t, ctx, "ul.bookings"); !strings.Contains(got, "außerhalb Ihrer Wünsche") || !strings.Contains(got, pinned) {
		t.Errorf("Amira's personal page does not say which wish and why:\n%s", got)
	}
	checkPage(t, ctx, "alloc-manage-outcome")
	var queued int
	if err := s.pool.QueryRow(t.Context(), `SELECT count(*) FROM outbox WHERE kind = 'published'`).Scan(&queued); err != nil || queued != 12 {
		t.Errorf("published mails queued = %d (%v), the confirmation said 12", queued, err)
	}
}

func wisher(name, email string, r1, r2 []string) map[string]any {
	return map[string]any{"name": name, "email": email, "organisation": "Jobcenter", "language": "de",
		"answers":     map[string]any{"organisation_type": "Jobcenter / Agentur für Arbeit"},
		"consents":    map[string]bool{"privacy": true},
		"preferences": map[string][]string{"r1": r1, "r2": r2}}
}

// checkPage runs the accessibility checks, makes sure nothing scrolls
// sideways at phone width, and saves the screenshots.
func checkPage(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	checkA11y(t, ctx, name)
	do(t, ctx, "phone viewport", viewports[1].set)
	if w := eval[int](t, ctx, "page width", `document.documentElement.scrollWidth`); w > 390 {
		t.Errorf("%s: %d px wide at phone width, want at most 390", name, w)
	}
	screenshot(t, ctx, name)
}

package e2e_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/fachtag/fachtag/internal/auth"
)

// startOrgStack starts the stack with workshop A of one seat and an
// organiser of the event who has chosen their password.
func startOrgStack(t *testing.T) (s *stack, email, password string) {
	t.Helper()
	s = startStack(t, scenario, map[string]int{"A": 1, "B": 3, "C": 2, "D": 2})
	email = "orga@example.org"
	_, password, err := auth.New(s.pool, auth.Options{}).CreateUser(t.Context(), email, auth.RoleOrganiser, scenario)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.pool.Exec(t.Context(), `UPDATE users SET must_change = false`); err != nil {
		t.Fatal(err)
	}
	return s, email, password
}

// TestOrganiserListsAndCheckin logs an organiser in, opens the list and a
// participant, moves them into a full workshop with the override, prints
// the attendance list and badges, and checks someone in on a phone-sized
// window; every page is saved as a screenshot at desktop and phone width.
func TestOrganiserListsAndCheckin(t *testing.T) {
	chromium := chromiumPath(t)
	s, email, password := startOrgStack(t)
	people := []struct{ name, email, ws string }{
		{"Amira Haddad", "amira@example.org", "A"}, {"Bernd Vogel", "bernd@example.org", "B"}, {"Carla Nowak", "carla@example.org", "B"},
	}
	for _, p := range people {
		body := map[string]any{"name": p.name, "email": p.email, "organisation": "Jobcenter Saale-Orla",
			"consents": map[string]any{"privacy": true},
			"answers":  map[string]any{"organisation_type": "Kommune"}, "choices": map[string]string{"ws": p.ws}}
		s.api(t, "POST", "/api/v1/events/"+scenario+"/registrations", body, 201, nil)
	}
	ctx := newBrowser(t, chromium)
	base := s.base + "/org/events/" + scenario

	navigate(t, ctx, s.base+"/org/login?lang=de&next=/org/events/"+scenario+"/lists")
	resp := follow(t, ctx, "log in",
		chromedp.SendKeys(chromedp.CSS("#email"), email),
		chromedp.SendKeys(chromedp.CSS("#password"), password),
		chromedp.Click(chromedp.CSS(`form button[type=submit]`)))
	if !strings.Contains(resp.URL, "/lists") {
		t.Fatalf("login led to %s, want the list", resp.URL)
	}
	if got := text(t, ctx, "#registrations tbody"); !strings.Contains(got, "Bernd Vogel") || !strings.Contains(got, "Amira Haddad") {
		t.Fatalf("list shows %q", got)
	}
	checkA11y(t, ctx, "org list")
	screenshot(t, ctx, "org-list")

	href := eval[string](t, ctx, "link to Bernd",
		`[...document.querySelectorAll('#registrations a')].find(a => a.textContent === 'Bernd Vogel').href`)
	navigate(t, ctx, href)
	screenshot(t, ctx, "org-person")
	// A is full (Amira): the move needs the override.
	resp = follow(t, ctx, "move Bernd to A",
		chromedp.SetValue(chromedp.CSS("#move-ws-workshop"), "A"),
		chromedp.Click(chromedp.CSS("#move-ws-override")),
		chromedp.SendKeys(chromedp.CSS("#move-ws-reason"), "Referentin hat zugestimmt"),
		chromedp.Click(chromedp.CSS("#form-move-ws button[type=submit]")))
	if resp.Status != 200 || !strings.Contains(resp.URL, "done=moved") {
		t.Fatalf("move: %d %s\n%s", resp.Status, resp.URL, pageText(t, ctx))
	}
	if got := pageText(t, ctx); !strings.Contains(got, "Referentin hat zugestimmt") || !strings.Contains(got, "Kapazität erhöht") {
		t.Errorf("history after move lacks the reason or the raise:\n%s", got)
	}
	screenshot(t, ctx, "org-person-moved")
	s.waitMail(t, "bernd@example.org", "")

	for _, p := range []struct{ path, name string }{
		{"/lists/workshops/A", "org-workshop"}, {"/print/attendance/A", "org-print-attendance"},
		{"/print/badges", "org-print-badges"}, {"/lists/new", "org-new"},
	} {
		if st := navigate(t, ctx, base+p.path+"?lang=de"); st != 200 {
			t.Fatalf("GET %s: %d", p.path, st)
		}
		screenshot(t, ctx, p.name)
	}
	if got := text(t, ctx, "h1"); got == "" {
		t.Error("new-registration page has no heading")
	}

	// Check-in on a phone.
	do(t, ctx, "phone viewport", viewports[1].set)
	navigate(t, ctx, base+"/checkin?lang=de")
	follow(t, ctx, "search Carla",
		chromedp.SendKeys(chromedp.CSS("#q"), "Carla"),
		chromedp.Click(chromedp.CSS(".checkin-search button[type=submit]")))
	resp = follow(t, ctx, "check Carla in", chromedp.Click(chromedp.CSS(`.person form.tap button`)))
	if !strings.Contains(resp.URL, "done=in") {
		t.Fatalf("check-in led to %s", resp.URL)
	}
	if got := text(t, ctx, ".person .in-at"); !strings.HasPrefix(got, "Eingecheckt um") {
		t.Errorf("after check-in the person shows %q", got)
	}
	if got := text(t, ctx, `tr[data-workshop="B"] .n-in`); got != "1" {
		t.Errorf("B checked in count %q, want 1", got)
	}
	checkA11y(t, ctx, "check-in")
	screenshot(t, ctx, "org-checkin")
}

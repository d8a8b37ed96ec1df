package e2e_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestOrganiserListBulkAndColumns ticks everyone on the list with the
// header checkbox (the action bar counts them), checks them in through
// the confirmation page with a reason, chooses a question's answers as a
// column, and looks at the answer totals on the dashboard; the list, the
// confirmation, the summary and the dashboard are saved as screenshots.
func TestOrganiserListBulkAndColumns(t *testing.T) {
	chromium := chromiumPath(t)
	s, email, password := startOrgStack(t)
	for _, p := range []struct{ name, email, ws, kind string }{
		{"Amira Haddad", "amira@example.org", "A", "Kommune"}, {"Bernd Vogel", "bernd@example.org", "B", "Beratungsstelle"},
		{"Carla Nowak", "carla@example.org", "B", "Kommune"},
	} {
		body := map[string]any{"name": p.name, "email": p.email, "organisation": "Jobcenter Saale-Orla",
			"consents": map[string]any{"privacy": true},
			"answers":  map[string]any{"organisation_type": p.kind, "accessibility": "Rollstuhl", "lunch_vegetarian": true},
			"choices":  map[string]string{"ws": p.ws}}
		s.api(t, "POST", "/api/v1/events/"+scenario+"/registrations", body, 201, nil)
	}
	ctx := newBrowser(t, chromium)
	base := s.base + "/org/events/" + scenario
	navigate(t, ctx, s.base+"/org/login?lang=de&next=/org/events/"+scenario+"/lists")
	follow(t, ctx, "log in",
		chromedp.SendKeys(chromedp.CSS("#email"), email),
		chromedp.SendKeys(chromedp.CSS("#password"), password),
		chromedp.Click(chromedp.CSS(`form button[type=submit]`)))

	do(t, ctx, "tick everyone", chromedp.Click(chromedp.CSS("#select-page")))
	if got := text(t, ctx, "#bulk-count"); got != "3 ausgewählt." {
		t.Errorf("action bar says %q, want 3 ausgewählt.", got)
	}
	checkA11y(t, ctx, "org list with selection")
	screenshot(t, ctx, "org-list-selected")

	do(t, ctx, "choose check-in", chromedp.SetValue(chromedp.CSS("#bulk-action"), "checkin"))
	follow(t, ctx, "continue", chromedp.Click(chromedp.CSS("#bulk button[type=submit]")))
	if got := pageText(t, ctx); !strings.Contains(got, "3 Personen einchecken.") || !strings.Contains(got, "Carla Nowak") {
		t.Fatalf("confirmation page:\n%s", got)
	}
	checkA11y(t, ctx, "bulk confirmation")
	screenshot(t, ctx, "org-list-bulk-confirm")
	follow(t, ctx, "confirm",
		chromedp.SendKeys(chromedp.CSS("#bulk-reason"), "am Eingang gesammelt"),
		chromedp.Click(chromedp.CSS("main form button[type=submit]")))
	if got := text(t, ctx, "main [role=status]"); !strings.HasPrefix(got, "3 Personen eingecheckt.") {
		t.Errorf("summary says %q", got)
	}
	screenshot(t, ctx, "org-list-bulk-done")

	navigate(t, ctx, base+"/lists?lang=de")
	do(t, ctx, "open the column choice", chromedp.Click(chromedp.CSS(".column-choice summary")))
	follow(t, ctx, "show the organisation type",
		chromedp.Click(chromedp.CSS(`.column-choice input[value="q:organisation_type"]`)),
		chromedp.Click(chromedp.CSS(`.column-choice button[type=submit]:not([name])`)))
	if got := text(t, ctx, "#registrations thead"); !strings.Contains(got, "Art Ihrer Organisation") {
		t.Errorf("list header %q lacks the chosen question", got)
	}
	if got := text(t, ctx, "#registrations tbody"); !strings.Contains(got, "Beratungsstelle") {
		t.Errorf("list lacks the answers: %q", got)
	}

	navigate(t, ctx, base+"/dashboard?lang=de")
	if got := pageText(t, ctx); !strings.Contains(got, "Antworten auf die Fragen") || !strings.Contains(got, "Bernd Vogel: Rollstuhl") {
		t.Errorf("dashboard lacks the answer totals:\n%s", got)
	}
	checkA11y(t, ctx, "dashboard")
	screenshot(t, ctx, "org-dashboard-answers")
}

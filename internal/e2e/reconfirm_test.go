package e2e_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/fachtag/fachtag/internal/auth"
	"github.com/fachtag/fachtag/internal/reconfirm"
)

// TestReconfirm is the reconfirmation in headless Chromium: the organiser
// turns it on (one mistake on the way, shown next to its field), the
// question goes out, one participant answers "no" through the mailed
// link, another "yes" on the personal page, and the dashboard counts
// them. Screenshots at desktop and phone width; accessibility checks on
// every page.
func TestReconfirm(t *testing.T) {
	chromium := chromiumPath(t)
	s := startStack(t, scenario, map[string]int{"A": 1})
	const orgEmail = "orga@example.org"
	a := auth.New(s.pool, auth.Options{Params: auth.Params{Memory: 64, Time: 1, Threads: 1}})
	_, pw, err := a.CreateUser(t.Context(), orgEmail, auth.RoleOrganiser, scenario)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.pool.Exec(t.Context(), `UPDATE users SET must_change = false`); err != nil {
		t.Fatal(err)
	}
	person := func(name, addr string) map[string]any {
		return map[string]any{"name": name, "email": addr, "organisation": "Jobcenter Erfurt", "language": "de",
			"answers":  map[string]any{"organisation_type": "Jobcenter / Agentur für Arbeit"},
			"consents": map[string]bool{"privacy": true}, "choices": map[string]string{"ws": "A"}}
	}
	var nein, ja registrationJSON
	s.api(t, "POST", "/api/v1/events/"+scenario+"/registrations", person("Nina Nein", "nina@example.org"), 201, &nein)
	s.api(t, "POST", "/api/v1/events/"+scenario+"/registrations", person("Jan Ja", "jan@example.org"), 201, &ja)
	ctx := newBrowser(t, chromium)

	ok := t.Run("1 organiser turns it on", func(t *testing.T) {
		navigate(t, ctx, s.base+"/org/login?lang=de")
		do(t, ctx, "fill login", chromedp.SendKeys(chromedp.ID("email"), orgEmail), chromedp.SendKeys(chromedp.ID("password"), pw))
		follow(t, ctx, "log in", chromedp.Click(chromedp.CSS(`form button[type=submit]`)))
		navigate(t, ctx, s.base+"/org/events/"+scenario+"/setup?lang=de")
		follow(t, ctx, "open the settings from setup", chromedp.Click(chromedp.CSS(`.setup-tabs a[href*="/reconfirm"]`)))
		checkA11y(t, ctx, "org-reconfirm")
		do(t, ctx, "fill with a deadline before the question", chromedp.Click(chromedp.ID("enabled")),
			chromedp.SetValue(chromedp.ID("send_days"), "2"), chromedp.SetValue(chromedp.ID("deadline_value"), "3"),
			chromedp.Click(chromedp.ID("release")))
		resp := follow(t, ctx, "save", chromedp.Click(chromedp.CSS(`form button[type=submit].button`)))
		if resp.Status != 422 || !strings.Contains(text(t, ctx, "#deadline_value-error"), "mindestens einen Tag") {
			t.Fatalf("invalid settings: status %d, page %q", resp.Status, pageText(t, ctx))
		}
		checkA11y(t, ctx, "org-reconfirm (invalid)")
		screenshot(t, ctx, "org-reconfirm-invalid")
		do(t, ctx, "fix the send time", chromedp.SetValue(chromedp.ID("send_days"), "7"))
		resp = follow(t, ctx, "save again", chromedp.Click(chromedp.CSS(`form button[type=submit].button`)))
		if resp.Status != 200 || !strings.Contains(resp.URL, "done=saved") {
			t.Fatalf("save: %d %s: %q", resp.Status, resp.URL, pageText(t, ctx))
		}
		checkA11y(t, ctx, "org-reconfirm (saved)")
		screenshot(t, ctx, "org-reconfirm")
	})
	if !ok {
		return
	}

	var start time.Time
	if err := s.pool.QueryRow(t.Context(), `SELECT starts_at FROM events WHERE slug = $1`, scenario).Scan(&start); err != nil {
		t.Fatal(err)
	}
	if d, err := reconfirm.Tick(t.Context(), s.pool, start.Add(-7*24*time.Hour)); err != nil || d.Asked != 2 {
		t.Fatalf("Tick at the send time = %+v, %v; want 2 asked", d, err)
	}

	ok = t.Run("2 no through the mailed link", func(t *testing.T) {
		m := s.waitMail(t, "nina@example.org", "Kommen Sie")
		no := regexp.MustCompile(`http://\S+/attend/\S+\?answer=no`).FindString(m.Text)
		if no == "" {
			t.Fatalf("no answer link in the mail:\n%s", m.Text)
		}
		navigate(t, ctx, no)
		if !eval[bool](t, ctx, "no preselected", `document.getElementById('answer-no').checked`) {
			t.Errorf("the link's answer is not preselected")
		}
		checkA11y(t, ctx, "attend")
		screenshot(t, ctx, "attend")
		resp := follow(t, ctx, "send the answer", chromedp.Click(chromedp.CSS(`form button[type=submit]`)))
		if resp.Status != 200 || !strings.Contains(text(t, ctx, ".success"), "Ihr Platz ist freigegeben") {
			t.Fatalf("after no: %d, page %q", resp.Status, pageText(t, ctx))
		}
		screenshot(t, ctx, "attend-done")
		s.waitMail(t, "nina@example.org", "Anmeldung storniert: ")
	})
	ok = ok && t.Run("3 yes on the personal page", func(t *testing.T) {
		navigate(t, ctx, ja.ManageURL+"?lang=de")
		checkA11y(t, ctx, "manage (question)")
		screenshot(t, ctx, "manage-reconfirm")
		resp := follow(t, ctx, "say yes", chromedp.Click(chromedp.CSS(`section.card button[value=yes]`)))
		if resp.Status != 200 || !strings.Contains(resp.URL, "done=reconfirm_yes") {
			t.Fatalf("after yes: %d %s: %q", resp.Status, resp.URL, pageText(t, ctx))
		}
	})
	ok = ok && t.Run("4 dashboard", func(t *testing.T) {
		navigate(t, ctx, s.base+"/org/events/"+scenario+"/dashboard?lang=de")
		got := text(t, ctx, "#reconfirm-counts")
		for _, want := range []string{"Kommen\n1", "Abgesagt\n1"} {
			if !strings.Contains(got, want) {
				t.Errorf("dashboard counts %q lack %q", got, want)
			}
		}
		screenshot(t, ctx, "org-dashboard-reconfirm")
	})
}

package e2e_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/fachtag/fachtag/internal/auth"
)

// TestOrganiserSetup is the organiser's path through the pages of event
// setup, dashboard and messages: log in, create an event with two slots
// and four workshops through the form (with one mistake on the way), open
// registration, and mail the participants of one workshop.
func TestOrganiserSetup(t *testing.T) {
	chromium := chromiumPath(t)
	s := startStack(t, scenario, nil)
	const (
		orgEmail = "orga@example.org"
		slug     = "fachtag-browser"
		pEmail   = "teilnehmerin@example.org"
		pName    = "Petra Beispiel"
	)
	a := auth.New(s.pool, auth.Options{Params: auth.Params{Memory: 64, Time: 1, Threads: 1}})
	_, pw, err := a.CreateUser(t.Context(), orgEmail, auth.RoleOrganiser, "")
	if err != nil {
		t.Fatal(err)
	}
	ctx := newBrowser(t, chromium)
	eventBase := s.base + "/org/events/" + slug

	ok := t.Run("1 first login", func(t *testing.T) {
		navigate(t, ctx, s.base+"/org/login?lang=de")
		checkA11y(t, ctx, "org-login")
		screenshot(t, ctx, "org-login")
		do(t, ctx, "fill login", chromedp.SendKeys(chromedp.ID("email"), orgEmail), chromedp.SendKeys(chromedp.ID("password"), pw))
		resp := follow(t, ctx, "log in", chromedp.Click(chromedp.CSS(`form button[type=submit]`)))
		// The one-time password must be replaced before anything else.
		if !strings.Contains(resp.URL, "/org/password") {
			t.Fatalf("first login led to %s, want the password page: %s", resp.URL, pageText(t, ctx))
		}
		checkA11y(t, ctx, "org-password")
		screenshot(t, ctx, "org-password")
		const newPassword = "ein-langes-eigenes-Passwort"
		do(t, ctx, "choose a password", chromedp.SendKeys(chromedp.ID("current"), pw),
			chromedp.SendKeys(chromedp.ID("new"), newPassword), chromedp.SendKeys(chromedp.ID("confirm"), newPassword))
		resp = follow(t, ctx, "save the password", chromedp.Click(chromedp.CSS(`form.narrow button[type=submit]`)))
		if resp.Status != 200 || !strings.Contains(resp.URL, "done=1") {
			t.Fatalf("password change: %d %s: %s", resp.Status, resp.URL, pageText(t, ctx))
		}
		if st := navigate(t, ctx, s.base+"/org/?lang=de"); st != 200 {
			t.Fatalf("start page after the change: status %d", st)
		}
		checkA11y(t, ctx, "org-home")
		screenshot(t, ctx, "org-home")
		follow(t, ctx, "new event", chromedp.Click(chromedp.CSS(`a[href^="/org/events/new"]`)))
		checkA11y(t, ctx, "org-setup-new")
		screenshot(t, ctx, "org-setup-new")
	})
	set := func(id, v string) chromedp.Action[chromedp.Void] { return chromedp.SetValue(chromedp.ID(id), v) }
	ok = ok && t.Run("2 create an event, then slots and workshops in their tab", func(t *testing.T) {
		day := time.Now().AddDate(0, 0, 20).Format("2006-01-02")
		do(t, ctx, "fill the event", set("slug", slug), set("title", "Fachtag im Browser"),
			set("date", day), set("starts_at", "09:00"), set("ends_at", "16:00"), set("capacity", "80"),
			set("venue-name", "Bürgerhaus"), set("organiser-email", "team@example.org"))
		resp := follow(t, ctx, "create", chromedp.Click(chromedp.CSS(`button[name=save]`)))
		if resp.Status != 200 || !strings.Contains(resp.URL, "/org/events/"+slug+"/setup/basics?done=created") {
			t.Fatalf("create led to %s (%d): %s", resp.URL, resp.Status, pageText(t, ctx))
		}
		checkA11y(t, ctx, "org-setup-basics")
		screenshot(t, ctx, "org-setup-basics")
		follow(t, ctx, "workshops tab", chromedp.Click(chromedp.CSS(`.setup-tabs a[href^="/org/events/`+slug+`/setup/workshops"]`)))
		do(t, ctx, "fill slot 1", set("slots-0-key", "r1"), set("slots-0-title", "Runde 1"),
			set("slots-0-starts_at", "10:00"), set("slots-0-ends_at", "11:30"))
		follow(t, ctx, "another slot", chromedp.Click(chromedp.CSS(`button[name=add][value=slots]`)))
		do(t, ctx, "fill slot 2", set("slots-1-key", "r2"), set("slots-1-title", "Runde 2"),
			set("slots-1-starts_at", "13:00"), set("slots-1-ends_at", "14:30"), chromedp.Click(chromedp.ID("slots-1-optional")))
		for i := 1; i < 4; i++ {
			follow(t, ctx, "another workshop", chromedp.Click(chromedp.CSS(`button[name=add][value=workshops]`)))
		}
		// The page opens at the new row, and the keyboard goes on from there.
		if at := eval[[]string](t, ctx, "new row", `[location.hash, document.activeElement.id]`); at[0] != "#workshops-3" || at[1] != "workshops-3" {
			t.Errorf("after adding a workshop: at %q, focus on %q; want the new row workshops-3", at[0], at[1])
		}
		for i, w := range []struct{ key, slot string }{{"A", "r1"}, {"B", "r1"}, {"C", "r2"}, {"D", "r2"}} {
			p := fmt.Sprintf("workshops-%d-", i)
			capacity := "15"
			if i == 3 {
				capacity = "0" // the mistake
			}
			do(t, ctx, "fill workshop "+w.key, set(p+"key", w.key), set(p+"slot", w.slot),
				set(p+"title", "Workshop "+w.key), set(p+"capacity", capacity), set(p+"room", "Raum "+w.key))
		}
		resp = follow(t, ctx, "save with a mistake", chromedp.Click(chromedp.CSS(`button[name=save]`)))
		if resp.Status != 422 {
			t.Fatalf("save with capacity 0: status %d, want 422", resp.Status)
		}
		if msg := text(t, ctx, "#workshops-3-capacity-error"); !strings.Contains(msg, "größer als 0") {
			t.Errorf("message beside the capacity: %q", msg)
		}
		if link := text(t, ctx, `#error-summary a[href="#workshops-3-capacity"]`); link != "Workshop 4 – Plätze" {
			t.Errorf("summary names the field %q, want its label", link)
		}
		if v := eval[string](t, ctx, "kept title", `document.getElementById('workshops-2-title').value`); v != "Workshop C" {
			t.Errorf("typed title not kept: %q", v)
		}
		checkA11y(t, ctx, "org-setup-error")
		screenshot(t, ctx, "org-setup-error")
		do(t, ctx, "fix the capacity", set("workshops-3-capacity", "15"))
		resp = follow(t, ctx, "save", chromedp.Click(chromedp.CSS(`button[name=save]`)))
		if resp.Status != 200 || !strings.Contains(resp.URL, "/org/events/"+slug+"/setup/workshops?done=saved") {
			t.Fatalf("save led to %s (%d): %s", resp.URL, resp.Status, pageText(t, ctx))
		}
		var n, optional int
		if err := s.pool.QueryRow(t.Context(), `SELECT count(*), (SELECT count(*) FROM slots s JOIN events e ON e.id = s.event_id WHERE e.slug = $1 AND s.optional)
			FROM workshops w JOIN events e ON e.id = w.event_id WHERE e.slug = $1`, slug).Scan(&n, &optional); err != nil || n != 4 || optional != 1 {
			t.Fatalf("stored: %d workshops, %d optional slots, %v; want 4, 1", n, optional, err)
		}
		checkA11y(t, ctx, "org-setup-workshops")
		screenshot(t, ctx, "org-setup-workshops")
	})
	ok = ok && t.Run("3 open registration", func(t *testing.T) {
		navigate(t, ctx, eventBase+"/setup?lang=de")
		follow(t, ctx, "Anmeldung öffnen", chromedp.Click(chromedp.CSS(`button[name=status][value=open]`)))
		checkA11y(t, ctx, "org-setup-status")
		screenshot(t, ctx, "org-setup-status")
		follow(t, ctx, "confirm", chromedp.Click(chromedp.CSS(`form button.button`)))
		if got := pageText(t, ctx); !strings.Contains(got, "Aktuell: Anmeldung offen") {
			t.Fatalf("after opening: %s", got)
		}
		var out registrationJSON
		s.api(t, "POST", "/api/v1/events/"+slug+"/registrations", map[string]any{"name": pName, "email": pEmail,
			"organisation": "Jobcenter", "consents": map[string]any{"privacy": true}, "choices": map[string]string{"r1": "A", "r2": "C"}}, 201, &out)
		s.api(t, "POST", "/api/v1/events/"+slug+"/registrations", map[string]any{"name": "Otto Anders", "email": "otto@example.org",
			"consents": map[string]any{"privacy": true}, "choices": map[string]string{"r1": "B", "r2": "D"}}, 201, &out)
		navigate(t, ctx, eventBase+"/dashboard?lang=de")
		checkA11y(t, ctx, "org-dashboard")
		screenshot(t, ctx, "org-dashboard")
		navigate(t, ctx, s.base+"/org/events/import?lang=de")
		checkA11y(t, ctx, "org-setup-import")
		screenshot(t, ctx, "org-setup-import")
	})
	if !ok {
		return
	}
	t.Run("4 message to a workshop", func(t *testing.T) {
		navigate(t, ctx, eventBase+"/messages?lang=de")
		do(t, ctx, "write", chromedp.SetValue(chromedp.ID("audience"), "workshop:A"),
			chromedp.SendKeys(chromedp.ID("subject"), "Raum geändert"),
			chromedp.SendKeys(chromedp.ID("body"), "Workshop A findet in Raum 12 statt."))
		follow(t, ctx, "preview", chromedp.Click(chromedp.CSS(`button[name=action][value=preview]`)))
		if got := text(t, ctx, ".preview .mail-text"); !strings.Contains(got, "Guten Tag "+pName) || !strings.Contains(got, "Raum 12") {
			t.Errorf("preview: %q", got)
		}
		checkA11y(t, ctx, "org-messages-preview")
		screenshot(t, ctx, "org-messages-preview")
		follow(t, ctx, "send", chromedp.Click(chromedp.CSS(`button[name=action][value=send]`)))
		if got := text(t, ctx, ".success"); !strings.Contains(got, "1 Personen") {
			t.Errorf("notice after sending: %q", got)
		}
		m := s.waitMail(t, pEmail, "Raum geändert")
		if !strings.Contains(m.Text, "Raum 12") {
			t.Errorf("mail text: %q", m.Text)
		}
		if got := s.mailsTo("otto@example.org", "Raum geändert"); len(got) != 0 {
			t.Errorf("participant of another workshop got the message")
		}
		checkA11y(t, ctx, "org-messages")
		screenshot(t, ctx, "org-messages")
	})
	t.Run("5 copy as the template of next year", func(t *testing.T) {
		navigate(t, ctx, eventBase+"/setup/basics?lang=de")
		follow(t, ctx, "copy", chromedp.Click(chromedp.CSS(`a[href^="/org/events/`+slug+`/copy"]`)))
		checkA11y(t, ctx, "org-setup-copy")
		screenshot(t, ctx, "org-setup-copy")
		do(t, ctx, "new slug", set("slug", slug+"-naechstes-jahr"))
		resp := follow(t, ctx, "create the copy", chromedp.Click(chromedp.CSS(`form.narrow button[type=submit]`)))
		if resp.Status != 200 || !strings.Contains(resp.URL, "/org/events/"+slug+"-naechstes-jahr/setup/basics?done=copied") {
			t.Fatalf("copy led to %s (%d): %s", resp.URL, resp.Status, pageText(t, ctx))
		}
	})
	t.Run("6 export with the browser's session", func(t *testing.T) {
		navigate(t, ctx, s.base+"/org/events/"+slug+"/lists?lang=de")
		href := eval[string](t, ctx, "CSV link", `document.querySelector('a[href*="/`+slug+`/export.csv"]').href`)
		body := getWithBrowserSession(t, ctx, href)
		if !strings.HasPrefix(body, "\ufeff") || !strings.Contains(body, pName) || !strings.Contains(body, ";") {
			t.Errorf("CSV export: got %.200q, want a BOM, semicolons and %s", body, pName)
		}
	})
}

// getWithBrowserSession fetches url with the cookies the browser holds, as
// a click on a download link would.
func getWithBrowserSession(t *testing.T, ctx context.Context, url string) string {
	t.Helper()
	cctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	res, err := chromedp.Call(cctx, network.GetCookies, network.GetCookiesParams{})
	if err != nil {
		t.Fatalf("read the browser's cookies: %v", err)
	}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range res.Cookies {
		req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d: %s", url, resp.StatusCode, b)
	}
	return string(b)
}

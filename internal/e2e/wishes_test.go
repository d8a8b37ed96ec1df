package e2e_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/fachtag/fachtag/internal/auth"
	"github.com/fachtag/fachtag/internal/mail/mailtest"
)

const wishScenario = "berufliche-teilhabe-2025"

// pickByKeyboard focuses a select and moves its choice with the arrow keys
// only, as a keyboard user would: down > 0 presses ArrowDown, down < 0
// presses ArrowUp.
func pickByKeyboard(id string, down int) chromedp.Action[chromedp.Void] {
	key := kb.ArrowDown
	if down < 0 {
		key, down = kb.ArrowUp, -down
	}
	focus, press := chromedp.Focus(chromedp.ID(id)), chromedp.KeyEvent(strings.Repeat(key, down))
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		if _, err := focus(ctx, t); err != nil {
			return chromedp.Void{}, err
		}
		return press(ctx, t)
	}
}

// selectValues reads the values of the wish selects of the current page.
func selectValues(t *testing.T, ctx context.Context) map[string]string {
	t.Helper()
	return eval[map[string]string](t, ctx, "wish selects",
		`Object.fromEntries([...document.querySelectorAll('select[id^="pref-"]')].map(s => [s.id, s.value]))`)
}

// waitMails waits until at least n mails to addr with the subject prefix
// arrived and returns them in arrival order.
func (s *stack) waitMails(t *testing.T, addr, prefix string, n int) []mailtest.Received {
	t.Helper()
	deadline := time.Now().Add(mailTimeout)
	for {
		got := s.mailsTo(addr, prefix)
		if len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("got %d mails to %s with subject %q…, want %d", len(got), addr, prefix, n)
		}
		time.Sleep(pollInterval)
	}
}

// orgAPI sends an organiser request with a bearer token.
func (s *stack) orgAPI(t *testing.T, token, method, p string, want int, out any) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), stepTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, s.base+p, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, p, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("%s %s: status %d, want %d; body %s", method, p, resp.StatusCode, want, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s: decode %s: %v", method, p, raw, err)
		}
	}
}

// TestWishPhase walks the wish phase in headless Chromium: a participant
// ranks workshops per round with the keyboard, gets the "received" mail,
// changes the wishes on the personal page; an organiser runs and publishes
// the allocation through the API; the personal page then shows the
// confirmed workshops and the published mail arrives. Screenshots of the
// wish form, the personal page and the organiser allocation page.
func TestWishPhase(t *testing.T) {
	chromium := chromiumPath(t)
	s := startStack(t, wishScenario, nil)
	ctx := newBrowser(t, chromium)
	if s.ev.Registration.Mode != "preferences" {
		t.Fatalf("scenario %s is in mode %q, want preferences", wishScenario, s.ev.Registration.Mode)
	}
	const (
		name  = "Amira Haddad"
		email = "amira.haddad@example.org"
	)
	title := func(key string) string { return s.workshopTitle(t, key) }
	var token, link string

	ok := t.Run("1 rank wishes in the form", func(t *testing.T) {
		if got := navigate(t, ctx, s.base+"/events/"+wishScenario+"?lang=de"); got != 200 {
			t.Fatalf("GET event page: status %d, want 200", got)
		}
		if got := text(t, ctx, ".wish-note"); !strings.Contains(got, "Bis zum Anmeldeschluss am ") {
			t.Errorf("event page does not say when places are allocated: %q", got)
		}
		if got := text(t, ctx, "main"); strings.Contains(got, "frei") {
			t.Errorf("wish-phase event page speaks of free places:\n%s", got)
		}
		checkA11y(t, ctx, "wish-phase event page")
		screenshot(t, ctx, "wish-event")
		if got := navigate(t, ctx, s.base+"/events/"+wishScenario+"/register?lang=de"); got != 200 {
			t.Fatalf("GET form: status %d, want 200", got)
		}
		if n := eval[int](t, ctx, "wish selects", `document.querySelectorAll('select[id^="pref-"]').length`); n != 2*3 {
			t.Fatalf("form has %d wish selects, want 6 (2 rounds × 3 wishes)", n)
		}
		checkA11y(t, ctx, "wish form")
		// Options per round: none, A, B, C, D (the organiser's order).
		do(t, ctx, "fill the form",
			chromedp.SendKeys(chromedp.ID("name"), name),
			chromedp.SendKeys(chromedp.ID("email"), email),
			chromedp.SendKeys(chromedp.ID("organisation"), "Integrationsfachdienst Süd"),
			chromedp.SetValue(chromedp.ID("q-organisation_type"), "Beratungsstelle"),
			pickByKeyboard("pref-r1-1", 2), // B1
			pickByKeyboard("pref-r1-2", 1), // A1
			pickByKeyboard("pref-r2-1", 3), // C2
			pickByKeyboard("pref-r2-2", 1), // A2
			pickByKeyboard("pref-r2-3", 4), // D2
			chromedp.Click(chromedp.ID("privacy")),
		)
		want := map[string]string{"pref-r1-1": "B1", "pref-r1-2": "A1", "pref-r1-3": "",
			"pref-r2-1": "C2", "pref-r2-2": "A2", "pref-r2-3": "D2"}
		if got := selectValues(t, ctx); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("selects after keyboard input = %v, want %v", got, want)
		}
		screenshot(t, ctx, "wish-form")
		resp := follow(t, ctx, "submit the form", chromedp.Click(chromedp.CSS(`form button[type=submit]`)))
		u, err := url.Parse(resp.URL)
		if err != nil || resp.Status != 200 || u.Path != "/events/"+wishScenario+"/registered" {
			t.Fatalf("after submit: %s (status %d), want the thank-you page; page says %q", resp.URL, resp.Status, pageText(t, ctx))
		}
		if got := text(t, ctx, ".wish-note"); !strings.Contains(got, "Bis zum Anmeldeschluss am ") {
			t.Errorf("thank-you page does not say when places are allocated: %q", got)
		}
		checkA11y(t, ctx, "thank-you page (wish phase)")
		screenshot(t, ctx, "wish-registered")
	})
	if !ok {
		return
	}

	ok = t.Run("2 received mail and personal link", func(t *testing.T) {
		m := s.waitMail(t, email, "Anmeldung eingegangen: ")
		if want := "Anmeldung eingegangen: " + s.ev.Title; m.Subject != want {
			t.Errorf("subject = %q, want %q", m.Subject, want)
		}
		// Not checked here: this first mail should also list the wishes,
		// but booking's enqueue leaves Message.Preferences empty on
		// sign-up (reported); the mail after a change lists them (step 3).
		if !strings.Contains(m.Text, "Workshop-Wünsche sind bei uns eingegangen") {
			t.Errorf("received mail does not confirm the wishes:\n%s", m.Text)
		}
		var err error
		if link, err = personalLink(s.base, m.Text); err != nil {
			t.Fatalf("%v:\n%s", err, m.Text)
		}
		token = path.Base(link)
		var reg registrationJSON
		s.api(t, "GET", "/api/v1/registrations/"+token, nil, 200, &reg)
		if reg.Status != "received" || len(reg.Bookings) != 0 {
			t.Errorf("registration after the form: %+v, want received without bookings", reg)
		}
		if got := navigate(t, ctx, link); got != 200 {
			t.Fatalf("open personal link: status %d; page says %q", got, pageText(t, ctx))
		}
		page := text(t, ctx, "main")
		for _, w := range []string{name, title("B1"), title("C2"), "Bis zum Anmeldeschluss am "} {
			if !strings.Contains(page, w) {
				t.Errorf("personal page lacks %q:\n%s", w, page)
			}
		}
		if strings.Contains(page, "Kein Workshop") {
			t.Errorf("personal page in the wish phase says Kein Workshop:\n%s", page)
		}
		checkA11y(t, ctx, "personal page with wishes")
		screenshot(t, ctx, "wish-manage")
	})
	if !ok {
		return
	}

	ok = t.Run("3 change wishes on the personal page", func(t *testing.T) {
		if got := navigate(t, ctx, link+"?lang=de"); got != 200 {
			t.Fatalf("open personal link: status %d; page says %q", got, pageText(t, ctx))
		}
		// Swap the first two wishes of round 1 (B1, A1 → A1, B1), drop D2.
		do(t, ctx, "change the wishes",
			pickByKeyboard("pref-r1-1", -1),
			pickByKeyboard("pref-r1-2", 1),
			pickByKeyboard("pref-r2-3", -4),
		)
		resp := follow(t, ctx, "submit the wish form", chromedp.Click(chromedp.CSS(`form.wishes button[type=submit]`)))
		if resp.Status != 200 || !strings.Contains(resp.URL, "done=wishes") {
			t.Fatalf("after saving wishes: %s (status %d); page says %q", resp.URL, resp.Status, pageText(t, ctx))
		}
		if got := text(t, ctx, `.success[role=status]`); !strings.HasPrefix(got, "Ihre Wünsche sind gespeichert.") {
			t.Errorf("notice = %q", got)
		}
		want := map[string]string{"pref-r1-1": "A1", "pref-r1-2": "B1", "pref-r1-3": "",
			"pref-r2-1": "C2", "pref-r2-2": "A2", "pref-r2-3": ""}
		if got := selectValues(t, ctx); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("wishes after saving = %v, want %v", got, want)
		}
		var prefs string
		if err := s.pool.QueryRow(t.Context(), `SELECT preferences::text FROM registrations WHERE email = $1`, email).Scan(&prefs); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(prefs, `"r1": ["A1", "B1"]`) || !strings.Contains(prefs, `"r2": ["C2", "A2"]`) {
			t.Errorf("stored preferences = %s, want r1 [A1 B1], r2 [C2 A2]", prefs)
		}
		checkA11y(t, ctx, "personal page (wishes saved)")
		screenshot(t, ctx, "wish-manage-changed")
		mails := s.waitMails(t, email, "Anmeldung eingegangen: ", 2)
		if last := mails[len(mails)-1].Text; !strings.Contains(last, "1. "+title("A1")) {
			t.Errorf("mail after the change does not rank %q first:\n%s", title("A1"), last)
		}
	})
	if !ok {
		return
	}

	// More wishers, so the allocation has something to decide: everybody
	// wants A in round 1 first, and A has 28 seats per round.
	for i := range 40 {
		r1 := []string{"A1", "B1", "C1"}
		r2 := []string{"A2", "D2"}
		if i%2 == 1 {
			r1, r2 = []string{"C1", "A1"}, []string{"B2", "A2", "C2"}
		}
		s.api(t, "POST", "/api/v1/events/"+wishScenario+"/registrations", map[string]any{
			"name": fmt.Sprintf("Person %02d", i), "email": fmt.Sprintf("person%02d@example.org", i),
			"organisation": "Jobcenter", "language": "de",
			"answers":     map[string]any{"organisation_type": "Jobcenter / Agentur für Arbeit"},
			"consents":    map[string]bool{"privacy": true},
			"preferences": map[string][]string{"r1": r1, "r2": r2},
		}, 201, nil)
	}

	const orgEmail = "orga@example.org"
	au := auth.New(s.pool, auth.Options{Params: auth.Params{Memory: 1024, Time: 1, Threads: 1}})
	_, password, err := au.CreateUser(t.Context(), orgEmail, auth.RoleOrganiser, wishScenario)
	if err != nil {
		t.Fatal(err)
	}
	// Replace the one-time password, which would send the browser to the
	// password page first.
	acct, _, err := au.Login(t.Context(), orgEmail, password, "e2e", "")
	if err != nil {
		t.Fatal(err)
	}
	next := "ein langer Satz als Passwort"
	if err := au.ChangePassword(t.Context(), acct, password, next); err != nil {
		t.Fatal(err)
	}
	password = next
	_, apiToken, err := au.CreateToken(t.Context(), orgEmail, "e2e")
	if err != nil {
		t.Fatal(err)
	}
	var runID int64

	ok = t.Run("4 run the allocation (API) and see it on the organiser page", func(t *testing.T) {
		var run struct {
			ID      int64 `json:"id"`
			Optimal bool  `json:"optimal"`
			Profile map[string]int
		}
		s.orgAPI(t, apiToken, "POST", "/api/v1/events/"+wishScenario+"/allocations", 201, &run)
		if run.ID == 0 {
			t.Fatalf("run reply without id: %+v", run)
		}
		runID = run.ID
		if run.Profile["none"] != 0 {
			t.Errorf("profile %v: nobody should stay without a seat (capacity 28 per workshop)", run.Profile)
		}

		if got := navigate(t, ctx, s.base+"/org/login?lang=de"); got != 200 {
			t.Fatalf("GET /org/login: status %d", got)
		}
		do(t, ctx, "fill the login form",
			chromedp.SendKeys(chromedp.ID("email"), orgEmail),
			chromedp.SendKeys(chromedp.ID("password"), password),
		)
		resp := follow(t, ctx, "log in", chromedp.Click(chromedp.CSS(`form button[type=submit]`)))
		if resp.Status != 200 || strings.Contains(resp.URL, "/org/login") {
			t.Fatalf("after login: %s (status %d); page says %q", resp.URL, resp.Status, pageText(t, ctx))
		}
		if got := navigate(t, ctx, fmt.Sprintf("%s/org/events/%s/allocations?run=%d&lang=de", s.base, wishScenario, runID)); got != 200 {
			t.Fatalf("organiser allocation page: status %d; page says %q", got, pageText(t, ctx))
		}
		if page := pageText(t, ctx); !strings.Contains(page, title("A1")) {
			t.Errorf("organiser allocation page does not list workshop %q:\n%s", title("A1"), page)
		}
		checkA11y(t, ctx, "organiser allocation page")
		screenshot(t, ctx, "org-allocations")
	})
	if !ok {
		return
	}

	t.Run("5 publish; the personal page shows the workshops", func(t *testing.T) {
		s.orgAPI(t, apiToken, "POST", fmt.Sprintf("/api/v1/events/%s/allocations/%d/publish", wishScenario, runID), 200, nil)
		var reg registrationJSON
		s.api(t, "GET", "/api/v1/registrations/"+token, nil, 200, &reg)
		if reg.Status != "confirmed" || len(reg.Bookings) != 2 {
			t.Fatalf("registration after publication: %+v, want confirmed with two bookings", reg)
		}
		seat := map[string]string{}
		for _, b := range reg.Bookings {
			if b.Status != "confirmed" {
				t.Errorf("booking %+v not confirmed", b)
			}
			seat[b.Slot] = b.Workshop
		}
		if seat["r1"] == "" || seat["r2"] == "" || seat["r1"][:1] == seat["r2"][:1] {
			t.Errorf("bookings %v: want one workshop per round, never one topic twice", seat)
		}
		if got := navigate(t, ctx, link+"?lang=de"); got != 200 {
			t.Fatalf("open personal link: status %d", got)
		}
		bookings := eval[string](t, ctx, "bookings", `[...document.querySelectorAll("ul.bookings")].map(u => u.innerText).join("\n")`)
		for _, ws := range []string{title(seat["r1"]), title(seat["r2"]), "Platz sicher"} {
			if !strings.Contains(bookings, ws) {
				t.Errorf("personal page bookings lack %q:\n%s", ws, bookings)
			}
		}
		checkA11y(t, ctx, "personal page (published)")
		screenshot(t, ctx, "wish-manage-published")
		m := s.waitMail(t, email, "Ihre Workshops: ")
		for _, ws := range []string{title(seat["r1"]), title(seat["r2"])} {
			if !strings.Contains(m.Text, ws) {
				t.Errorf("published mail lacks %q:\n%s", ws, m.Text)
			}
		}
	})
}

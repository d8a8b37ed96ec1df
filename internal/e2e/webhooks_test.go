package e2e_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/fachtag/fachtag/internal/auth"
	"github.com/fachtag/fachtag/internal/event"
	"github.com/fachtag/fachtag/internal/webhook"
)

// TestWebhookPages adds a webhook in the browser: a plain-http address is
// refused next to its field (focus and text reachable), the corrected
// form shows the secret once, and the endpoint's page offers its actions;
// both pages are saved at desktop and phone width and pass the
// accessibility smoke test without widening the phone screen.
func TestWebhookPages(t *testing.T) {
	chromium := chromiumPath(t)
	s, email, password := startOrgStack(t)
	ctx := newBrowser(t, chromium)
	navigate(t, ctx, s.base+"/org/login?lang=de")
	follow(t, ctx, "log in",
		chromedp.SendKeys(chromedp.CSS("#email"), email),
		chromedp.SendKeys(chromedp.CSS("#password"), password),
		chromedp.Click(chromedp.CSS(`form button[type=submit]`)))
	navigate(t, ctx, s.base+"/org/events/"+scenario+"/setup?lang=de")
	follow(t, ctx, "open webhooks", chromedp.Click(chromedp.CSS(`.setup-tabs a[href*="/webhooks"]`)))

	follow(t, ctx, "add with http",
		chromedp.SendKeys(chromedp.CSS("#url"), "http://crm.example.org/hooks"),
		chromedp.Click(chromedp.CSS(`form[action*="/webhooks"] button[type=submit]`)))
	if got := text(t, ctx, "#url-error"); !strings.Contains(got, "https://") {
		t.Errorf("url error = %q", got)
	}
	if got := text(t, ctx, "#types-error"); got == "" {
		t.Error("no error next to the event types")
	}
	checkA11y(t, ctx, "webhooks with errors")
	screenshot(t, ctx, "org-webhooks-errors")

	follow(t, ctx, "add with https",
		chromedp.SetValue(chromedp.CSS("#url"), "https://crm.example.org/hooks/fachtag"),
		chromedp.Click(chromedp.CSS(`#types-registration\.created`)),
		chromedp.Click(chromedp.CSS(`#types-registration\.checked_in`)),
		chromedp.Click(chromedp.CSS(`form[action*="/webhooks"] button[type=submit]`)))
	secret := get(t, ctx, "secret", chromedp.Value(chromedp.CSS("#new-secret")))
	if !strings.HasPrefix(secret, "whsec_") {
		t.Fatalf("secret field = %q", secret)
	}
	checkA11y(t, ctx, "webhooks")
	screenshot(t, ctx, "org-webhooks")
	checkPhone(t, ctx, "webhooks", true)

	follow(t, ctx, "open the endpoint", chromedp.Click(chromedp.CSS(`#webhooks tbody a`)))
	follow(t, ctx, "send a test event", chromedp.Click(chromedp.CSS(`form[action*="/test"] button`)))
	if !strings.Contains(pageText(t, ctx), "Testnachricht ist unterwegs") {
		t.Error("no notice after the test send")
	}
	if strings.Contains(pageText(t, ctx), secret) {
		t.Error("the endpoint's page shows the secret again")
	}
	checkA11y(t, ctx, "webhook log")
	screenshot(t, ctx, "org-webhook-log")
	checkPhone(t, ctx, "webhook log", true)

	attemptsInLog(t, ctx, s)
}

// attemptsInLog sends a sign-up's delivery to a real receiver on loopback
// (allowed for this endpoint's service and worker) that fails once, and
// shows both attempts in the endpoint's log.
func attemptsInLog(t *testing.T, ctx context.Context, s *stack) {
	calls := 0
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		if calls == 1 {
			http.Error(w, "database locked, try later", http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer receiver.Close()
	loopback := webhook.NewPolicy(nil, []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")})
	ev, err := event.Load(t.Context(), s.pool, scenario)
	if err != nil {
		t.Fatal(err)
	}
	id, _, err := webhook.NewService(s.pool, loopback).Create(t.Context(), auth.Account{}, ev.ID, receiver.URL,
		[]string{webhook.RegistrationCreated})
	if err != nil {
		t.Fatal(err)
	}
	s.api(t, "POST", "/api/v1/events/"+scenario+"/registrations", map[string]any{"name": "Webhook Test",
		"email": "webhook@example.org", "organisation": "Jobcenter", "consents": map[string]bool{"privacy": true},
		"answers": map[string]any{"organisation_type": "Kommune"}, "choices": map[string]string{"ws": "B"}},
		http.StatusCreated, nil)
	clock := time.Now().Add(time.Minute)
	w := webhook.NewWorker(s.pool, webhook.WorkerConfig{Policy: loopback, Now: func() time.Time { return clock }},
		slog.New(slog.DiscardHandler))
	for range 2 {
		if _, err := w.RunOnce(t.Context()); err != nil {
			t.Fatal(err)
		}
		clock = clock.Add(time.Minute)
	}
	navigate(t, ctx, fmt.Sprintf("%s/org/events/%s/webhooks/%d?lang=de", s.base, scenario, id))
	log := text(t, ctx, "#attempts")
	for _, want := range []string{"503", "204", "zugestellt", "fehlgeschlagen", "database locked"} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q:\n%s", want, log)
		}
	}
	checkA11y(t, ctx, "webhook log with attempts")
	screenshot(t, ctx, "org-webhook-log-attempts")
	checkPhone(t, ctx, "webhook log with attempts", true)
}

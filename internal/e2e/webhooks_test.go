package e2e_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
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
	follow(t, ctx, "open webhooks", chromedp.Click(chromedp.CSS(`#webhooks-link a`)))

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
}

package e2e_test

import (
	"bytes"
	"image"
	"image/png"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/fachtag/fachtag/internal/auth"
	"github.com/fachtag/fachtag/internal/certificate"
	"github.com/fachtag/fachtag/internal/certificate/certtest"
)

// TestCertificatesInBrowser is the organiser's way to certificates after
// the day: settings with a mistake and a logo upload, the send with its
// confirmation; then the participant's mail with the PDF (read back by
// pdftotext), the download on the personal page and the check of the code.
func TestCertificatesInBrowser(t *testing.T) {
	chromium := chromiumPath(t)
	s := startStack(t, scenario, nil)
	a := auth.New(s.pool, auth.Options{Params: auth.Params{Memory: 64, Time: 1, Threads: 1}})
	_, pw, err := a.CreateUser(t.Context(), "orga@example.org", auth.RoleOrganiser, scenario)
	if err != nil {
		t.Fatal(err)
	}
	const name, email = "Jürgen Weiß-Öztürk", "juergen@example.org"
	var reg registrationJSON
	s.api(t, "POST", "/api/v1/events/"+scenario+"/registrations", map[string]any{"name": name, "email": email,
		"consents": map[string]any{"privacy": true}, "answers": map[string]any{"organisation_type": "Kommune"},
		"choices": map[string]string{"ws": "A"}}, 201, &reg)
	manage, err := url.Parse(reg.ManageURL)
	if err != nil {
		t.Fatal(err)
	}
	// The day has come and Jürgen was checked in.
	if _, err := s.pool.Exec(t.Context(), `UPDATE users SET must_change = false;
		UPDATE registrations SET checked_in_at = now() WHERE email = '`+email+`';
		UPDATE events SET starts_at = now() - interval '3 hours', ends_at = now() + interval '4 hours'`); err != nil {
		t.Fatal(err)
	}
	ctx := newBrowser(t, chromium)
	navigate(t, ctx, s.base+"/org/login?lang=de")
	do(t, ctx, "fill login", chromedp.SendKeys(chromedp.ID("email"), "orga@example.org"), chromedp.SendKeys(chromedp.ID("password"), pw))
	follow(t, ctx, "log in", chromedp.Click(chromedp.CSS(`form button[type=submit]`)))

	ok := t.Run("1 settings", func(t *testing.T) {
		navigate(t, ctx, s.base+"/org/events/"+scenario+"/setup?lang=de")
		follow(t, ctx, "link from the setup", chromedp.Click(chromedp.CSS(`a[href^="/org/events/`+scenario+`/certificates"]`)))
		checkA11y(t, ctx, "org-certificates")
		screenshot(t, ctx, "org-certificates")
		do(t, ctx, "wrong hours", chromedp.SetValue(chromedp.ID("hours"), "viele"))
		follow(t, ctx, "save", chromedp.Click(chromedp.CSS(`form[enctype] button[type=submit]`)))
		if got := text(t, ctx, "#hours-error"); !strings.Contains(got, "Stundenzahl") {
			t.Errorf("error next to the hours: %q", got)
		}
		checkA11y(t, ctx, "org-certificates-error")
		screenshot(t, ctx, "org-certificates-error")
		checkPhone(t, ctx, "org-certificates-error", true)
		logo := filepath.Join(t.TempDir(), "logo.png")
		var buf bytes.Buffer
		_ = png.Encode(&buf, image.NewGray(image.Rect(0, 0, 120, 40)))
		if err := os.WriteFile(logo, buf.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
		do(t, ctx, "fill the settings", chromedp.SetValue(chromedp.ID("hours"), "6,5"),
			chromedp.SetValue(chromedp.ID("body"), "{name} erhält 6 Fortbildungspunkte."),
			chromedp.SetValue(chromedp.ID("signer_name"), "Dr. Anna Beispiel"),
			chromedp.SetUploadFiles(chromedp.ID("logo"), []string{logo}))
		follow(t, ctx, "save", chromedp.Click(chromedp.CSS(`form[enctype] button[type=submit]`)))
		if got := text(t, ctx, ".success"); got != "Gespeichert." {
			t.Fatalf("after saving: %q: %s", got, pageText(t, ctx))
		}
	})
	ok = ok && t.Run("2 send", func(t *testing.T) {
		follow(t, ctx, "send", chromedp.Click(chromedp.CSS(`a[href*="/certificates/send"]`)))
		checkA11y(t, ctx, "org-certificates-send")
		screenshot(t, ctx, "org-certificates-send")
		checkPhone(t, ctx, "org-certificates-send", true)
		follow(t, ctx, "confirm", chromedp.Click(chromedp.CSS(`form.publish button[type=submit]`)))
		if got := text(t, ctx, ".success"); !strings.Contains(got, "versendet: 1.") {
			t.Errorf("after sending: %q", got)
		}
	})
	if !ok {
		return
	}
	m := s.waitMail(t, email, "Ihre Teilnahmebescheinigung")
	var pdf []byte
	for _, att := range m.Attachments {
		if strings.HasPrefix(att.ContentType, "application/pdf") {
			pdf = att.Data
		}
	}
	got := strings.Join(strings.Fields(certtest.Text(t, pdf)), " ")
	var code string
	if err := s.pool.QueryRow(t.Context(), `SELECT code FROM certificates`).Scan(&code); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{name, name + " erhält 6 Fortbildungspunkte.", "Umfang: 6,5 Zeitstunden", "Dr. Anna Beispiel", certificate.FormatCode(code)} {
		if !strings.Contains(got, want) {
			t.Errorf("mailed PDF lacks %q: %s", want, got)
		}
	}
	t.Run("3 personal page and check of the code", func(t *testing.T) {
		navigate(t, ctx, s.base+manage.RequestURI())
		if got := text(t, ctx, `a[href$="/certificate.pdf"]`); got != "Bescheinigung herunterladen (PDF)" {
			t.Errorf("download link: %q", got)
		}
		checkA11y(t, ctx, "manage-certificate")
		screenshot(t, ctx, "manage-certificate")
		checkPhone(t, ctx, "manage-certificate", false)
		navigate(t, ctx, s.base+"/v/"+certificate.FormatCode(code))
		if got := text(t, ctx, ".success"); !strings.Contains(got, name) || !strings.Contains(got, "Gültig") {
			t.Errorf("verification: %q", got)
		}
		checkA11y(t, ctx, "verify")
		screenshot(t, ctx, "verify")
		checkPhone(t, ctx, "verify", false)
		if st := navigate(t, ctx, s.base+"/v/ABCD-EFGH-JKMN"); st != 404 {
			t.Errorf("unknown code: status %d", st)
		}
		screenshot(t, ctx, "verify-unknown")
	})
}

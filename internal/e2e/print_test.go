package e2e_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/fachtag/fachtag/internal/auth"
)

// pdfImages counts the image objects of a PDF. Chromium writes each image
// once as an XObject whose dictionary is plain text, and each QR code
// differs from the others.
var pdfImages = regexp.MustCompile(`/Subtype\s*/Image`)

// TestBadgesPrintEveryQRCode prints the badges of 26 participants to PDF
// the way a browser prints them and counts one QR code per badge: no image
// may be left out because it was never scrolled into view.
func TestBadgesPrintEveryQRCode(t *testing.T) {
	chromium := chromiumPath(t)
	s := startStack(t, demoEvents[0], nil)
	const n = 26
	for i := range n {
		body := map[string]any{"name": fmt.Sprintf("Teilnehmerin %02d", i+1), "email": fmt.Sprintf("p%02d@example.org", i+1),
			"organisation": "Beratungsstelle", "consents": map[string]any{"privacy": true},
			"answers": map[string]any{"organisation_type": "Kommune"}, "choices": map[string]string{"ws": string(rune('A' + i%4))}}
		s.api(t, "POST", "/api/v1/events/"+demoEvents[0]+"/registrations", body, 201, nil)
	}
	_, password, err := auth.New(s.pool, auth.Options{}).CreateUser(t.Context(), "orga@example.org", auth.RoleOrganiser, demoEvents[0])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.pool.Exec(t.Context(), `UPDATE users SET must_change = false`); err != nil {
		t.Fatal(err)
	}
	ctx := newBrowser(t, chromium)
	navigate(t, ctx, s.base+"/org/login?lang=de")
	follow(t, ctx, "log in",
		chromedp.SendKeys(chromedp.CSS("#email"), "orga@example.org"),
		chromedp.SendKeys(chromedp.CSS("#password"), password),
		chromedp.Click(chromedp.CSS(`form button[type=submit]`)))
	if st := navigate(t, ctx, s.base+"/org/events/"+demoEvents[0]+"/print/badges?lang=de"); st != 200 {
		t.Fatalf("badges: %d", st)
	}
	if got := eval[int](t, ctx, "badges", `document.querySelectorAll('.badge').length`); got != n {
		t.Fatalf("%d badges on the page, want %d", got, n)
	}
	// Eager images hold the load event back until they are there; a lazy
	// one far down the page would still be missing when a person prints.
	loaded := eval[int](t, ctx, "QR codes loaded", `[...document.querySelectorAll('img.badge-qr')]
	  .filter(i => i.loading !== 'lazy' && i.complete && i.naturalWidth > 0).length`)
	if loaded != n {
		t.Errorf("%d of %d QR codes loaded eagerly when the page had loaded", loaded, n)
	}
	pdf := printPDF(t, ctx)
	if err := os.MkdirAll(filepath.Join(repoRoot(t), "screenshots"), 0o755); err != nil {
		t.Fatal(err)
	}
	// Kept beside the screenshots for a reviewer to look at.
	if err := os.WriteFile(filepath.Join(repoRoot(t), "screenshots", "org-print-badges.pdf"), pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	if got := len(pdfImages.FindAll(pdf, -1)); got != n {
		t.Errorf("the printed PDF has %d images, want %d QR codes", got, n)
	}
}

// printPDF prints the current page on A4 as the print stylesheet lays it
// out.
func printPDF(t *testing.T, ctx context.Context) []byte {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	prefer := true
	res, err := chromedp.Call(sctx, page.PrintToPDF, page.PrintToPDFParams{PreferCSSPageSize: &prefer, PaperWidth: 8.27, PaperHeight: 11.69})
	if err != nil {
		t.Fatalf("print to PDF: %v", err)
	}
	return res.Data
}

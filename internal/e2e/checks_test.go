package e2e_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// a11yScript lists accessibility smoke problems of the current page: the
// document language, exactly one h1, a label for every visible form
// control, unique ids, and in-page links and aria-describedby that point at
// an element that exists.
const a11yScript = `(() => {
  const problems = [];
  if (!document.documentElement.getAttribute('lang')) problems.push('html has no lang');
  const h1 = document.querySelectorAll('h1').length;
  if (h1 !== 1) problems.push('want exactly one h1, got ' + h1);
  const describe = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.name ? '[name=' + el.name + ']' : '');
  for (const el of document.querySelectorAll('input, select, textarea')) {
    if (el.type === 'hidden') continue;
    const byFor = el.id && document.querySelector('label[for="' + CSS.escape(el.id) + '"]');
    if (!byFor && !el.closest('label')) problems.push(describe(el) + ' has no label');
  }
  const seen = new Set();
  for (const el of document.querySelectorAll('[id]')) {
    if (seen.has(el.id)) problems.push('duplicate id ' + el.id);
    seen.add(el.id);
  }
  for (const a of document.querySelectorAll('a[href^="#"]')) {
    const id = decodeURIComponent(a.getAttribute('href').slice(1));
    if (id && !document.getElementById(id)) problems.push('link to missing #' + id);
  }
  for (const el of document.querySelectorAll('[aria-describedby]')) {
    for (const id of el.getAttribute('aria-describedby').split(/\s+/)) {
      if (id && !document.getElementById(id)) problems.push(describe(el) + ' aria-describedby missing #' + id);
    }
  }
  return problems;
})()`

// checkA11y fails the test with every smoke problem of the current page.
func checkA11y(t *testing.T, ctx context.Context, page string) {
	t.Helper()
	for _, p := range eval[[]string](t, ctx, "accessibility checks on "+page, a11yScript) {
		t.Errorf("accessibility (%s): %s", page, p)
	}
}

// viewports of the screenshots: a desktop browser and a phone.
var viewports = []struct {
	name string
	set  chromedp.Action[chromedp.Void]
}{
	{"desktop", chromedp.EmulateViewport(1280, 900)},
	{"phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulateScale(2))},
}

// screenshot saves full-page PNGs of the current page at every viewport
// into the repository's screenshots/ folder (git-ignored), and leaves the
// desktop viewport set.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	eachViewport(t, ctx, name, func(vp string) []byte { return capture(t, ctx, name+" "+vp) })
}

// eachViewport saves shoot's picture at every viewport as
// screenshots/NAME-VIEWPORT.png and returns to the desktop viewport.
func eachViewport(t *testing.T, ctx context.Context, name string, shoot func(viewport string) []byte) {
	t.Helper()
	dir := filepath.Join(repoRoot(t), "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, vp := range viewports {
		do(t, ctx, "viewport "+vp.name, vp.set)
		file := filepath.Join(dir, name+"-"+vp.name+".png")
		if err := os.WriteFile(file, shoot(vp.name), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	do(t, ctx, "viewport desktop", viewports[0].set)
}

// captureTimeout bounds one full-page screenshot: a long page (the setup
// form is some 30,000 device pixels tall on a phone) takes longer than an
// ordinary step on a busy machine.
const captureTimeout = 60 * time.Second

func capture(t *testing.T, ctx context.Context, what string) []byte {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, captureTimeout)
	defer cancel()
	png, err := chromedp.Run(sctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", what, err)
	}
	return png
}

package e2e_test

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/fachtag/fachtag/internal/auth"
)

// pagePattern names a kind of organiser page: the event's slug, a
// person's id and a workshop's key become "x", the query goes, so that
// one screenshot stands for every page of its kind.
var patternParts = regexp.MustCompile(`/org/events/[^/]+/|/people/[^/]+|/workshops/[^/]+|/attendance/[^/]+`)

func pagePattern(u string) string {
	path, _, _ := strings.Cut(u, "?")
	return patternParts.ReplaceAllStringFunc(path, func(m string) string {
		if strings.HasSuffix(m, "/") {
			return "/org/events/x/"
		}
		return m[:strings.LastIndex(m, "/")+1] + "x"
	})
}

// TestOrganiserFrameInBrowser opens one page of every kind an organiser
// reaches (found by the crawl, not listed by hand) in Chromium, saves it
// at desktop and phone width, and checks the frame: on a phone the menu
// is folded behind its button, opens with it and never makes the page
// wider than the screen; every page passes the accessibility smoke test.
func TestOrganiserFrameInBrowser(t *testing.T) {
	chromium := chromiumPath(t)
	s := startStack(t, demoEvents[0], map[string]int{"A": 1})
	registerSome(t, s)
	_, password, err := auth.New(s.pool, auth.Options{}).CreateUser(t.Context(), "orga@example.org", auth.RoleOrganiser, demoEvents[0])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.pool.Exec(t.Context(), `UPDATE users SET must_change = false`); err != nil {
		t.Fatal(err)
	}
	c := newCrawler(t, s.base)
	c.login("orga@example.org", password)
	c.crawl("/org/")
	kinds := map[string]string{}
	var order []string
	for _, p := range c.pages {
		k := pagePattern(p.url)
		if _, ok := kinds[k]; !ok && p.html && strings.HasPrefix(p.url, "/org/") {
			kinds[k] = p.url
			order = append(order, k)
		}
	}

	// Two widths of some twenty kinds of page: more than one session's
	// usual time on a busy machine.
	ctx := newBrowserWithin(t, chromium, 3*sessionTimeout)
	navigate(t, ctx, s.base+"/org/login?lang=de")
	follow(t, ctx, "log in",
		chromedp.SendKeys(chromedp.CSS("#email"), "orga@example.org"),
		chromedp.SendKeys(chromedp.CSS("#password"), password),
		chromedp.Click(chromedp.CSS(`form button[type=submit]`)))
	for _, k := range order {
		u := kinds[k]
		if st := navigate(t, ctx, s.base+u); st != 200 {
			t.Errorf("GET %s: %d", u, st)
			continue
		}
		name := "org" + strings.NewReplacer("/org", "", "/", "-", ".", "-").Replace(strings.TrimSuffix(k, "/"))
		checkA11y(t, ctx, u)
		screenshot(t, ctx, name)
		if !strings.Contains(k, "/print/") {
			checkPhone(t, ctx, u, strings.HasPrefix(k, "/org/events/x/"))
		}
	}
}

// checkPhone checks a page at phone width: it is no wider than the
// screen; with an event menu, the menu is folded (the button says it is
// closed, the list is hidden) and a click opens it.
func checkPhone(t *testing.T, ctx context.Context, page string, menu bool) {
	t.Helper()
	do(t, ctx, "phone viewport", viewports[1].set)
	defer do(t, ctx, "desktop viewport", viewports[0].set)
	if w := eval[[]float64](t, ctx, "page width", `[document.documentElement.scrollWidth, document.documentElement.clientWidth]`); w[0] > w[1] {
		t.Errorf("%s on a phone: the page is %v px wide, the screen %v px", page, w[0], w[1])
	}
	if !menu {
		return
	}
	// The script folds the menu when the media query reports the change of
	// width, a moment after the viewport changed: wait for it.
	const folded = `(() => {
	  const b = document.querySelector('.org-menu-toggle');
	  return [b && !b.hidden, b && b.getAttribute('aria-expanded'), document.getElementById('org-menu-list').hidden];
	})()`
	state := eval[[]any](t, ctx, "menu state", folded)
	for deadline := time.Now().Add(stepTimeout); state[0] != true && time.Now().Before(deadline); {
		time.Sleep(pollInterval)
		state = eval[[]any](t, ctx, "menu state", folded)
	}
	if state[0] != true || state[1] != "false" || state[2] != true {
		t.Errorf("%s on a phone: button shown %v, aria-expanded %v, list hidden %v; want true, false, true", page, state[0], state[1], state[2])
	}
	do(t, ctx, "open the menu", chromedp.Click(chromedp.CSS(".org-menu-toggle")))
	if open := eval[[]any](t, ctx, "menu opened", `[document.querySelector('.org-menu-toggle').getAttribute('aria-expanded'), document.getElementById('org-menu-list').hidden]`); open[0] != "true" || open[1] != false {
		t.Errorf("%s: after a click aria-expanded %v, list hidden %v; want true, false", page, open[0], open[1])
	}
}

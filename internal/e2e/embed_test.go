package e2e_test

import (
	"context"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
)

// hostSite serves an organiser's web page with the script snippet, on
// another origin than fachtag (localhost instead of 127.0.0.1: another
// site, so fachtag's cookies there would be third-party cookies). The
// page's language is the path: / German, /en English.
func hostSite(t *testing.T, base, slug string) string {
	t.Helper()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		lang := "de"
		if r.URL.Path == "/en" {
			lang = "en"
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(`<!doctype html><html lang="` + lang + `"><head><meta charset="utf-8"><title>Netzwerk Beispiel</title></head>
<body><h1>Unser Fachtag</h1><p>Melden Sie sich hier an.</p>
<script src="` + base + `/embed.js" data-event="` + slug + `" async></script>
<p>Nach dem Formular</p></body></html>`))
	}))
	t.Cleanup(ts.Close)
	return "http://localhost:" + strconv.Itoa(ts.Listener.Addr().(*net.TCPAddr).Port)
}

// waitFor polls cond in the browser context until it is true.
func waitFor(t *testing.T, ctx context.Context, what, cond string) {
	t.Helper()
	deadline := time.Now().Add(stepTimeout)
	for {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](cond))
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("waiting for %s (%s): %v", what, cond, err)
		}
		time.Sleep(pollInterval)
	}
}

// embeddedFrame waits for the iframe of the form (a target of its own:
// another site) other than the ones in seen, attaches to it and waits
// until its document has loaded.
func embeddedFrame(t *testing.T, ctx context.Context, seen []target.ID) (context.Context, target.ID) {
	t.Helper()
	deadline := time.Now().Add(stepTimeout)
	for {
		targets, err := chromedp.Targets(ctx)
		if err != nil {
			t.Fatalf("targets: %v", err)
		}
		for _, tg := range targets {
			if tg.Type == "iframe" && strings.Contains(tg.URL, "/embed") && !slices.Contains(seen, tg.TargetID) {
				fctx, cancel := chromedp.NewContext(ctx, chromedp.WithTargetID(tg.TargetID), chromedp.WithDetachOnCancel())
				t.Cleanup(cancel)
				waitFor(t, fctx, "the frame's document", `document.readyState === 'complete' && location.href !== 'about:blank'`)
				return fctx, tg.TargetID
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no iframe of the form within %v", stepTimeout)
		}
		time.Sleep(pollInterval)
	}
}

// sameHeight waits until the iframe in the page of ctx is as high as the
// document in it (frame): the frame's height messages arrived.
func sameHeight(t *testing.T, ctx, frame context.Context) {
	t.Helper()
	deadline := time.Now().Add(stepTimeout)
	for {
		inner := eval[float64](t, frame, "form height", `document.documentElement.getBoundingClientRect().height`)
		outer := eval[float64](t, ctx, "frame height", `document.querySelector('iframe[data-fachtag]').getBoundingClientRect().height`)
		if math.Abs(inner-outer) <= 1 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the iframe stays %v px high, the form in it is %v px", outer, inner)
		}
		time.Sleep(pollInterval)
	}
}

// hostShot saves what the visitor of the organiser's page sees at desktop
// and phone width, once the frame has taken the form's height there. Only
// the viewport: a full-page capture leaves the frame unpainted below it.
func hostShot(t *testing.T, ctx, frame context.Context, name string) {
	t.Helper()
	eachViewport(t, ctx, name, func(string) []byte {
		sameHeight(t, ctx, frame)
		return get(t, ctx, "screenshot "+name, chromedp.CaptureScreenshot())
	})
}

// TestEmbeddedRegistration registers through the form embedded with the
// script snippet in a page of another origin, in a browser that blocks
// third-party cookies: the frame takes the form's height, keeps the
// page's language, shows errors with the focus on their summary, signs
// up (row and mail) and leaves no cookie. A page on an origin the
// organiser did not list gets no form.
func TestEmbeddedRegistration(t *testing.T) {
	chromium := chromiumPath(t)
	s, orgEmail, password := startOrgStack(t)
	ctx := newBrowser(t, chromium)
	allowed, refused := hostSite(t, s.base, scenario), hostSite(t, s.base, scenario)

	ok := t.Run("0 the organiser lists the website", func(t *testing.T) {
		navigate(t, ctx, s.base+"/org/login?lang=de&next=/org/events/"+scenario+"/setup")
		follow(t, ctx, "log in", chromedp.SendKeys(chromedp.CSS("#email"), orgEmail),
			chromedp.SendKeys(chromedp.CSS("#password"), password), chromedp.Click(chromedp.CSS(`form button[type=submit]`)))
		resp := follow(t, ctx, "open the widget page", chromedp.Click(chromedp.CSS(`a[href^="/org/events/`+scenario+`/embed"]`)))
		if resp.Status != 200 || !strings.Contains(resp.URL, "/embed") {
			t.Fatalf("widget page: %d %s", resp.Status, resp.URL)
		}
		want := `<script src="` + s.base + `/embed.js" data-event="` + scenario + `" async></script>`
		if got := eval[string](t, ctx, "script snippet", `document.getElementById('snippet-script').value`); got != want {
			t.Errorf("script snippet = %q, want %q", got, want)
		}
		do(t, ctx, "list a website and a mistake", chromedp.SendKeys(chromedp.ID("origins"), allowed+"\nwww.example.org"))
		follow(t, ctx, "save", chromedp.Click(chromedp.CSS(`form button[type=submit].button`)))
		if got, want := text(t, ctx, "#origins-error"), "Zeile 2 („www.example.org“): Bitte mit https:// beginnen"; !strings.HasPrefix(got, want) {
			t.Errorf("error beside the field = %q, want %q…", got, want)
		}
		checkA11y(t, ctx, "org-embed with an error")
		do(t, ctx, "correct the list", chromedp.SetValue(chromedp.ID("origins"), allowed))
		follow(t, ctx, "save again", chromedp.Click(chromedp.CSS(`form button[type=submit].button`)))
		if got := text(t, ctx, ".success[role=status]"); got != "Die Liste der Websites ist gespeichert." {
			t.Errorf("after saving: %q", got)
		}
		checkA11y(t, ctx, "org-embed")
		screenshot(t, ctx, "org-embed")
		// The visitor of the organiser's website is someone else.
		if _, err := chromedp.Call(ctx, network.ClearBrowserCookies, cdp.Empty{}); err != nil {
			t.Fatal(err)
		}
	})
	if !ok {
		return
	}
	if _, err := chromedp.Call(ctx, setCookieControls, cookieControls{EnableThirdPartyCookieRestriction: true}); err != nil {
		t.Fatalf("block third-party cookies: %v", err)
	}
	const email = "eingebettet@example.org"
	var frameID target.ID

	ok = t.Run("1 the form in the organiser's page", func(t *testing.T) {
		if got := navigate(t, ctx, allowed+"/"); got != 200 {
			t.Fatalf("host page: status %d", got)
		}
		frame, id := embeddedFrame(t, ctx, nil)
		frameID = id
		if got := eval[string](t, frame, "frame address", `location.href`); got != s.base+"/events/"+scenario+"/embed?lang=de" {
			t.Errorf("frame shows %q", got)
		}
		if got := eval[string](t, ctx, "frame title", `document.querySelector('iframe[data-fachtag]').title`); got != "Anmeldung zur Veranstaltung" {
			t.Errorf("iframe title = %q", got)
		}
		sameHeight(t, ctx, frame)
		if got := text(t, frame, "h1"); got != "Anmeldung: "+s.ev.Title {
			t.Errorf("frame h1 = %q", got)
		}
		if got := eval[int](t, frame, "site header", `document.querySelectorAll('header.site').length`); got != 0 {
			t.Errorf("the frame shows the site header")
		}
		legal := eval[[]string](t, frame, "legal links", `[...document.querySelectorAll('footer nav.legal a')].map(a => a.target)`)
		if len(legal) != 2 || legal[0] != "_blank" || legal[1] != "_blank" {
			t.Errorf("legal links open in %q, want two in a new window", legal)
		}
		checkA11y(t, frame, "embedded form")
		hostShot(t, ctx, frame, "embed-host")
	})
	if !ok {
		return
	}

	ok = t.Run("2 errors inside the frame", func(t *testing.T) {
		frame, _ := embeddedFrame(t, ctx, nil)
		do(t, frame, "submit the empty form", chromedp.Click(chromedp.CSS(`form button[type=submit]`)))
		waitFor(t, frame, "the error summary", `!!document.getElementById('error-summary') && document.readyState === 'complete'`)
		waitFor(t, frame, "the focus on the error summary", `document.activeElement && document.activeElement.id === 'error-summary'`)
		if got := text(t, frame, "#name-error"); got != "Bitte ausfüllen." {
			t.Errorf("name error = %q", got)
		}
		checkA11y(t, frame, "embedded form with errors")
		sameHeight(t, ctx, frame)
	})
	if !ok {
		return
	}

	ok = t.Run("3 register through the frame", func(t *testing.T) {
		frame, _ := embeddedFrame(t, ctx, nil)
		do(t, frame, "fill the form",
			chromedp.SendKeys(chromedp.ID("name"), "Eva Eingebettet"),
			chromedp.SendKeys(chromedp.ID("email"), email),
			chromedp.SetValue(chromedp.ID("q-organisation_type"), "Beratungsstelle"),
			chromedp.Click(chromedp.ID("ws-B")),
			chromedp.Click(chromedp.ID("privacy")),
			chromedp.Click(chromedp.CSS(`form button[type=submit]`)),
		)
		waitFor(t, frame, "the thank-you page", `location.pathname.endsWith('/embed/registered') && document.readyState === 'complete'`)
		if got := text(t, frame, `.success[role=status]`); !strings.HasPrefix(got, "Wir haben Ihnen gerade eine E-Mail geschickt.") {
			t.Errorf("thank-you notice = %q", got)
		}
		checkA11y(t, frame, "embedded thank-you page")
		hostShot(t, ctx, frame, "embed-host-registered")
		var ws string
		if err := s.pool.QueryRow(t.Context(), `SELECT w.key FROM registrations r JOIN bookings b ON b.registration_id = r.id
			JOIN workshops w ON w.id = b.workshop_id WHERE r.email = $1 AND b.status = 'confirmed'`, email).Scan(&ws); err != nil || ws != "B" {
			t.Errorf("registration of %s: workshop %q, %v; want B", email, ws, err)
		}
		s.waitMail(t, email, "Anmeldung bestätigt: ")
		cookies, err := chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{s.base, allowed}})
		if err != nil || len(cookies.Cookies) != 0 {
			t.Errorf("cookies after the sign-up: %+v, %v; want none", cookies, err)
		}
	})
	if !ok {
		return
	}

	t.Run("4 the page's language", func(t *testing.T) {
		navigate(t, ctx, allowed+"/en")
		waitFor(t, ctx, "the English frame", `!!document.querySelector('iframe[data-fachtag]')`)
		src := eval[string](t, ctx, "frame address", `document.querySelector('iframe[data-fachtag]').src`)
		title := eval[string](t, ctx, "frame title", `document.querySelector('iframe[data-fachtag]').title`)
		if !strings.HasSuffix(src, "/embed?lang=en") || title != "Event registration" {
			t.Errorf("English page: frame %q titled %q", src, title)
		}
	})

	t.Run("5 a website not listed gets no form", func(t *testing.T) {
		if got := navigate(t, ctx, refused+"/"); got != 200 {
			t.Fatalf("host page: status %d", got)
		}
		frame, _ := embeddedFrame(t, ctx, []target.ID{frameID})
		if got := eval[string](t, frame, "frame address", `location.protocol`); got != "chrome-error:" {
			t.Errorf("frame on a website not listed shows %q, want the browser's refusal", eval[string](t, frame, "frame", `location.href`))
		}
		if got := eval[string](t, ctx, "frame height", `document.querySelector('iframe[data-fachtag]').style.height`); got != "40rem" {
			t.Errorf("refused frame was sized to %q", got)
		}
	})

	t.Run("6 the embeddable pages on their own", func(t *testing.T) {
		for _, p := range []struct{ path, name string }{{"/embed", "embed-form"}, {"/embed/registered", "embed-registered"}} {
			if got := navigate(t, ctx, s.base+"/events/"+scenario+p.path+"?lang=de"); got != 200 {
				t.Fatalf("%s: status %d", p.path, got)
			}
			checkA11y(t, ctx, p.name)
			screenshot(t, ctx, p.name)
		}
	})
}

// cookieControls are the parameters of Network.setCookieControls with
// the two that Chromium up to at least 148 requires and the protocol
// package (network.SetCookieControlsParams) has dropped: without them the
// browser answers "Invalid parameters".
type cookieControls struct {
	EnableThirdPartyCookieRestriction bool `json:"enableThirdPartyCookieRestriction"`
	DisableThirdPartyCookieMetadata   bool `json:"disableThirdPartyCookieMetadata"`
	DisableThirdPartyCookieHeuristics bool `json:"disableThirdPartyCookieHeuristics"`
}

var setCookieControls = cdp.Command[cookieControls, cdp.Empty]{Method: network.CommandSetCookieControls}

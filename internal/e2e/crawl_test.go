package e2e_test

import (
	"context"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/fachtag/fachtag/internal/auth"
	"github.com/fachtag/fachtag/internal/demo"
	"github.com/fachtag/fachtag/internal/i18n"
)

// demoEvents are the scenarios `fachtag demo` loads.
var demoEvents = demo.Events

// crawlLimit bounds the pages one role's crawl visits.
const crawlLimit = 400

// crawled is one page a crawl reached.
type crawled struct {
	url    string // path and query
	status int
	body   string
	html   bool
}

// crawler walks the links of the service as one logged-in account: every
// <a href> on this host, GET only, so it changes nothing.
type crawler struct {
	t      *testing.T
	base   string
	client *http.Client
	seen   map[string]bool
	pages  []crawled
}

func newCrawler(t *testing.T, base string) *crawler {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &crawler{t: t, base: base, seen: map[string]bool{},
		client: &http.Client{Jar: jar, Timeout: stepTimeout}}
}

// login logs the account in through the login form.
func (c *crawler) login(email, password string) {
	c.t.Helper()
	resp, err := c.client.PostForm(c.base+"/org/login", url.Values{"email": {email}, "password": {password}})
	if err != nil {
		c.t.Fatal(err)
	}
	_ = resp.Body.Close()
	if strings.Contains(resp.Request.URL.Path, "/login") {
		c.t.Fatalf("login %s: ended on %s", email, resp.Request.URL)
	}
}

var hrefs = regexp.MustCompile(`<a [^>]*href="([^"]+)"`)

// crawl visits start and every page reachable from it.
func (c *crawler) crawl(start ...string) {
	c.t.Helper()
	queue := append([]string(nil), start...)
	for len(queue) > 0 && len(c.pages) < crawlLimit {
		u := queue[0]
		queue = queue[1:]
		p := c.fetch(u)
		c.pages = append(c.pages, p)
		if !p.html {
			continue
		}
		for _, m := range hrefs.FindAllStringSubmatch(p.body, -1) {
			if next, ok := c.local(u, html.UnescapeString(m[1])); ok && !c.seen[next] {
				c.seen[next] = true
				queue = append(queue, next)
			}
		}
	}
	if len(c.pages) >= crawlLimit {
		c.t.Errorf("crawl stopped at %d pages; raise crawlLimit or find the link loop", crawlLimit)
	}
}

// local resolves href against the page and keeps links to this host,
// without the fragment and the language (every page has both languages;
// the crawl reads German).
func (c *crawler) local(page, href string) (string, bool) {
	b, err := url.Parse(c.base + page)
	if err != nil {
		return "", false
	}
	u, err := b.Parse(href)
	if err != nil || u.Host != b.Host || strings.HasPrefix(u.Path, "/static/") {
		return "", false
	}
	q := u.Query()
	q.Del("lang")
	u.RawQuery, u.Fragment = q.Encode(), ""
	return u.RequestURI(), true
}

func (c *crawler) fetch(u string) crawled {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(c.t.Context(), stepTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+u, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	resp, err := c.client.Do(req)
	if err != nil {
		c.t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return crawled{url: u, status: resp.StatusCode, body: string(body),
		html: strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html")}
}

// untranslated finds catalogue keys shown as text: a word "ns.key" of a
// catalogue namespace outside the addresses of links, images and forms.
var (
	untranslated = regexp.MustCompile(`(^|[\s>"(])(` + strings.Join(i18n.Namespaces(), "|") + `)\.[a-z][a-z0-9_]*`)
	addresses    = regexp.MustCompile(`(href|src|action)="[^"]*"`)
	eventPage    = regexp.MustCompile(`^/org/events/[^/]+/`)
)

// check reports what is wrong with a crawled page, "" when nothing is.
func check(p crawled) string {
	switch {
	case p.status >= 400:
		return http.StatusText(p.status)
	case !p.html:
		return ""
	}
	path, _, _ := strings.Cut(p.url, "?")
	isPrint := strings.Contains(path, "/print/")
	if strings.HasPrefix(path, "/org/") && !isPrint && !strings.Contains(p.body, `class="org-bar"`) {
		return "no organiser frame"
	}
	if eventPage.MatchString(path) && !isPrint && !strings.Contains(p.body, `class="org-menu"`) {
		return "no event menu"
	}
	if m := untranslated.FindString(addresses.ReplaceAllString(p.body, "")); m != "" {
		return "untranslated key " + strings.TrimSpace(m)
	}
	return ""
}

// TestCrawlEveryPage logs in as each role and follows every link from the
// start pages over the demo events, with a few registrations: no page may
// answer an error, lack the organiser frame or the event menu, or show a
// catalogue key instead of its text. The check-in helper's crawl must
// never reach a manager page.
func TestCrawlEveryPage(t *testing.T) {
	s := startStack(t, demoEvents[0], map[string]int{"A": 1})
	others := []string{importScenario(t, s.pool, demoEvents[1], nil).Slug}
	now := time.Now()
	for i, name := range demoEvents[2:] { // the evening without workshops, the wish phase with its wishes
		f, err := demo.LoadEvent(t.Context(), s.pool, name, now.AddDate(0, 0, 37+7*i), now)
		if err != nil {
			t.Fatal(err)
		}
		others = append(others, f.Slug)
	}
	manage := registerSome(t, s)
	a := auth.New(s.pool, auth.Options{})
	roles := map[string]string{auth.RoleAdmin: "", auth.RoleOrganiser: demoEvents[0], auth.RoleCheckin: demoEvents[0]}
	passwords := map[string]string{}
	for role, ev := range roles {
		_, pw, err := a.CreateUser(t.Context(), role+"@example.org", role, ev)
		if err != nil {
			t.Fatal(err)
		}
		for _, slug := range others {
			if ev == "" {
				break
			}
			if err := auth.AddMember(t.Context(), s.pool, userID(t, s, role), slug); err != nil {
				t.Fatal(err)
			}
		}
		passwords[role] = pw
	}
	if _, err := s.pool.Exec(t.Context(), `UPDATE users SET must_change = false`); err != nil {
		t.Fatal(err)
	}
	for _, role := range []string{auth.RoleAdmin, auth.RoleOrganiser, auth.RoleCheckin} {
		t.Run(role, func(t *testing.T) {
			c := newCrawler(t, s.base)
			c.login(role+"@example.org", passwords[role])
			c.crawl(append([]string{"/", "/org/"}, manage...)...)
			var urls []string
			for _, p := range c.pages {
				urls = append(urls, p.url)
				if msg := check(p); msg != "" {
					t.Errorf("%s: %s", p.url, msg)
				}
				if role == auth.RoleCheckin && strings.HasPrefix(p.url, "/org/events/") && !strings.Contains(p.url, "/checkin") {
					t.Errorf("check-in helper reached %s", p.url)
				}
			}
			sort.Strings(urls)
			t.Logf("%d pages", len(urls))
			want := []string{"/org/events/" + demoEvents[0] + "/checkin", "/org/events/" + others[2] + "/checkin"}
			if role != auth.RoleCheckin {
				want = append(want, "/org/events/"+others[2]+"/allocations", "/events/"+others[1]+"/register",
					"/org/events/"+others[1]+"/lists", "/org/events/"+others[1]+"/dashboard")
			}
			for _, u := range want {
				if !slices.Contains(urls, u) {
					t.Errorf("crawl never reached %s; pages: %q", u, urls)
				}
			}
		})
	}
}

// registerSome signs three people up for the first demo event (one onto
// A's waiting list) and returns their personal pages.
func registerSome(t *testing.T, s *stack) []string {
	t.Helper()
	var manage []string
	for i, ws := range []string{"A", "A", "B"} {
		body := map[string]any{"name": []string{"Amira Haddad", "Bernd Vogel", "Carla Nowak"}[i],
			"email": []string{"amira", "bernd", "carla"}[i] + "@example.org", "organisation": "Jobcenter",
			"consents": map[string]any{"privacy": true}, "answers": map[string]any{"organisation_type": "Kommune"},
			"choices": map[string]string{"ws": ws}}
		var reg registrationJSON
		s.api(t, "POST", "/api/v1/events/"+demoEvents[0]+"/registrations", body, 201, &reg)
		u, err := url.Parse(reg.ManageURL)
		if err != nil {
			t.Fatal(err)
		}
		manage = append(manage, u.RequestURI())
	}
	return manage
}

func userID(t *testing.T, s *stack, role string) int64 {
	t.Helper()
	var id int64
	if err := s.pool.QueryRow(t.Context(), `SELECT id FROM users WHERE email = $1`, role+"@example.org").Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

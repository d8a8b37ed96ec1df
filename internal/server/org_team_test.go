package server_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/fachtag/fachtag/internal/auth"
)

// members lists the e-mail addresses in the event's team.
func (of *orgFixture) members(slug string) []string {
	of.t.Helper()
	return of.column(`SELECT u.email FROM event_members m JOIN users u ON u.id = m.user_id
		JOIN events e ON e.id = m.event_id WHERE e.slug = $1 ORDER BY u.email`, slug)
}

func (of *orgFixture) userID(account string) string {
	of.t.Helper()
	var id string
	if err := of.pool.QueryRow(context.Background(), `SELECT id::text FROM users WHERE email = $1`, account).Scan(&id); err != nil {
		of.t.Fatal(err)
	}
	return id
}

func (of *orgFixture) auditCount(action string) int {
	of.t.Helper()
	var n int
	if err := of.pool.QueryRow(context.Background(), `SELECT count(*) FROM audit_log WHERE action = $1`, action).Scan(&n); err != nil {
		of.t.Fatal(err)
	}
	return n
}

var inviteLink = regexp.MustCompile(`http://[^\s]+/org/reset/[A-Za-z0-9_-]+\?lang=de`)

// TestTeamInvite: an organiser invites a check-in helper by e-mail; the
// mail's one-time link sets the password, works once, and the helper can
// log in, reach the check-in and not the team page.
func TestTeamInvite(t *testing.T) {
	of := newOrgFixture(t)
	of.settle()
	sink := of.startMail()
	a := of.login("orgA")
	team := "/org/events/" + slugOpen + "/team"

	r := of.postForm(team, url.Values{"email": {"helfer@example.org"}, "role": {"checkin"}}, a...)
	if r.status != http.StatusSeeOther || !strings.Contains(r.header.Get("Location"), "done=invited") {
		t.Fatalf("invite: %v", r)
	}
	if got := of.members(slugOpen); !slices.Contains(got, "helfer@example.org") {
		t.Fatalf("team = %q", got)
	}
	if n := of.auditCount("team.invite"); n != 1 {
		t.Errorf("audit entries team.invite = %d, want 1", n)
	}
	msgs := mailsTo(of.drainOutbox(sink), "helfer@example.org")
	if len(msgs) != 1 || !strings.Contains(msgs[0].Subject, "Fachtag Teilhabe") {
		t.Fatalf("invitation mails: %+v", msgs)
	}
	link := inviteLink.FindString(msgs[0].Text)
	if link == "" {
		t.Fatalf("no link in the invitation:\n%s", msgs[0].Text)
	}
	path := strings.TrimPrefix(link, of.url)
	if r := of.get(path); r.status != http.StatusOK {
		t.Fatalf("GET invitation link: %d", r.status)
	}
	const pw = "ein neues langes Passwort"
	if r := of.postForm(path, url.Values{"new": {pw}, "confirm": {pw}}); r.status != http.StatusSeeOther {
		t.Fatalf("set password: %v", r)
	}
	if r := of.postForm(path, url.Values{"new": {pw}, "confirm": {pw}}); r.status != http.StatusNotFound {
		t.Errorf("second use of the invitation: %d, want 404", r.status)
	}
	of.password["helfer"] = pw
	h := of.login("helfer")
	if r := of.get("/org/events/"+slugOpen+"/checkin", h...); r.status != http.StatusOK {
		t.Errorf("helper's check-in page: %d", r.status)
	}
	if r := of.get(team, h...); r.status != http.StatusForbidden {
		t.Errorf("helper's team page: %d, want 403", r.status)
	}
	if r := of.get("/org/events/"+slugOpen+"/checkin", h...); strings.Contains(string(r.body), "/team?") {
		t.Errorf("the helper's menu offers the team page")
	}

	// Inviting an address already in the team changes nothing.
	r = of.postForm(team, url.Values{"email": {"helfer@example.org"}, "role": {"organiser"}}, a...)
	if r.status != http.StatusConflict || !strings.Contains(string(r.body), "gehört schon zum Team") {
		t.Errorf("second invitation: %d", r.status)
	}
}

// TestTeamRules covers bad input, the last-organiser rule, role changes,
// a shared account, removal, the check-in helper's refusal and CSRF.
func TestTeamRules(t *testing.T) {
	of := newOrgFixture(t)
	of.settle()
	a := of.login("orgA")
	team := "/org/events/" + slugOpen + "/team"
	before := of.members(slugOpen)

	for _, c := range []struct {
		name string
		form url.Values
		want string
	}{
		{"bad e-mail", url.Values{"email": {"keine adresse"}, "role": {"checkin"}}, "keine gültige E-Mail-Adresse"},
		{"bad role", url.Values{"email": {"x@example.org"}, "role": {"admin"}}, "Check-in-Helfer*in"},
	} {
		r := of.postForm(team, c.form, a...)
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(string(r.body), c.want) {
			t.Errorf("%s: %d, want 422 with %q", c.name, r.status, c.want)
		}
	}

	orgA, checkin := of.userID(emailOf("orgA")), of.userID(emailOf("checkin"))
	// orgA is the event's only organiser: neither removal nor demotion.
	for _, p := range []struct {
		path string
		form url.Values
	}{{team + "/" + orgA + "/remove", nil}, {team + "/" + orgA + "/role", url.Values{"role": {"checkin"}}}} {
		r := of.postForm(p.path, p.form, a...)
		if r.status != http.StatusConflict || !strings.Contains(string(r.body), "mindestens eine Veranstalter*in") {
			t.Errorf("POST %s: %d, want 409 with the last-organiser message", p.path, r.status)
		}
	}
	if got := of.members(slugOpen); !slices.Equal(got, before) {
		t.Errorf("team after refusals = %q, want %q", got, before)
	}

	// The helper becomes an organiser; then orgA may leave.
	if r := of.postForm(team+"/"+checkin+"/role", url.Values{"role": {"organiser"}}, a...); r.status != http.StatusSeeOther {
		t.Fatalf("promote: %v", r)
	}
	if n := of.auditCount("team.role"); n != 1 {
		t.Errorf("audit team.role = %d, want 1", n)
	}

	// orgB works on another event: orgA may add it, not change its role.
	if r := of.postForm(team, url.Values{"email": {emailOf("orgB")}, "role": {"checkin"}}, a...); r.status != http.StatusSeeOther ||
		!strings.Contains(r.header.Get("Location"), "done=added") {
		t.Fatalf("add orgB: %v", r)
	}
	orgB := of.userID(emailOf("orgB"))
	if r := of.postForm(team+"/"+orgB+"/role", url.Values{"role": {"checkin"}}, a...); r.status != http.StatusConflict {
		t.Errorf("orgA changes shared orgB's role: %d, want 409", r.status)
	}

	// Promoted, the former helper now reaches the team page.
	if r := of.get(team, of.login("checkin")...); r.status != http.StatusOK {
		t.Errorf("promoted helper's team page: %d", r.status)
	}

	if r := of.postForm(team+"/"+orgA+"/remove", nil, a...); r.status != http.StatusSeeOther {
		t.Fatalf("orgA leaves: %v", r)
	}
	if got := of.members(slugOpen); slices.Contains(got, emailOf("orgA")) {
		t.Errorf("orgA still in the team: %q", got)
	}
	if n := of.auditCount("team.remove"); n != 1 {
		t.Errorf("audit team.remove = %d, want 1", n)
	}

	// A cross-site form post is refused before it reaches the handler.
	adm := of.login("admin")
	r := of.postForm(team+"/"+orgB+"/remove", nil, append(adm, "Sec-Fetch-Site", "cross-site")...)
	if r.status != http.StatusForbidden || !slices.Contains(of.members(slugOpen), emailOf("orgB")) {
		t.Errorf("cross-site removal: %d", r.status)
	}
}

// TestTeamForbiddenToCheckin: a check-in helper reaches neither the team
// page nor its actions, nor the token page.
func TestTeamForbiddenToCheckin(t *testing.T) {
	of := newOrgFixture(t)
	of.settle()
	c := of.login("checkin")
	team := "/org/events/" + slugOpen + "/team"
	for _, r := range []reply{
		of.get(team, c...),
		of.postForm(team, url.Values{"email": {"x@example.org"}, "role": {"organiser"}}, c...),
		of.postForm(team+"/"+of.userID(emailOf("orgA"))+"/remove", nil, c...),
		of.get("/org/tokens", c...),
	} {
		if r.status != http.StatusForbidden {
			t.Errorf("check-in helper: %d, want 403", r.status)
		}
	}
	if got := of.members(slugOpen); !slices.Contains(got, emailOf("orgA")) {
		t.Errorf("team changed: %q", got)
	}
}

var shownToken = regexp.MustCompile(`value="(ft_[A-Za-z0-9_-]+)"`)

// TestTokensPage: a token made on the page is shown once, works, and stops
// working when revoked; another account's token cannot be revoked.
func TestTokensPage(t *testing.T) {
	of := newOrgFixture(t)
	of.settle()
	a := of.login("orgA")
	if r := of.postForm("/org/tokens", url.Values{"name": {""}}, a...); r.status != http.StatusUnprocessableEntity {
		t.Errorf("empty name: %d, want 422", r.status)
	}
	r := of.postForm("/org/tokens", url.Values{"name": {"Website"}}, a...)
	m := shownToken.FindStringSubmatch(string(r.body))
	if r.status != http.StatusOK || m == nil {
		t.Fatalf("create token: %d, token shown %v", r.status, m != nil)
	}
	api := "/api/v1/events/" + slugOpen + "/registrations"
	if r := of.get(api, "Authorization", "Bearer "+m[1]); r.status != http.StatusOK {
		t.Fatalf("API with the new token: %d", r.status)
	}
	page := of.get("/org/tokens", a...)
	if strings.Contains(string(page.body), m[1]) || !strings.Contains(string(page.body), "Website") {
		t.Errorf("the token list shows the secret again, or not the token")
	}
	var id, foreign string
	if err := of.pool.QueryRow(context.Background(), `SELECT id::text FROM api_tokens WHERE name = 'Website'`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	if err := of.pool.QueryRow(context.Background(), `SELECT t.id::text FROM api_tokens t JOIN users u ON u.id = t.user_id
		WHERE u.email = $1 AND t.revoked_at IS NULL`, emailOf("orgB")).Scan(&foreign); err != nil {
		t.Fatal(err)
	}
	if r := of.postForm("/org/tokens/"+foreign+"/revoke", nil, a...); r.status != http.StatusNotFound {
		t.Errorf("revoke orgB's token as orgA: %d, want 404", r.status)
	}
	if r := of.postForm("/org/tokens/"+id+"/revoke", nil, a...); r.status != http.StatusSeeOther {
		t.Fatalf("revoke: %v", r)
	}
	if r := of.get(api, "Authorization", "Bearer "+m[1]); r.status != http.StatusUnauthorized {
		t.Errorf("API with the revoked token: %d, want 401", r.status)
	}
	if of.auditCount("token.create") < 1 || of.auditCount("token.revoke") < 2 {
		t.Errorf("token changes are not audited")
	}
}

// TestTeamLastOrganiserConcurrent: two organisers remove each other at the
// same moment; exactly one removal wins, and the event keeps an organiser.
func TestTeamLastOrganiserConcurrent(t *testing.T) {
	of := newOrgFixture(t)
	of.settle()
	ctx := context.Background()
	var eventID int64
	if err := of.pool.QueryRow(ctx, `SELECT id FROM events WHERE slug = $1`, slugOpen).Scan(&eventID); err != nil {
		t.Fatal(err)
	}
	if _, err := of.pool.Exec(ctx, `UPDATE users SET role = 'organiser' WHERE email = $1`, emailOf("checkin")); err != nil {
		t.Fatal(err)
	}
	accounts := map[string]auth.Account{}
	for _, name := range []string{"orgA", "checkin"} {
		u, err := of.auth.UserByEmail(ctx, emailOf(name))
		if err != nil {
			t.Fatal(err)
		}
		accounts[name] = auth.Account{ID: u.ID, Email: u.Email, Role: auth.RoleOrganiser}
	}
	errs := make(chan error, 2)
	var wg sync.WaitGroup
	for by, target := range map[string]string{"orgA": "checkin", "checkin": "orgA"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- of.auth.RemoveMember(ctx, accounts[by], eventID, accounts[target].ID)
		}()
	}
	wg.Wait()
	close(errs)
	var ok, refused int
	for err := range errs {
		switch {
		case err == nil:
			ok++
		case errors.Is(err, auth.ErrLastOrganiser):
			refused++
		default:
			t.Fatalf("RemoveMember: %v", err)
		}
	}
	if ok != 1 || refused != 1 || len(of.members(slugOpen)) != 1 {
		t.Errorf("removals ok %d, refused %d, team %q; want 1, 1 and one organiser", ok, refused, of.members(slugOpen))
	}
}

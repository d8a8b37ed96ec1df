package server_test

import (
	"context"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/fachtag/fachtag/internal/auth"
	"github.com/fachtag/fachtag/internal/event"
	"github.com/fachtag/fachtag/internal/server"
)

// cheap argon2 parameters keep the tests fast; production uses
// auth.DefaultParams.
var testAuth = auth.Options{Params: auth.Params{Memory: 64, Time: 1, Threads: 1}}

// orgFixture is a fixture with accounts:
//
//	admin    admin, member of nothing
//	orgA     organiser, member of slugOpen
//	orgB     organiser, member of slugDraft only
//	checkin  checkin, member of slugOpen
type orgFixture struct {
	*fixture
	auth     *auth.Service
	password map[string]string // account → current password
	token    map[string]string // account → API token
	revoked  string            // a revoked token of orgA
	mu       sync.Mutex
	links    []string // password-reset links "sent"
}

const testPassword = "ein langes Passwort"

func emailOf(account string) string { return account + "@example.org" }

func newOrgFixture(t *testing.T) *orgFixture {
	t.Helper()
	return newOrgFixtureWith(t, nil)
}

// newOrgFixtureWith is newOrgFixture with the open event changed by
// mutate before import.
func newOrgFixtureWith(t *testing.T, mutate func(f *event.File)) *orgFixture {
	t.Helper()
	of := &orgFixture{password: map[string]string{}, token: map[string]string{}}
	of.fixture = newFixture(t, fixtureOpts{mutate: mutate, opts: func(o *server.Options) {
		// Tests name the client address in X-Forwarded-For.
		o.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}
		o.SendResetLink = func(_ context.Context, email, lang, link string) error {
			of.mu.Lock()
			defer of.mu.Unlock()
			of.links = append(of.links, link)
			return nil
		}
	}})
	of.auth = auth.New(of.pool, testAuth)
	ctx := context.Background()
	for _, a := range []struct{ name, role, event string }{
		{"admin", auth.RoleAdmin, ""}, {"orgA", auth.RoleOrganiser, slugOpen},
		{"orgB", auth.RoleOrganiser, slugDraft}, {"checkin", auth.RoleCheckin, slugOpen},
	} {
		_, pw, err := of.auth.CreateUser(ctx, emailOf(a.name), a.role, a.event)
		if err != nil {
			t.Fatalf("create %s: %v", a.name, err)
		}
		of.password[a.name] = pw
		_, tok, err := of.auth.CreateToken(ctx, emailOf(a.name), "test")
		if err != nil {
			t.Fatalf("token %s: %v", a.name, err)
		}
		of.token[a.name] = tok
	}
	id, tok, err := of.auth.CreateToken(ctx, emailOf("orgA"), "revoked")
	if err != nil {
		t.Fatal(err)
	}
	if err := of.auth.RevokeToken(ctx, id); err != nil {
		t.Fatal(err)
	}
	of.revoked = tok
	return of
}

// settle marks every account as having chosen its own password, so pages
// do not send it to the change-password form first.
func (of *orgFixture) settle() {
	of.t.Helper()
	if _, err := of.pool.Exec(context.Background(), `UPDATE users SET must_change = false`); err != nil {
		of.t.Fatal(err)
	}
}

func (of *orgFixture) bearer(account string) []string {
	switch account {
	case "":
		return nil
	case "revoked":
		return []string{"Authorization", "Bearer " + of.revoked}
	}
	return []string{"Authorization", "Bearer " + of.token[account]}
}

// login logs the account in through the page and returns the session
// cookie header.
func (of *orgFixture) login(account string) []string {
	of.t.Helper()
	r := of.postForm("/org/login", url.Values{"email": {emailOf(account)}, "password": {of.password[account]}})
	if r.status != http.StatusSeeOther {
		of.t.Fatalf("login %s: got %v, want 303", account, r)
	}
	c := sessionCookie(r)
	if c == "" {
		of.t.Fatalf("login %s: no session cookie in %v", account, r.header)
	}
	return []string{"Cookie", "fachtag_session=" + c}
}

func sessionCookie(r reply) string {
	for _, line := range r.header.Values("Set-Cookie") {
		if v, ok := strings.CutPrefix(line, "fachtag_session="); ok {
			v, _, _ = strings.Cut(v, ";")
			return v
		}
	}
	return ""
}

// column runs a query of one text column and returns its values.
func (of *orgFixture) column(query string, args ...any) []string {
	of.t.Helper()
	rows, err := of.pool.Query(context.Background(), query, args...)
	if err != nil {
		of.t.Fatal(err)
	}
	list, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		of.t.Fatal(err)
	}
	return list
}

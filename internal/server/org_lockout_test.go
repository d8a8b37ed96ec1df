package server_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// loginFrom posts the login form as if from addr.
func (of *orgFixture) loginFrom(addr, account, password string) reply {
	return of.postForm("/org/login", url.Values{"email": {emailOf(account)}, "password": {password}}, "X-Forwarded-For", addr)
}

// failFrom sends n wrong passwords for account from addr, each answered
// 401 (checked and wrong).
func (of *orgFixture) failFrom(addr, account string, n int) {
	of.t.Helper()
	for i := range n {
		if r := of.loginFrom(addr, account, "falsch"); r.status != http.StatusUnauthorized {
			of.t.Fatalf("wrong password %d from %s: got %d, want 401", i+1, addr, r.status)
		}
	}
}

// failedChecks is how many wrong passwords for the account were checked.
func (of *orgFixture) failedChecks(account string) int {
	of.t.Helper()
	var n int
	err := of.pool.QueryRow(context.Background(), `SELECT count(*) FROM audit_log a JOIN users u ON u.id = a.user_id
		WHERE a.action = 'login.failed' AND u.email = $1`, emailOf(account)).Scan(&n)
	if err != nil {
		of.t.Fatal(err)
	}
	return n
}

// An attacker locks address A out of the account; the organiser logs in
// from address B, and another account still logs in from A.
func TestOrgLockoutPerAddress(t *testing.T) {
	of := newOrgFixture(t)
	of.failFrom("198.51.100.1", "orgA", 5)
	r := of.loginFrom("198.51.100.1", "orgA", of.password["orgA"])
	if r.status != http.StatusTooManyRequests || sessionCookie(r) != "" {
		t.Errorf("right password from the locked address: got %d, want 429 and no session", r.status)
	}
	if !strings.Contains(string(r.body), `id="password-error"`) {
		t.Errorf("lockout message is not beside the password field")
	}
	if r := of.loginFrom("203.0.113.2", "orgA", of.password["orgA"]); r.status != http.StatusSeeOther {
		t.Errorf("organiser from address B: got %d, want 303", r.status)
	}
	if r := of.loginFrom("198.51.100.1", "admin", of.password["admin"]); r.status != http.StatusSeeOther {
		t.Errorf("another account from address A: got %d, want 303", r.status)
	}
	// Once the lock has run out (and with it the window it was counted
	// in) the right password gets in from A too.
	if _, err := of.pool.Exec(context.Background(),
		`UPDATE login_pairs SET locked_until = now() - interval '1 second', window_start = now() - interval '16 minutes'`); err != nil {
		t.Fatal(err)
	}
	if r := of.loginFrom("198.51.100.1", "orgA", of.password["orgA"]); r.status != http.StatusSeeOther {
		t.Errorf("from A after the lock: got %d, want 303", r.status)
	}
}

// One address trying many accounts (or unknown e-mails) is locked out of
// all of them after four times the per-account failures.
func TestOrgLockoutSprayingAddress(t *testing.T) {
	of := newOrgFixture(t)
	for i := range 20 {
		of.loginFrom("198.51.100.9", fmt.Sprintf("niemand%d", i), "falsch")
	}
	if r := of.loginFrom("198.51.100.9", "admin", of.password["admin"]); r.status != http.StatusTooManyRequests {
		t.Errorf("login from the spraying address: got %d, want 429", r.status)
	}
	if r := of.loginFrom("198.51.100.10", "admin", of.password["admin"]); r.status != http.StatusSeeOther {
		t.Errorf("login from another address: got %d, want 303", r.status)
	}
}

// Failures from many addresses slow every check from an unfamiliar
// address down, one at a time, but never lock the organiser out: their
// own address is let through at once, and a new one gets in at its turn.
// (The delays themselves are tested in package auth; here a turn is
// opened or held back by moving slow_until.)
func TestOrgSlowdownAcrossAddresses(t *testing.T) {
	of := newOrgFixture(t)
	home := "203.0.113.50"
	if r := of.loginFrom(home, "orgA", of.password["orgA"]); r.status != http.StatusSeeOther {
		t.Fatalf("first login from home: got %d, want 303", r.status)
	}
	// Ten free failures, from two addresses; then the next check waits.
	of.failFrom("198.51.100.1", "orgA", 5)
	of.failFrom("198.51.100.2", "orgA", 5)
	of.holdSlot("orgA")
	checked := of.failedChecks("orgA")
	retryAfter(t, of.loginFrom("198.51.100.3", "orgA", "falsch"))
	if got := of.failedChecks("orgA"); got != checked {
		t.Errorf("a refused attempt had its password checked")
	}
	// Every turn lets one check through.
	for i := range 5 {
		of.openSlot("orgA")
		of.failFrom(fmt.Sprintf("198.51.100.%d", 10+i), "orgA", 1)
	}
	if got := of.failedChecks("orgA") - checked; got != 5 {
		t.Errorf("checked %d wrong passwords, want 5 (one per turn)", got)
	}
	// The organiser's own address is not held back, even now.
	of.holdSlot("orgA")
	if r := of.loginFrom(home, "orgA", of.password["orgA"]); r.status != http.StatusSeeOther {
		t.Errorf("organiser from home during the attack: got %d, want 303", r.status)
	}
	// From a new address the organiser waits for the turn, then gets in.
	retryAfter(t, of.loginFrom("192.0.2.77", "orgA", of.password["orgA"]))
	of.openSlot("orgA")
	if r := of.loginFrom("192.0.2.77", "orgA", of.password["orgA"]); r.status != http.StatusSeeOther {
		t.Errorf("organiser from a new address at its turn: got %d, want 303", r.status)
	}
}

// Parallel guesses from many addresses on an account under a long attack
// (its delay at the longest, a minute): one of them gets its password
// checked, every other is told to wait.
func TestOrgSlowdownParallelGuesses(t *testing.T) {
	of := newOrgFixture(t)
	if _, err := of.pool.Exec(context.Background(),
		`UPDATE users SET recent_failures = 100, failures_since = now(), slow_until = NULL WHERE email = $1`, emailOf("orgA")); err != nil {
		t.Fatal(err)
	}
	checked := of.failedChecks("orgA")
	var mu sync.Mutex
	statuses := map[int]int{}
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st := of.loginFrom(fmt.Sprintf("192.0.2.%d", i+1), "orgA", "falsch").status
			mu.Lock()
			statuses[st]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	if statuses[http.StatusUnauthorized] != 1 || statuses[http.StatusTooManyRequests] != 19 {
		t.Errorf("statuses %v, want one 401 and 19 429", statuses)
	}
	if got := of.failedChecks("orgA") - checked; got != 1 {
		t.Errorf("checked %d guesses, want 1", got)
	}
}

// holdSlot makes the next attempt come before the account's delay has
// passed, however slow the machine: the turn is an hour away.
func (of *orgFixture) holdSlot(account string) {
	of.t.Helper()
	if _, err := of.pool.Exec(context.Background(), `UPDATE users SET slow_until = now() + interval '1 hour' WHERE email = $1`, emailOf(account)); err != nil {
		of.t.Fatal(err)
	}
}

// openSlot lets the next password check of the account run now, as if its
// delay had passed.
func (of *orgFixture) openSlot(account string) {
	of.t.Helper()
	if _, err := of.pool.Exec(context.Background(), `UPDATE users SET slow_until = now() - interval '1 millisecond' WHERE email = $1`, emailOf(account)); err != nil {
		of.t.Fatal(err)
	}
}

// retryAfter checks a slowdown answer and returns its Retry-After.
func retryAfter(t *testing.T, r reply) int {
	t.Helper()
	secs, err := strconv.Atoi(r.header.Get("Retry-After"))
	if r.status != http.StatusTooManyRequests || err != nil || secs < 1 {
		t.Fatalf("got %d with Retry-After %q, want 429 with a positive Retry-After", r.status, r.header.Get("Retry-After"))
	}
	if !strings.Contains(string(r.body), "Sekunden") {
		t.Errorf("slowdown answer does not say how long to wait")
	}
	return secs
}

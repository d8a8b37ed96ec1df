package auth_test

import (
	"context"
	"errors"
	"testing"

	"github.com/fachtag/fachtag/internal/auth"
	"github.com/fachtag/fachtag/internal/db/dbtest"
)

// The account's delay grows with its failures: right past the free ones
// it is a second, after a long attack a minute. Measured from the
// database, so only bounds that a slow machine cannot break are checked.
func TestLoginDelayGrows(t *testing.T) {
	pool, _ := dbtest.New(t)
	ctx := context.Background()
	s := auth.New(pool, cheap)
	if _, _, err := s.CreateUser(ctx, "orga@example.org", auth.RoleOrganiser, ""); err != nil {
		t.Fatal(err)
	}
	delay := func(failures int) float64 {
		t.Helper()
		if _, err := pool.Exec(ctx, `UPDATE users SET recent_failures = $1, failures_since = now(), slow_until = NULL`, failures); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.Login(ctx, "orga@example.org", "falsch", "198.51.100.1", ""); !errors.Is(err, auth.ErrBadCredentials) {
			t.Fatalf("attempt after %d failures: %v, want it checked and wrong", failures, err)
		}
		var secs float64
		if err := pool.QueryRow(ctx, `SELECT coalesce(extract(epoch FROM slow_until - now())::float8, 0) FROM users`).Scan(&secs); err != nil {
			t.Fatal(err)
		}
		return secs
	}
	if d := delay(5); d != 0 {
		t.Errorf("within the free failures: next check in %.1fs, want at once", d)
	}
	if d := delay(9); d > 1 {
		t.Errorf("after the 10th failure: next check in %.1fs, want at most 1s", d)
	}
	if d := delay(60); d < 30 || d > 60 {
		t.Errorf("after 61 failures: next check in %.1fs, want about a minute", d)
	}
	// A day later the count starts again.
	if _, err := pool.Exec(ctx, `UPDATE users SET recent_failures = 60, failures_since = now() - interval '25 hours', slow_until = NULL`); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Login(ctx, "orga@example.org", "falsch", "198.51.100.2", ""); !errors.Is(err, auth.ErrBadCredentials) {
		t.Fatalf("after a day: %v, want checked", err)
	}
	var n int
	if err := pool.QueryRow(ctx, `SELECT recent_failures FROM users`).Scan(&n); err != nil || n != 1 {
		t.Errorf("failures after a day: %d (%v), want 1", n, err)
	}
}

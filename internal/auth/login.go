package auth

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// The account-wide slowdown. An account's failures from every address are
// counted over a day; past slowAfter of them, password checks from an
// address the account has not logged in from (in the last familiarFor)
// run one at a time, each at least a delay after the one before. The
// delay starts at a second and doubles with every MaxFailures further
// failures, up to maxDelay: an attacker on any number of addresses gets
// at most one guess a minute (1,440 a day), while the organiser's own
// addresses are never held back, and from a new address the password
// reset mail (which logs in) is always open.
const (
	accountWindow = 24 * time.Hour
	familiarFor   = 90 * 24 * time.Hour
	maxDelay      = time.Minute
)

// slowDelays are the delays of the slowdown by failures past the free
// ones: a second, doubling every perDoubling failures, then maxDelay.
func slowDelays(perDoubling int) []float64 {
	var out []float64
	for i := 0; ; i++ {
		d := math.Pow(2, float64(i)/float64(perDoubling))
		if d >= maxDelay.Seconds() {
			return append(out, maxDelay.Seconds())
		}
		out = append(out, d)
	}
}

// ThrottledError refuses a login without checking the password: the
// account is under attack and the next check from an unfamiliar address
// may run only after Wait.
type ThrottledError struct{ Wait time.Duration }

func (e *ThrottledError) Error() string {
	return fmt.Sprintf("too many failed logins on this account; next attempt in %v", e.Wait)
}

// Login checks e-mail and password and starts a session, returning its
// raw id. oldSession, the id the client presented before (if any), is
// ended: the id changes at every login, so a planted one is worthless.
//
// Failures are counted three ways, all in the database so that they hold
// across replicas: per (account, address) — MaxFailures lock that address
// out of that account for LockFor (ErrLocked), while the owner's password
// from another address still works; per address over all accounts —
// 4×MaxFailures lock the address (ErrLocked), against one address trying
// many accounts; and per account, which only slows checks down
// (*ThrottledError), so that nobody can lock an organiser out.
func (s *Service) Login(ctx context.Context, email, password, client, oldSession string) (Account, string, error) {
	// Each attempt is counted as a failure before the password is checked
	// and forgiven after a success: parallel guesses cannot all slip past
	// the checks while the slow hash runs.
	var clientLocked bool
	if err := s.pool.QueryRow(ctx, reserveClient, client, 4*s.opts.MaxFailures, seconds(s.opts.LockFor)).Scan(&clientLocked); err != nil {
		return Account{}, "", fmt.Errorf("count login attempt: %w", err)
	}
	if clientLocked {
		return Account{}, "", ErrLocked
	}
	var a Account
	var stored string
	err := s.pool.QueryRow(ctx, selectLogin, strings.TrimSpace(email)).Scan(&a.ID, &a.Email, &a.Role, &stored, &a.MustChange)
	if errors.Is(err, pgx.ErrNoRows) {
		s.verify(password, s.dummy) // same work as for a real account
		return Account{}, "", ErrBadCredentials
	}
	if err != nil {
		return Account{}, "", fmt.Errorf("find user: %w", err)
	}
	if err := s.admit(ctx, a.ID, client); err != nil {
		return Account{}, "", err
	}
	if !s.verify(password, stored) {
		return Account{}, "", s.failed(ctx, a.ID, client)
	}
	if _, err := s.pool.Exec(ctx, forgive, a.ID, client); err != nil {
		return Account{}, "", fmt.Errorf("forgive login attempt: %w", err)
	}
	id, err := s.startSession(ctx, a.ID, oldSession)
	if err != nil {
		return Account{}, "", err
	}
	return a, id, nil
}

const selectLogin = `SELECT id, email, role, password_hash, must_change FROM users WHERE lower(email) = lower($1)`

// admit decides whether the password of the account may be checked for
// client now, and counts the attempt against the pair and the account.
func (s *Service) admit(ctx context.Context, userID int64, client string) error {
	var locked, familiar bool
	err := s.pool.QueryRow(ctx, pairState, userID, client, seconds(familiarFor)).Scan(&locked, &familiar)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("login state: %w", err)
	}
	if locked {
		return ErrLocked
	}
	var admitted bool
	var wait float64
	err = s.pool.QueryRow(ctx, gateAccount, userID, familiar, 2*s.opts.MaxFailures, seconds(accountWindow),
		s.delays).Scan(&admitted, &wait)
	if err != nil {
		return fmt.Errorf("count login attempt: %w", err)
	}
	if !admitted {
		return &ThrottledError{Wait: time.Duration(math.Ceil(wait)) * time.Second}
	}
	if err := s.pool.QueryRow(ctx, reservePair, userID, client, s.opts.MaxFailures, seconds(s.opts.LockFor)).Scan(&locked); err != nil {
		return fmt.Errorf("count login attempt: %w", err)
	}
	if locked {
		return ErrLocked
	}
	return nil
}

// pairState is whether the address is locked out of the account and
// whether the account has logged in from it lately.
const pairState = `
SELECT coalesce(locked_until > now(), false), coalesce(succeeded_at > now() - $3 * interval '1 second', false)
FROM login_pairs WHERE user_id = $1 AND client = $2`

// gateAccount admits an attempt on the account, or refuses it and says
// how long until the next may run. $2: the address is familiar, $3: free
// failures, $4: the counting window, $5: slowDelays in seconds. An
// admitted attempt counts as a failure (forgiven on success); one from an
// unfamiliar address on an account past its free failures sets the time
// of the next.
const gateAccount = `
UPDATE users u SET
    recent_failures = CASE WHEN g.admitted THEN g.n + 1 ELSE u.recent_failures END,
    failures_since = CASE WHEN g.admitted AND g.n = 0 THEN now() ELSE u.failures_since END,
    slow_until = CASE WHEN g.admitted AND NOT $2 AND g.n + 1 >= $3
                      THEN now() + ($5::float8[])[least(g.n + 2 - $3, cardinality($5::float8[]))] * interval '1 second'
                      ELSE u.slow_until END
FROM (SELECT id, n, slow_until, $2 OR n < $3 OR coalesce(slow_until <= now(), true) AS admitted
      FROM (SELECT id, slow_until,
                   CASE WHEN failures_since > now() - $4 * interval '1 second' THEN recent_failures ELSE 0 END AS n
            FROM users WHERE id = $1 FOR NO KEY UPDATE) x) g
WHERE u.id = g.id
RETURNING g.admitted, greatest(extract(epoch FROM g.slow_until - now())::float8, 0)`

// reservePair counts an attempt against the (account, address) pair
// within a window of LockFor and reports whether the pair was locked
// before it. The attempt that reaches $3 failures sets the lock and is
// still checked; every attempt during the lock counts past $3, which is
// how RETURNING (it sees only the new row) tells them apart, even for an
// attempt whose now() is older than the lock (it waited for the row).
// $4: LockFor in seconds.
var reservePair = reserveSQL("login_pairs", "user_id, client", "$1, $2", 3, 4)

// reserveClient is reservePair for the address over all accounts (and
// unknown e-mails); $2: failures that lock, $3: LockFor in seconds.
var reserveClient = reserveSQL("login_throttle", "client", "$1", 2, 3)

const reserveTemplate = `
INSERT INTO TABLE AS t (KEYS, failures, window_start) VALUES (VALS, 1, now())
ON CONFLICT (KEYS) DO UPDATE SET
    failures = CASE WHEN t.locked_until > now() THEN t.failures + 1
                    WHEN t.window_start < now() - $window * interval '1 second' THEN 1 ELSE t.failures + 1 END,
    window_start = CASE WHEN t.locked_until > now() THEN t.window_start
                        WHEN t.window_start < now() - $window * interval '1 second' THEN now() ELSE t.window_start END,
    locked_until = CASE WHEN t.locked_until > now() THEN t.locked_until
                        WHEN t.window_start >= now() - $window * interval '1 second' AND t.failures + 1 >= $max
                        THEN now() + $window * interval '1 second' ELSE t.locked_until END
RETURNING failures > $max`

func reserveSQL(table, keys, values string, maxArg, windowArg int) string {
	return strings.NewReplacer("TABLE", table, "KEYS", keys, "VALS", values,
		"$max", fmt.Sprintf("$%d", maxArg), "$window", fmt.Sprintf("$%d", windowArg)).Replace(reserveTemplate)
}

// forgive takes back the failure counted for a successful attempt and
// marks the address as one the account logs in from.
const forgive = `
WITH c AS (UPDATE login_throttle SET failures = greatest(failures - 1, 0) WHERE client = $2),
     p AS (UPDATE login_pairs SET failures = 0, succeeded_at = now() WHERE user_id = $1 AND client = $2)
UPDATE users SET recent_failures = greatest(recent_failures - 1, 0) WHERE id = $1`

// failed audits a failed login of a known account (the attempt is already
// counted) and answers ErrBadCredentials.
func (s *Service) failed(ctx context.Context, userID int64, client string) error {
	if err := Append(ctx, s.pool, Entry{UserID: userID, Action: "login.failed", Detail: map[string]any{"client": client}}); err != nil {
		return err
	}
	return ErrBadCredentials
}

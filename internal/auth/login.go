package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// Login checks e-mail and password and starts a session, returning its
// raw id. oldSession, the id the client presented before (if any), is
// ended: the id changes at every login, so a planted one is worthless.
// After MaxFailures failures an account is locked for LockFor, and so is
// a client address; both answer ErrLocked even to the right password.
func (s *Service) Login(ctx context.Context, email, password, client, oldSession string) (Account, string, error) {
	// Each attempt is counted as a failure before the password is checked
	// and forgiven after a success: parallel guesses cannot all slip past
	// the lockout check while the slow hash runs.
	secs := seconds(s.opts.LockFor)
	var clientLocked bool
	if err := s.pool.QueryRow(ctx, reserveClient, client, s.opts.MaxFailures, secs).Scan(&clientLocked); err != nil {
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
	var locked bool
	if err := s.pool.QueryRow(ctx, reserveUser, a.ID, s.opts.MaxFailures, secs).Scan(&locked); err != nil {
		return Account{}, "", fmt.Errorf("count login attempt: %w", err)
	}
	if locked {
		s.verify(password, s.dummy) // a locked account answers as slowly as any other
		return Account{}, "", ErrLocked
	}
	if !s.verify(password, stored) {
		return Account{}, "", s.failed(ctx, a.ID, client)
	}
	if _, err := s.pool.Exec(ctx, forgiveClient, client); err != nil {
		return Account{}, "", fmt.Errorf("forgive login attempt: %w", err)
	}
	id, err := s.startSession(ctx, a.ID, oldSession)
	if err != nil {
		return Account{}, "", err
	}
	return a, id, nil
}

const selectLogin = `SELECT id, email, role, password_hash, must_change FROM users WHERE lower(email) = lower($1)`

// reserveUser counts an attempt against the account and reports whether it
// was locked before it. A lock that has run out starts the count again.
const reserveUser = `
UPDATE users u SET
    failed_logins = CASE WHEN o.locked THEN u.failed_logins WHEN o.expired THEN 1 ELSE u.failed_logins + 1 END,
    locked_until = CASE
        WHEN o.locked THEN u.locked_until
        WHEN (CASE WHEN o.expired THEN 1 ELSE u.failed_logins + 1 END) >= $2 THEN now() + $3 * interval '1 second'
        WHEN o.expired THEN NULL
        ELSE u.locked_until END
FROM (SELECT id, coalesce(locked_until > now(), false) AS locked, coalesce(locked_until <= now(), false) AS expired
      FROM users WHERE id = $1 FOR NO KEY UPDATE) o
WHERE u.id = o.id
RETURNING o.locked`

// reserveClient counts an attempt against the client address within a
// window of LockFor and reports whether the address was locked before it:
// a lock this attempt sets ends exactly LockFor from now, an older one
// sooner.
const reserveClient = `
INSERT INTO login_throttle AS t (client, failures, window_start) VALUES ($1, 1, now())
ON CONFLICT (client) DO UPDATE SET
    failures = CASE WHEN t.locked_until > now() THEN t.failures
                    WHEN t.window_start < now() - $3 * interval '1 second' THEN 1 ELSE t.failures + 1 END,
    window_start = CASE WHEN t.locked_until > now() THEN t.window_start
                        WHEN t.window_start < now() - $3 * interval '1 second' THEN now() ELSE t.window_start END,
    locked_until = CASE WHEN t.locked_until > now() THEN t.locked_until
                        WHEN t.window_start >= now() - $3 * interval '1 second' AND t.failures + 1 >= $2
                        THEN now() + $3 * interval '1 second' ELSE t.locked_until END
RETURNING coalesce(locked_until > now() AND locked_until < now() + $3 * interval '1 second', false)`

const forgiveClient = `UPDATE login_throttle SET failures = greatest(failures - 1, 0) WHERE client = $1`

// failed audits a failed login of a known account (the attempt is already
// counted) and answers ErrBadCredentials.
func (s *Service) failed(ctx context.Context, userID int64, client string) error {
	if err := Append(ctx, s.pool, Entry{UserID: userID, Action: "login.failed", Detail: map[string]any{"client": client}}); err != nil {
		return err
	}
	return ErrBadCredentials
}

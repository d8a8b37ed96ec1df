package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

const selectLogin = `
SELECT id, email, role, password_hash, must_change, coalesce(locked_until > now(), false)
FROM users WHERE lower(email) = lower($1)`

// Login checks e-mail and password and starts a session, returning its
// raw id. oldSession, the id the client presented before (if any), is
// ended: the id changes at every login, so a planted one is worthless.
// After MaxFailures failures an account is locked for LockFor, and so is
// a client address; both answer ErrLocked even to the right password.
func (s *Service) Login(ctx context.Context, email, password, client, oldSession string) (Account, string, error) {
	clientLocked, err := s.clientLocked(ctx, client)
	if err != nil {
		return Account{}, "", err
	}
	if clientLocked {
		return Account{}, "", ErrLocked
	}
	var a Account
	var stored string
	var locked bool
	err = s.pool.QueryRow(ctx, selectLogin, strings.TrimSpace(email)).Scan(&a.ID, &a.Email, &a.Role, &stored, &a.MustChange, &locked)
	if errors.Is(err, pgx.ErrNoRows) {
		s.verify(password, s.dummy) // same work as for a real account
		return Account{}, "", s.failed(ctx, 0, client)
	}
	if err != nil {
		return Account{}, "", fmt.Errorf("find user: %w", err)
	}
	if locked {
		return Account{}, "", ErrLocked
	}
	if !s.verify(password, stored) {
		return Account{}, "", s.failed(ctx, a.ID, client)
	}
	id, err := s.startSession(ctx, a.ID, oldSession)
	if err != nil {
		return Account{}, "", err
	}
	return a, id, nil
}

const clientLocked = `SELECT coalesce(locked_until > now(), false) FROM login_throttle WHERE client = $1`

func (s *Service) clientLocked(ctx context.Context, client string) (bool, error) {
	var locked bool
	err := s.pool.QueryRow(ctx, clientLocked, client).Scan(&locked)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read login throttle: %w", err)
	}
	return locked, nil
}

const userFailed = `
UPDATE users SET failed_logins = failed_logins + 1,
       locked_until = CASE WHEN failed_logins + 1 >= $2 THEN now() + $3 * interval '1 second'
                           ELSE locked_until END
WHERE id = $1`

// clientFailed counts failures per address in a window of LockFor; the
// count starts again once the window has passed.
const clientFailed = `
INSERT INTO login_throttle AS t (client, failures, window_start) VALUES ($1, 1, now())
ON CONFLICT (client) DO UPDATE SET
    failures = CASE WHEN t.window_start < now() - $3 * interval '1 second' THEN 1 ELSE t.failures + 1 END,
    window_start = CASE WHEN t.window_start < now() - $3 * interval '1 second' THEN now() ELSE t.window_start END,
    locked_until = CASE WHEN t.window_start >= now() - $3 * interval '1 second' AND t.failures + 1 >= $2
                        THEN now() + $3 * interval '1 second' ELSE t.locked_until END`

// failed records a failed login for the account (0: unknown e-mail) and
// the client address, and answers ErrBadCredentials.
func (s *Service) failed(ctx context.Context, userID int64, client string) error {
	secs := seconds(s.opts.LockFor)
	if userID != 0 {
		if _, err := s.pool.Exec(ctx, userFailed, userID, s.opts.MaxFailures, secs); err != nil {
			return fmt.Errorf("count failed login: %w", err)
		}
		if err := Append(ctx, s.pool, Entry{UserID: userID, Action: "login.failed", Detail: map[string]any{"client": client}}); err != nil {
			return err
		}
	}
	if _, err := s.pool.Exec(ctx, clientFailed, client, s.opts.MaxFailures, secs); err != nil {
		return fmt.Errorf("count failed login: %w", err)
	}
	return ErrBadCredentials
}

package auth

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/fachtag/fachtag/internal/db"
)

const insertSession = `
INSERT INTO sessions (hash, user_id, expires_at) VALUES ($1, $2, now() + $3 * interval '1 second')`

// pruneSessions drops the account's dead sessions and the one the client
// held before this login.
const pruneSessions = `
DELETE FROM sessions
WHERE (user_id = $1 AND (expires_at <= now() OR last_seen_at <= now() - $2 * interval '1 second'))
   OR hash = $3`

// startSession ends oldSession and stores a new session, returning its
// raw id (256 random bits; only the hash is kept).
func (s *Service) startSession(ctx context.Context, userID int64, oldSession string) (string, error) {
	id := randomSecret()
	err := db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, pruneSessions, userID, seconds(s.opts.IdleTimeout), hashSecret(oldSession)); err != nil {
			return fmt.Errorf("prune sessions: %w", err)
		}
		if _, err := tx.Exec(ctx, insertSession, hashSecret(id), userID, seconds(s.opts.Absolute)); err != nil {
			return fmt.Errorf("store session: %w", err)
		}
		return Append(ctx, tx, Entry{UserID: userID, Action: "login"})
	})
	if err != nil {
		return "", err
	}
	return id, nil
}

// StartSession starts a session for an account that has just proven who
// it is in another way (a password reset, a password change).
func (s *Service) StartSession(ctx context.Context, userID int64, oldSession string) (string, error) {
	return s.startSession(ctx, userID, oldSession)
}

// touchSession validates a session against both timeouts and records the
// activity that keeps it alive, in one statement.
const touchSession = `
UPDATE sessions s SET last_seen_at = now()
FROM users u
WHERE s.hash = $1 AND u.id = s.user_id AND s.expires_at > now()
  AND s.last_seen_at > now() - $2 * interval '1 second'
RETURNING u.id, u.email, u.role, u.must_change`

// Session returns the account of a live session; unknown, idle and
// expired sessions are ErrUnauthenticated.
func (s *Service) Session(ctx context.Context, id string) (Account, error) {
	if len(id) != 43 {
		return Account{}, ErrUnauthenticated
	}
	var a Account
	err := s.pool.QueryRow(ctx, touchSession, hashSecret(id), seconds(s.opts.IdleTimeout)).Scan(&a.ID, &a.Email, &a.Role, &a.MustChange)
	if errors.Is(err, pgx.ErrNoRows) {
		return Account{}, ErrUnauthenticated
	}
	if err != nil {
		return Account{}, fmt.Errorf("read session: %w", err)
	}
	return a, nil
}

// Logout ends a session; an unknown id is not an error.
func (s *Service) Logout(ctx context.Context, id string) error {
	if _, err := s.pool.Exec(ctx, `DELETE FROM sessions WHERE hash = $1`, hashSecret(id)); err != nil {
		return fmt.Errorf("end session: %w", err)
	}
	return nil
}

func seconds(d time.Duration) int { return int(d / time.Second) }

// SessionMaxAge is the absolute lifetime of a session, for the cookie.
func (s *Service) SessionMaxAge() time.Duration { return s.opts.Absolute }

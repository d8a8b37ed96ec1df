package auth

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/fachtag/fachtag/internal/db"
)

const insertReset = `
INSERT INTO password_resets (hash, user_id, expires_at) VALUES ($1, $2, now() + $3 * interval '1 second')`

// RequestReset issues a single-use password-reset token (valid ResetValid)
// for the account with the e-mail and returns the account and the raw
// token for the link. An unknown address is ErrUserNotFound; callers
// answer the same either way, so the form reveals no accounts.
func (s *Service) RequestReset(ctx context.Context, email string) (User, string, error) {
	u, err := s.UserByEmail(ctx, email)
	if err != nil {
		return User{}, "", err
	}
	token := randomSecret()
	err = db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, insertReset, hashSecret(token), u.ID, seconds(s.opts.ResetValid)); err != nil {
			return fmt.Errorf("store reset: %w", err)
		}
		return Append(ctx, tx, Entry{UserID: u.ID, Action: "password.reset_requested"})
	})
	if err != nil {
		return User{}, "", err
	}
	return u, token, nil
}

const checkReset = `SELECT user_id FROM password_resets WHERE hash = $1 AND used_at IS NULL AND expires_at > now()`

// CheckReset reports whether a reset token is still usable.
func (s *Service) CheckReset(ctx context.Context, token string) error {
	var userID int64
	err := s.pool.QueryRow(ctx, checkReset, hashSecret(token)).Scan(&userID)
	if errors.Is(err, pgx.ErrNoRows) {
		return ErrResetInvalid
	}
	if err != nil {
		return fmt.Errorf("check reset: %w", err)
	}
	return nil
}

const useReset = `
UPDATE password_resets SET used_at = now()
WHERE hash = $1 AND used_at IS NULL AND expires_at > now()
RETURNING user_id`

// Reset sets a new password with a reset token, uses the token up, ends
// every session of the account and returns the account's id. The token
// update and the password change commit together, so a token works once.
func (s *Service) Reset(ctx context.Context, token, password string) (int64, error) {
	if err := checkPassword(password); err != nil {
		return 0, err
	}
	hash := s.hash(password)
	var userID int64
	err := db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, useReset, hashSecret(token)).Scan(&userID)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrResetInvalid
		}
		if err != nil {
			return fmt.Errorf("use reset: %w", err)
		}
		if _, err := tx.Exec(ctx, `UPDATE password_resets SET used_at = now() WHERE user_id = $1 AND used_at IS NULL`, userID); err != nil {
			return fmt.Errorf("retire resets: %w", err)
		}
		return setPassword(ctx, tx, userID, hash, "password.reset")
	})
	return userID, err
}

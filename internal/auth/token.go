package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/fachtag/fachtag/internal/db"
)

// tokenPrefix marks fachtag API tokens, so secret scanners and people
// recognise a leaked one.
const tokenPrefix = "ft_"

const insertToken = `INSERT INTO api_tokens (user_id, name, hash) VALUES ($1, $2, $3) RETURNING id`

// CreateToken issues an API token for the account with the e-mail and
// returns its id and the raw token, which is shown once and never stored.
func (s *Service) CreateToken(ctx context.Context, email, name string) (int64, string, error) {
	u, err := s.UserByEmail(ctx, email)
	if err != nil {
		return 0, "", err
	}
	token := tokenPrefix + randomSecret()
	var id int64
	if err := s.pool.QueryRow(ctx, insertToken, u.ID, name, hashSecret(token)).Scan(&id); err != nil {
		return 0, "", fmt.Errorf("store token: %w", err)
	}
	err = Append(ctx, s.pool, Entry{UserID: u.ID, Actor: "cli", Action: "token.create", Detail: map[string]any{"token_id": id, "name": name}})
	return id, token, err
}

// RevokeToken ends a token for good.
func (s *Service) RevokeToken(ctx context.Context, id int64) error {
	var userID int64
	err := s.pool.QueryRow(ctx, `UPDATE api_tokens SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1 RETURNING user_id`, id).Scan(&userID)
	if errors.Is(err, pgx.ErrNoRows) {
		return ErrTokenNotFound
	}
	if err != nil {
		return fmt.Errorf("revoke token: %w", err)
	}
	return Append(ctx, s.pool, Entry{UserID: userID, Actor: "cli", Action: "token.revoke", Detail: map[string]any{"token_id": id}})
}

// useToken resolves a live token and records its use.
const useToken = `
UPDATE api_tokens t SET last_used_at = now()
FROM users u
WHERE t.hash = $1 AND t.revoked_at IS NULL AND u.id = t.user_id
RETURNING u.id, u.email, u.role, t.id`

// Token returns the account behind a raw API token; unknown, malformed and
// revoked tokens are all ErrUnauthenticated.
func (s *Service) Token(ctx context.Context, token string) (Account, error) {
	if !strings.HasPrefix(token, tokenPrefix) || len(token) != len(tokenPrefix)+43 {
		return Account{}, ErrUnauthenticated
	}
	var a Account
	err := s.pool.QueryRow(ctx, useToken, hashSecret(token)).Scan(&a.ID, &a.Email, &a.Role, &a.TokenID)
	if errors.Is(err, pgx.ErrNoRows) {
		return Account{}, ErrUnauthenticated
	}
	if err != nil {
		return Account{}, fmt.Errorf("resolve token: %w", err)
	}
	return a, nil
}

// TokenInfo is an API token as its owner sees it: never the secret.
type TokenInfo struct {
	ID         int64
	Name       string
	CreatedAt  time.Time
	LastUsedAt *time.Time
	RevokedAt  *time.Time
}

const selectTokens = `
SELECT id, name, created_at, last_used_at, revoked_at FROM api_tokens
WHERE user_id = $1 ORDER BY revoked_at IS NOT NULL, created_at DESC, id DESC LIMIT 100`

// Tokens lists the account's API tokens, live ones first.
func (s *Service) Tokens(ctx context.Context, a Account) ([]TokenInfo, error) {
	rows, _ := s.pool.Query(ctx, selectTokens, a.ID)
	list, err := pgx.CollectRows(rows, pgx.RowToStructByPos[TokenInfo])
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	return list, nil
}

// CreateOwnToken issues an API token for the account itself and returns
// the raw token, shown once.
func (s *Service) CreateOwnToken(ctx context.Context, a Account, name string) (string, error) {
	token := tokenPrefix + randomSecret()
	err := db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
		var id int64
		if err := tx.QueryRow(ctx, insertToken, a.ID, name, hashSecret(token)).Scan(&id); err != nil {
			return fmt.Errorf("store token: %w", err)
		}
		return Append(ctx, tx, a.Audit("token.create", 0, map[string]any{"token_id": id, "name": name}))
	})
	return token, err
}

// RevokeOwnToken ends one of the account's own tokens; another account's
// token is ErrTokenNotFound.
func (s *Service) RevokeOwnToken(ctx context.Context, a Account, id int64) error {
	return db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE api_tokens SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1 AND user_id = $2`, id, a.ID)
		if err != nil {
			return fmt.Errorf("revoke token: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return ErrTokenNotFound
		}
		return Append(ctx, tx, a.Audit("token.revoke", 0, map[string]any{"token_id": id}))
	})
}

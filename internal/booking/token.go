package booking

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"

	"github.com/fachtag/fachtag/internal/db"
	"github.com/jackc/pgx/v5"
)

// NewToken returns a link token with 256 random bits and the hash under
// which it is stored; the token itself is never stored. Personal links
// use it, and other packages' one-purpose links (reconfirmation answers).
func NewToken() (token string, hash []byte) {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, HashToken(token)
}

// newUUID is a random (version 4) UUID, made here so that the registration
// and its token can be written in one round trip.
func newUUID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// HashToken is the stored form of a token made by NewToken.
func HashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

const insertToken = `INSERT INTO tokens (hash, registration_id, purpose) VALUES ($1, $2, 'manage')`

// IssueLink creates a new personal link for a registration inside tx, for
// a mail of another package that shows it (an organiser message with
// {link}); older links stay valid.
func IssueLink(ctx context.Context, tx pgx.Tx, regID string) (string, error) {
	return issueToken(ctx, tx, regID)
}

// issueToken creates a new personal link for a registration inside tx.
func issueToken(ctx context.Context, tx pgx.Tx, regID string) (string, error) {
	token, hash := NewToken()
	if _, err := tx.Exec(ctx, insertToken, hash, regID); err != nil {
		return "", fmt.Errorf("store token: %w", err)
	}
	return token, nil
}

const tokenRegistration = `SELECT registration_id FROM tokens WHERE hash = $1 AND purpose = 'manage'`

// LinkRegistration resolves a personal link to its registration id;
// ErrNotFound when there is none.
func LinkRegistration(ctx context.Context, q db.Conn, token string) (string, error) {
	return registrationID(ctx, q, token)
}

// registrationID resolves a token; malformed and unknown tokens are both
// ErrNotFound, so a guess learns nothing.
func registrationID(ctx context.Context, q db.Conn, token string) (string, error) {
	if len(token) != 43 {
		return "", ErrNotFound
	}
	var id string
	err := q.QueryRow(ctx, tokenRegistration, HashToken(token)).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("resolve token: %w", err)
	}
	return id, nil
}

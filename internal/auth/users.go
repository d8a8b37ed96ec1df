package auth

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/fachtag/fachtag/internal/db"
)

// User is a stored account.
type User struct {
	ID    int64
	Email string
	Role  string
}

const insertUser = `
INSERT INTO users (email, role, password_hash, must_change) VALUES ($1, $2, $3, true)
RETURNING id`

// CreateUser adds an account with a one-time password, which it returns;
// the account must change it after the first login. With eventSlug the
// account becomes a member of that event.
func (s *Service) CreateUser(ctx context.Context, email, role, eventSlug string) (User, string, error) {
	email = strings.TrimSpace(email)
	if a, err := mail.ParseAddress(email); err != nil || a.Address != email {
		return User{}, "", fmt.Errorf("%q is not an e-mail address", email)
	}
	if !ValidRole(role) {
		return User{}, "", fmt.Errorf("role %q: must be admin, organiser or checkin", role)
	}
	password := OneTimePassword()
	u := User{Email: email, Role: role}
	hash := s.hash(password)
	err := db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, insertUser, email, role, hash).Scan(&u.ID); err != nil {
			if db.IsUniqueViolation(err, "users_email_key") {
				return ErrEmailTaken
			}
			return fmt.Errorf("insert user: %w", err)
		}
		if eventSlug != "" {
			if err := addMemberBySlug(ctx, tx, u.ID, eventSlug); err != nil {
				return err
			}
		}
		return Append(ctx, tx, Entry{UserID: u.ID, Actor: "cli", Action: "user.create",
			Detail: map[string]any{"email": email, "role": role, "event": eventSlug}})
	})
	return u, password, err
}

const selectUserByEmail = `SELECT id, email, role FROM users WHERE lower(email) = lower($1)`

// UserByEmail finds an account, ignoring the case of the address.
func (s *Service) UserByEmail(ctx context.Context, email string) (User, error) {
	var u User
	err := s.pool.QueryRow(ctx, selectUserByEmail, strings.TrimSpace(email)).Scan(&u.ID, &u.Email, &u.Role)
	if errors.Is(err, pgx.ErrNoRows) {
		return User{}, ErrUserNotFound
	}
	if err != nil {
		return User{}, fmt.Errorf("find user: %w", err)
	}
	return u, nil
}

const insertMember = `
INSERT INTO event_members (user_id, event_id)
SELECT $1, id FROM events WHERE slug = $2
ON CONFLICT DO NOTHING`

// ErrEventNotFound means no event has the slug given for a membership.
var ErrEventNotFound = errors.New("event not found")

func addMemberBySlug(ctx context.Context, q db.Conn, userID int64, slug string) error {
	tag, err := q.Exec(ctx, insertMember, userID, slug)
	if err != nil {
		return fmt.Errorf("add member: %w", err)
	}
	if tag.RowsAffected() == 0 {
		var exists bool
		if err := q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM events WHERE slug = $1)`, slug).Scan(&exists); err != nil {
			return fmt.Errorf("add member: %w", err)
		}
		if !exists {
			return fmt.Errorf("%w: %q", ErrEventNotFound, slug)
		}
	}
	return nil
}

// AddMember makes the account a member of the event (idempotent); q may be
// a transaction, so that creating an event and its first member is atomic.
func AddMember(ctx context.Context, q db.Conn, userID int64, eventSlug string) error {
	return addMemberBySlug(ctx, q, userID, eventSlug)
}

const updatePassword = `
UPDATE users SET password_hash = $2, must_change = false, password_at = now() WHERE id = $1`

// ChangePassword checks the current password, sets the new one and ends
// every session of the account; the caller starts a fresh one.
func (s *Service) ChangePassword(ctx context.Context, acct Account, current, next string) error {
	if err := checkPassword(next); err != nil {
		return err
	}
	var stored string
	if err := s.pool.QueryRow(ctx, `SELECT password_hash FROM users WHERE id = $1`, acct.ID).Scan(&stored); err != nil {
		return fmt.Errorf("read password: %w", err)
	}
	if !s.verify(current, stored) {
		return ErrBadCredentials
	}
	hash := s.hash(next)
	return db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
		return setPassword(ctx, tx, acct.ID, hash, "password.change")
	})
}

// setPassword stores a new hash and ends every session of the account: a
// changed password must lock out whoever knew the old one.
func setPassword(ctx context.Context, tx pgx.Tx, userID int64, hash, action string) error {
	if _, err := tx.Exec(ctx, updatePassword, userID, hash); err != nil {
		return fmt.Errorf("update password: %w", err)
	}
	if _, err := tx.Exec(ctx, `DELETE FROM sessions WHERE user_id = $1`, userID); err != nil {
		return fmt.Errorf("end sessions: %w", err)
	}
	return Append(ctx, tx, Entry{UserID: userID, Action: action})
}

// hash runs argon2id within the concurrency bound.
func (s *Service) hash(password string) string {
	s.hashing <- struct{}{}
	defer func() { <-s.hashing }()
	return hashPassword(password, s.opts.Params)
}

func (s *Service) verify(password, encoded string) bool {
	s.hashing <- struct{}{}
	defer func() { <-s.hashing }()
	return verifyPassword(password, encoded)
}

// Package auth owns organiser accounts and access: users and their roles,
// event memberships, password hashing (argon2id), login throttling,
// server-side sessions, API tokens, password resets and the audit log.
// It knows nothing of HTTP; the server maps its errors to status codes.
package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/fachtag/fachtag/internal/db"
)

// Roles of an account.
const (
	RoleAdmin     = "admin"     // everything, manages accounts
	RoleOrganiser = "organiser" // the events they are members of
	RoleCheckin   = "checkin"   // check-in pages of their events only
)

// Errors callers map to responses.
var (
	ErrBadCredentials  = errors.New("wrong e-mail or password")
	ErrLocked          = errors.New("too many failed logins; try again later")
	ErrUnauthenticated = errors.New("not logged in")
	ErrForbidden       = errors.New("the account's role may not do this")
	ErrNoEventAccess   = errors.New("event not visible to the account") // answered like "not found"
	ErrEmailTaken      = errors.New("an account with this e-mail exists")
	ErrUserNotFound    = errors.New("no such account")
	ErrTokenNotFound   = errors.New("no such token")
	ErrResetInvalid    = errors.New("password reset link is invalid, used or expired")
	ErrWeakPassword    = errors.New("password too short")
)

// ValidRole reports whether role is one of the three roles.
func ValidRole(role string) bool {
	return role == RoleAdmin || role == RoleOrganiser || role == RoleCheckin
}

// Account is who is calling: the user behind a session or an API token.
type Account struct {
	ID         int64
	Email      string
	Role       string
	MustChange bool // logged in with a one-time password
	TokenID    int64
}

// Options tune a Service; the zero value gives production settings.
type Options struct {
	Params      Params        // argon2id cost; zero means DefaultParams
	IdleTimeout time.Duration // session idle timeout; default 2h
	Absolute    time.Duration // session absolute lifetime; default 12h
	MaxFailures int           // failed logins before a lockout; default 5
	LockFor     time.Duration // lockout length; default 15m
	ResetValid  time.Duration // password-reset link lifetime; default 1h
	MaxHashing  int           // concurrent argon2 computations; default 4
	// InviteMail queues the invitation mail through q, the transaction of
	// the invitation (package app passes the outbox; auth cannot import
	// mail, which imports event, which imports auth).
	InviteMail func(ctx context.Context, q db.Conn, to, language, link, eventTitle string) error
}

func (o Options) withDefaults() Options {
	if o.Params == (Params{}) {
		o.Params = DefaultParams
	}
	o.IdleTimeout = or(o.IdleTimeout, 2*time.Hour)
	o.Absolute = or(o.Absolute, 12*time.Hour)
	o.LockFor = or(o.LockFor, 15*time.Minute)
	o.ResetValid = or(o.ResetValid, time.Hour)
	if o.MaxFailures <= 0 {
		o.MaxFailures = 5
	}
	if o.MaxHashing <= 0 {
		o.MaxHashing = 4
	}
	return o
}

func or(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// Service runs account operations on one database.
type Service struct {
	pool *pgxpool.Pool
	opts Options
	// hashing bounds concurrent argon2 runs: each takes Params.Memory KiB,
	// and a burst of logins must not exhaust the host's memory.
	hashing chan struct{}
	dummy   string // hash verified for unknown e-mails, so timing tells nothing
	delays  []float64
}

// New returns a Service on pool.
func New(pool *pgxpool.Pool, opts Options) *Service {
	opts = opts.withDefaults()
	s := &Service{pool: pool, opts: opts, hashing: make(chan struct{}, opts.MaxHashing), delays: slowDelays(opts.MaxFailures)}
	s.dummy = hashPassword(randomSecret(), opts.Params)
	return s
}

// randomSecret is 256 random bits, URL-safe.
func randomSecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// hashSecret is how session ids, API tokens and reset links are stored.
func hashSecret(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}

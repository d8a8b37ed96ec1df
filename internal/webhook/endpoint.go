package webhook

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/fachtag/fachtag/internal/auth"
	"github.com/fachtag/fachtag/internal/db"
)

// ErrNotFound is an endpoint that does not exist or belongs to another
// event.
var ErrNotFound = errors.New("webhook endpoint not found")

// MaxEndpoints bounds the endpoints of one event.
const MaxEndpoints = 20

// Service manages an event's endpoints and reads its delivery log.
type Service struct {
	pool   *pgxpool.Pool
	policy Policy
}

// NewService returns a Service on pool that checks addresses with policy.
func NewService(pool *pgxpool.Pool, policy Policy) *Service {
	return &Service{pool: pool, policy: policy}
}

// Endpoint is one endpoint as the organiser sees it; the secret is shown
// only when it is made (Create, Rotate).
type Endpoint struct {
	ID            int64
	URL           string
	Types         []string
	Enabled       bool
	DisabledAt    *time.Time
	LastSuccessAt *time.Time
	CreatedAt     time.Time
	SecretAt      time.Time
	Pending       int // deliveries waiting to be sent
	Failed        int // deliveries given up on
}

// FieldError is one invalid field: a catalogue key and its arguments.
type FieldError struct {
	Key  string
	Args []any
}

// ValidationError lists the invalid fields of an endpoint ("url",
// "types"); nothing was saved.
type ValidationError struct{ Fields map[string]FieldError }

func (v *ValidationError) Error() string {
	return fmt.Sprintf("invalid webhook endpoint: %v", v.Fields)
}

// check validates an endpoint's address and types and returns them
// normalised.
func (s *Service) check(rawURL string, types []string) (string, []string, error) {
	v := &ValidationError{Fields: map[string]FieldError{}}
	u, reason := s.policy.CheckURL(rawURL)
	switch {
	case strings.TrimSpace(rawURL) == "":
		v.Fields["url"] = FieldError{Key: "err.required"}
	case reason == URLTooLong:
		v.Fields["url"] = FieldError{Key: reason, Args: []any{maxURL}}
	case reason != "":
		v.Fields["url"] = FieldError{Key: reason}
	}
	var chosen []string
	for _, t := range Types {
		if slices.Contains(types, t) {
			chosen = append(chosen, t)
		}
	}
	if len(chosen) == 0 || len(chosen) != len(dedup(types)) {
		v.Fields["types"] = FieldError{Key: "webhooks.err_types"}
	}
	if len(v.Fields) > 0 {
		return "", nil, v
	}
	return u, chosen, nil
}

func dedup(xs []string) []string {
	out := slices.Clone(xs)
	slices.Sort(out)
	return slices.Compact(out)
}

const (
	countEndpoints = `SELECT count(*) FROM webhook_endpoints WHERE event_id = $1`
	lockEventRow   = `SELECT 1 FROM events WHERE id = $1 FOR NO KEY UPDATE`
	insertEndpoint = `
INSERT INTO webhook_endpoints (event_id, url, types, secret) VALUES ($1, $2, $3, $4) RETURNING id`
)

// Create adds an endpoint to the event and returns its id and its secret,
// which is shown this once. The event row is locked so that two
// organisers adding at once cannot pass MaxEndpoints.
func (s *Service) Create(ctx context.Context, a auth.Account, eventID int64, rawURL string, types []string) (int64, string, error) {
	u, chosen, err := s.check(rawURL, types)
	if err != nil {
		return 0, "", err
	}
	secret := newSecret()
	var id int64
	err = db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
		var n int
		if _, err := tx.Exec(ctx, lockEventRow, eventID); err != nil {
			return fmt.Errorf("lock event: %w", err)
		}
		if err := tx.QueryRow(ctx, countEndpoints, eventID).Scan(&n); err != nil {
			return fmt.Errorf("count endpoints: %w", err)
		}
		if n >= MaxEndpoints {
			return &ValidationError{Fields: map[string]FieldError{"url": {Key: "webhooks.err_too_many", Args: []any{MaxEndpoints}}}}
		}
		if err := tx.QueryRow(ctx, insertEndpoint, eventID, u, chosen, secret).Scan(&id); err != nil {
			return fmt.Errorf("insert endpoint: %w", err)
		}
		return auth.Append(ctx, tx, a.Audit("webhook.create", eventID, map[string]any{"endpoint_id": id, "url": u, "types": chosen}))
	})
	if err != nil {
		return 0, "", err
	}
	return id, secret, nil
}

const selectEndpoints = `
SELECT e.id, e.url, e.types, e.enabled, e.disabled_at, e.last_success_at, e.created_at, e.secret_at,
       count(d.id) FILTER (WHERE d.status IN ('pending', 'sending')),
       count(d.id) FILTER (WHERE d.status = 'failed')
FROM webhook_endpoints e LEFT JOIN webhook_deliveries d ON d.endpoint_id = e.id
WHERE e.event_id = $1 AND ($2 = 0 OR e.id = $2)
GROUP BY e.id ORDER BY e.id`

// List returns the event's endpoints, oldest first.
func (s *Service) List(ctx context.Context, eventID int64) ([]Endpoint, error) {
	return s.endpoints(ctx, eventID, 0)
}

// Get returns one endpoint of the event.
func (s *Service) Get(ctx context.Context, eventID, id int64) (Endpoint, error) {
	eps, err := s.endpoints(ctx, eventID, id)
	if err != nil {
		return Endpoint{}, err
	}
	if len(eps) == 0 {
		return Endpoint{}, ErrNotFound
	}
	return eps[0], nil
}

func (s *Service) endpoints(ctx context.Context, eventID, id int64) ([]Endpoint, error) {
	rows, _ := s.pool.Query(ctx, selectEndpoints, eventID, id)
	eps, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Endpoint, error) {
		var e Endpoint
		err := r.Scan(&e.ID, &e.URL, &e.Types, &e.Enabled, &e.DisabledAt, &e.LastSuccessAt, &e.CreatedAt, &e.SecretAt, &e.Pending, &e.Failed)
		return e, err
	})
	if err != nil {
		return nil, fmt.Errorf("list webhook endpoints: %w", err)
	}
	return eps, nil
}

const (
	deleteEndpoint = `DELETE FROM webhook_endpoints WHERE id = $1 AND event_id = $2 RETURNING url`
	rotateSecret   = `
UPDATE webhook_endpoints SET old_secret = secret, old_secret_until = now() + $4 * interval '1 millisecond',
    secret = $3, secret_at = now()
WHERE id = $1 AND event_id = $2 RETURNING url`
	// Re-enabling sends what waited while the endpoint was off, each with
	// a fresh 24 hours of retries.
	enableEndpoint = `
WITH e AS (
    UPDATE webhook_endpoints SET enabled = true, disabled_at = NULL
    WHERE id = $1 AND event_id = $2 RETURNING id, url
), d AS (
    UPDATE webhook_deliveries SET next_attempt_at = now(), first_attempt_at = NULL
    WHERE endpoint_id IN (SELECT id FROM e) AND status = 'pending'
)
SELECT url FROM e`
	insertTest = `INSERT INTO webhook_deliveries (endpoint_id, event_type, payload) VALUES ($1, $2, $3)`
	endpointOf = `SELECT url FROM webhook_endpoints WHERE id = $1 AND event_id = $2 FOR NO KEY UPDATE`
)

// Delete removes an endpoint with its deliveries and their log.
func (s *Service) Delete(ctx context.Context, a auth.Account, eventID, id int64) error {
	return s.change(ctx, a, eventID, id, "webhook.delete", deleteEndpoint)
}

// Enable switches a disabled endpoint on again.
func (s *Service) Enable(ctx context.Context, a auth.Account, eventID, id int64) error {
	return s.change(ctx, a, eventID, id, "webhook.enable", enableEndpoint)
}

// RotationOverlap is how long after a rotation deliveries carry a
// signature with the old secret beside the new one (the specification
// allows several, space-separated), so the receiver may switch at leisure.
const RotationOverlap = 24 * time.Hour

// Rotate gives the endpoint a new secret, returned this once; deliveries
// are signed with it from their next attempt on, and with the old one too
// for RotationOverlap.
func (s *Service) Rotate(ctx context.Context, a auth.Account, eventID, id int64) (string, error) {
	secret := newSecret()
	return secret, s.change(ctx, a, eventID, id, "webhook.rotate", rotateSecret, secret, RotationOverlap.Milliseconds())
}

// change runs one statement on the endpoint and audits it.
func (s *Service) change(ctx context.Context, a auth.Account, eventID, id int64, action, sql string, args ...any) error {
	return db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
		var u string
		err := tx.QueryRow(ctx, sql, append([]any{id, eventID}, args...)...).Scan(&u)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("%s: %w", action, err)
		}
		return auth.Append(ctx, tx, a.Audit(action, eventID, map[string]any{"endpoint_id": id, "url": u}))
	})
}

// SendTest queues a webhook.test delivery to one endpoint, also when it
// is disabled (it then waits until the endpoint is enabled again).
func (s *Service) SendTest(ctx context.Context, a auth.Account, eventID int64, slug string, id int64) error {
	body, err := Message{Type: TestType, Data: map[string]string{"event": slug}}.body()
	if err != nil {
		return err
	}
	return db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
		var u string
		err := tx.QueryRow(ctx, endpointOf, id, eventID).Scan(&u)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("webhook test: %w", err)
		}
		if _, err := tx.Exec(ctx, insertTest, id, TestType, body); err != nil {
			return fmt.Errorf("webhook test: %w", err)
		}
		return auth.Append(ctx, tx, a.Audit("webhook.test", eventID, map[string]any{"endpoint_id": id, "url": u}))
	})
}

// Package limits owns the request limits that hold across replicas: a
// token bucket per (scope, key) in PostgreSQL, counted and decided by one
// statement per request. Two replicas on one database share every bucket,
// so running more replicas does not raise a client's limit.
//
// PostgreSQL rather than Redis: every installation already runs it and
// backs it up, each request costs one primary-key upsert on a small row,
// and a second store would be one more thing to run, secure and watch for
// a few thousand requests a minute.
package limits

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Service counts requests against limits on one database.
type Service struct {
	pool *pgxpool.Pool
}

// New returns a Service on pool.
func New(pool *pgxpool.Pool) *Service { return &Service{pool: pool} }

// Decision is the verdict on one request.
type Decision struct {
	Allowed    bool
	RetryAfter time.Duration // when refused: until the bucket holds a token again
}

// take refills the bucket for the time since its last use (perMinute/60
// tokens a second, up to a burst of perMinute), then takes one token if
// there is one. A refused request takes nothing, so a client that keeps
// knocking gets in again at the limit's rate. Every expression in SET sees
// the row as it was, so the refill is written out where it is used;
// greatest() keeps a request that waited for the row lock from turning the
// clock back.
const take = `
INSERT INTO rate_limits AS b (scope, key, tokens, updated_at, allowed)
VALUES ($1, $2, $3::float8 - 1, now(), true)
ON CONFLICT (scope, key) DO UPDATE SET
    allowed = least($3::float8, b.tokens + greatest(extract(epoch FROM now() - b.updated_at)::float8, 0) * $3::float8 / 60) >= 1,
    tokens = least($3::float8, b.tokens + greatest(extract(epoch FROM now() - b.updated_at)::float8, 0) * $3::float8 / 60)
             - CASE WHEN least($3::float8, b.tokens + greatest(extract(epoch FROM now() - b.updated_at)::float8, 0) * $3::float8 / 60) >= 1
                    THEN 1 ELSE 0 END,
    updated_at = greatest(b.updated_at, now())
RETURNING allowed, tokens`

// Take counts one request of key (a client address, say) in scope against
// a limit of perMinute requests a minute with a burst of as many. A limit
// of 0 or less allows everything without asking the database.
func (s *Service) Take(ctx context.Context, scope, key string, perMinute int) (Decision, error) {
	if perMinute <= 0 {
		return Decision{Allowed: true}, nil
	}
	var d Decision
	var tokens float64
	// One round trip, and no wait for the WAL flush: a count lost in a
	// crash lets a client a few requests more, which is no reason to make
	// every public request wait for the disk a second time.
	b := &pgx.Batch{}
	b.Queue(`BEGIN`)
	b.Queue(`SET LOCAL synchronous_commit = off`)
	b.Queue(take, scope, key, perMinute).QueryRow(func(row pgx.Row) error { return row.Scan(&d.Allowed, &tokens) })
	b.Queue(`COMMIT`)
	if err := s.pool.SendBatch(ctx, b).Close(); err != nil {
		return Decision{}, fmt.Errorf("rate limit %s: %w", scope, err)
	}
	if !d.Allowed {
		d.RetryAfter = refill(tokens, perMinute)
	}
	return d, nil
}

// refill is how long a bucket holding tokens takes to hold one, in whole
// seconds, at least one.
func refill(tokens float64, perMinute int) time.Duration {
	secs := math.Ceil((1 - tokens) * 60 / float64(perMinute))
	return time.Duration(max(secs, 1)) * time.Second
}

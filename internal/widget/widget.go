// Package widget owns the registration widget's settings: per event, the
// websites (origins) that may embed its registration form. The HTTP layer
// names them in the frame-ancestors of the embeddable pages; every other
// page keeps refusing to be framed.
package widget

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/fachtag/fachtag/internal/auth"
	"github.com/fachtag/fachtag/internal/db"
)

// Service reads and saves the allowed origins of events.
type Service struct{ pool *pgxpool.Pool }

// New returns the service on the database behind pool.
func New(pool *pgxpool.Pool) *Service { return &Service{pool: pool} }

const selectOrigins = `
SELECT o.origin FROM embed_origins o JOIN events e ON e.id = o.event_id
WHERE e.slug = $1 ORDER BY o.position`

// Origins lists the origins that may embed the form of the event with
// the slug, in the organiser's order; none for an unknown event.
func (s *Service) Origins(ctx context.Context, slug string) ([]string, error) {
	rows, _ := s.pool.Query(ctx, selectOrigins, slug)
	origins, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("load embed origins: %w", err)
	}
	return origins, nil
}

const (
	// lockOrigins serialises saves of one event's list across replicas,
	// without touching the events row that sign-ups reference.
	lockOrigins   = `SELECT pg_advisory_xact_lock(hashtextextended('fachtag.embed-origins:' || $1::bigint, 0))`
	deleteOrigins = `DELETE FROM embed_origins WHERE event_id = $1`
	insertOrigins = `
INSERT INTO embed_origins (event_id, position, origin)
SELECT $1, o.n, o.origin FROM unnest($2::text[]) WITH ORDINALITY AS o(origin, n)`
)

// SetOrigins replaces the event's list with the origins in text, one a
// line (ParseOrigins), and records who did it, in one transaction. An
// invalid line changes nothing: the *OriginsError names every such line.
// It returns the list as saved.
func (s *Service) SetOrigins(ctx context.Context, a auth.Account, eventID int64, text string, allowHTTP bool) ([]string, error) {
	origins, err := ParseOrigins(text, allowHTTP)
	if err != nil {
		return nil, err
	}
	err = db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, lockOrigins, eventID); err != nil {
			return fmt.Errorf("lock embed origins: %w", err)
		}
		if _, err := tx.Exec(ctx, deleteOrigins, eventID); err != nil {
			return fmt.Errorf("delete embed origins: %w", err)
		}
		if _, err := tx.Exec(ctx, insertOrigins, eventID, origins); err != nil {
			return fmt.Errorf("insert embed origins: %w", err)
		}
		return auth.Append(ctx, tx, a.Audit("event.embed_origins", eventID, map[string]any{"origins": origins}))
	})
	if err != nil {
		return nil, err
	}
	return origins, nil
}

package roster

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/fachtag/fachtag/internal/auth"
	"github.com/fachtag/fachtag/internal/db"
)

// Export returns the rows of All for a file download and records in the
// same transaction who exported how many rows of personal data; audit is
// the entry without its row count.
func (s *Service) Export(ctx context.Context, eventID int64, audit auth.Entry) ([]Row, error) {
	var rows []Row
	err := db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		if rows, err = all(ctx, tx, eventID); err != nil {
			return err
		}
		audit.Detail = map[string]any{"rows": len(rows)}
		return auth.Append(ctx, tx, audit)
	})
	return rows, err
}

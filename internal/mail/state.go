package mail

import (
	"context"
	"fmt"
	"time"

	"github.com/fachtag/fachtag/internal/db"
	"github.com/fachtag/fachtag/internal/metrics"
)

// queueState reads the outbox's depth for the metrics: rows not yet sent
// (pending or being sent), rows given up on, and the age of the oldest
// unsent row.
const queueState = `
SELECT count(*) FILTER (WHERE status IN ('pending', 'sending')),
       count(*) FILTER (WHERE status = 'failed'),
       coalesce(extract(epoch FROM now() - min(created_at) FILTER (WHERE status IN ('pending', 'sending'))), 0)
FROM outbox WHERE status <> 'sent'`

// State reports the outbox's depth, for metrics.Metrics.WatchOutbox.
func State(ctx context.Context, c db.Conn) (metrics.OutboxState, error) {
	var s metrics.OutboxState
	var age float64
	if err := c.QueryRow(ctx, queueState).Scan(&s.Pending, &s.Failed, &age); err != nil {
		return s, fmt.Errorf("outbox state: %w", err)
	}
	s.OldestUnsent = time.Duration(age * float64(time.Second))
	return s, nil
}

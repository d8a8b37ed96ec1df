package mail

import (
	"context"
	"fmt"
	"time"

	"github.com/fachtag/fachtag/internal/db"
	"github.com/fachtag/fachtag/internal/metrics"
)

// queueState reads the outbox's depth: rows not yet sent (pending or being
// sent), rows given up on, the age of the oldest unsent row, and since when
// mails stall — the first deferral after the last mail that went out, so
// an SMTP outage shows and one greylisted mail among many sent does not.
const queueState = `
SELECT count(*) FILTER (WHERE status IN ('pending', 'sending')),
       count(*) FILTER (WHERE status = 'failed'),
       coalesce(extract(epoch FROM now() - min(created_at) FILTER (WHERE status IN ('pending', 'sending'))), 0),
       min(deferred_since) FILTER (WHERE status IN ('pending', 'sending') AND deferred_since >
           coalesce((SELECT max(sent_at) FROM outbox WHERE status = 'sent'), '-infinity'))
FROM outbox WHERE status <> 'sent'`

// State reports the outbox's depth and whether mails stall: for the
// metrics (metrics.Metrics.WatchOutbox) and the organisers' warning.
func State(ctx context.Context, c db.Conn) (metrics.OutboxState, error) {
	var s metrics.OutboxState
	var age float64
	var stalled *time.Time
	if err := c.QueryRow(ctx, queueState).Scan(&s.Pending, &s.Failed, &age, &stalled); err != nil {
		return s, fmt.Errorf("outbox state: %w", err)
	}
	s.OldestUnsent = time.Duration(age * float64(time.Second))
	if stalled != nil {
		s.StalledSince = *stalled
	}
	return s, nil
}

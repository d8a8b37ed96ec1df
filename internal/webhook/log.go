package webhook

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Attempt is one line of an endpoint's delivery log: one attempt of a
// delivery, with what the receiver answered.
type Attempt struct {
	MsgID       string
	Type        string
	Attempt     int
	StartedAt   time.Time
	Duration    time.Duration
	StatusCode  int // 0: no HTTP answer
	Error       string
	Response    string     // the answer's body, cut short
	Status      string     // the delivery's state now: pending, sending, delivered, failed
	NextAttempt *time.Time // when a pending delivery is tried next (on its latest attempt)
	Latest      bool       // the delivery's latest attempt
}

// Result says what the attempt came to: "delivered"; for a failed one
// "failed", or on the delivery's latest attempt "retry" (another is
// planned), "given_up" or "sending" (another is under way).
func (a Attempt) Result() string {
	switch {
	case a.StatusCode >= 200 && a.StatusCode < 300:
		return "delivered"
	case !a.Latest:
		return "failed"
	case a.Status == "pending":
		return "retry"
	case a.Status == "failed":
		return "given_up"
	case a.Status == "sending":
		return "sending"
	}
	return "failed"
}

// LogSize is how many attempts the log shows, newest first.
const LogSize = 100

const selectLog = `
SELECT d.msg_id, d.event_type, a.attempt, a.started_at, a.duration_ms, coalesce(a.status_code, 0),
       a.error, a.response, d.status,
       CASE WHEN d.status = 'pending' AND a.attempt = d.attempts THEN d.next_attempt_at END,
       a.attempt = d.attempts
FROM webhook_attempts a
JOIN webhook_deliveries d ON d.id = a.delivery_id
JOIN webhook_endpoints e ON e.id = d.endpoint_id
WHERE e.id = $1 AND e.event_id = $2
ORDER BY a.id DESC LIMIT $3`

// Log returns the newest attempts of deliveries to one endpoint.
func (s *Service) Log(ctx context.Context, eventID, id int64) ([]Attempt, error) {
	rows, _ := s.pool.Query(ctx, selectLog, id, eventID, LogSize)
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Attempt, error) {
		var a Attempt
		var ms int
		err := r.Scan(&a.MsgID, &a.Type, &a.Attempt, &a.StartedAt, &ms, &a.StatusCode, &a.Error, &a.Response, &a.Status, &a.NextAttempt, &a.Latest)
		a.Duration = time.Duration(ms) * time.Millisecond
		return a, err
	})
	if err != nil {
		return nil, fmt.Errorf("webhook log: %w", err)
	}
	return out, nil
}

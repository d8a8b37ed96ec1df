package webhook

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/fachtag/fachtag/internal/mail"
)

// An endpoint is disabled when a delivery to it is given up (24 hours of
// failed attempts) and no delivery reached it since that delivery's first
// attempt: one payload the receiver keeps refusing while others arrive
// does not switch it off. Deliveries wait while it is off (see
// insertDeliveries) and go out when it is enabled again.
const disableEndpoint = `
UPDATE webhook_endpoints e SET enabled = false, disabled_at = $3
FROM events ev
WHERE e.id = $1 AND ev.id = e.event_id AND e.enabled
  AND (e.last_success_at IS NULL OR e.last_success_at < $2)
RETURNING ev.slug, ev.title, ev.organiser_name, ev.organiser_email`

// The event's organiser (its contact address), or, when the event names
// none, the organisers of its team.
const organiserAddresses = `
SELECT u.email FROM event_members m JOIN users u ON u.id = m.user_id
WHERE m.event_id = $1 AND u.role = 'organiser' ORDER BY u.id`

// maybeDisable disables the endpoint of j if the rule above says so and
// mails the organiser, in the transaction that gives j up.
func (w *Worker) maybeDisable(ctx context.Context, tx pgx.Tx, j job, now time.Time) error {
	var slug, title, name, email string
	err := tx.QueryRow(ctx, disableEndpoint, j.endpointID, j.firstAttempt, now).Scan(&slug, &title, &name, &email)
	if err == pgx.ErrNoRows {
		return nil
	}
	if err != nil {
		return fmt.Errorf("disable endpoint: %w", err)
	}
	w.log.Warn("webhook endpoint disabled after 24 hours of failed deliveries", "endpoint", j.endpointID, "event", slug)
	to := []string{email}
	if email == "" {
		rows, _ := tx.Query(ctx, organiserAddresses, j.eventID)
		if to, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
			return fmt.Errorf("organiser addresses: %w", err)
		}
	}
	for _, addr := range to {
		m := mail.Message{Kind: mail.KindWebhookDisabled, EventID: j.eventID, To: addr, Name: name, Language: "de",
			EventTitle: title, Link: w.cfg.PageURL(slug), WebhookURL: j.url}
		if err := mail.Enqueue(ctx, tx, m); err != nil {
			return err
		}
	}
	return nil
}

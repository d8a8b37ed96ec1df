// Package webhook owns fachtag's webhooks: the endpoints organisers add to
// an event (an address, the event types it wants, the secret that signs
// its deliveries), the deliveries queue beside the mail outbox, and the
// worker that sends them.
//
// A change that a webhook reports writes its deliveries in its own
// transaction (Queue or Enqueue: one INSERT … SELECT over the event's
// endpoints that want the type, so an event without endpoints writes
// nothing), so a delivery exists exactly when the change commits.
// Workers claim due deliveries with FOR UPDATE SKIP LOCKED and a lease,
// POST them signed as the Standard Webhooks specification says
// (webhook-id, webhook-timestamp, webhook-signature), and retry failures
// with growing delays for 24 hours after the first attempt. When a
// delivery runs out of retries and nothing reached the endpoint since that
// delivery's first attempt, the endpoint is disabled and the event's
// organiser is mailed. Every attempt is kept for the delivery log.
//
// Requests go only to public addresses: the address is checked when an
// endpoint is saved and again when each connection is made (after DNS,
// so a name that later resolves to an internal address is refused too),
// unless the installation allows the host (WEBHOOK_ALLOW_HOSTS).
package webhook

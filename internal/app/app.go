// Package app builds the domain services of one fachtag process on one
// pool: the one place where a pool becomes the services that the HTTP
// layer holds. cmd/fachtag, the load benchmark and the browser tests wire
// the server with it.
package app

import (
	"context"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/fachtag/fachtag/internal/allocrun"
	"github.com/fachtag/fachtag/internal/auth"
	"github.com/fachtag/fachtag/internal/booking"
	"github.com/fachtag/fachtag/internal/certificate"
	"github.com/fachtag/fachtag/internal/db"
	"github.com/fachtag/fachtag/internal/event"
	"github.com/fachtag/fachtag/internal/limits"
	"github.com/fachtag/fachtag/internal/mail"
	"github.com/fachtag/fachtag/internal/messages"
	"github.com/fachtag/fachtag/internal/metrics"
	"github.com/fachtag/fachtag/internal/reconfirm"
	"github.com/fachtag/fachtag/internal/roster"
	"github.com/fachtag/fachtag/internal/webhook"
	"github.com/fachtag/fachtag/internal/widget"
)

// Services are the domain services one process runs.
type Services struct {
	Booking  *booking.Service
	Auth     *auth.Service
	Events   *event.Service
	Roster   *roster.Service
	Messages *messages.Service
	Alloc    *allocrun.Service
	Limits   *limits.Service
	Widget   *widget.Service
	Webhooks *webhook.Service
	Certs    *certificate.Service

	// Reconfirm is the "Kommen Sie?" question before an event.
	Reconfirm *reconfirm.Service

	pool *pgxpool.Pool // for Ready
}

// New builds every service on pool.
func New(pool *pgxpool.Pool, authOpts auth.Options) *Services {
	if authOpts.InviteMail == nil {
		authOpts.InviteMail = inviteMail
	}
	return &Services{
		Booking:  booking.New(pool),
		Auth:     auth.New(pool, authOpts),
		Events:   event.NewService(pool, booking.ImportEventTx),
		Roster:   roster.New(pool),
		Messages: messages.NewService(pool),
		Alloc:    allocrun.New(pool),
		Limits:   limits.New(pool),
		Widget:   widget.New(pool),
		Webhooks: webhook.NewService(pool, webhook.Policy{}),
		Certs:    certificate.New(pool),
		pool:     pool,

		Reconfirm: reconfirm.NewService(pool, nil),
	}
}

// LimitSignUps sets how many sign-up transactions of one event run at once
// (SIGNUP_CONCURRENCY); New runs booking.DefaultSignUpConcurrency.
func (s *Services) LimitSignUps(n int) {
	s.Booking = booking.NewWithConcurrency(s.pool, n)
}

// AllowWebhooks sets where webhook endpoints may point besides public
// https addresses (WEBHOOK_ALLOW_HOSTS); New allows nothing more.
func (s *Services) AllowWebhooks(p webhook.Policy) {
	s.Webhooks = webhook.NewService(s.pool, p)
}

// Ready reports an error unless the database answers and its schema is
// the one this binary expects.
func (s *Services) Ready(ctx context.Context) error { return db.SchemaCurrent(ctx, s.pool) }

// Outbox reports the mail queue's state: how many mails wait and since
// when they stall (an SMTP outage), for the organisers' warning.
func (s *Services) Outbox(ctx context.Context) (metrics.OutboxState, error) {
	return mail.State(ctx, s.pool)
}

// Unavailable reports whether err means that the database could not be
// reached: the request may succeed when retried in a few seconds.
func Unavailable(err error) bool { return db.IsUnavailable(err) }

// inviteMail queues an invitation into an event's team through the outbox.
func inviteMail(ctx context.Context, q db.Conn, to, language, link, eventTitle string) error {
	return mail.Enqueue(ctx, q, mail.Message{Kind: mail.KindInvite, To: to, Language: language, Link: link, EventTitle: eventTitle})
}

package messages

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/fachtag/fachtag/internal/auth"
	"github.com/fachtag/fachtag/internal/db"
	"github.com/fachtag/fachtag/internal/event"
)

// Service is this package on one pool, for the HTTP layer, which holds
// no pool of its own.
type Service struct {
	pool *pgxpool.Pool
}

// NewService returns the messages of the database behind pool.
func NewService(pool *pgxpool.Pool) *Service { return &Service{pool: pool} }

// Recipients lists the audience in sign-up order.
func (s *Service) Recipients(ctx context.Context, eventID int64, a Audience) ([]Recipient, error) {
	return Recipients(ctx, s.pool, eventID, a)
}

// SendTest queues the mail rc would get to the organiser's address to.
func (s *Service) SendTest(ctx context.Context, ev *event.Event, d Draft, rc Recipient, to string) error {
	return SendTest(ctx, s.pool, ev, d, rc, to)
}

// Send records and queues the message with its audit entry; see Send.
func (s *Service) Send(ctx context.Context, ev *event.Event, audit auth.Entry, d Draft) (id int64, n int, err error) {
	return Send(ctx, s.pool, ev, audit, d)
}

// List returns the event's messages and reminder, newest first.
func (s *Service) List(ctx context.Context, eventID int64) ([]Sent, error) {
	return List(ctx, s.pool, eventID)
}

// QueuedReminder reports the event's reminder if it has been queued.
func (s *Service) QueuedReminder(ctx context.Context, eventID int64) (*Reminder, error) {
	return QueuedReminder(ctx, s.pool, eventID)
}

// ReminderDays reads the event's setting; nil means no reminder.
func (s *Service) ReminderDays(ctx context.Context, eventID int64) (*int, error) {
	return ReminderDays(ctx, s.pool, eventID)
}

// SetReminderDays changes the setting (nil turns the reminder off) and
// writes audit, whose Detail gets the days, in the same transaction.
func (s *Service) SetReminderDays(ctx context.Context, eventID int64, days *int, audit auth.Entry) error {
	return db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
		if err := SetReminderDays(ctx, tx, eventID, days); err != nil {
			return err
		}
		audit.Detail = map[string]any{"days": days}
		return auth.Append(ctx, tx, audit)
	})
}

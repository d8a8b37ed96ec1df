package retention

import (
	"context"
	"log/slog"
	"time"

	"github.com/fachtag/fachtag/internal/periodic"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Scheduler runs retention shortly after start and then every Interval
// until its context ends.
type Scheduler struct {
	Pool     *pgxpool.Pool
	Interval time.Duration // default 1 hour
	Delay    time.Duration // before the first run; default 1 minute
	Log      *slog.Logger
}

// Run returns nil when ctx is cancelled. A run in flight is abandoned with
// its transaction rolled back; the event is taken up again next time.
func (s *Scheduler) Run(ctx context.Context) error {
	interval, delay := s.Interval, s.Delay
	if interval <= 0 {
		interval = time.Hour
	}
	if delay <= 0 {
		delay = time.Minute
	}
	log := s.Log
	if log == nil {
		log = slog.Default()
	}
	log = log.With("component", "retention")
	return periodic.Every(ctx, delay, interval, func(ctx context.Context) { s.once(ctx, log) })
}

func (s *Scheduler) once(ctx context.Context, log *slog.Logger) {
	rep, err := Run(ctx, s.Pool, time.Now())
	if err != nil && ctx.Err() == nil {
		log.Error("anonymise events", "err", err)
	}
	for _, ev := range rep.Events {
		log.Info("event anonymised", "event", ev.Slug, "registrations", ev.Registrations,
			"tokens", ev.Tokens, "mails", ev.Mails, "idempotency_keys", ev.IdempotencyKeys,
			"certificates", ev.Certificates, "audit_entries", ev.AuditEntries)
	}
	swept, err := Sweep(ctx, s.Pool, time.Now())
	if err != nil && ctx.Err() == nil {
		log.Error("sweep account data", "err", err)
	}
	log.Debug("account data swept", "rows", swept)
}

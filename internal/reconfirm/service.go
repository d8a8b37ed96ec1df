package reconfirm

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/fachtag/fachtag/internal/auth"
	"github.com/fachtag/fachtag/internal/booking"
	"github.com/fachtag/fachtag/internal/db"
	"github.com/fachtag/fachtag/internal/event"
	"github.com/fachtag/fachtag/internal/periodic"
)

// Service is this package on one pool, for the HTTP layer.
type Service struct {
	pool *pgxpool.Pool
	now  func() time.Time
}

// NewService returns the reconfirmations of the database behind pool;
// now is the clock (nil: time.Now), which tests move.
func NewService(pool *pgxpool.Pool, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{pool: pool, now: now}
}

// Settings reads the event's settings and their plan.
func (s *Service) Settings(ctx context.Context, ev *event.Event) (Settings, Plan, error) {
	st, err := load(ctx, s.pool, ev.ID)
	return st, st.Plan(ev.StartsAt), err
}

// Save checks in and saves it with audit (whose Detail gets the
// settings) in one transaction; an invalid input is *InvalidError and
// saves nothing. It takes the event's row lock, so a scheduler step runs
// wholly before or wholly after the change.
func (s *Service) Save(ctx context.Context, ev *event.Event, in Input, audit auth.Entry) (Settings, error) {
	st, err := Check(in, ev.StartsAt, s.now())
	if err != nil {
		return Settings{}, err
	}
	err = db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT 1 FROM events WHERE id = $1 FOR NO KEY UPDATE`, ev.ID); err != nil {
			return err
		}
		if err := save(ctx, tx, ev.ID, st); err != nil {
			return err
		}
		audit.Detail = map[string]any{"enabled": st.Enabled, "send_days": st.SendDays,
			"deadline_hours": st.DeadlineHours, "remind": st.Remind, "release": st.Release}
		return auth.Append(ctx, tx, audit)
	})
	return st, err
}

// Question reads the state behind an answer link, changing nothing: mail
// scanners open links.
func (s *Service) Question(ctx context.Context, token string) (*State, error) {
	id, err := linkRegistration(ctx, s.pool, token)
	if err != nil {
		return nil, err
	}
	return state(ctx, s.pool, id)
}

// AnswerByLink records the answer given through an answer link.
func (s *Service) AnswerByLink(ctx context.Context, token string, yes bool) (*State, error) {
	return s.answerAs(ctx, func(tx pgx.Tx) (string, error) { return linkRegistration(ctx, tx, token) }, yes)
}

// AnswerByPersonalLink records the answer given on the personal page.
func (s *Service) AnswerByPersonalLink(ctx context.Context, token string, yes bool) (*State, error) {
	return s.answerAs(ctx, func(tx pgx.Tx) (string, error) {
		id, err := booking.LinkRegistration(ctx, tx, token)
		if errors.Is(err, booking.ErrNotFound) {
			return "", ErrNotFound
		}
		return id, err
	}, yes)
}

func (s *Service) answerAs(ctx context.Context, resolve func(pgx.Tx) (string, error), yes bool) (*State, error) {
	var st *State
	err := db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
		id, err := resolve(tx)
		if err != nil {
			return err
		}
		if err := answer(ctx, tx, id, yes, s.now()); err != nil {
			return err
		}
		st, err = state(ctx, tx, id)
		return err
	})
	return st, err
}

// ForRegistration is the registration's question, nil if it was not asked.
func (s *Service) ForRegistration(ctx context.Context, regID string) (*State, error) {
	if !booking.PlausibleID(regID) {
		return nil, nil
	}
	st, err := state(ctx, s.pool, regID)
	if errors.Is(err, ErrNotAsked) {
		return nil, nil
	}
	return st, err
}

// Summary is the event's reconfirmation for the dashboard.
func (s *Service) Summary(ctx context.Context, ev *event.Event) (*Summary, error) {
	return summary(ctx, s.pool, ev)
}

// Scheduler runs Tick every Interval until its context ends.
type Scheduler struct {
	Pool     *pgxpool.Pool
	Interval time.Duration    // default 5 minutes
	Now      func() time.Time // the clock; nil: time.Now
	Log      *slog.Logger
}

// Run ticks once at start and then every Interval; it returns nil when ctx
// is cancelled. A step in flight is rolled back and runs at the next start.
func (s *Scheduler) Run(ctx context.Context) error {
	interval := s.Interval
	if interval <= 0 {
		interval = 5 * time.Minute
	}
	log := s.Log
	if log == nil {
		log = slog.Default()
	}
	log = log.With("component", "reconfirm")
	now := s.Now
	if now == nil {
		now = time.Now
	}
	return periodic.Every(ctx, 0, interval, func(ctx context.Context) {
		d, err := Tick(ctx, s.Pool, now())
		switch {
		case err != nil && ctx.Err() == nil:
			log.Error("reconfirmation step", "err", err)
		case d != Done{}:
			log.Info("reconfirmation steps", "asked", d.Asked, "reminded", d.Reminded, "released", d.Released)
		}
	})
}

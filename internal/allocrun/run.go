package allocrun

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/fachtag/fachtag/internal/allocation"
	"github.com/fachtag/fachtag/internal/db"
	"github.com/fachtag/fachtag/internal/event"
)

// Errors callers map to responses.
var (
	ErrNotFound      = errors.New("allocation run not found")
	ErrRunInProgress = errors.New("an allocation run or publication of this event is in progress")
	ErrStaleRun      = errors.New("wishes, pins or seats changed since the run; run the allocation again")
	ErrPublished     = errors.New("the allocation of this event is already published")
	ErrNotWishPhase  = errors.New("the event is not in the wish phase")
	ErrInvalid       = errors.New("the allocation cannot be computed")
)

// Run statuses.
const (
	StatusDraft     = "draft"
	StatusPublished = "published"
)

// Options choose the objective variant of a run.
type Options struct {
	// Fair minimises the worst rank before maximising the rank profile.
	Fair bool `json:"fair"`
	// CloseUnderfilled closes under-minimum workshops one by one and
	// re-solves (allocation.SolveClosingUnderfilled).
	CloseUnderfilled bool `json:"close_underfilled"`
	// Seed of the lottery; nil means the event's default seed.
	Seed *int64 `json:"seed,omitempty"`
	// AllowUnlisted is the event's setting at the time of the run.
	AllowUnlisted bool `json:"allow_unlisted"`
}

// Run is a stored allocation run. Its JSON is the allocation-instance
// output contract plus the run's own fields.
type Run struct {
	ID          int64      `json:"id"`
	Event       string     `json:"event"`
	Status      string     `json:"status"`
	Options     Options    `json:"options"`
	Closed      []string   `json:"closed"`
	CreatedAt   time.Time  `json:"created_at"`
	PublishedAt *time.Time `json:"published_at,omitempty"`
	*allocation.Result
	fingerprint []byte
}

// Service runs, stores and publishes allocation runs on one database.
type Service struct {
	pool *pgxpool.Pool
	// limits bound every solve (the solver returns its best plan, with
	// its bound, when the time runs out).
	limits allocation.Limits
	// solved, when set, runs between the solve and the store (tests).
	solved func()
}

// SolveTimeLimit is the time budget of one solve in a run.
const SolveTimeLimit = 10 * time.Second

// New returns a Service on pool.
func New(pool *pgxpool.Pool) *Service {
	return &Service{pool: pool, limits: allocation.Limits{Time: SolveTimeLimit}}
}

// The advisory lock key: a constant class for allocation runs and the
// event id, so runs of different events never wait for each other. A run
// holds it as a session lock for its whole duration (read, solve, store),
// a publication as a transaction lock; either excludes the other.
const (
	tryRunLock     = `SELECT pg_try_advisory_xact_lock(hashtext('fachtag.allocrun'), $1::int)`
	trySessionLock = `SELECT pg_try_advisory_lock(hashtext('fachtag.allocrun'), $1::int)`
	unlockSession  = `SELECT pg_advisory_unlock(hashtext('fachtag.allocrun'), $1::int)`
)

func tryLock(ctx context.Context, tx pgx.Tx, eventID int64) error {
	var got bool
	if err := tx.QueryRow(ctx, tryRunLock, eventID).Scan(&got); err != nil {
		return fmt.Errorf("advisory lock: %w", err)
	}
	if !got {
		return ErrRunInProgress
	}
	return nil
}

// Run computes an allocation of the event's current wishes and stores it
// as a draft. A second run of the same event while one is computing gets
// ErrRunInProgress; wishes, pins or seats that change while the solver
// runs make it ErrStaleRun (nothing is stored).
func (s *Service) Run(ctx context.Context, slug string, opts Options) (*Run, error) {
	var run *Run
	err := s.locked(ctx, slug, func(in *input) error {
		var err error
		if run, err = s.solve(ctx, in, opts); err != nil {
			return err
		}
		return s.store(ctx, in, run)
	})
	return run, err
}

// Comparison is the plain rank-maximal run beside the fair one, both on
// the same wishes and stored as drafts.
type Comparison struct {
	Plain *Run `json:"plain"`
	Fair  *Run `json:"fair"`
}

// Compare runs the plain and the fair variant side by side.
func (s *Service) Compare(ctx context.Context, slug string, opts Options) (*Comparison, error) {
	var c Comparison
	err := s.locked(ctx, slug, func(in *input) error {
		var err error
		opts.Fair = false
		if c.Plain, err = s.solve(ctx, in, opts); err != nil {
			return err
		}
		opts.Fair = true
		if c.Fair, err = s.solve(ctx, in, opts); err != nil {
			return err
		}
		return s.store(ctx, in, c.Plain, c.Fair)
	})
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// locked runs fn under the event's advisory lock, held as a session lock
// on a connection of its own, with the event's input read in one short
// REPEATABLE READ transaction. fn solves outside any transaction — a solve
// may take seconds, and must hold neither row locks nor an old snapshot —
// and stores in a transaction of its own (store).
func (s *Service) locked(ctx context.Context, slug string, fn func(*input) error) error {
	ev, err := loadEvent(ctx, s.pool, slug)
	if err != nil {
		return err
	}
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("acquire: %w", err)
	}
	defer conn.Release()
	var got bool
	if err := conn.QueryRow(ctx, trySessionLock, ev.ID).Scan(&got); err != nil {
		return fmt.Errorf("advisory lock: %w", err)
	}
	if !got {
		return ErrRunInProgress
	}
	defer func() {
		// Even when ctx is done: a lock left on a pooled connection would
		// block every later run. A connection that cannot unlock is closed,
		// which releases the lock.
		if _, err := conn.Exec(context.WithoutCancel(ctx), unlockSession, ev.ID); err != nil {
			_ = conn.Conn().Close(context.WithoutCancel(ctx))
		}
	}()
	in, err := s.read(ctx, slug)
	if err != nil {
		return err
	}
	return fn(in)
}

// read loads the event's input from one consistent snapshot.
func (s *Service) read(ctx context.Context, slug string) (*input, error) {
	var in *input
	err := db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY`); err != nil {
			return fmt.Errorf("set isolation: %w", err)
		}
		ev, err := loadEvent(ctx, tx, slug)
		if err != nil {
			return err
		}
		if ev.Registration.Mode != event.ModePreferences {
			return notWishPhase(ctx, tx, ev.ID)
		}
		in, err = loadInput(ctx, tx, ev)
		return err
	})
	return in, err
}

func loadEvent(ctx context.Context, q db.Conn, slug string) (*event.Event, error) {
	ev, err := event.LoadRules(ctx, q, slug)
	if errors.Is(err, event.ErrNotFound) {
		return nil, ErrNotFound
	}
	return ev, err
}

// notWishPhase tells a published event from one that never had wishes.
func notWishPhase(ctx context.Context, q db.Conn, eventID int64) error {
	var published bool
	err := q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM allocation_runs WHERE event_id = $1 AND status = 'published')`, eventID).Scan(&published)
	if err != nil {
		return fmt.Errorf("check published: %w", err)
	}
	if published {
		return ErrPublished
	}
	return ErrNotWishPhase
}

const insertRun = `
INSERT INTO allocation_runs (event_id, options, fingerprint, result, closed)
VALUES ($1, $2, $3, $4, $5) RETURNING id, created_at`

// solve computes one run of the input, outside any transaction.
func (s *Service) solve(ctx context.Context, in *input, opts Options) (*Run, error) {
	inst := *in.inst
	inst.Options.Fair = opts.Fair
	if opts.Seed != nil {
		inst.Options.Seed = *opts.Seed
	}
	opts.AllowUnlisted = inst.Options.AllowUnlisted
	run := &Run{Event: in.ev.Slug, Status: StatusDraft, Options: opts, Closed: []string{}, fingerprint: in.fingerprint}
	var err error
	if opts.CloseUnderfilled {
		var cr *allocation.ClosingResult
		if cr, err = allocation.SolveClosingUnderfilled(ctx, &inst, s.limits); err == nil {
			run.Result, run.Closed = cr.Result, cr.Closed
		}
	} else {
		run.Result, err = allocation.Solve(ctx, &inst, s.limits)
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	warnEventSeats(in, run.Result)
	return run, nil
}

// store writes solved runs in one short transaction that refuses a stale
// input: the event's input is read again and must have the fingerprint the
// solve started from (wishes, pins, seats and the wish phase itself).
func (s *Service) store(ctx context.Context, in *input, runs ...*Run) error {
	if s.solved != nil {
		s.solved()
	}
	return db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
		ev, err := loadEvent(ctx, tx, in.ev.Slug)
		if err != nil {
			return err
		}
		if _, err := unchangedInput(ctx, tx, ev, in.fingerprint); err != nil {
			return err
		}
		for _, run := range runs {
			result, err := json.Marshal(run.Result)
			if err != nil {
				return fmt.Errorf("encode result: %w", err)
			}
			options, _ := json.Marshal(run.Options)
			err = tx.QueryRow(ctx, insertRun, in.ev.ID, options, in.fingerprint, result, run.Closed).Scan(&run.ID, &run.CreatedAt)
			if err != nil {
				return fmt.Errorf("store run: %w", err)
			}
		}
		return nil
	})
}

// warnEventSeats says when more people wished than the event has seats:
// publishing confirms the placed participants first, then the others in
// lottery order, and waitlists the rest.
func warnEventSeats(in *input, res *allocation.Result) {
	left := in.ev.SeatsLeft()
	if n := len(in.inst.Participants); n > left {
		res.Warnings = append(res.Warnings, fmt.Sprintf(
			"%d participants but only %d event seats left: %d will be put on the event's waiting list", n, left, n-left))
	}
}

const selectRun = `
SELECT r.id, e.slug, r.status, r.options, r.closed, r.created_at, r.published_at, r.result, r.fingerprint
FROM allocation_runs r JOIN events e ON e.id = r.event_id
WHERE e.slug = $1 AND r.id = $2`

// Get returns a stored run of the event.
func (s *Service) Get(ctx context.Context, slug string, id int64) (*Run, error) {
	return getRun(ctx, s.pool, slug, id, false)
}

func getRun(ctx context.Context, q db.Conn, slug string, id int64, lock bool) (*Run, error) {
	sql := selectRun
	if lock {
		sql += " FOR NO KEY UPDATE OF r"
	}
	var r Run
	var options, result []byte
	err := q.QueryRow(ctx, sql, slug, id).Scan(&r.ID, &r.Event, &r.Status, &options, &r.Closed, &r.CreatedAt, &r.PublishedAt, &result, &r.fingerprint)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("load run: %w", err)
	}
	if err := json.Unmarshal(options, &r.Options); err != nil {
		return nil, fmt.Errorf("decode run options: %w", err)
	}
	if err := json.Unmarshal(result, &r.Result); err != nil {
		return nil, fmt.Errorf("decode run result: %w", err)
	}
	return &r, nil
}

// Summary is a run without its assignments, for lists.
type Summary struct {
	ID        int64          `json:"id"`
	Status    string         `json:"status"`
	Options   Options        `json:"options"`
	CreatedAt time.Time      `json:"created_at"`
	Profile   map[string]int `json:"profile"`
	Optimal   bool           `json:"optimal"`
	WorstRank int            `json:"worst_rank"` // the worst wish given (fair runs keep it small)
}

const selectRuns = `
SELECT r.id, r.status, r.options, r.created_at, r.result->'profile', (r.result->>'optimal')::boolean,
       coalesce((r.result->'objective'->>'worst_rank')::int, 0)
FROM allocation_runs r JOIN events e ON e.id = r.event_id
WHERE e.slug = $1 ORDER BY r.id DESC LIMIT 50`

// List returns the event's latest runs, newest first.
func (s *Service) List(ctx context.Context, slug string) ([]Summary, error) {
	rows, _ := s.pool.Query(ctx, selectRuns, slug)
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Summary, error) {
		var sm Summary
		var options []byte
		if err := r.Scan(&sm.ID, &sm.Status, &options, &sm.CreatedAt, &sm.Profile, &sm.Optimal, &sm.WorstRank); err != nil {
			return sm, err
		}
		return sm, json.Unmarshal(options, &sm.Options)
	})
	if err != nil {
		return nil, fmt.Errorf("list runs: %w", err)
	}
	return out, nil
}

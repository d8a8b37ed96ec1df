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
}

// New returns a Service on pool.
func New(pool *pgxpool.Pool) *Service {
	return &Service{pool: pool}
}

// The advisory lock key: a constant class for allocation runs and the
// event id, so runs of different events never wait for each other.
const tryRunLock = `SELECT pg_try_advisory_xact_lock(hashtext('fachtag.allocrun'), $1::int)`

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
// ErrRunInProgress.
func (s *Service) Run(ctx context.Context, slug string, opts Options) (*Run, error) {
	var run *Run
	err := s.snapshot(ctx, slug, func(tx pgx.Tx, in *input) error {
		var err error
		run, err = solveAndStore(ctx, tx, in, opts)
		return err
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
	err := s.snapshot(ctx, slug, func(tx pgx.Tx, in *input) error {
		var err error
		opts.Fair = false
		if c.Plain, err = solveAndStore(ctx, tx, in, opts); err != nil {
			return err
		}
		opts.Fair = true
		c.Fair, err = solveAndStore(ctx, tx, in, opts)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// snapshot runs fn under the event's advisory lock on one consistent view
// of its wishes and seats.
func (s *Service) snapshot(ctx context.Context, slug string, fn func(pgx.Tx, *input) error) error {
	return db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SET TRANSACTION ISOLATION LEVEL REPEATABLE READ`); err != nil {
			return fmt.Errorf("set isolation: %w", err)
		}
		ev, err := loadEvent(ctx, tx, slug)
		if err != nil {
			return err
		}
		if err := tryLock(ctx, tx, ev.ID); err != nil {
			return err
		}
		if ev.Registration.Mode != event.ModePreferences {
			return notWishPhase(ctx, tx, ev.ID)
		}
		in, err := loadInput(ctx, tx, ev)
		if err != nil {
			return err
		}
		return fn(tx, in)
	})
}

func loadEvent(ctx context.Context, q event.Querier, slug string) (*event.Event, error) {
	ev, err := event.LoadRules(ctx, q, slug)
	if errors.Is(err, event.ErrNotFound) {
		return nil, ErrNotFound
	}
	return ev, err
}

// notWishPhase tells a published event from one that never had wishes.
func notWishPhase(ctx context.Context, q event.Querier, eventID int64) error {
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

func solveAndStore(ctx context.Context, tx pgx.Tx, in *input, opts Options) (*Run, error) {
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
		if cr, err = allocation.SolveClosingUnderfilled(&inst); err == nil {
			run.Result, run.Closed = cr.Result, cr.Closed
		}
	} else {
		run.Result, err = allocation.Solve(&inst)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	warnEventSeats(in, run.Result)
	result, err := json.Marshal(run.Result)
	if err != nil {
		return nil, fmt.Errorf("encode result: %w", err)
	}
	options, _ := json.Marshal(opts)
	err = tx.QueryRow(ctx, insertRun, in.ev.ID, options, in.fingerprint, result, run.Closed).Scan(&run.ID, &run.CreatedAt)
	if err != nil {
		return nil, fmt.Errorf("store run: %w", err)
	}
	return run, nil
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

func getRun(ctx context.Context, q event.Querier, slug string, id int64, lock bool) (*Run, error) {
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
}

const selectRuns = `
SELECT r.id, r.status, r.options, r.created_at, r.result->'profile', (r.result->>'optimal')::boolean
FROM allocation_runs r JOIN events e ON e.id = r.event_id
WHERE e.slug = $1 ORDER BY r.id DESC LIMIT 50`

// List returns the event's latest runs, newest first.
func (s *Service) List(ctx context.Context, slug string) ([]Summary, error) {
	rows, _ := s.pool.Query(ctx, selectRuns, slug)
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Summary, error) {
		var sm Summary
		var options []byte
		if err := r.Scan(&sm.ID, &sm.Status, &options, &sm.CreatedAt, &sm.Profile, &sm.Optimal); err != nil {
			return sm, err
		}
		return sm, json.Unmarshal(options, &sm.Options)
	})
	if err != nil {
		return nil, fmt.Errorf("list runs: %w", err)
	}
	return out, nil
}

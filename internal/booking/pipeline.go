package booking

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/fachtag/fachtag/internal/db"
)

// A sign-up runs on a pipeTx: a transaction on one pooled connection whose
// BEGIN goes out with its first batch and whose COMMIT goes out with its
// last (register queues it). A sign-up so costs two round trips, and the
// rows it locks — its workshops and, last, the event's seat counter — are
// released by the server as soon as the commit is flushed, without
// waiting for the service to read a result and answer. Those locks are
// what sign-ups of one event queue for, so every round trip spent holding
// them is paid once per sign-up of the rush.
type pipeTx struct {
	conn  *pgx.Conn
	begun bool
	// atCounter makes the sign-up one that locks the event's seat counter
	// early (registerAtCounter): the try before it, or a recent sign-up of
	// the event, found no open event seat (seatOrLine).
	atCounter bool
}

var _ db.Conn = (*pipeTx)(nil)

const (
	beginTx  = `BEGIN`
	commitTx = `COMMIT`
)

// inPipeTx runs fn on a pipeTx, in its turn at the event's gate, and ends
// what fn left open: a commit when fn returned nil, a rollback otherwise.
// Deadlocks and serialization failures are retried, as db.Transact retries
// them, so fn must be safe to run more than once.
func (s *Service) inPipeTx(ctx context.Context, eventID int64, fn func(*pipeTx) error) error {
	const attempts = 10
	var err error
	for i := 0; i < attempts; i++ {
		if err = s.seatOrLine(ctx, eventID, fn); !db.Retryable(err) {
			return err
		}
		time.Sleep(time.Duration(1+rand.IntN(5*(i+1))) * time.Millisecond)
	}
	return err
}

// fullFor is how long after a sign-up found an event full the event's
// sign-ups take the counter's lock early (registerAtCounter).
const fullFor = 10 * time.Second

// seatOrLine runs fn as a sign-up that takes the event's seat counter at
// its commit (register) or, when a sign-up of the event found it full in
// the last fullFor, as one that locks the counter early and acts on what
// it finds there (registerAtCounter). A sign-up of the first kind that
// finds no open seat (errEventFull) is run again at once as one of the
// second, which cannot fail that way.
func (s *Service) seatOrLine(ctx context.Context, eventID int64, fn func(*pipeTx) error) error {
	since, found := s.full.Load(eventID)
	atCounter := found && s.now().Sub(since.(time.Time)) < fullFor
	err := s.pipeTxTurn(ctx, eventID, atCounter, fn)
	if !errors.Is(err, errEventFull) {
		return err
	}
	s.full.Store(eventID, s.now())
	return s.pipeTxTurn(ctx, eventID, true, fn)
}

func (s *Service) pipeTxTurn(ctx context.Context, eventID int64, atCounter bool, fn func(*pipeTx) error) error {
	leave, err := s.gates.enter(ctx, eventID)
	if err != nil {
		return err
	}
	defer leave()
	return s.pipeTxOnce(ctx, atCounter, fn)
}

func (s *Service) pipeTxOnce(ctx context.Context, atCounter bool, fn func(*pipeTx) error) error {
	pc, err := s.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("acquire connection: %w", err)
	}
	// A connection released inside a transaction is closed by the pool.
	defer pc.Release()
	t := &pipeTx{conn: pc.Conn(), atCounter: atCounter}
	err = fn(t)
	switch status := t.conn.PgConn().TxStatus(); {
	case err == nil && status == 'T':
		_, err = t.conn.Exec(ctx, commitTx)
	case err == nil && status == 'E':
		err = errors.New("sign-up left a failed transaction")
	}
	if err != nil && t.conn.PgConn().TxStatus() != 'I' {
		_, _ = t.conn.Exec(context.WithoutCancel(ctx), "ROLLBACK")
	}
	return err
}

func (t *pipeTx) begin(ctx context.Context) error {
	if t.begun {
		return nil
	}
	if _, err := t.conn.Exec(ctx, beginTx); err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	t.begun = true
	return nil
}

func (t *pipeTx) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	if err := t.begin(ctx); err != nil {
		return pgconn.CommandTag{}, err
	}
	return t.conn.Exec(ctx, sql, args...)
}

func (t *pipeTx) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	if err := t.begin(ctx); err != nil {
		return nil, err
	}
	return t.conn.Query(ctx, sql, args...)
}

func (t *pipeTx) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	if err := t.begin(ctx); err != nil {
		return errRow{err}
	}
	return t.conn.QueryRow(ctx, sql, args...)
}

// SendBatch sends b, with BEGIN in front when the transaction has not
// begun yet. The caller reads only its own results: a BEGIN that failed
// fails every statement behind it.
func (t *pipeTx) SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults {
	if t.begun {
		return t.conn.SendBatch(ctx, b)
	}
	t.begun = true
	withBegin := &pgx.Batch{QueuedQueries: append([]*pgx.QueuedQuery{{SQL: beginTx}}, b.QueuedQueries...)}
	res := t.conn.SendBatch(ctx, withBegin)
	_, _ = res.Exec()
	return res
}

type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

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
	// eventFull makes the sign-up one for the event's waiting list: the
	// try before it, or the event's last sign-up, found no open event seat
	// (seatOrLine).
	eventFull bool
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

// seatOrLine runs fn as a sign-up for a seat or for the event's waiting
// list, whichever the event's last sign-up found (s.full), so that the
// sign-ups after a full event's last seat go to the waiting list without
// a try for a seat first. A sign-up for a seat that finds no open seat
// (errEventFull) is run again at once as one for the waiting list, and
// one of those that finds a seat free again (errSeatFreed) as one for a
// seat.
func (s *Service) seatOrLine(ctx context.Context, eventID int64, fn func(*pipeTx) error) error {
	const switches = 4
	_, full := s.full.Load(eventID)
	for range switches {
		err := s.pipeTxTurn(ctx, eventID, full, fn)
		switch {
		case errors.Is(err, errEventFull):
			s.full.Store(eventID, struct{}{})
		case errors.Is(err, errSeatFreed):
			s.full.Delete(eventID)
		default:
			return err
		}
		full = errors.Is(err, errEventFull)
	}
	return fmt.Errorf("sign-up: the event's seats kept changing, %d tries", switches)
}

func (s *Service) pipeTxTurn(ctx context.Context, eventID int64, full bool, fn func(*pipeTx) error) error {
	leave, err := s.gates.enter(ctx, eventID)
	if err != nil {
		return err
	}
	defer leave()
	return s.pipeTxOnce(ctx, full, fn)
}

func (s *Service) pipeTxOnce(ctx context.Context, full bool, fn func(*pipeTx) error) error {
	pc, err := s.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("acquire connection: %w", err)
	}
	// A connection released inside a transaction is closed by the pool.
	defer pc.Release()
	t := &pipeTx{conn: pc.Conn(), eventFull: full}
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

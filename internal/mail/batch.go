package mail

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Batch lets Enqueue write into a pipelined batch: Enqueue(ctx,
// Batch{b}, m) queues the same outbox insert, with the same payload, on b
// instead of running it. The row is written when the caller sends b inside
// its transaction, and an error of the insert is that statement's result
// in the batch.
type Batch struct{ *pgx.Batch }

// Exec queues sql on the batch; the command tag is empty.
func (b Batch) Exec(_ context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	b.Queue(sql, args...)
	return pgconn.CommandTag{}, nil
}

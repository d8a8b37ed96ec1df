package mail

import "github.com/jackc/pgx/v5"

// Queue puts the outbox insert of m on b instead of running it: the same
// statement and payload as Enqueue, for a caller that sends its
// transaction's statements as one pipelined batch. The row is written when
// b is sent, and an error of the insert is that statement's result.
func Queue(b *pgx.Batch, m Message) error {
	args, err := outboxArgs(m)
	if err != nil {
		return err
	}
	b.Queue(insertOutbox, args...)
	return nil
}

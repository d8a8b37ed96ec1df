package mail

import (
	"context"
	"sync"
	"time"
)

// heldRows are the rows this worker has claimed and not yet settled or
// released, by id, with the attempts value that fences their lease.
type heldRows struct {
	mu   sync.Mutex
	rows map[int64]int
}

func (h *heldRows) add(j job) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.rows == nil {
		h.rows = map[int64]int{}
	}
	h.rows[j.id] = j.attempts
}

func (h *heldRows) remove(j job) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.rows, j.id)
}

func (h *heldRows) list() (ids []int64, attempts []int32) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for id, a := range h.rows {
		ids = append(ids, id)
		attempts = append(attempts, int32(a))
	}
	return ids, attempts
}

// renewLease extends the lease of the rows still held; fenced by attempts
// like every outcome update, so a row another worker took over (after this
// one stalled past its lease) stays theirs.
const renewLease = `
UPDATE outbox o SET lease_until = now() + $3 * interval '1 millisecond'
FROM unnest($1::bigint[], $2::int[]) AS h(id, attempts)
WHERE o.id = h.id AND o.attempts = h.attempts AND o.status = 'sending'`

// renewLoop renews the held rows' leases three times per lease until ctx
// ends, which Run does only after every held row is settled or released.
func (w *Worker) renewLoop(ctx context.Context) {
	t := time.NewTicker(max(w.cfg.Lease/3, time.Millisecond))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		ids, attempts := w.held.list()
		if len(ids) == 0 {
			continue
		}
		if _, err := w.pool.Exec(ctx, renewLease, ids, attempts, w.cfg.Lease.Milliseconds()); err != nil && ctx.Err() == nil {
			w.log.Error("renew outbox leases", "err", err)
		}
	}
}

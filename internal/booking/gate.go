package booking

import (
	"context"
	"sync"
	"sync/atomic"
)

// DefaultSignUpConcurrency is how many sign-up transactions of one event an
// instance runs at once unless told otherwise (SIGNUP_CONCURRENCY).
const DefaultSignUpConcurrency = 4

// Sign-ups of one event meet at its seat counter and at its workshops'
// rows, and PostgreSQL does worse, not better, when more than a few
// transactions queue for one row: each commit wakes the waiters, each
// waiter re-reads the new row version, and the open transactions keep the
// old versions from being pruned. pgbench with the same writes as a
// sign-up, on 2 cores, durable: 1,410–1,860 transactions/s with 4
// connections, 1,200–1,290 with 8, 810–1,030 with 16 (README, Benchmarks,
// also for what the gate gained). So a sign-up waits
// for its turn here, where waiting costs nothing, and at most n sign-up
// transactions of one event are in flight per instance; sign-ups of
// different events do not wait for each other.
type gates struct {
	n       int
	waiting atomic.Int64 // sign-ups waiting for a turn, over all events
	mu      sync.Mutex
	m       map[int64]*gate
}

type gate struct {
	turns chan struct{}
	users int // sign-ups holding or waiting for a turn; the gate goes at 0
}

func newGates(n int) *gates {
	return &gates{n: max(n, 1), m: map[int64]*gate{}}
}

// enter waits for a turn at the event's gate; the caller calls leave when
// its transaction has ended. A cancelled ctx stops the wait.
func (g *gates) enter(ctx context.Context, eventID int64) (leave func(), err error) {
	g.mu.Lock()
	gt := g.m[eventID]
	if gt == nil {
		gt = &gate{turns: make(chan struct{}, g.n)}
		g.m[eventID] = gt
	}
	gt.users++
	g.mu.Unlock()
	g.waiting.Add(1)
	defer g.waiting.Add(-1)
	select {
	case gt.turns <- struct{}{}:
		return func() { <-gt.turns; g.done(eventID, gt) }, nil
	case <-ctx.Done():
		g.done(eventID, gt)
		return nil, ctx.Err()
	}
}

func (g *gates) done(eventID int64, gt *gate) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if gt.users--; gt.users == 0 {
		delete(g.m, eventID)
	}
}

// WaitingSignUps is how many sign-ups wait for their turn at an event's
// gate now, over all events.
func (s *Service) WaitingSignUps() int {
	return int(s.gates.waiting.Load())
}

package booking

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestGateLetsNTransactionsOfOneEventIn(t *testing.T) {
	const n, signUps = 3, 200
	g := newGates(n)
	var inside, most atomic.Int32
	var wg sync.WaitGroup
	for range signUps {
		wg.Go(func() {
			leave, err := g.enter(t.Context(), 1)
			if err != nil {
				t.Error(err)
				return
			}
			now := inside.Add(1)
			for m := most.Load(); now > m && !most.CompareAndSwap(m, now); m = most.Load() {
			}
			time.Sleep(100 * time.Microsecond)
			inside.Add(-1)
			leave()
		})
	}
	wg.Wait()
	if got := most.Load(); got != n {
		t.Errorf("at most %d sign-ups were inside at once, want %d", got, n)
	}
	if len(g.m) != 0 {
		t.Errorf("%d gates left after every sign-up left", len(g.m))
	}
}

func TestGateOfAnotherEventDoesNotWait(t *testing.T) {
	g := newGates(1)
	leave, err := g.enter(t.Context(), 1)
	if err != nil {
		t.Fatal(err)
	}
	defer leave()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	other, err := g.enter(ctx, 2)
	if err != nil {
		t.Fatalf("event 2 waited for event 1: %v", err)
	}
	other()
}

func TestGateWaitEndsWithTheRequest(t *testing.T) {
	g := newGates(1)
	leave, err := g.enter(t.Context(), 1)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error)
	go func() {
		_, err := g.enter(ctx, 1)
		done <- err
	}()
	for deadline := time.Now().Add(10 * time.Second); g.waiting.Load() != 1; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d sign-ups counted as waiting, want 1", g.waiting.Load())
		}
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("waiting sign-up of a gone request: %v, want context.Canceled", err)
	}
	leave()
	if len(g.m) != 0 || g.waiting.Load() != 0 {
		t.Errorf("%d gates and %d waiting sign-ups left after the holder left and the waiter gave up", len(g.m), g.waiting.Load())
	}
}

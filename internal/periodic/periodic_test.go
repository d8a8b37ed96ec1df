package periodic

import (
	"context"
	"testing"
	"time"
)

// TestEvery runs the job at once, again after each interval, and returns
// when the context ends.
func TestEvery(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	runs := 0
	err := Every(ctx, 0, time.Millisecond, func(context.Context) {
		runs++
		if runs == 3 {
			cancel()
		}
	})
	if err != nil || runs != 3 {
		t.Fatalf("Every: %v after %d runs, want nil after 3", err, runs)
	}
}

// TestEveryStopsBeforeTheFirstRun returns without running a job whose
// context ends during the delay.
func TestEveryStopsBeforeTheFirstRun(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	ran := false
	if err := Every(ctx, time.Hour, time.Hour, func(context.Context) { ran = true }); err != nil || ran {
		t.Fatalf("Every: %v, ran %v; want nil, no run", err, ran)
	}
}

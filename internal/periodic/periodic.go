// Package periodic runs a background job at a fixed interval: the
// schedulers of reminders, reconfirmations and retention.
package periodic

import (
	"context"
	"time"
)

// Every runs job after delay (zero: at once) and then interval after each
// run ends, until ctx ends; it then returns nil. A run in flight sees ctx
// cancelled and is expected to roll back.
func Every(ctx context.Context, delay, interval time.Duration, job func(context.Context)) error {
	t := time.NewTimer(delay)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		job(ctx)
		t.Reset(interval)
	}
}

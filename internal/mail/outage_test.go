package mail

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/fachtag/fachtag/internal/db/dbtest"
	"github.com/fachtag/fachtag/internal/mail/mailtest"
)

// While the SMTP server is down every mail is deferred and the outbox says
// since when mails stall; when it comes back the worker's probe notices and
// the queue drains at once, although each row's own backoff (an hour here)
// has far to go.
func TestMailsDrainWhenSMTPComesBack(t *testing.T) {
	pool, _ := dbtest.New(t)
	ctx := context.Background()
	sink := mailtest.Start(t)
	sink.Down()
	enqueue(t, pool, importEvent(t, pool), 5)
	w := newTestWorker(t, pool, sink, WorkerConfig{Concurrency: 2, RetryBase: time.Hour, ErrorPause: 50 * time.Millisecond})
	stop := start(w)
	defer stop()

	deadline := time.Now().Add(30 * time.Second)
	for {
		deferred := 0
		for _, r := range rows(t, pool) {
			if r.Status == "pending" && strings.HasPrefix(r.LastError, unreachablePrefix) {
				deferred++
			}
		}
		if deferred == 5 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("rows not all deferred by the outage: %+v", rows(t, pool))
		}
		time.Sleep(20 * time.Millisecond)
	}
	st, err := State(ctx, pool)
	if err != nil {
		t.Fatal(err)
	}
	if st.Pending != 5 || st.StalledSince.IsZero() || time.Since(st.StalledSince) > time.Minute {
		t.Errorf("during the outage State = %+v, want 5 pending, stalled since just now", st)
	}

	sink.Up(t)
	waitStatus(t, pool, "sent", 5, 30*time.Second)
	if got := len(sink.Messages()); got != 5 {
		t.Errorf("sink got %d mails, want 5", got)
	}
	if st, _ = State(ctx, pool); st.Pending != 0 || !st.StalledSince.IsZero() {
		t.Errorf("after the drain State = %+v, want nothing pending and no stall", st)
	}
}

// A mail deferred before the last one went out (greylisting, a full
// mailbox) is no stall; one deferred after it is.
func TestStateStallsOnlyWhenNothingWentOutSince(t *testing.T) {
	pool, _ := dbtest.New(t)
	ctx := context.Background()
	enqueue(t, pool, importEvent(t, pool), 3)
	exec := func(sql string) {
		t.Helper()
		if _, err := pool.Exec(ctx, sql); err != nil {
			t.Fatal(err)
		}
	}
	exec(`UPDATE outbox SET status = 'sent', sent_at = now() - interval '5 minutes' WHERE id = (SELECT min(id) FROM outbox)`)
	exec(`UPDATE outbox SET deferred_since = now() - interval '10 minutes' WHERE status = 'pending'`)
	if st, _ := State(ctx, pool); !st.StalledSince.IsZero() || st.Pending != 2 {
		t.Errorf("deferred before the last send: State = %+v, want 2 pending and no stall", st)
	}
	exec(`UPDATE outbox SET deferred_since = now() - interval '2 minutes' WHERE id = (SELECT max(id) FROM outbox)`)
	st, _ := State(ctx, pool)
	if d := time.Since(st.StalledSince); d < 110*time.Second || d > 10*time.Minute {
		t.Errorf("deferred after the last send: State = %+v, want stalled since about 2 minutes", st)
	}
}

package mail

import (
	"context"
	"testing"

	"github.com/fachtag/fachtag/internal/db/dbtest"
)

func TestStateCountsUnsentAndFailed(t *testing.T) {
	pool, _ := dbtest.New(t)
	ctx := context.Background()
	enqueue(t, pool, importEvent(t, pool), 4)
	_, err := pool.Exec(ctx, `
UPDATE outbox SET status = CASE id % 4 WHEN 0 THEN 'sent' WHEN 1 THEN 'failed' ELSE status END,
                  created_at = now() - interval '90 seconds'`)
	if err != nil {
		t.Fatal(err)
	}
	s, err := State(ctx, pool)
	if err != nil {
		t.Fatal(err)
	}
	if s.Pending != 2 || s.Failed != 1 || s.OldestUnsent.Seconds() < 90 {
		t.Errorf("State = %+v, want 2 pending, 1 failed, oldest at least 90s", s)
	}
}

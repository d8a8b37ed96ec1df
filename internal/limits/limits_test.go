package limits

import (
	"context"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fachtag/fachtag/internal/db/dbtest"
)

// The bucket holds perMinute requests, refuses the next with the time
// until a token is back, and refills at perMinute a minute.
func TestTakeBurstRefusalRefill(t *testing.T) {
	pool := dbtest.NewChecked(t)
	s := New(pool)
	ctx := context.Background()
	for i := range 3 {
		if d, err := s.Take(ctx, "post", "203.0.113.1", 3); err != nil || !d.Allowed {
			t.Fatalf("request %d: %+v, %v; want allowed", i+1, d, err)
		}
	}
	d, err := s.Take(ctx, "post", "203.0.113.1", 3)
	if err != nil || d.Allowed {
		t.Fatalf("4th request: %+v, %v; want refused", d, err)
	}
	if d.RetryAfter < time.Second || d.RetryAfter > 20*time.Second {
		t.Errorf("RetryAfter = %v, want 1s..20s (one token takes 20s at 3 a minute)", d.RetryAfter)
	}
	// Another address and another scope have buckets of their own.
	for _, k := range [][2]string{{"post", "203.0.113.2"}, {"login", "203.0.113.1"}} {
		if d, err := s.Take(ctx, k[0], k[1], 3); err != nil || !d.Allowed {
			t.Errorf("%v: %+v, %v; want allowed", k, d, err)
		}
	}
	// Twenty seconds later one token is back, and only one.
	if _, err := pool.Exec(ctx, `UPDATE rate_limits SET updated_at = updated_at - interval '20 seconds' WHERE key = '203.0.113.1' AND scope = 'post'`); err != nil {
		t.Fatal(err)
	}
	if d, err := s.Take(ctx, "post", "203.0.113.1", 3); err != nil || !d.Allowed {
		t.Errorf("after 20s: %+v, %v; want allowed", d, err)
	}
	if d, err := s.Take(ctx, "post", "203.0.113.1", 3); err != nil || d.Allowed {
		t.Errorf("right after: %+v, %v; want refused", d, err)
	}
	// A refused request takes nothing: the bucket does not go below empty.
	var tokens float64
	if err := pool.QueryRow(ctx, `SELECT tokens FROM rate_limits WHERE scope = 'post' AND key = '203.0.113.1'`).Scan(&tokens); err != nil || tokens < 0 {
		t.Errorf("tokens = %v (%v), want >= 0", tokens, err)
	}
}

func TestTakeOff(t *testing.T) {
	s := New(nil) // a limit of 0 never asks the database
	if d, err := s.Take(context.Background(), "post", "x", 0); err != nil || !d.Allowed {
		t.Errorf("limit 0: %+v, %v; want allowed", d, err)
	}
}

// Many requests at once, as from many replicas: the bucket lets through
// its burst and what refilled meanwhile, never more.
func TestTakeConcurrent(t *testing.T) {
	pool := dbtest.NewChecked(t)
	s := New(pool)
	const perMinute, requests = 5, 40
	var allowed atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range requests {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d, err := s.Take(context.Background(), "post", "198.51.100.7", perMinute)
			if err != nil {
				t.Error(err)
				return
			}
			if d.Allowed {
				allowed.Add(1)
			}
		}()
	}
	wg.Wait()
	refilled := int64(time.Since(start).Seconds()*perMinute/60) + 1
	if got := allowed.Load(); got < perMinute || got > perMinute+refilled {
		t.Errorf("allowed %d of %d, want %d (plus at most %d refilled)", got, requests, perMinute, refilled)
	}
}

// BenchmarkTake is the cost of one limited request: one upsert, from
// parallel clients over a thousand addresses.
func BenchmarkTake(b *testing.B) {
	pool, _ := dbtest.New(b)
	s := New(pool)
	var seq atomic.Int64
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			key := "198.51.100." + strconv.Itoa(int(seq.Add(1)%1000))
			if _, err := s.Take(context.Background(), "post", key, 20); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

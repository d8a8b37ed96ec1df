package booking

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/fachtag/fachtag/internal/db/dbtest"
	"github.com/fachtag/fachtag/internal/registration"
)

// runConcurrently runs fn(i) for i in [0, n) on n goroutines released at
// the same moment and collects the unexpected errors.
func runConcurrently(t *testing.T, n int, fn func(i int) error) {
	t.Helper()
	var wg sync.WaitGroup
	start := make(chan struct{})
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			if err := fn(i); err != nil {
				errs <- err
			}
		}()
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// wantNoDeadlocks reports the deadlocks PostgreSQL detected in this
// test's database (each test has its own) and fails on any: db.Transact
// would retry them and hide them, but the lock order (lock.go) rules them
// out. Backends report their statistics when they exit, so the pool's
// connections are closed first.
func wantNoDeadlocks(t *testing.T, pool *pgxpool.Pool) {
	t.Helper()
	pool.Reset()
	deadline := time.Now().Add(10 * time.Second)
	for queryInt(t, pool, `SELECT count(*) FROM pg_stat_activity
WHERE datname = current_database() AND pid <> pg_backend_pid()`) > 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	n := queryInt(t, pool, `SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()`)
	t.Logf("deadlocks: %d", n)
	if n > 0 {
		t.Errorf("deadlocks: got %d, want 0", n)
	}
}

func TestConcurrentSignUpsOneWorkshop(t *testing.T) {
	const capacity, goroutines = 20, 200
	f := eventFile("ft")
	f.Capacity = 500
	setCapacity(t, f, "A1", capacity)
	s, pool := setup(t, f)

	positions := make([]int, goroutines) // 0 = confirmed
	runConcurrently(t, goroutines, func(i int) error {
		reg, _, err := s.Register(context.Background(), "ft", request(fmt.Sprintf("p%03d@example.org", i), "r1=A1"))
		if err != nil {
			return fmt.Errorf("Register #%d: %w", i, err)
		}
		if reg.Status != registration.Confirmed || len(reg.Bookings) != 1 {
			return fmt.Errorf("Register #%d: got status=%s bookings=%q, want confirmed with one booking",
				i, reg.Status, bookingsString(reg.Bookings))
		}
		positions[i] = reg.Bookings[0].WaitlistPosition
		return nil
	})

	taken, confirmed, waiting := workshopCounts(t, pool, "A1")
	if taken != capacity || confirmed != capacity || waiting != goroutines-capacity {
		t.Errorf("A1: got taken=%d confirmed=%d waitlisted=%d, want taken=confirmed=%d waitlisted=%d",
			taken, confirmed, waiting, capacity, goroutines-capacity)
	}

	// Positions handed out at sign-up are 1..n in queue order, and so are
	// the ones read back now.
	rows, err := pool.Query(context.Background(), `
SELECT r.email FROM bookings b JOIN registrations r ON r.id = b.registration_id
WHERE b.status = 'waitlisted' ORDER BY b.queue_seq`)
	if err != nil {
		t.Fatal(err)
	}
	var queue []string
	for rows.Next() {
		var email string
		if err := rows.Scan(&email); err != nil {
			t.Fatal(err)
		}
		queue = append(queue, email)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	for want, email := range queue {
		var i int
		if _, err := fmt.Sscanf(email, "p%03d@example.org", &i); err != nil {
			t.Fatalf("parse %q: %v", email, err)
		}
		if positions[i] != want+1 {
			t.Errorf("%s (queue_seq rank %d): got position %d at sign-up, want %d", email, want+1, positions[i], want+1)
		}
	}
	var got []int
	var cnt int
	if err := pool.QueryRow(context.Background(), `
SELECT count(*) FROM bookings WHERE status = 'waitlisted'`).Scan(&cnt); err != nil {
		t.Fatal(err)
	}
	for _, p := range positions {
		if p > 0 {
			got = append(got, p)
		}
	}
	sort.Ints(got)
	for i, p := range got {
		if p != i+1 {
			t.Fatalf("sorted sign-up positions: got %v, want 1..%d", got, cnt)
		}
	}
	dbtest.CheckInvariants(t, pool)
	wantNoDeadlocks(t, pool)
}

func TestConcurrentSignUpsEventCapacity(t *testing.T) {
	const capacity, goroutines = 30, 100
	f := eventFile("ft")
	f.Capacity = capacity
	s, pool := setup(t, f)

	var confirmed, waitlisted atomic.Int32
	positions := make([]int, goroutines)
	runConcurrently(t, goroutines, func(i int) error {
		choice := []string{"r1=A1", "r1=B1"}[i%2]
		reg, _, err := s.Register(context.Background(), "ft", request(fmt.Sprintf("p%03d@example.org", i), choice, "r2=B2"))
		if err != nil {
			return fmt.Errorf("Register #%d: %w", i, err)
		}
		switch reg.Status {
		case registration.Confirmed:
			confirmed.Add(1)
		case registration.Waitlisted:
			waitlisted.Add(1)
			positions[i] = reg.WaitlistPosition
		default:
			return fmt.Errorf("Register #%d: got status %q", i, reg.Status)
		}
		return nil
	})

	if got := confirmed.Load(); got != capacity {
		t.Errorf("confirmed sign-ups: got %d, want %d", got, capacity)
	}
	if got := waitlisted.Load(); got != goroutines-capacity {
		t.Errorf("waitlisted sign-ups: got %d, want %d", got, goroutines-capacity)
	}
	if got := queryInt(t, pool, `SELECT count(*) FROM registrations WHERE status = 'confirmed'`); got != capacity {
		t.Errorf("confirmed registrations: got %d, want %d", got, capacity)
	}
	if got := queryInt(t, pool, `SELECT taken FROM event_seats`); got != capacity {
		t.Errorf("event_seats.taken: got %d, want %d", got, capacity)
	}
	if got := queryInt(t, pool, `SELECT count(*) FROM bookings`); got != 2*capacity {
		t.Errorf("bookings: got %d, want %d (only confirmed registrations book)", got, 2*capacity)
	}
	var got []int
	for _, p := range positions {
		if p > 0 {
			got = append(got, p)
		}
	}
	sort.Ints(got)
	for i, p := range got {
		if p != i+1 {
			t.Fatalf("sorted event positions: got %v, want 1..%d", got, goroutines-capacity)
		}
	}
	dbtest.CheckInvariants(t, pool)
	wantNoDeadlocks(t, pool)
}

// TestConcurrentMixedStorm lets 50 clients sign up, swap and cancel at
// random on a small event for a few seconds, then checks every invariant.
func TestConcurrentMixedStorm(t *testing.T) {
	runStorm(t, stormConfig{clients: 50, eventCapacity: 30, swaps: true})
}

// TestConcurrentSignUpCancelStorm is the storm without swaps, which the
// known promotion bugs above need; it covers sign-ups, both waiting lists
// and cascading promotions under contention.
func TestConcurrentSignUpCancelStorm(t *testing.T) {
	runStorm(t, stormConfig{clients: 40, eventCapacity: 20})
}

type stormConfig struct {
	clients       int
	eventCapacity int
	swaps         bool
}

func runStorm(t *testing.T, cfg stormConfig) {
	if testing.Short() {
		t.Skip("storm skipped in -short mode")
	}
	const (
		opsPerClient = 30
		duration     = 3 * time.Second
	)
	f := eventFile("storm")
	f.Capacity = cfg.eventCapacity
	f.Workshops = nil
	addWorkshop(f, "A1", "r1", 3, "A")
	addWorkshop(f, "B1", "r1", 4, "B")
	addWorkshop(f, "C1", "r1", 5, "")
	addWorkshop(f, "A2", "r2", 3, "A")
	addWorkshop(f, "B2", "r2", 4, "B")
	addWorkshop(f, "D2", "r2", 5, "")
	s, pool := setup(t, f)
	slots := map[string][]string{"r1": {"A1", "B1", "C1"}, "r2": {"A2", "B2", "D2"}}

	var mu sync.Mutex
	var tokens []string
	pick := func(r *rand.Rand) (string, bool) {
		mu.Lock()
		defer mu.Unlock()
		if len(tokens) == 0 {
			return "", false
		}
		return tokens[r.IntN(len(tokens))], true
	}
	var ops [4]atomic.Int32 // register, swap, cancel, expected refusals
	var slow atomic.Int32   // operations that took over 500ms (lock waits, deadlock retries)
	deadline := time.Now().Add(duration)
	ctx := context.Background()

	runConcurrently(t, cfg.clients, func(c int) error {
		r := rand.New(rand.NewPCG(uint64(c), uint64(time.Now().UnixNano())))
		for n := 0; n < opsPerClient && time.Now().Before(deadline); n++ {
			var err error
			began := time.Now()
			token, ok := pick(r)
			k := r.IntN(10)
			switch {
			case k < 4 || !ok || (!cfg.swaps && k < 7):
				ops[0].Add(1)
				// 100 addresses for several hundred operations: duplicates happen.
				req := request(fmt.Sprintf("u%03d@example.org", r.IntN(100)))
				for slot, keys := range slots {
					if r.IntN(4) > 0 {
						req.Choices[slot] = keys[r.IntN(len(keys))]
					}
				}
				if i1, i2 := req.Choices["r1"], req.Choices["r2"]; i1 != "" && i2 != "" && i1[0] == i2[0] {
					delete(req.Choices, "r2") // same topic: would be refused
				}
				var tok string
				_, tok, err = s.Register(ctx, "storm", req)
				if err == nil {
					mu.Lock()
					tokens = append(tokens, tok)
					mu.Unlock()
				}
			case cfg.swaps && k < 8:
				ops[1].Add(1)
				slot := []string{"r1", "r2"}[r.IntN(2)]
				_, err = s.Swap(ctx, token, slot, slots[slot][r.IntN(3)])
			default:
				ops[2].Add(1)
				_, err = s.Cancel(ctx, token)
			}
			if time.Since(began) > 500*time.Millisecond {
				slow.Add(1)
			}
			if err != nil {
				if !expected(err) {
					return fmt.Errorf("client %d op %d: unexpected error: %w", c, n, err)
				}
				ops[3].Add(1)
			}
		}
		return nil
	})
	t.Logf("storm: %d registers, %d swaps, %d cancels, %d expected refusals, %d slower than 500ms",
		ops[0].Load(), ops[1].Load(), ops[2].Load(), ops[3].Load(), slow.Load())
	t.Logf("registrations: %d confirmed, %d waitlisted, %d cancelled; promoted mails: %d",
		queryInt(t, pool, `SELECT count(*) FROM registrations WHERE status = 'confirmed'`),
		queryInt(t, pool, `SELECT count(*) FROM registrations WHERE status = 'waitlisted'`),
		queryInt(t, pool, `SELECT count(*) FROM registrations WHERE status = 'cancelled'`),
		queryInt(t, pool, `SELECT count(*) FROM outbox WHERE kind = 'promoted'`))
	if n := queryInt(t, pool, `SELECT count(*) FROM registrations`); n < 20 {
		t.Errorf("registrations: got %d, want at least 20 (the storm did too little to prove anything)", n)
	}
	dbtest.CheckInvariants(t, pool)
	wantNoDeadlocks(t, pool)
}

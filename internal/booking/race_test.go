package booking

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/fachtag/fachtag/internal/db/dbtest"
	"github.com/fachtag/fachtag/internal/registration"
)

// These tests force one precise interleaving of two transactions instead
// of hoping a storm finds it: a third transaction holds a lock that one
// side needs, the test waits until both sides are blocked in the database,
// then lets go.

// waitForLockWaiters waits until n sessions of the test database wait for
// a lock.
func waitForLockWaiters(t *testing.T, pool *pgxpool.Pool, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		got := queryInt(t, pool, `SELECT count(*) FROM pg_stat_activity
WHERE datname = current_database() AND wait_event_type = 'Lock'`)
		if got >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("lock waiters: got %d, want %d", got, n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// holdOutbox blocks every outbox insert until release is called, so a
// transaction can be stopped right before it commits, its row locks held.
func holdOutbox(t *testing.T, pool *pgxpool.Pool) (release func()) {
	t.Helper()
	ctx := context.Background()
	tx, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, `LOCK TABLE outbox IN SHARE MODE`); err != nil {
		t.Fatal(err)
	}
	var once bool
	release = func() {
		if !once {
			once = true
			_ = tx.Rollback(ctx)
		}
	}
	t.Cleanup(release)
	return release
}

func async(fn func() error) <-chan error {
	ch := make(chan error, 1)
	go func() { ch <- fn() }()
	return ch
}

func wait(t *testing.T, what string, ch <-chan error) {
	t.Helper()
	select {
	case err := <-ch:
		if err != nil {
			t.Errorf("%s: %v", what, err)
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("%s: still running after 20s", what)
	}
}

// Y waits for A1 (holding C1) and swaps to the free B1. At the same moment
// X cancels A1, and the promoter picks Y, whose row Y's swap holds. When
// the swap commits, the promoter must see that Y no longer waits.
func TestPromotionRacesCandidateSwap(t *testing.T) {
	f := eventFile("ft")
	setCapacity(t, f, "A1", 1)
	setCapacity(t, f, "B1", 2)
	addWorkshop(f, "C1", "r1", 1, "")
	s, pool := setup(t, f)
	x := mustRegister(t, s, "ft", "x@example.org", "r1=A1")
	y := mustRegister(t, s, "ft", "y@example.org", "r1=C1")
	mustSwap(t, s, y, "r1", "A1")
	wantBookings(t, s, y, "r1=C1:confirmed r1=A1:waitlisted#1")
	ctx := context.Background()

	release := holdOutbox(t, pool)
	swapped := async(func() error { _, err := s.Swap(ctx, y.token, "r1", "B1"); return err })
	waitForLockWaiters(t, pool, 1) // Y's swap is done but for its mail
	cancelled := async(func() error { _, err := s.Cancel(ctx, x.token); return err })
	waitForLockWaiters(t, pool, 2) // X's cancel waits for Y's row
	release()
	wait(t, "Swap", swapped)
	wait(t, "Cancel", cancelled)

	wantBookings(t, s, y, "r1=B1:confirmed")
	wantWorkshop(t, pool, "A1", 0, 0)
	wantWorkshop(t, pool, "B1", 1, 0)
	wantWorkshop(t, pool, "C1", 0, 0)
	wantOutbox(t, pool, y, "promoted", 0)
	dbtest.CheckInvariants(t, pool)
}

// W1 and W2 wait for the event. W1 cancels while X, who holds a seat,
// cancels too, and X's promoter picks W1 while W1's cancel holds its row.
// The free seat must go to W2 (FOR UPDATE re-checks the row and LIMIT 1
// moves on to the next one).
func TestEventPromotionRacesCandidateCancel(t *testing.T) {
	f := eventFile("ft")
	f.Capacity = 1
	s, pool := setup(t, f)
	x := mustRegister(t, s, "ft", "x@example.org", "r1=A1")
	w1 := mustRegister(t, s, "ft", "w1@example.org", "r1=A1")
	w2 := mustRegister(t, s, "ft", "w2@example.org", "r1=B1")
	ctx := context.Background()

	release := holdOutbox(t, pool)
	w1Cancelled := async(func() error { _, err := s.Cancel(ctx, w1.token); return err })
	waitForLockWaiters(t, pool, 1)
	xCancelled := async(func() error { _, err := s.Cancel(ctx, x.token); return err })
	waitForLockWaiters(t, pool, 2)
	release()
	wait(t, "Cancel(w1)", w1Cancelled)
	wait(t, "Cancel(x)", xCancelled)

	wantStatus(t, s, w1, registration.Cancelled)
	got := mustGet(t, s, w2)
	if got.Status != registration.Confirmed || bookingsString(got.Bookings) != "r1=B1:confirmed" {
		t.Errorf("w2: got status=%s bookings=%q, want confirmed with r1=B1:confirmed",
			got.Status, bookingsString(got.Bookings))
	}
	wantOutbox(t, pool, w2, "promoted", 1)
	dbtest.CheckInvariants(t, pool)
}

// X1 and X2 swap away from A1 and A2 at once (swaps take no event lock);
// Y waits for both (same topic A). Only one may be granted; the other
// promoter must skip Y, not fail or hand out a second topic-A seat.
func TestConcurrentPromotionsOfOneTopic(t *testing.T) {
	f := eventFile("ft")
	setCapacity(t, f, "A1", 1)
	setCapacity(t, f, "A2", 1)
	addWorkshop(f, "C1", "r1", 10, "")
	addWorkshop(f, "C2", "r2", 10, "")
	s, pool := setup(t, f)
	x1 := mustRegister(t, s, "ft", "x1@example.org", "r1=A1")
	x2 := mustRegister(t, s, "ft", "x2@example.org", "r2=A2")
	y := mustRegister(t, s, "ft", "y@example.org", "r1=B1", "r2=B2")
	mustSwap(t, s, y, "r1", "A1")
	mustSwap(t, s, y, "r2", "A2")
	ctx := context.Background()

	// Hold Y's row so both promoters queue up behind it.
	hold, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = hold.Rollback(ctx) }()
	if _, err := hold.Exec(ctx, `SELECT 1 FROM registrations WHERE id = $1 FOR UPDATE`, y.reg.ID); err != nil {
		t.Fatal(err)
	}
	s1 := async(func() error { _, err := s.Swap(ctx, x1.token, "r1", "C1"); return err })
	s2 := async(func() error { _, err := s.Swap(ctx, x2.token, "r2", "C2"); return err })
	waitForLockWaiters(t, pool, 2)
	_ = hold.Rollback(ctx)
	wait(t, "Swap(x1)", s1)
	wait(t, "Swap(x2)", s2)

	got := bookingsString(mustGet(t, s, y).Bookings)
	if got != "r1=A1:confirmed r2=B2:confirmed r2=A2:waitlisted#1" &&
		got != "r1=B1:confirmed r1=A1:waitlisted#1 r2=A2:confirmed" {
		t.Errorf("bookings of y: got %q, want A1 or A2 confirmed, the other still waited for", got)
	}
	wantBookings(t, s, x1, "r1=C1:confirmed")
	wantBookings(t, s, x2, "r2=C2:confirmed")
	wantOutbox(t, pool, y, "promoted", 1)
	dbtest.CheckInvariants(t, pool)
}

package booking

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fachtag/fachtag/internal/db/dbtest"
	"github.com/fachtag/fachtag/internal/registration"
)

func itemIDs(items []BulkItem) map[string]string {
	out := map[string]string{}
	for _, it := range items {
		out[it.ID] = it.Key
	}
	return out
}

// TestBulkCancel cancels a confirmed person (whose seat goes to the
// waiting list), skips one cancelled already and one of another event,
// and writes one audit entry per person cancelled.
func TestBulkCancel(t *testing.T) {
	f := eventFile("bulk")
	setCapacity(t, f, "A1", 1)
	s, pool := setup(t, f)
	importEvent(t, pool, eventFile("other"))
	id := eventID(t, pool, "bulk")
	anna := mustRegister(t, s, "bulk", "anna@example.org", "r1=A1")
	ben := mustRegister(t, s, "bulk", "ben@example.org", "r1=A1") // waits for A1
	cara := mustRegister(t, s, "bulk", "cara@example.org", "r1=B1")
	mustCancel(t, s, cara)
	stranger := mustRegister(t, s, "other", "dirk@example.org", "r1=A1")

	res, err := s.BulkCancel(context.Background(), id, []string{anna.reg.ID, cara.reg.ID, stranger.reg.ID, anna.reg.ID}, byHand)
	if err != nil {
		t.Fatalf("BulkCancel: %v", err)
	}
	if got := itemIDs(res.Done); len(got) != 1 || got[anna.reg.ID] != "" {
		t.Errorf("done: got %v, want anna only", res.Done)
	}
	want := map[string]string{cara.reg.ID: "bulk.skip_cancelled", stranger.reg.ID: "bulk.skip_not_found"}
	if got := itemIDs(res.Skipped); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("skipped: got %v, want %v", got, want)
	}
	for _, it := range res.Skipped {
		if it.ID == stranger.reg.ID && it.Name != "" {
			t.Errorf("a registration of another event is named: %q", it.Name)
		}
	}
	wantStatus(t, s, anna, registration.Cancelled)
	wantBookings(t, s, ben, "r1=A1:confirmed")
	wantStatus(t, s, stranger, registration.Confirmed)
	wantOutbox(t, pool, anna, "cancelled", 1)
	wantOutbox(t, pool, ben, "promoted", 1)
	if n := auditCount(t, pool, "registration.cancel", anna.reg.ID); n != 1 {
		t.Errorf("cancel audit rows of anna: got %d, want 1", n)
	}
	if n := queryInt(t, pool, `SELECT count(*) FROM audit_log WHERE action = 'registration.cancel'`); n != 1 {
		t.Errorf("cancel audit rows: got %d, want 1", n)
	}
	dbtest.CheckInvariants(t, pool)
}

// TestBulkRefusals: without a reason, without anyone, or with an unknown
// workshop nothing happens and the field is named.
func TestBulkRefusals(t *testing.T) {
	s, pool := setup(t, eventFile("bulk"))
	id := eventID(t, pool, "bulk")
	anna := mustRegister(t, s, "bulk", "anna@example.org", "r1=A1")
	before := tableCounts(t, pool)
	ctx := context.Background()
	_, err := s.BulkCancel(ctx, id, []string{anna.reg.ID}, Manual{Reason: " "})
	wantField(t, err, "reason")
	_, err = s.BulkCancel(ctx, id, nil, byHand)
	wantField(t, err, "ids")
	_, err = s.BulkMove(ctx, id, []string{anna.reg.ID}, "Z9", byHand)
	wantField(t, err, "workshop")
	_, err = s.BulkMove(ctx, id, []string{anna.reg.ID}, "", byHand)
	wantField(t, err, "workshop")
	if after := tableCounts(t, pool); after != before {
		t.Errorf("refused bulk actions changed rows: %s, want %s", after, before)
	}
}

// TestBulkMoveNeverOversells moves three people into a workshop with
// one free seat: one is moved, the others are reported full, as is
// someone already there; the workshop ends exactly full.
func TestBulkMoveNeverOversells(t *testing.T) {
	f := eventFile("bulk")
	setCapacity(t, f, "B1", 2)
	s, pool := setup(t, f)
	id := eventID(t, pool, "bulk")
	dora := mustRegister(t, s, "bulk", "dora@example.org", "r1=B1")
	var movers []participant
	ids := []string{dora.reg.ID}
	for _, name := range []string{"anna", "ben", "cara"} {
		p := mustRegister(t, s, "bulk", name+"@example.org", "r1=A1")
		movers = append(movers, p)
		ids = append(ids, p.reg.ID)
	}
	res, err := s.BulkMove(context.Background(), id, ids, "B1", Manual{Reason: "Raum A zu klein", Override: true})
	if err != nil {
		t.Fatalf("BulkMove: %v", err)
	}
	skipped := itemIDs(res.Skipped)
	if len(res.Done) != 1 || len(res.Skipped) != 3 || skipped[dora.reg.ID] != "err.already_there" {
		t.Fatalf("got done %v, skipped %v; want one moved, dora already there, two full", res.Done, res.Skipped)
	}
	full := 0
	for _, k := range skipped {
		if k == "bulk.skip_full" {
			full++
		}
	}
	if full != 2 {
		t.Errorf("skipped as full: got %d, want 2", full)
	}
	if n := queryInt(t, pool, `SELECT taken FROM workshops WHERE key = 'B1'`); n != 2 {
		t.Errorf("B1 taken: got %d, want 2 (its capacity, never raised)", n)
	}
	for _, p := range movers {
		moved := p.reg.ID == res.Done[0].ID
		want := map[bool]string{true: "r1=B1:confirmed", false: "r1=A1:confirmed"}[moved]
		wantBookings(t, s, p, want)
		if n := auditCount(t, pool, "registration.move", p.reg.ID); n != map[bool]int{true: 1, false: 0}[moved] {
			t.Errorf("move audit rows of %s: got %d", p.reg.Email, n)
		}
	}
	dbtest.CheckInvariants(t, pool)
}

// TestBulkRacesParticipantSwaps runs bulk cancels and moves of random
// groups while the participants swap their own workshops; every
// invariant holds afterwards and no transaction deadlocked.
func TestBulkRacesParticipantSwaps(t *testing.T) {
	f := eventFile("race")
	f.Capacity = 40
	f.Workshops = nil
	addWorkshop(f, "A1", "r1", 10, "A") // 12 want it: two wait
	addWorkshop(f, "B1", "r1", 14, "B")
	addWorkshop(f, "C1", "r1", 16, "")
	addWorkshop(f, "A2", "r2", 12, "A")
	addWorkshop(f, "B2", "r2", 14, "B")
	s, pool := setup(t, f)
	id := eventID(t, pool, "race")
	r1, r2 := []string{"A1", "B1", "C1"}, []string{"A2", "B2"}
	var people []participant
	second := map[string]string{"A1": "B2", "B1": "A2"} // never one topic twice
	for i := 0; i < 36; i++ {
		w2, ok := second[r1[i%3]]
		if !ok {
			w2 = r2[i%2]
		}
		people = append(people, mustRegister(t, s, "race", fmt.Sprintf("p%d@example.org", i), "r1="+r1[i%3], "r2="+w2))
	}
	ctx := context.Background()
	var moved, cancelled atomic.Int32
	runConcurrently(t, 8, func(c int) error {
		r := rand.New(rand.NewPCG(uint64(c), uint64(time.Now().UnixNano())))
		for n := 0; n < 6; n++ {
			var err error
			switch {
			case c < 5: // participants swap
				p := people[r.IntN(len(people))]
				slot, keys := "r1", r1
				if r.IntN(2) == 0 {
					slot, keys = "r2", r2
				}
				_, err = s.Swap(ctx, p.token, slot, keys[r.IntN(len(keys))])
			case c < 7: // the organiser moves a group
				var res *BulkResult
				if res, err = s.BulkMove(ctx, id, pickIDs(r, people, 6), r1[r.IntN(3)], byHand); err == nil {
					moved.Add(int32(len(res.Done)))
				}
			default: // and cancels a few
				var res *BulkResult
				if res, err = s.BulkCancel(ctx, id, pickIDs(r, people, 2), byHand); err == nil {
					cancelled.Add(int32(len(res.Done)))
				}
			}
			if err != nil && !expectedRefusal(err) {
				return err
			}
		}
		return nil
	})
	t.Logf("bulk moves: %d people, bulk cancels: %d people", moved.Load(), cancelled.Load())
	dbtest.CheckInvariants(t, pool)
	wantNoDeadlocks(t, pool)
}

func pickIDs(r *rand.Rand, people []participant, n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = people[r.IntN(len(people))].reg.ID
	}
	return ids
}

// expectedRefusal is an answer a participant's swap may get in the race.
func expectedRefusal(err error) bool {
	var v *ValidationError
	return errors.Is(err, ErrCancelled) || errors.Is(err, ErrNotConfirmed) || errors.As(err, &v)
}

// BenchmarkBulkCancel cancels n confirmed people in one bulk action,
// each in a workshop with a waiting list behind them: the time the
// event's row is held against participants' own changes.
func BenchmarkBulkCancel(b *testing.B) {
	for _, n := range []int{50, 500} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			f := eventFile("bench")
			f.Capacity = 4 * n
			setCapacity(b, f, "A1", n)
			s, pool := setup(b, f)
			id := eventID(b, pool, "bench")
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				ids := make([]string, n)
				for k := range ids {
					ids[k] = mustRegister(b, s, "bench", fmt.Sprintf("p%d-%d@example.org", i, k), "r1=A1").reg.ID
				}
				for k := 0; k < n/10; k++ { // a waiting list to promote
					mustRegister(b, s, "bench", fmt.Sprintf("w%d-%d@example.org", i, k), "r1=A1")
				}
				b.StartTimer()
				res, err := s.BulkCancel(context.Background(), id, ids, byHand)
				if err != nil || len(res.Done) != n {
					b.Fatalf("BulkCancel: %v, %d done; want %d", err, len(res.Done), n)
				}
			}
		})
	}
}

package booking

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/fachtag/fachtag/internal/db/dbtest"
	"github.com/fachtag/fachtag/internal/event"
	"github.com/fachtag/fachtag/internal/registration"
)

// A raised capacity serves the people already waiting before anyone new.
func TestCapacityRaisePromotesWaitingLists(t *testing.T) {
	f := eventFile("cap")
	f.Capacity = 2
	setCapacity(t, f, "A1", 1)
	s, pool := setup(t, f)
	mustRegister(t, s, "cap", "p1@example.org", "r1=A1")
	p2 := mustRegister(t, s, "cap", "p2@example.org", "r1=A1") // waits for A1
	p3 := mustRegister(t, s, "cap", "p3@example.org", "r1=B1") // waits for the event
	f.Capacity = 3
	setCapacity(t, f, "A1", 2)
	importEvent(t, pool, f)

	if got := bookingsString(mustGet(t, s, p2).Bookings); got != "r1=A1:confirmed" {
		t.Errorf("p2 after the raise: got %s, want r1=A1:confirmed", got)
	}
	if got := mustGet(t, s, p3); got.Status != registration.Confirmed || bookingsString(got.Bookings) != "r1=B1:confirmed" {
		t.Errorf("p3 after the raise: got %s %s, want confirmed with B1", got.Status, bookingsString(got.Bookings))
	}
	wantOutbox(t, pool, p2, "promoted", 1)
	wantOutbox(t, pool, p3, "promoted", 1)
	dbtest.CheckInvariants(t, pool)
}

// A workshop moved to another slot while the rules cache still has the old
// slot is refused, not booked into the wrong slot.
func TestStaleCacheSlotMoveIsRefused(t *testing.T) {
	f := eventFile("mv")
	s, pool := setup(t, f)
	mustRegister(t, s, "mv", "warm@example.org", "r1=A1") // warms the cache
	moveWorkshop(f, "B1", "r2")
	importEvent(t, pool, f)

	_, _, err := s.Register(context.Background(), "mv", request("p@example.org", "r1=B1", "r2=B2"))
	var verr *ValidationError
	if !errors.As(err, &verr) || verr.Fields["choices.r1"].Key != "err.wrong_slot" {
		t.Fatalf("Register: got %v, want a wrong-slot error on choices.r1", err)
	}
	if n := queryInt(t, pool, `SELECT count(*) FROM bookings b JOIN workshops w ON w.id = b.workshop_id WHERE b.slot_id <> w.slot_id`); n != 0 {
		t.Errorf("%d bookings sit in another slot than their workshop", n)
	}
	dbtest.CheckInvariants(t, pool)
}

// A workshop removed while the cache still lists it gets a 422-style error.
func TestStaleCacheRemovedWorkshop(t *testing.T) {
	f := eventFile("rm")
	s, pool := setup(t, f)
	mustRegister(t, s, "rm", "warm@example.org", "r1=A1")
	removeWorkshop(f, "B1")
	importEvent(t, pool, f)
	_, _, err := s.Register(context.Background(), "rm", request("p@example.org", "r1=B1"))
	var verr *ValidationError
	if !errors.As(err, &verr) || verr.Fields["choices.r1"].Key != "err.unknown_workshop" {
		t.Fatalf("Register: got %v, want unknown workshop on choices.r1", err)
	}
}

// Removing a workshop that a concurrent swap is moving into: either the
// import is refused or the swap fails; a seat never silently disappears.
func TestRemoveWorkshopRacesSwap(t *testing.T) {
	ctx := context.Background()
	f := eventFile("race")
	s, pool := setup(t, f)
	p := mustRegister(t, s, "race", "p@example.org", "r1=B1")
	side, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := side.Exec(ctx, `SELECT 1 FROM workshops WHERE key = 'B1' FOR NO KEY UPDATE`); err != nil {
		t.Fatal(err)
	}
	swapped := make(chan error, 1)
	go func() { _, err := s.Swap(ctx, p.token, "r1", "A1"); swapped <- err }()
	waitForLockWaiters(t, pool, 1) // the swap holds A1 and waits for B1
	g := cloneFile(t, f)
	removeWorkshop(g, "A1")
	imported := make(chan error, 1)
	go func() { _, err := ImportEvent(ctx, pool, g); imported <- err }()
	waitForLockWaiters(t, pool, 2) // the import waits for the event row
	_ = side.Commit(ctx)

	swapErr, importErr := <-swapped, <-imported
	var problems *event.Problems
	if swapErr == nil && !errors.As(importErr, &problems) {
		t.Errorf("swap succeeded and the import answered %v, want the import refused", importErr)
	}
	reg := mustGet(t, s, p)
	if len(reg.Bookings) != 1 || reg.Bookings[0].Status != registration.Confirmed {
		t.Errorf("participant after the race: %s, want one confirmed seat", bookingsString(reg.Bookings))
	}
	dbtest.CheckInvariants(t, pool)
}

// A person admitted from the event's waiting list keeps only the choices
// the event still allows; the cancel that frees the seat goes through.
func TestAdmitDropsStaleChoices(t *testing.T) {
	f := eventFile("adm")
	f.Capacity = 1
	s, pool := setup(t, f)
	p1 := mustRegister(t, s, "adm", "p1@example.org", "r1=A1")
	p2 := mustRegister(t, s, "adm", "p2@example.org", "r1=B1", "r2=B2")
	moveWorkshop(f, "B1", "r2")
	importEvent(t, pool, f)
	if _, err := s.Cancel(context.Background(), p1.token); err != nil {
		t.Fatalf("Cancel: %v", err)
	}
	got := mustGet(t, s, p2)
	if got.Status != registration.Confirmed || bookingsString(got.Bookings) != "r2=B2:confirmed" {
		t.Errorf("p2: got %s %s, want confirmed with only r2=B2", got.Status, bookingsString(got.Bookings))
	}
	dbtest.CheckInvariants(t, pool)
}

// The public "send my link again" form mails at most once in five minutes.
func TestResendLinkCooldown(t *testing.T) {
	s, pool := setup(t, eventFile("rl"))
	p := mustRegister(t, s, "rl", "p@example.org", "r1=A1")
	for i := 0; i < 3; i++ {
		if err := s.ResendLink(context.Background(), "rl", "p@example.org"); err != nil {
			t.Fatalf("ResendLink: %v", err)
		}
	}
	wantOutbox(t, pool, p, "link", 1)
}

func moveWorkshop(f *event.File, key, slot string) {
	for i := range f.Workshops {
		if f.Workshops[i].Key == key {
			f.Workshops[i].Slot = slot
		}
	}
}

func removeWorkshop(f *event.File, key string) {
	ws := f.Workshops[:0:0]
	for _, w := range f.Workshops {
		if w.Key != key {
			ws = append(ws, w)
		}
	}
	f.Workshops = ws
}

func cloneFile(t *testing.T, f *event.File) *event.File {
	t.Helper()
	data, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	g, err := event.ParseFile(data)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// Deleting an event removes its registrations and everything hanging off
// them (migration 8 replaced the foreign keys to the hot event row by a
// trigger).
func TestDeleteEventRemovesRegistrations(t *testing.T) {
	s, pool := setup(t, eventFile("del"))
	mustRegister(t, s, "del", "p@example.org", "r1=A1")
	if _, err := pool.Exec(context.Background(), `DELETE FROM events WHERE slug = 'del'`); err != nil {
		t.Fatalf("delete event: %v", err)
	}
	for _, table := range []string{"registrations", "bookings", "tokens", "workshops", "slots"} {
		if n := queryInt(t, pool, "SELECT count(*) FROM "+table); n != 0 {
			t.Errorf("%s: %d rows left, want 0", table, n)
		}
	}
}

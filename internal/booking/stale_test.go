package booking

import (
	"context"
	"errors"
	"testing"

	"github.com/fachtag/fachtag/internal/db/dbtest"
)

// A sign-up works from the event as an earlier sign-up read it (rulesCache).
// When the organiser changed a chosen workshop in between, the booking
// statements notice it and the sign-up is decided again on a fresh read.
func TestSignUpOnStaleRules(t *testing.T) {
	f := eventFile("ft")
	s, pool := setup(t, f)
	ctx := context.Background()
	mustRegister(t, s, "ft", "first@example.org", "r1=A1") // caches the rules

	f.Workshops[1].Topic = "Neu" // B1, nobody booked yet
	importEvent(t, pool, f)
	p := mustRegister(t, s, "ft", "topic@example.org", "r1=B1")
	if got := queryInt(t, pool, `SELECT count(*) FROM bookings WHERE topic = 'Neu'`); got != 1 {
		t.Errorf("bookings of the new topic: got %d, want 1 (%s)", got, bookingsString(p.reg.Bookings))
	}

	f.Workshops[3].Slot = "r1" // B2 moves to r1
	importEvent(t, pool, f)
	_, _, err := s.Register(ctx, "ft", request("moved@example.org", "r2=B2"))
	var v *ValidationError
	if !errors.As(err, &v) {
		t.Errorf("choice of a workshop that moved away: got %v, want a validation error", err)
	}
	dbtest.CheckInvariants(t, pool)
}

// The same for the sign-ups after the event was found full, which lock its
// seat counter early (registerAtCounter).
func TestWaitlistSignUpOnStaleRules(t *testing.T) {
	f := eventFile("ft")
	f.Capacity = 1
	s, pool := setup(t, f)
	mustRegister(t, s, "ft", "first@example.org", "r1=A1")
	mustRegister(t, s, "ft", "second@example.org", "r1=A1") // full: the next ones go to the waiting list

	f.Workshops[3].Slot = "r1" // B2 moves to r1
	importEvent(t, pool, f)
	_, _, err := s.Register(context.Background(), "ft", request("moved@example.org", "r2=B2"))
	var v *ValidationError
	if !errors.As(err, &v) {
		t.Errorf("choice of a workshop that moved away: got %v, want a validation error", err)
	}
	if n := queryInt(t, pool, `SELECT count(*) FROM registrations WHERE email = 'moved@example.org'`); n != 0 {
		t.Errorf("registrations of the refused sign-up: got %d, want 0", n)
	}
	p := mustRegister(t, s, "ft", "third@example.org", "r1=B2")
	if p.reg.Status != "waitlisted" || p.reg.WaitlistPosition != 2 {
		t.Errorf("sign-up on the fresh rules: got %s at %d, want waitlisted at 2", p.reg.Status, p.reg.WaitlistPosition)
	}
	dbtest.CheckInvariants(t, pool)
}

package booking

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/fachtag/fachtag/internal/db/dbtest"
	"github.com/fachtag/fachtag/internal/event"
)

func TestSwapToFreeWorkshop(t *testing.T) {
	s, pool := setup(t, eventFile("ft"))
	p := mustRegister(t, s, "ft", "ana@example.org", "r1=A1", "r2=B2")

	reg := mustSwap(t, s, p, "r1", "B1")
	if got, want := bookingsString(reg.Bookings), "r1=B1:confirmed r2=B2:confirmed"; got != want {
		t.Errorf("returned bookings: got %q, want %q", got, want)
	}
	wantBookings(t, s, p, "r1=B1:confirmed r2=B2:confirmed")
	wantWorkshop(t, pool, "A1", 0, 0)
	wantWorkshop(t, pool, "B1", 1, 0)
	wantWorkshop(t, pool, "B2", 1, 0)
	wantOutbox(t, pool, p, "swapped", 1)

	var payload []byte
	err := pool.QueryRow(context.Background(),
		`SELECT payload FROM outbox WHERE registration_id = $1 AND kind = 'swapped'`, p.reg.ID).Scan(&payload)
	if err != nil {
		t.Fatalf("read swapped mail: %v", err)
	}
	var m struct {
		Change struct{ Slot, From, To string } `json:"change"`
	}
	if err := json.Unmarshal(payload, &m); err != nil {
		t.Fatalf("decode swapped mail: %v", err)
	}
	if m.Change.Slot != "r1" || m.Change.From != "A1" || m.Change.To != "B1" {
		t.Errorf("swapped mail change: got %+v, want {r1 A1 B1}", m.Change)
	}
	dbtest.CheckInvariants(t, pool)
}

func TestSwapIntoEmptySlot(t *testing.T) {
	s, pool := setup(t, eventFile("ft"))
	p := mustRegister(t, s, "ft", "ana@example.org", "r1=A1")

	mustSwap(t, s, p, "r2", "B2")
	wantBookings(t, s, p, "r1=A1:confirmed r2=B2:confirmed")
	wantWorkshop(t, pool, "B2", 1, 0)
	wantOutbox(t, pool, p, "swapped", 1)
	dbtest.CheckInvariants(t, pool)
}

func TestSwapToFullWorkshopJoinsWaitingList(t *testing.T) {
	f := eventFile("ft")
	setCapacity(t, f, "B1", 1)
	s, pool := setup(t, f)
	mustRegister(t, s, "ft", "holder@example.org", "r1=B1")
	p := mustRegister(t, s, "ft", "ana@example.org", "r1=A1", "r2=B2")

	reg := mustSwap(t, s, p, "r1", "B1")
	want := "r1=A1:confirmed r1=B1:waitlisted#1 r2=B2:confirmed"
	if got := bookingsString(reg.Bookings); got != want {
		t.Errorf("returned bookings: got %q, want %q", got, want)
	}
	wantBookings(t, s, p, want)
	wantWorkshop(t, pool, "A1", 1, 0)
	wantWorkshop(t, pool, "B1", 1, 1)
	wantOutbox(t, pool, p, "swapped", 1)

	// Swapping to the same queue again changes nothing and mails nothing.
	mustSwap(t, s, p, "r1", "B1")
	wantBookings(t, s, p, want)
	wantOutbox(t, pool, p, "swapped", 1)
	// Swapping to the seat one already holds is a no-op as well.
	mustSwap(t, s, p, "r1", "A1")
	wantBookings(t, s, p, want)
	wantOutbox(t, pool, p, "swapped", 1)
	dbtest.CheckInvariants(t, pool)
}

func TestSwapRefused(t *testing.T) {
	f := eventFile("ft")
	f.Capacity = 1
	s, pool := setup(t, f)
	p := mustRegister(t, s, "ft", "ana@example.org", "r1=A1", "r2=B2")
	waiting := mustRegister(t, s, "ft", "wait@example.org", "r1=B1")
	cancelled := mustRegister(t, s, "ft", "gone@example.org")
	mustCancel(t, s, cancelled)

	tests := []struct {
		name      string
		who       participant
		slot, key string
		wantErr   error
		wantField string
		wantKey   string
	}{
		{"topic clash", p, "r2", "A2", nil, "workshop", "err.topic_twice"},
		{"unknown workshop", p, "r1", "Z1", nil, "workshop", "err.unknown_workshop"},
		{"workshop of another slot", p, "r1", "B2", nil, "workshop", "err.wrong_slot"},
		{"unknown slot", p, "r9", "A1", nil, "slot", "err.unknown_slot"},
		{"event waiting list", waiting, "r1", "A1", ErrNotConfirmed, "", ""},
		{"cancelled", cancelled, "r1", "A1", ErrCancelled, "", ""},
		{"unknown token", participant{token: "x"}, "r1", "A1", ErrNotFound, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := tableCounts(t, pool)
			_, err := s.Swap(context.Background(), tt.who.token, tt.slot, tt.key)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Errorf("Swap: got error %v, want %v", err, tt.wantErr)
				}
			} else {
				var v *ValidationError
				if !errors.As(err, &v) {
					t.Fatalf("Swap: got error %v, want a *ValidationError", err)
				}
				if got := v.Fields[tt.wantField].Key; got != tt.wantKey {
					t.Errorf("Fields[%q].Key: got %q (fields %v), want %q", tt.wantField, got, v.Fields, tt.wantKey)
				}
			}
			if after := tableCounts(t, pool); after != before {
				t.Errorf("database changed: got %s, want %s", after, before)
			}
		})
	}
	wantBookings(t, s, p, "r1=A1:confirmed r2=B2:confirmed")
	dbtest.CheckInvariants(t, pool)
}

func TestSwapClosedAfterRegistrationCloses(t *testing.T) {
	f := eventFile("ft")
	s, pool := setup(t, f)
	p := mustRegister(t, s, "ft", "ana@example.org", "r1=A1")
	f.Status = event.StatusClosed
	importEvent(t, pool, f)

	if _, err := s.Swap(context.Background(), p.token, "r1", "B1"); !errors.Is(err, ErrSwapClosed) {
		t.Errorf("Swap: got error %v, want ErrSwapClosed", err)
	}
	wantBookings(t, s, p, "r1=A1:confirmed")
}

func TestSwapFreedSeatPromotesFirstWaiting(t *testing.T) {
	f := eventFile("ft")
	setCapacity(t, f, "A1", 1)
	s, pool := setup(t, f)
	holder := mustRegister(t, s, "ft", "holder@example.org", "r1=A1")
	first := mustRegister(t, s, "ft", "first@example.org", "r1=A1", "r2=B2")
	second := mustRegister(t, s, "ft", "second@example.org", "r1=A1")

	mustSwap(t, s, holder, "r1", "B1")
	wantBookings(t, s, holder, "r1=B1:confirmed")
	wantBookings(t, s, first, "r1=A1:confirmed r2=B2:confirmed")
	wantBookings(t, s, second, "r1=A1:waitlisted#1")
	wantWorkshop(t, pool, "A1", 1, 1)
	wantWorkshop(t, pool, "B1", 1, 0)
	wantOutbox(t, pool, holder, "swapped", 1)
	wantOutbox(t, pool, holder, "promoted", 0)
	wantOutbox(t, pool, first, "promoted", 1)
	wantOutbox(t, pool, second, "promoted", 0)
	dbtest.CheckInvariants(t, pool)
}

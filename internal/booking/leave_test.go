package booking

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/fachtag/fachtag/internal/db/dbtest"
	"github.com/fachtag/fachtag/internal/mail"
)

func mustLeave(t testing.TB, s *Service, p participant, slot, key string) *Registration {
	t.Helper()
	reg, err := s.Leave(context.Background(), p.token, slot, key)
	if err != nil {
		t.Fatalf("Leave(%s, %s=%s): %v", p.reg.Email, slot, key, err)
	}
	return reg
}

// changeOf reads the change of the only mail of kind to p.
func changeOf(t testing.TB, pool *pgxpool.Pool, p participant, kind string) mail.Change {
	t.Helper()
	var payload []byte
	err := pool.QueryRow(context.Background(),
		`SELECT payload FROM outbox WHERE registration_id = $1 AND kind = $2`, p.reg.ID, kind).Scan(&payload)
	if err != nil {
		t.Fatalf("read %s mail: %v", kind, err)
	}
	var m mail.Message
	if err := json.Unmarshal(payload, &m); err != nil || m.Change == nil {
		t.Fatalf("decode %s mail: %v (change %v)", kind, err, m.Change)
	}
	return *m.Change
}

func TestLeaveWaitingListKeepsSeat(t *testing.T) {
	f := eventFile("ft")
	setCapacity(t, f, "B1", 1)
	s, pool := setup(t, f)
	holder := mustRegister(t, s, "ft", "holder@example.org", "r1=B1")
	p := mustRegister(t, s, "ft", "ana@example.org", "r1=A1")
	mustSwap(t, s, p, "r1", "B1")
	next := mustRegister(t, s, "ft", "next@example.org", "r1=B1")
	wantBookings(t, s, next, "r1=B1:waitlisted#2")

	mustLeave(t, s, p, "r1", "B1")
	wantBookings(t, s, p, "r1=A1:confirmed")
	wantBookings(t, s, next, "r1=B1:waitlisted#1")
	wantWorkshop(t, pool, "B1", 1, 1)
	wantOutbox(t, pool, p, "left", 1)
	if c := changeOf(t, pool, p, "left"); c.Slot != "r1" || c.From != "B1" || !c.Waitlisted {
		t.Errorf("left mail change = %+v, want r1, from B1, waitlisted", c)
	}
	wantOutbox(t, pool, holder, "promoted", 0)
	dbtest.CheckInvariants(t, pool)
}

func TestDropSeatPromotesNextInSameTransaction(t *testing.T) {
	f := eventFile("ft")
	setCapacity(t, f, "B1", 1)
	s, pool := setup(t, f)
	p := mustRegister(t, s, "ft", "ana@example.org", "r1=B1")
	first := mustRegister(t, s, "ft", "first@example.org", "r1=B1")
	second := mustRegister(t, s, "ft", "second@example.org", "r1=B1")

	reg := mustLeave(t, s, p, "r1", "")
	if len(reg.Bookings) != 0 {
		t.Errorf("returned bookings %q, want none", bookingsString(reg.Bookings))
	}
	wantStatus(t, s, p, "confirmed")
	wantBookings(t, s, first, "r1=B1:confirmed")
	wantBookings(t, s, second, "r1=B1:waitlisted#1")
	wantWorkshop(t, pool, "B1", 1, 1)
	wantOutbox(t, pool, p, "left", 1)
	wantOutbox(t, pool, first, "promoted", 1)
	wantOutbox(t, pool, second, "promoted", 0)
	if c := changeOf(t, pool, p, "left"); c.Waitlisted || c.From != "B1" {
		t.Errorf("left mail change = %+v, want a seat in B1", c)
	}
	dbtest.CheckInvariants(t, pool)
}

func TestLeaveRefused(t *testing.T) {
	f := eventFile("ft")
	f.Slots[1].Optional = false
	s, pool := setup(t, f)
	p := mustRegister(t, s, "ft", "ana@example.org", "r1=A1", "r2=B2")
	gone := mustRegister(t, s, "ft", "gone@example.org", "r2=B2")
	mustCancel(t, s, gone)

	tests := []struct {
		name       string
		who        participant
		slot, key  string
		wantErr    error
		field, msg string
	}{
		{"seat in a required slot", p, "r2", "B2", nil, "workshop", "err.slot_required"},
		{"nothing held", p, "r1", "B1", nil, "workshop", "err.nothing_to_leave"},
		{"unknown slot", p, "r9", "", nil, "slot", "err.unknown_slot"},
		{"cancelled", gone, "r2", "", ErrCancelled, "", ""},
		{"unknown link", participant{reg: p.reg, token: "nope"}, "r1", "", ErrNotFound, "", ""},
	}
	before := tableCounts(t, pool)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.Leave(context.Background(), tt.who.token, tt.slot, tt.key)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("got %v, want %v", err, tt.wantErr)
				}
				return
			}
			var v *ValidationError
			if !errors.As(err, &v) || v.Fields[tt.field].Key != tt.msg {
				t.Fatalf("got %v, want %s: %s", err, tt.field, tt.msg)
			}
		})
	}
	if after := tableCounts(t, pool); after != before {
		t.Errorf("refused leaves changed rows: %s → %s", before, after)
	}
}

func TestSwapToFullWorkshopMailsTheWaitingList(t *testing.T) {
	f := eventFile("ft")
	setCapacity(t, f, "B1", 1)
	s, pool := setup(t, f)
	mustRegister(t, s, "ft", "holder@example.org", "r1=B1")
	mustRegister(t, s, "ft", "first@example.org", "r1=B1")
	p := mustRegister(t, s, "ft", "ana@example.org", "r1=A1")
	mustSwap(t, s, p, "r1", "B1")
	c := changeOf(t, pool, p, "swapped")
	if !c.Waitlisted || c.Position != 2 || c.From != "A1" || c.To != "B1" {
		t.Errorf("swapped mail change = %+v, want A1 → B1 on the waiting list at position 2", c)
	}
	dbtest.CheckInvariants(t, pool)
}

func TestSwapWithoutWorkshopNamesTheField(t *testing.T) {
	s, _ := setup(t, eventFile("ft"))
	p := mustRegister(t, s, "ft", "ana@example.org", "r1=A1")
	_, err := s.Swap(context.Background(), p.token, "r1", "")
	var v *ValidationError
	if !errors.As(err, &v) || v.Fields["workshop"].Key != "err.choose_workshop" {
		t.Fatalf("Swap to \"\": got %v, want workshop: err.choose_workshop", err)
	}
}

func TestRequiredSlotNeedsAChoice(t *testing.T) {
	f := eventFile("ft")
	f.Slots[0].Optional = false
	s, pool := setup(t, f)
	_, _, err := s.Register(context.Background(), "ft", request("ana@example.org", "r2=B2"))
	var v *ValidationError
	if !errors.As(err, &v) || v.Fields["choices.r1"].Key != "err.choose_workshop" {
		t.Fatalf("Register without r1: got %v, want choices.r1: err.choose_workshop", err)
	}
	if _, ok := v.Fields["choices.r2"]; ok {
		t.Errorf("optional r2 complained about: %v", v)
	}
	if n := queryInt(t, pool, `SELECT count(*) FROM registrations`); n != 0 {
		t.Errorf("refused sign-up left %d registrations", n)
	}
	mustRegister(t, s, "ft", "ben@example.org", "r1=A1")
}

func TestRegisterByFormAnswersDuplicatesLikeNewSignUps(t *testing.T) {
	s, pool := setup(t, eventFile("ft"))
	p := mustRegister(t, s, "ft", "ana@example.org", "r1=A1")
	before := tableCounts(t, pool)

	reg, err := s.RegisterByForm(context.Background(), "ft", request("ANA@example.org", "r1=B1"))
	if err != nil || reg != nil {
		t.Fatalf("RegisterByForm(duplicate) = %v, %v; want nil, nil", reg, err)
	}
	wantBookings(t, s, p, "r1=A1:confirmed")
	wantOutbox(t, pool, p, "already", 1)
	// A second try within minutes mails nothing more.
	if _, err := s.RegisterByForm(context.Background(), "ft", request("ana@example.org")); err != nil {
		t.Fatalf("RegisterByForm again: %v", err)
	}
	wantOutbox(t, pool, p, "already", 1)
	if n := queryInt(t, pool, `SELECT count(*) FROM registrations`); n != 1 {
		t.Errorf("registrations = %d, want 1 (%s before)", n, before)
	}

	reg, err = s.RegisterByForm(context.Background(), "ft", request("ben@example.org", "r1=B1"))
	if err != nil || reg == nil || reg.Status != "confirmed" {
		t.Fatalf("RegisterByForm(new) = %+v, %v; want a confirmed registration", reg, err)
	}
	dbtest.CheckInvariants(t, pool)
}

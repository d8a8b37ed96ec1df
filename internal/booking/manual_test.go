package booking

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/fachtag/fachtag/internal/db/dbtest"
	"github.com/fachtag/fachtag/internal/registration"
)

var byHand = Manual{UserID: 0, Actor: "test", Reason: "am Telefon gebeten"}

func eventID(t testing.TB, pool *pgxpool.Pool, slug string) int64 {
	t.Helper()
	return int64(queryInt(t, pool, `SELECT id::int FROM events WHERE slug = $1`, slug))
}

func auditCount(t testing.TB, pool *pgxpool.Pool, action, regID string) int {
	t.Helper()
	return queryInt(t, pool, `SELECT count(*) FROM audit_log WHERE action = $1 AND detail ->> 'registration_id' = $2`, action, regID)
}

func wantField(t *testing.T, err error, field string) {
	t.Helper()
	var v *ValidationError
	if !errors.As(err, &v) || v.Fields[field].Key == "" {
		t.Fatalf("got %v, want a validation error on %q", err, field)
	}
}

// TestManualReasonRequired: every manual action without a reason is
// refused and changes nothing.
func TestManualReasonRequired(t *testing.T) {
	f := eventFile("hand")
	s, pool := setup(t, f)
	id := eventID(t, pool, "hand")
	p := mustRegister(t, s, "hand", "anna@example.org", "r1=A1")
	before := tableCounts(t, pool)
	noReason := Manual{Reason: "  "}
	_, err := s.RegisterByHand(context.Background(), id, request("neu@example.org", "r1=B1"), noReason)
	wantField(t, err, "reason")
	_, err = s.MoveByHand(context.Background(), id, p.reg.ID, "r1", "B1", noReason)
	wantField(t, err, "reason")
	_, err = s.CancelByHand(context.Background(), id, p.reg.ID, noReason)
	wantField(t, err, "reason")
	wantField(t, s.ResendByHand(context.Background(), id, p.reg.ID, noReason), "reason")
	if after := tableCounts(t, pool); after != before {
		t.Errorf("refused actions changed rows: %s, want %s", after, before)
	}
	if n := queryInt(t, pool, `SELECT count(*) FROM audit_log`); n != 0 {
		t.Errorf("audit rows after refused actions: got %d, want 0", n)
	}
}

// TestMoveByHand covers a move into a free seat (the old seat goes to the
// waiting list), a refused move into a full workshop, and the override that
// raises capacity and says so in the audit log.
func TestMoveByHand(t *testing.T) {
	f := eventFile("move")
	setCapacity(t, f, "A1", 1)
	setCapacity(t, f, "B1", 1)
	s, pool := setup(t, f)
	id := eventID(t, pool, "move")
	anna := mustRegister(t, s, "move", "anna@example.org", "r1=A1")
	ben := mustRegister(t, s, "move", "ben@example.org", "r1=B1")
	cleo := mustRegister(t, s, "move", "cleo@example.org", "r1=A1") // waits for A1

	// B1 is full: without override the move is refused and nothing changes.
	before := tableCounts(t, pool)
	if _, err := s.MoveByHand(context.Background(), id, anna.reg.ID, "r1", "B1", byHand); !errors.Is(err, ErrFull) {
		t.Fatalf("move into full B1: got %v, want ErrFull", err)
	}
	if after := tableCounts(t, pool); after != before {
		t.Errorf("refused move changed rows: %s, want %s", after, before)
	}

	// With override: B1 grows to 2, Anna's A1 seat goes to Cleo.
	m := byHand
	m.Override = true
	if _, err := s.MoveByHand(context.Background(), id, anna.reg.ID, "r1", "B1", m); err != nil {
		t.Fatalf("move with override: %v", err)
	}
	wantBookings(t, s, anna, "r1=B1:confirmed")
	wantBookings(t, s, cleo, "r1=A1:confirmed")
	wantBookings(t, s, ben, "r1=B1:confirmed")
	if c := queryInt(t, pool, `SELECT capacity FROM workshops WHERE key = 'B1'`); c != 2 {
		t.Errorf("B1 capacity after override: got %d, want 2", c)
	}
	wantOutbox(t, pool, anna, "swapped", 1)
	wantOutbox(t, pool, cleo, "promoted", 1)
	if n := auditCount(t, pool, "registration.move", anna.reg.ID); n != 1 {
		t.Fatalf("move audit rows: got %d, want 1", n)
	}
	var raised string
	err := pool.QueryRow(context.Background(), `SELECT detail::text FROM audit_log WHERE action = 'registration.move'`).Scan(&raised)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"override": true`, `"raised": [{"to": 2, "from": 1, "what": "B1"}]`, `"reason": "am Telefon gebeten"`} {
		if !strings.Contains(raised, want) {
			t.Errorf("audit detail %s lacks %s", raised, want)
		}
	}
	// The mail to Anna carries a fresh personal link that works.
	if n := queryInt(t, pool, `SELECT count(*) FROM tokens WHERE registration_id = $1`, anna.reg.ID); n != 2 {
		t.Errorf("tokens of Anna: got %d, want 2 (old and fresh)", n)
	}
	dbtest.CheckInvariants(t, pool)
}

// TestMoveByHandRules: another event's registration is not found, topic
// rules hold even with override, and cancelled people cannot be moved.
func TestMoveByHandRules(t *testing.T) {
	f := eventFile("rules")
	s, pool := setup(t, f)
	importEvent(t, pool, eventFile("other"))
	id, other := eventID(t, pool, "rules"), eventID(t, pool, "other")
	p := mustRegister(t, s, "rules", "anna@example.org", "r1=A1", "r2=B2")
	m := byHand
	m.Override = true
	if _, err := s.MoveByHand(context.Background(), other, p.reg.ID, "r1", "B1", m); !errors.Is(err, ErrNotFound) {
		t.Errorf("move through another event: got %v, want ErrNotFound", err)
	}
	if _, err := s.MoveByHand(context.Background(), id, "not-a-uuid", "r1", "B1", m); !errors.Is(err, ErrNotFound) {
		t.Errorf("move of a malformed id: got %v, want ErrNotFound", err)
	}
	_, err := s.MoveByHand(context.Background(), id, p.reg.ID, "r2", "A2", m)
	wantField(t, err, "workshop") // A1 and A2 share topic A
	_, err = s.MoveByHand(context.Background(), id, p.reg.ID, "r1", "A1", m)
	wantField(t, err, "workshop") // already there
	if _, err := s.CancelByHand(context.Background(), id, p.reg.ID, byHand); err != nil {
		t.Fatal(err)
	}
	if _, err := s.MoveByHand(context.Background(), id, p.reg.ID, "r1", "B1", m); !errors.Is(err, ErrCancelled) {
		t.Errorf("move of a cancelled registration: got %v, want ErrCancelled", err)
	}
	dbtest.CheckInvariants(t, pool)
}

// TestCancelByHandPromotes: the organiser's cancel works after the event
// started, promotes the waiting list and is logged.
func TestCancelByHandPromotes(t *testing.T) {
	f := eventFile("cancel")
	setCapacity(t, f, "A1", 1)
	s, pool := setup(t, f)
	id := eventID(t, pool, "cancel")
	anna := mustRegister(t, s, "cancel", "anna@example.org", "r1=A1")
	ben := mustRegister(t, s, "cancel", "ben@example.org", "r1=A1")
	s.now = func() time.Time { return time.Now().AddDate(0, 2, 0) } // after the event
	reg, err := s.CancelByHand(context.Background(), id, anna.reg.ID, byHand)
	if err != nil || reg.Status != registration.Cancelled {
		t.Fatalf("CancelByHand: %v, %v; want cancelled", reg, err)
	}
	wantBookings(t, s, ben, "r1=A1:confirmed")
	wantOutbox(t, pool, anna, "cancelled", 1)
	wantOutbox(t, pool, ben, "promoted", 1)
	if n := auditCount(t, pool, "registration.cancel", anna.reg.ID); n != 1 {
		t.Errorf("cancel audit rows: got %d, want 1", n)
	}
	if _, err := s.CancelByHand(context.Background(), id, anna.reg.ID, byHand); !errors.Is(err, ErrCancelled) {
		t.Errorf("second cancel: got %v, want ErrCancelled", err)
	}
	dbtest.CheckInvariants(t, pool)
}

// TestRegisterByHand: outside the window, full workshop → waiting list
// without override, raised capacity with it; full event likewise.
func TestRegisterByHand(t *testing.T) {
	f := eventFile("reg")
	setCapacity(t, f, "A1", 1)
	f.Capacity = 2
	closed := time.Now().Add(-time.Minute)
	f.Registration.ClosesAt = &closed
	s, pool := setup(t, f)
	id := eventID(t, pool, "reg")
	if _, _, err := s.Register(context.Background(), "reg", request("x@example.org")); !errors.Is(err, ErrClosed) {
		t.Fatalf("public sign-up after closing: got %v, want ErrClosed", err)
	}
	first, err := s.RegisterByHand(context.Background(), id, request("anna@example.org", "r1=A1"), byHand)
	if err != nil || first.Status != registration.Confirmed || bookingsString(first.Bookings) != "r1=A1:confirmed" {
		t.Fatalf("first by hand: %+v, %v", first, err)
	}
	second, err := s.RegisterByHand(context.Background(), id, request("ben@example.org", "r1=A1"), byHand)
	if err != nil || bookingsString(second.Bookings) != "r1=A1:waitlisted#1" {
		t.Fatalf("second by hand (A1 full): %+v, %v; want waiting for A1", second, err)
	}
	m := byHand
	m.Override = true
	third, err := s.RegisterByHand(context.Background(), id, request("cleo@example.org", "r1=A1"), m)
	if err != nil || third.Status != registration.Confirmed || bookingsString(third.Bookings) != "r1=A1:confirmed" {
		t.Fatalf("third with override: %+v, %v", third, err)
	}
	if got := queryInt(t, pool, `SELECT capacity FROM events WHERE id = $1`, id); got != 3 {
		t.Errorf("event capacity after override: got %d, want 3", got)
	}
	if got := queryInt(t, pool, `SELECT capacity FROM workshops WHERE key = 'A1'`); got != 2 {
		t.Errorf("A1 capacity after override: got %d, want 2", got)
	}
	fourth, err := s.RegisterByHand(context.Background(), id, request("dora@example.org", "r1=B1"), byHand)
	if err != nil || fourth.Status != registration.Waitlisted || len(fourth.Bookings) != 0 {
		t.Fatalf("fourth (event full): %+v, %v; want waitlisted", fourth, err)
	}
	if _, err := s.RegisterByHand(context.Background(), id, request("ANNA@example.org"), byHand); !errors.Is(err, ErrDuplicate) {
		t.Errorf("duplicate e-mail: got %v, want ErrDuplicate", err)
	}
	if n := queryInt(t, pool, `SELECT count(*) FROM audit_log WHERE action = 'registration.create'`); n != 4 {
		t.Errorf("create audit rows: got %d, want 4", n)
	}
	dbtest.CheckInvariants(t, pool)
}

// TestResendByHand queues one link mail with a fresh token.
func TestResendByHand(t *testing.T) {
	s, pool := setup(t, eventFile("resend"))
	id := eventID(t, pool, "resend")
	p := mustRegister(t, s, "resend", "anna@example.org", "r1=A1")
	if err := s.ResendByHand(context.Background(), id, p.reg.ID, byHand); err != nil {
		t.Fatal(err)
	}
	wantOutbox(t, pool, p, "link", 1)
	if n := queryInt(t, pool, `SELECT count(*) FROM tokens WHERE registration_id = $1`, p.reg.ID); n != 2 {
		t.Errorf("tokens: got %d, want 2", n)
	}
	if n := auditCount(t, pool, "registration.resend", p.reg.ID); n != 1 {
		t.Errorf("resend audit rows: got %d, want 1", n)
	}
}

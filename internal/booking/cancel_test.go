package booking

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"strings"
	"testing"

	"github.com/fachtag/fachtag/internal/db/dbtest"
	"github.com/fachtag/fachtag/internal/registration"
)

func TestCancelPromotesFIFO(t *testing.T) {
	f := eventFile("ft")
	setCapacity(t, f, "A1", 2)
	s, pool := setup(t, f)
	h1 := mustRegister(t, s, "ft", "h1@example.org", "r1=A1", "r2=B2")
	h2 := mustRegister(t, s, "ft", "h2@example.org", "r1=A1")
	w1 := mustRegister(t, s, "ft", "w1@example.org", "r1=A1")
	w2 := mustRegister(t, s, "ft", "w2@example.org", "r1=A1")
	w3 := mustRegister(t, s, "ft", "w3@example.org", "r1=A1")
	wantBookings(t, s, w3, "r1=A1:waitlisted#3")

	reg := mustCancel(t, s, h1)
	if reg.Status != registration.Cancelled || len(reg.Bookings) != 0 {
		t.Errorf("Cancel returned status=%q bookings=%q, want cancelled without bookings",
			reg.Status, bookingsString(reg.Bookings))
	}
	wantStatus(t, s, h1, registration.Cancelled)
	wantBookings(t, s, h1, "")
	wantBookings(t, s, w1, "r1=A1:confirmed")
	wantBookings(t, s, w2, "r1=A1:waitlisted#1")
	wantBookings(t, s, w3, "r1=A1:waitlisted#2")
	wantWorkshop(t, pool, "A1", 2, 2)
	wantWorkshop(t, pool, "B2", 0, 0)
	if got := queryInt(t, pool, `SELECT taken FROM event_seats`); got != 4 {
		t.Errorf("event_seats.taken: got %d, want 4", got)
	}

	mustCancel(t, s, h2)
	wantBookings(t, s, w2, "r1=A1:confirmed")
	wantBookings(t, s, w3, "r1=A1:waitlisted#1")
	wantWorkshop(t, pool, "A1", 2, 1)

	for _, c := range []struct {
		p    participant
		kind string
		want int
	}{
		{h1, "cancelled", 1}, {h2, "cancelled", 1}, {w1, "promoted", 1}, {w2, "promoted", 1},
		{w3, "promoted", 0}, {h1, "promoted", 0}, {w1, "cancelled", 0},
	} {
		wantOutbox(t, pool, c.p, c.kind, c.want)
	}
	dbtest.CheckInvariants(t, pool)
}

func TestCancelCascade(t *testing.T) {
	// A1, B1, C1 have one seat each. Cancelling A1's holder moves Q from B1
	// to A1, which frees B1 for R (who leaves C1), which frees C1 for S.
	f := eventFile("ft")
	setCapacity(t, f, "A1", 1)
	setCapacity(t, f, "B1", 1)
	addWorkshop(f, "C1", "r1", 1, "")
	s, pool := setup(t, f)
	p := mustRegister(t, s, "ft", "p@example.org", "r1=A1")
	q := mustRegister(t, s, "ft", "q@example.org", "r1=B1")
	r := mustRegister(t, s, "ft", "r@example.org", "r1=C1")
	mustSwap(t, s, q, "r1", "A1")
	mustSwap(t, s, r, "r1", "B1")
	s1 := mustRegister(t, s, "ft", "s@example.org", "r1=C1", "r2=B2")
	wantBookings(t, s, q, "r1=B1:confirmed r1=A1:waitlisted#1")
	wantBookings(t, s, s1, "r1=C1:waitlisted#1 r2=B2:confirmed")

	mustCancel(t, s, p)
	wantBookings(t, s, q, "r1=A1:confirmed")
	wantBookings(t, s, r, "r1=B1:confirmed")
	wantBookings(t, s, s1, "r1=C1:confirmed r2=B2:confirmed")
	for _, key := range []string{"A1", "B1", "C1"} {
		wantWorkshop(t, pool, key, 1, 0)
	}
	for _, who := range []participant{q, r, s1} {
		wantOutbox(t, pool, who, "promoted", 1)
	}
	wantOutbox(t, pool, p, "promoted", 0)
	dbtest.CheckInvariants(t, pool)
}

func TestCancelPromotesOnePersonInTwoSlotsWithOneMail(t *testing.T) {
	f := eventFile("ft")
	setCapacity(t, f, "A1", 1)
	setCapacity(t, f, "B2", 1)
	addWorkshop(f, "C2", "r2", 10, "")
	s, pool := setup(t, f)
	p := mustRegister(t, s, "ft", "p@example.org", "r1=A1", "r2=B2")
	q := mustRegister(t, s, "ft", "q@example.org", "r1=B1", "r2=C2")
	mustSwap(t, s, q, "r1", "A1")
	mustSwap(t, s, q, "r2", "B2")
	wantBookings(t, s, q, "r1=B1:confirmed r1=A1:waitlisted#1 r2=C2:confirmed r2=B2:waitlisted#1")

	mustCancel(t, s, p)
	wantBookings(t, s, q, "r1=A1:confirmed r2=B2:confirmed")
	wantOutbox(t, pool, q, "promoted", 1)
	dbtest.CheckInvariants(t, pool)
}

func TestPromotionSkipsTopicClashWithoutRemoving(t *testing.T) {
	// Y waits for A1 while holding A2 (same topic) in r2, so the freed A1
	// seat goes to W, who waits behind Y; Y keeps the queue place.
	f := eventFile("ft")
	setCapacity(t, f, "A1", 1)
	setCapacity(t, f, "A2", 1)
	s, pool := setup(t, f)
	p := mustRegister(t, s, "ft", "p@example.org", "r1=A1")
	z := mustRegister(t, s, "ft", "z@example.org", "r2=A2")
	y := mustRegister(t, s, "ft", "y@example.org", "r1=B1", "r2=B2")
	mustSwap(t, s, y, "r2", "A2")
	mustSwap(t, s, y, "r1", "A1")
	w := mustRegister(t, s, "ft", "w@example.org", "r1=B1")
	mustSwap(t, s, w, "r1", "A1")

	mustCancel(t, s, z)
	wantBookings(t, s, y, "r1=B1:confirmed r1=A1:waitlisted#1 r2=A2:confirmed")

	mustCancel(t, s, p)
	wantBookings(t, s, y, "r1=B1:confirmed r1=A1:waitlisted#1 r2=A2:confirmed")
	wantBookings(t, s, w, "r1=A1:confirmed")
	wantWorkshop(t, pool, "A1", 1, 1)
	wantOutbox(t, pool, y, "promoted", 1) // for A2 only
	wantOutbox(t, pool, w, "promoted", 1)
	dbtest.CheckInvariants(t, pool)
}

func TestSwapAwayClashPromotesSkippedWaiter(t *testing.T) {
	// Like above, but nobody else waits for A1, so its freed seat stays
	// empty while Y (skipped: holds A2) waits. When Y then gives up A2, Y is
	// eligible and the free A1 seat must go to Y.
	f := eventFile("ft")
	setCapacity(t, f, "A1", 1)
	setCapacity(t, f, "A2", 1)
	s, pool := setup(t, f)
	p := mustRegister(t, s, "ft", "p@example.org", "r1=A1")
	z := mustRegister(t, s, "ft", "z@example.org", "r2=A2")
	y := mustRegister(t, s, "ft", "y@example.org", "r1=B1", "r2=B2")
	mustSwap(t, s, y, "r2", "A2")
	mustSwap(t, s, y, "r1", "A1")
	mustCancel(t, s, z) // Y gets A2
	mustCancel(t, s, p) // A1 free, Y skipped
	wantWorkshop(t, pool, "A1", 0, 1)

	mustSwap(t, s, y, "r2", "B2")
	wantBookings(t, s, y, "r1=A1:confirmed r2=B2:confirmed")
	dbtest.CheckInvariants(t, pool)
}

func TestCancelPromotesEventWaitingList(t *testing.T) {
	f := eventFile("ft")
	f.Capacity = 2
	setCapacity(t, f, "B1", 1)
	s, pool := setup(t, f)
	p := mustRegister(t, s, "ft", "p@example.org", "r1=A1")
	mustRegister(t, s, "ft", "q@example.org", "r1=B1")
	e1 := mustRegister(t, s, "ft", "e1@example.org", "r1=A1", "r2=B2")
	e2 := mustRegister(t, s, "ft", "e2@example.org", "r1=B1")
	e3 := mustRegister(t, s, "ft", "e3@example.org", "r1=B1")

	mustCancel(t, s, p)
	got := mustGet(t, s, e1)
	if got.Status != registration.Confirmed || bookingsString(got.Bookings) != "r1=A1:confirmed r2=B2:confirmed" {
		t.Errorf("e1 after cancel: got status=%s bookings=%q, want confirmed with r1=A1 r2=B2 confirmed",
			got.Status, bookingsString(got.Bookings))
	}
	for i, who := range []participant{e2, e3} {
		got := mustGet(t, s, who)
		if got.Status != registration.Waitlisted || got.WaitlistPosition != i+1 {
			t.Errorf("%s: got status=%s position=%d, want waitlisted position %d",
				who.reg.Email, got.Status, got.WaitlistPosition, i+1)
		}
	}
	wantOutbox(t, pool, e1, "promoted", 1)
	wantOutbox(t, pool, e2, "promoted", 0)
	if got := queryInt(t, pool, `SELECT taken FROM event_seats`); got != 2 {
		t.Errorf("event_seats.taken: got %d, want 2", got)
	}

	// e2's workshop B1 is full when the event admits them: they get the
	// event seat and a place on B1's waiting list.
	mustCancel(t, s, e1)
	got = mustGet(t, s, e2)
	if got.Status != registration.Confirmed || bookingsString(got.Bookings) != "r1=B1:waitlisted#1" {
		t.Errorf("e2 after cancel: got status=%s bookings=%q, want confirmed with r1=B1:waitlisted#1",
			got.Status, bookingsString(got.Bookings))
	}
	wantOutbox(t, pool, e2, "promoted", 1)
	dbtest.CheckInvariants(t, pool)
}

func TestCancelTwiceMailsOnce(t *testing.T) {
	s, pool := setup(t, eventFile("ft"))
	p := mustRegister(t, s, "ft", "ana@example.org", "r1=A1")
	for i := 0; i < 2; i++ {
		reg := mustCancel(t, s, p)
		if reg.Status != registration.Cancelled {
			t.Errorf("Cancel #%d: got status %q, want %q", i+1, reg.Status, registration.Cancelled)
		}
	}
	wantOutbox(t, pool, p, "cancelled", 1)
	wantWorkshop(t, pool, "A1", 0, 0)
	if got := queryInt(t, pool, `SELECT taken FROM event_seats`); got != 0 {
		t.Errorf("event_seats.taken: got %d, want 0", got)
	}
	dbtest.CheckInvariants(t, pool)
}

func TestCancelWaitlistedRegistration(t *testing.T) {
	f := eventFile("ft")
	f.Capacity = 1
	s, pool := setup(t, f)
	mustRegister(t, s, "ft", "a@example.org", "r1=A1")
	w1 := mustRegister(t, s, "ft", "w1@example.org", "r1=A1")
	w2 := mustRegister(t, s, "ft", "w2@example.org", "r1=A1")

	mustCancel(t, s, w1)
	if got := mustGet(t, s, w2); got.WaitlistPosition != 1 {
		t.Errorf("w2 event position: got %d, want 1", got.WaitlistPosition)
	}
	if got := queryInt(t, pool, `SELECT taken FROM event_seats`); got != 1 {
		t.Errorf("event_seats.taken: got %d, want 1", got)
	}
	wantOutbox(t, pool, w1, "cancelled", 1)
	dbtest.CheckInvariants(t, pool)
}

func TestTokens(t *testing.T) {
	s, pool := setup(t, eventFile("ft"))
	p := mustRegister(t, s, "ft", "ana@example.org", "r1=A1")
	ctx := context.Background()

	garbled := []byte(p.token)
	garbled[10] ^= 1
	for _, tok := range []string{"", "x", p.token + "A", p.token[:42], string(garbled),
		strings.Repeat("A", 43), "' OR 1=1 --"} {
		if _, err := s.Get(ctx, tok); !errors.Is(err, ErrNotFound) {
			t.Errorf("Get(%q): got error %v, want ErrNotFound", tok, err)
		}
		if _, err := s.Cancel(ctx, tok); !errors.Is(err, ErrNotFound) {
			t.Errorf("Cancel(%q): got error %v, want ErrNotFound", tok, err)
		}
	}
	if got := mustGet(t, s, p); got.ID != p.reg.ID {
		t.Errorf("Get(token).ID: got %s, want %s", got.ID, p.reg.ID)
	}

	var hashes [][]byte
	rows, _ := pool.Query(ctx, `SELECT hash FROM tokens WHERE registration_id = $1`, p.reg.ID)
	for rows.Next() {
		var h []byte
		if err := rows.Scan(&h); err != nil {
			t.Fatal(err)
		}
		hashes = append(hashes, h)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	want := sha256.Sum256([]byte(p.token))
	if len(hashes) != 1 || len(hashes[0]) != 32 || !bytes.Equal(hashes[0], want[:]) {
		t.Errorf("tokens.hash: got %x, want exactly one 32-byte sha256 %x", hashes, want)
	}

	// The raw token appears in no table but the pending mail that carries
	// the link (by design, see mail.Message.Token).
	for _, table := range []string{"registrations", "bookings", "tokens", "events", "workshops", "idempotency_keys"} {
		n := queryInt(t, pool, `SELECT count(*) FROM `+table+` x WHERE x::text LIKE '%' || $1 || '%'`, p.token)
		if n != 0 {
			t.Errorf("raw token found in %d rows of %s", n, table)
		}
	}
	n := queryInt(t, pool, `SELECT count(*) FROM outbox x WHERE x::text LIKE '%' || $1 || '%' AND status = 'pending'`, p.token)
	if n != 1 {
		t.Errorf("pending mails carrying the token: got %d, want 1", n)
	}
}

func TestResendLink(t *testing.T) {
	s, pool := setup(t, eventFile("ft"))
	p := mustRegister(t, s, "ft", "ana@example.org", "r1=A1")
	ctx := context.Background()

	before := tableCounts(t, pool)
	if err := s.ResendLink(ctx, "ft", "nobody@example.org"); err != nil {
		t.Errorf("ResendLink(unknown address): got %v, want nil", err)
	}
	if after := tableCounts(t, pool); after != before {
		t.Errorf("ResendLink(unknown address) changed the database: got %s, want %s", after, before)
	}
	if err := s.ResendLink(ctx, "nope", "ana@example.org"); !errors.Is(err, ErrNotFound) {
		t.Errorf("ResendLink(unknown event): got %v, want ErrNotFound", err)
	}
	if err := s.ResendLink(ctx, "ft", " ANA@example.org "); err != nil {
		t.Fatalf("ResendLink: %v", err)
	}
	wantOutbox(t, pool, p, "link", 1)
	if got := queryInt(t, pool, `SELECT count(*) FROM tokens WHERE registration_id = $1`, p.reg.ID); got != 2 {
		t.Errorf("tokens of the registration: got %d, want 2", got)
	}
	mustGet(t, s, p) // the old link keeps working
}

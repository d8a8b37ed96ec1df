package booking

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/fachtag/fachtag/internal/db/dbtest"
	"github.com/fachtag/fachtag/internal/event"
	"github.com/fachtag/fachtag/internal/registration"
)

// The tests run against a real PostgreSQL (dbtest.New gives every test its
// own freshly migrated database) and check the outcome in the tables, not
// only in the returned values.

// eventFile returns a small open first_come event: capacity 100, slots r1
// and r2, workshops A1, B1 (r1) and A2, B2 (r2) with capacity 10 each, A1
// and A2 sharing topic "A". Registration opened an hour ago and closes the
// day before the event, which is a month away.
func eventFile(slug string) *event.File {
	start := time.Now().UTC().Add(30 * 24 * time.Hour).Truncate(24 * time.Hour).Add(8 * time.Hour)
	opens := time.Now().Add(-time.Hour)
	closes := start.Add(-24 * time.Hour)
	at := func(h int) time.Time { return start.Add(time.Duration(h) * time.Hour) }
	f := &event.File{
		Slug:     slug,
		Title:    "Fachtag " + slug,
		Timezone: "Europe/Berlin",
		StartsAt: start,
		EndsAt:   at(9),
		Capacity: 100,
		Registration: event.Registration{Mode: event.ModeFirstCome, OpensAt: &opens, ClosesAt: &closes,
			MaxPreferences: 3},
		// Optional: the rules under test book one slot and leave the other.
		Slots: []event.SlotFile{
			{Key: "r1", Title: "Runde 1", StartsAt: at(2), EndsAt: at(4), Optional: true},
			{Key: "r2", Title: "Runde 2", StartsAt: at(5), EndsAt: at(7), Optional: true},
		},
		Status: event.StatusOpen,
	}
	addWorkshop(f, "A1", "r1", 10, "A")
	addWorkshop(f, "B1", "r1", 10, "")
	addWorkshop(f, "A2", "r2", 10, "A")
	addWorkshop(f, "B2", "r2", 10, "")
	return f
}

func addWorkshop(f *event.File, key, slot string, capacity int, topic string) {
	f.Workshops = append(f.Workshops, event.WSFile{Key: key, Slot: slot, Title: "Workshop " + key,
		Capacity: capacity, Topic: topic})
}

// setCapacity changes the capacity of workshop key in f.
func setCapacity(t testing.TB, f *event.File, key string, capacity int) {
	t.Helper()
	for i := range f.Workshops {
		if f.Workshops[i].Key == key {
			f.Workshops[i].Capacity = capacity
			return
		}
	}
	t.Fatalf("event file has no workshop %q", key)
}

// setup imports f into a fresh database and returns a Service on it whose
// gates let every sign-up in at once: the gate saves the database work, it
// must not be what keeps the invariants.
func setup(t testing.TB, f *event.File) (*Service, *pgxpool.Pool) {
	t.Helper()
	pool, _ := dbtest.New(t)
	importEvent(t, pool, f)
	return NewWithConcurrency(pool, 64), pool
}

func importEvent(t testing.TB, pool *pgxpool.Pool, f *event.File) {
	t.Helper()
	data, err := json.Marshal(f)
	if err != nil {
		t.Fatalf("encode event file: %v", err)
	}
	parsed, err := event.ParseFile(data) // applies the defaults (topic = key, …)
	if err != nil {
		t.Fatalf("ParseFile: %v", err)
	}
	if _, err := ImportEvent(context.Background(), pool, parsed); err != nil {
		t.Fatalf("Import %s: %v", f.Slug, err)
	}
}

// request builds a valid sign-up; choices are "slot=workshop" pairs.
func request(email string, choices ...string) Request {
	r := Request{Name: "Person " + strings.Split(email, "@")[0], Email: email,
		Organisation: "Jobcenter", Consents: Consents{Privacy: true}, Choices: map[string]string{}}
	for _, c := range choices {
		slot, key, ok := strings.Cut(c, "=")
		if !ok {
			panic("choice must be slot=workshop: " + c)
		}
		r.Choices[slot] = key
	}
	return r
}

// participant is a registration made through the Service in a test.
type participant struct {
	reg   *Registration
	token string
}

// mustRegister registers and fails the test on any error.
func mustRegister(t testing.TB, s *Service, slug, email string, choices ...string) participant {
	t.Helper()
	reg, token, err := s.Register(context.Background(), slug, request(email, choices...))
	if err != nil {
		t.Fatalf("Register(%s, %v): %v", email, choices, err)
	}
	return participant{reg: reg, token: token}
}

func mustSwap(t testing.TB, s *Service, p participant, slot, key string) *Registration {
	t.Helper()
	reg, err := s.Swap(context.Background(), p.token, slot, key)
	if err != nil {
		t.Fatalf("Swap(%s, %s=%s): %v", p.reg.Email, slot, key, err)
	}
	return reg
}

func mustCancel(t testing.TB, s *Service, p participant) *Registration {
	t.Helper()
	reg, err := s.Cancel(context.Background(), p.token)
	if err != nil {
		t.Fatalf("Cancel(%s): %v", p.reg.Email, err)
	}
	return reg
}

func mustGet(t testing.TB, s *Service, p participant) *Registration {
	t.Helper()
	reg, err := s.Get(context.Background(), p.token)
	if err != nil {
		t.Fatalf("Get(%s): %v", p.reg.Email, err)
	}
	return reg
}

// bookingsString renders bookings compactly, e.g. "r1=A1:confirmed r2=B2:waitlisted#1".
func bookingsString(bs []Booking) string {
	parts := make([]string, len(bs))
	for i, b := range bs {
		parts[i] = fmt.Sprintf("%s=%s:%s", b.Slot, b.Workshop, b.Status)
		if b.WaitlistPosition > 0 {
			parts[i] += fmt.Sprintf("#%d", b.WaitlistPosition)
		}
	}
	return strings.Join(parts, " ")
}

// wantBookings compares the current bookings of p with want.
func wantBookings(t testing.TB, s *Service, p participant, want string) {
	t.Helper()
	if got := bookingsString(mustGet(t, s, p).Bookings); got != want {
		t.Errorf("bookings of %s: got %q, want %q", p.reg.Email, got, want)
	}
}

func wantStatus(t testing.TB, s *Service, p participant, want registration.Status) {
	t.Helper()
	if got := mustGet(t, s, p).Status; got != want {
		t.Errorf("status of %s: got %q, want %q", p.reg.Email, got, want)
	}
}

func queryInt(t testing.TB, pool *pgxpool.Pool, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

// workshopCounts returns the taken counter and the confirmed and waitlisted
// bookings of a workshop.
func workshopCounts(t testing.TB, pool *pgxpool.Pool, key string) (taken, confirmed, waitlisted int) {
	t.Helper()
	err := pool.QueryRow(context.Background(), `
SELECT w.taken,
       (SELECT count(*) FROM bookings b WHERE b.workshop_id = w.id AND b.status = 'confirmed'),
       (SELECT count(*) FROM bookings b WHERE b.workshop_id = w.id AND b.status = 'waitlisted')
FROM workshops w WHERE w.key = $1`, key).Scan(&taken, &confirmed, &waitlisted)
	if err != nil {
		t.Fatalf("workshop %s: %v", key, err)
	}
	return taken, confirmed, waitlisted
}

func wantWorkshop(t testing.TB, pool *pgxpool.Pool, key string, wantTaken, wantWaiting int) {
	t.Helper()
	taken, confirmed, waiting := workshopCounts(t, pool, key)
	if taken != wantTaken || confirmed != wantTaken || waiting != wantWaiting {
		t.Errorf("workshop %s: got taken=%d confirmed=%d waitlisted=%d, want taken=confirmed=%d waitlisted=%d",
			key, taken, confirmed, waiting, wantTaken, wantWaiting)
	}
}

// outboxCount counts the outbox rows of one kind for a registration.
func outboxCount(t testing.TB, pool *pgxpool.Pool, regID, kind string) int {
	t.Helper()
	return queryInt(t, pool, `SELECT count(*) FROM outbox WHERE registration_id = $1 AND kind = $2`, regID, kind)
}

func wantOutbox(t testing.TB, pool *pgxpool.Pool, p participant, kind string, want int) {
	t.Helper()
	if got := outboxCount(t, pool, p.reg.ID, kind); got != want {
		t.Errorf("%s outbox rows of %s: got %d, want %d", kind, p.reg.Email, got, want)
	}
}

// tableCounts snapshots the row counts and seat counters that a refused
// request must leave alone.
func tableCounts(t testing.TB, pool *pgxpool.Pool) string {
	t.Helper()
	var sb strings.Builder
	for _, q := range []string{
		`SELECT count(*) FROM registrations`, `SELECT count(*) FROM bookings`,
		`SELECT count(*) FROM outbox`, `SELECT count(*) FROM tokens`,
		`SELECT coalesce(sum(taken), 0) FROM event_seats`, `SELECT coalesce(sum(taken), 0) FROM workshops`,
	} {
		fmt.Fprintf(&sb, "%d ", queryInt(t, pool, q))
	}
	return "registrations/bookings/outbox/tokens/confirmed/taken = " + sb.String()
}

// expected reports whether err is an outcome a concurrent client may
// legitimately get; everything else fails the concurrency tests.
func expected(err error) bool {
	var v *ValidationError
	return err == nil || errors.Is(err, ErrDuplicate) || errors.Is(err, ErrCancelled) ||
		errors.Is(err, ErrNotConfirmed) || errors.As(err, &v)
}

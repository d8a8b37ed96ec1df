package dbtest

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
)

// invariantChecks are the invariants as SQL: each query returns one line
// per violation.
var invariantChecks = []struct{ name, sql string }{
	{"workshop confirmed within capacity and taken == confirmed bookings", `
SELECT format('workshop %s: capacity=%s taken=%s confirmed=%s', w.key, w.capacity, w.taken, count(b.id))
FROM workshops w LEFT JOIN bookings b ON b.workshop_id = w.id AND b.status = 'confirmed'
GROUP BY w.id HAVING count(b.id) > w.capacity OR count(b.id) <> w.taken`},
	{"event confirmed within capacity and event_seats.taken == confirmed registrations", `
SELECT format('event %s: capacity=%s/%s taken=%s registrations=%s', e.slug, e.capacity, s.capacity, s.taken, count(r.id))
FROM events e JOIN event_seats s ON s.event_id = e.id
LEFT JOIN registrations r ON r.event_id = e.id AND r.status = 'confirmed'
GROUP BY e.id, s.event_id HAVING count(r.id) > e.capacity OR count(r.id) <> s.taken OR s.capacity <> e.capacity`},
	{"every event has its seat counter", `
SELECT format('event %s has no event_seats row', e.slug) FROM events e
WHERE NOT EXISTS (SELECT 1 FROM event_seats s WHERE s.event_id = e.id)`},
	{"at most one confirmed booking per slot", `
SELECT format('registration %s holds %s seats in slot %s', registration_id, count(*), slot_id)
FROM bookings WHERE status = 'confirmed' GROUP BY registration_id, slot_id HAVING count(*) > 1`},
	{"at most one queue place per slot", `
SELECT format('registration %s waits %s times in slot %s', registration_id, count(*), slot_id)
FROM bookings WHERE status = 'waitlisted' GROUP BY registration_id, slot_id HAVING count(*) > 1`},
	{"never two confirmed sessions of one topic", `
SELECT format('registration %s holds topic %s %s times', registration_id, topic, count(*))
FROM bookings WHERE status = 'confirmed' GROUP BY registration_id, topic HAVING count(*) > 1`},
	{"bookings belong to confirmed registrations only", `
SELECT format('%s booking in %s of %s registration %s', b.status, w.key, r.status, r.id)
FROM bookings b JOIN registrations r ON r.id = b.registration_id JOIN workshops w ON w.id = b.workshop_id
WHERE r.status <> 'confirmed'`},
	{"no free workshop seat while an eligible person waits", `
SELECT format('workshop %s: taken=%s < capacity=%s while registration %s waits', w.key, w.taken, w.capacity, b.registration_id)
FROM workshops w JOIN bookings b ON b.workshop_id = w.id AND b.status = 'waitlisted'
JOIN registrations r ON r.id = b.registration_id AND r.status = 'confirmed'
WHERE w.taken < w.capacity
  AND NOT EXISTS (SELECT 1 FROM bookings c WHERE c.registration_id = b.registration_id
                  AND c.status = 'confirmed' AND c.topic = w.topic AND c.slot_id <> w.slot_id)`},
	{"no free event seat while someone waits for the event", `
SELECT format('event %s: taken=%s < capacity=%s while %s wait', e.slug, s.taken, s.capacity, count(*))
FROM events e JOIN event_seats s ON s.event_id = e.id
JOIN registrations r ON r.event_id = e.id AND r.status = 'waitlisted'
WHERE s.taken < s.capacity GROUP BY e.id, s.event_id`},
	// A change of wishes confirms the new wishes with another received
	// mail, so received mails count once however many there are.
	{"exactly one registered mail (confirmed/waitlisted/received) per registration", `
SELECT format('registration %s has %s confirmed/waitlisted and %s received mails', r.id,
       count(o.id) FILTER (WHERE o.kind <> 'received'), count(o.id) FILTER (WHERE o.kind = 'received'))
FROM registrations r LEFT JOIN outbox o ON o.registration_id = r.id
     AND o.kind IN ('confirmed', 'waitlisted', 'received')
GROUP BY r.id
HAVING count(o.id) FILTER (WHERE o.kind <> 'received') + least(count(o.id) FILTER (WHERE o.kind = 'received'), 1) <> 1`},
	// A person deleted at once on request is not mailed: their address
	// is gone with the rest of their data. A seat released at a
	// reconfirmation deadline gets its own cancellation mail, which says why.
	{"exactly one cancelled mail per cancelled registration, none for others", `
SELECT format('%s registration %s has %s cancelled mails', r.status, r.id, count(o.id))
FROM registrations r LEFT JOIN outbox o ON o.registration_id = r.id AND o.kind IN ('cancelled', 'reconfirm_released')
GROUP BY r.id HAVING count(o.id) <> CASE WHEN r.status = 'cancelled' THEN 1 ELSE 0 END
   AND NOT (r.status = 'cancelled' AND count(o.id) = 0 AND r.email LIKE 'deleted-%@invalid')`},
	{"every outbox row belongs to a registration", `
SELECT format('outbox row %s (%s) has no registration', id, kind) FROM outbox
WHERE registration_id IS NULL
  AND kind IN ('confirmed', 'waitlisted', 'received', 'promoted', 'swapped', 'cancelled', 'published', 'link',
               'reconfirm', 'reconfirm_reminder', 'reconfirm_released')`},
}

// CheckInvariants checks the booking invariants over the whole database
// and reports every violation with t.Errorf: no workshop or event above
// its capacity, seat counters equal to the rows they count, at most one
// seat and one queue place per slot and registration, no topic twice,
// bookings only for confirmed registrations, no free workshop or event
// seat while someone who could take it waits, exactly one sign-up mail per
// registration (a received mail may repeat: each change of wishes sends
// one) and one cancel mail per cancelled one.
//
// Call it at the end of every test that writes registrations or bookings
// (or open the database with NewChecked),
// on the test's own database (New), after the writes have returned:
//
//	pool, _ := dbtest.New(t)
//	… sign up, swap, cancel, publish …
//	dbtest.CheckInvariants(t, pool)
//
// A test that deliberately leaves a state outside the rules (a mail it
// deleted by hand, say) cannot use it.
func CheckInvariants(t testing.TB, pool *pgxpool.Pool) {
	t.Helper()
	ctx := context.Background()
	for _, c := range invariantChecks {
		rows, err := pool.Query(ctx, c.sql)
		if err != nil {
			t.Fatalf("invariant %q: %v", c.name, err)
		}
		var violations []string
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				t.Fatalf("invariant %q: %v", c.name, err)
			}
			violations = append(violations, s)
		}
		if err := rows.Err(); err != nil {
			t.Fatalf("invariant %q: %v", c.name, err)
		}
		if len(violations) > 0 {
			if len(violations) > 10 {
				violations = append(violations[:10], fmt.Sprintf("… and %d more", len(violations)-10))
			}
			t.Errorf("invariant %q broken:\n  %s", c.name, strings.Join(violations, "\n  "))
		}
	}
}

// NewChecked is New for a test that writes bookings: CheckInvariants runs
// when the test ends. It is registered before anything the test starts
// afterwards, so cleanups run last-in first-out: servers and workers stop
// first, then the invariants are checked, then the database is dropped.
func NewChecked(t testing.TB) *pgxpool.Pool {
	t.Helper()
	pool, _ := New(t)
	t.Cleanup(func() { CheckInvariants(t, pool) })
	return pool
}

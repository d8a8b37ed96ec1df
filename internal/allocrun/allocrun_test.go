package allocrun

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/fachtag/fachtag/internal/allocation"
	"github.com/fachtag/fachtag/internal/booking"
	"github.com/fachtag/fachtag/internal/db"
	"github.com/fachtag/fachtag/internal/db/dbtest"
	"github.com/fachtag/fachtag/internal/event"
	"github.com/fachtag/fachtag/internal/registration"
	"github.com/fachtag/fachtag/internal/scenarios"
)

// importScenario brings a bundled scenario into the future, opens it and
// imports it.
func importScenario(t *testing.T, pool *pgxpool.Pool, name string) *event.File {
	t.Helper()
	data, err := scenarios.Read(name)
	if err != nil {
		t.Fatal(err)
	}
	f, err := event.ParseFile(data)
	if err != nil {
		t.Fatalf("parse %s: %v", name, err)
	}
	now := time.Now()
	f.MoveTo(now.AddDate(0, 0, 40), now)
	f.Status = event.StatusOpen
	if _, err := event.Import(t.Context(), pool, f); err != nil {
		t.Fatalf("import %s: %v", name, err)
	}
	return f
}

// wishes draws ranked wishes per slot with skewed popularity: the first
// workshops of a slot are hot; a fifth of people list fewer than allowed
// and some skip a slot.
func wishes(rng *rand.Rand, f *event.File) map[string][]string {
	out := map[string][]string{}
	for _, s := range f.Slots {
		var keys []string
		for _, w := range f.Workshops {
			if w.Slot == s.Key {
				keys = append(keys, w.Key)
			}
		}
		if rng.IntN(10) == 0 {
			continue
		}
		n := f.Registration.MaxPreferences
		if rng.IntN(5) == 0 {
			n = 1 + rng.IntN(n)
		}
		var list []string
		for len(list) < min(n, len(keys)) {
			// Squaring a uniform number favours low indexes.
			u := rng.Float64()
			k := keys[int(u*u*float64(len(keys)))]
			if !contains(list, k) {
				list = append(list, k)
			}
		}
		out[s.Key] = list
	}
	return out
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// registerMany signs up n people with generated wishes, four at a time,
// and returns their personal-link tokens by registration id.
func registerMany(t *testing.T, bs *booking.Service, f *event.File, n int, seed uint64) map[string]string {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 1))
	reqs := make([]booking.Request, n)
	for i := range reqs {
		reqs[i] = booking.Request{Name: fmt.Sprintf("Person %d", i), Email: fmt.Sprintf("p%d@example.org", i),
			Language: []string{"de", "en"}[i%2], Consents: booking.Consents{Privacy: true},
			Answers: map[string]any{"organisation_type": "Kommune"}, Preferences: wishes(rng, f)}
	}
	var mu sync.Mutex
	tokens := map[string]string{}
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += 4 {
				reg, token, err := bs.Register(context.Background(), f.Slug, reqs[i])
				if err != nil {
					errs <- fmt.Errorf("register %d: %w", i, err)
					return
				}
				mu.Lock()
				tokens[reg.ID] = token
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	return tokens
}

// checkRun verifies a run against the instance rules without trusting
// the solver: profile sums, capacities, one seat per slot, no topic twice.
func checkRun(t *testing.T, pool *pgxpool.Pool, f *event.File, run *Run) {
	t.Helper()
	ev, err := event.Load(t.Context(), pool, f.Slug)
	if err != nil {
		t.Fatal(err)
	}
	res := run.Result
	listed := 0
	for k, v := range res.Profile {
		if k != "none" {
			listed += v
		}
	}
	if listed != len(res.Assignments) || res.Profile["none"] != len(res.Unassigned) {
		t.Errorf("profile %v does not add up to %d assignments and %d empty seats", res.Profile, len(res.Assignments), len(res.Unassigned))
	}
	fill := map[string]int{}
	slotOf := map[[2]string]bool{}
	topicOf := map[[2]string]bool{}
	for _, a := range res.Assignments {
		w, ok := ev.Workshop(a.Workshop)
		if !ok || w.SlotKey != a.Slot {
			t.Fatalf("assignment %+v: no such workshop in slot", a)
		}
		fill[a.Workshop]++
		if slotOf[[2]string{a.Participant, a.Slot}] {
			t.Errorf("%s has two seats in %s", a.Participant, a.Slot)
		}
		slotOf[[2]string{a.Participant, a.Slot}] = true
		if topicOf[[2]string{a.Participant, w.Topic}] {
			t.Errorf("%s has topic %s twice", a.Participant, w.Topic)
		}
		topicOf[[2]string{a.Participant, w.Topic}] = true
	}
	for _, w := range ev.Workshops {
		if fill[w.Key] > w.Capacity-w.Taken {
			t.Errorf("workshop %s: %d allocated, only %d seats left", w.Key, fill[w.Key], w.Capacity-w.Taken)
		}
	}
	if run.Bound.SeatsFilledMax < run.Objective.SeatsFilled {
		t.Errorf("bound %+v below objective %+v", run.Bound, run.Objective)
	}
}

func count(t *testing.T, pool *pgxpool.Pool, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := pool.QueryRow(t.Context(), sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

// TestEndToEnd is the end-to-end test: two real scenarios, a few
// hundred people with generated wishes, run, publish, then the booking
// phase.
func TestEndToEnd(t *testing.T) {
	cases := []struct {
		scenario    string
		people      int
		wantOptimal bool
	}{
		{"berufliche-teilhabe-2025", 150, false}, // topics repeat: optimal only if proven
		{"fachkraeftekongress-2025", 400, true},
	}
	for _, tc := range cases {
		t.Run(tc.scenario, func(t *testing.T) {
			pool := dbtest.NewChecked(t)
			f := importScenario(t, pool, tc.scenario)
			tokens := registerMany(t, booking.New(pool), f, tc.people, 7)
			s := New(pool)
			run, err := s.Run(t.Context(), f.Slug, Options{})
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			checkRun(t, pool, f, run)
			if tc.wantOptimal && !run.Optimal {
				t.Errorf("optimal = false, want true (method %s)", run.Method)
			}
			t.Logf("%s: profile %v optimal=%v method=%s %dms", tc.scenario, run.Profile, run.Optimal, run.Method, run.ElapsedMS)

			got, err := s.Get(t.Context(), f.Slug, run.ID)
			if err != nil || got.Status != StatusDraft || len(got.Assignments) != len(run.Assignments) {
				t.Fatalf("Get = %+v, %v; want the stored draft", got, err)
			}
			pub, err := s.Publish(t.Context(), f.Slug, run.ID)
			if err != nil {
				t.Fatalf("Publish: %v", err)
			}
			checkPublished(t, pool, f, run, pub, len(tokens))

			if _, err := s.Publish(t.Context(), f.Slug, run.ID); !errors.Is(err, ErrPublished) {
				t.Errorf("second Publish: err = %v, want ErrPublished", err)
			}
			if _, err := s.Run(t.Context(), f.Slug, Options{}); !errors.Is(err, ErrPublished) {
				t.Errorf("Run after publication: err = %v, want ErrPublished", err)
			}
			for _, token := range tokens {
				if _, err := booking.New(pool).ChangeWishes(t.Context(), token, nil); !errors.Is(err, booking.ErrNoWishPhase) {
					t.Errorf("ChangeWishes after publication: err = %v, want ErrNoWishPhase", err)
				}
				break
			}
			checkBookingPhase(t, pool, f)
		})
	}
}

func checkPublished(t *testing.T, pool *pgxpool.Pool, f *event.File, run *Run, pub *Publication, people int) {
	t.Helper()
	ctx := t.Context()
	ev, err := event.Load(ctx, pool, f.Slug)
	if err != nil {
		t.Fatal(err)
	}
	if ev.Registration.Mode != event.ModeFirstCome {
		t.Errorf("mode after publication = %s, want first_come", ev.Registration.Mode)
	}
	wantConfirmed := min(people, f.Capacity)
	if pub.Confirmed != wantConfirmed || pub.Waitlisted != people-wantConfirmed || pub.Mails != people {
		t.Errorf("publication %+v, want %d confirmed, %d waitlisted, %d mails", pub, wantConfirmed, people-wantConfirmed, people)
	}
	if n := count(t, pool, `SELECT count(*) FROM registrations WHERE event_id = $1 AND status = 'confirmed'`, ev.ID); n != wantConfirmed || ev.Confirmed != n {
		t.Errorf("confirmed registrations = %d, events.confirmed = %d, want %d", n, ev.Confirmed, wantConfirmed)
	}
	if n := count(t, pool, `SELECT count(*) FROM registrations WHERE status = 'received'`); n != 0 {
		t.Errorf("%d registrations still received", n)
	}
	// Every confirmed registration holds exactly its assignments.
	want := map[string]string{}
	for _, a := range run.Assignments {
		want[a.Participant+"/"+a.Slot] = a.Workshop
	}
	rows, _ := pool.Query(ctx, `
SELECT b.registration_id::text, s.key, w.key, r.status FROM bookings b
JOIN slots s ON s.id = b.slot_id JOIN workshops w ON w.id = b.workshop_id
JOIN registrations r ON r.id = b.registration_id WHERE b.event_id = $1`, ev.ID)
	booked := 0
	for rows.Next() {
		var reg, slot, ws, status string
		if err := rows.Scan(&reg, &slot, &ws, &status); err != nil {
			t.Fatal(err)
		}
		if want[reg+"/"+slot] != ws || status != "confirmed" {
			t.Errorf("booking %s %s=%s (%s) not in the run", reg, slot, ws, status)
		}
		booked++
	}
	if booked != pub.Bookings {
		t.Errorf("%d bookings in the database, publication says %d", booked, pub.Bookings)
	}
	if people <= f.Capacity && booked != len(run.Assignments) {
		t.Errorf("%d bookings, want all %d assignments", booked, len(run.Assignments))
	}
	for _, w := range ev.Workshops {
		if n := count(t, pool, `SELECT count(*) FROM bookings WHERE workshop_id = $1 AND status = 'confirmed'`, w.ID); n != w.Taken || n > w.Capacity {
			t.Errorf("workshop %s: %d bookings, taken %d, capacity %d", w.Key, n, w.Taken, w.Capacity)
		}
	}
	if n := count(t, pool, `
SELECT count(*) FROM (SELECT r.id FROM registrations r LEFT JOIN outbox o ON o.registration_id = r.id AND o.kind = 'published'
WHERE r.event_id = $1 GROUP BY r.id HAVING count(o.id) <> 1) x`, ev.ID); n != 0 {
		t.Errorf("%d registrations without exactly one published mail", n)
	}
}

// checkBookingPhase signs someone up first come, first served after the
// publication: a seat if the event has room, the event's waiting list if
// not.
func checkBookingPhase(t *testing.T, pool *pgxpool.Pool, f *event.File) {
	t.Helper()
	req := booking.Request{Name: "Late Comer", Email: "late@example.org", Consents: booking.Consents{Privacy: true},
		Answers: map[string]any{"organisation_type": "Kommune"}, Choices: map[string]string{f.Slots[0].Key: f.Workshops[len(f.Workshops)-1].Key}}
	for _, w := range f.Workshops {
		if w.Slot == f.Slots[0].Key {
			req.Choices[w.Slot] = w.Key
		}
	}
	reg, _, err := booking.New(pool).Register(t.Context(), f.Slug, req)
	if err != nil {
		t.Fatalf("first_come Register after publication: %v", err)
	}
	ev, _ := event.Load(t.Context(), pool, f.Slug)
	wantStatus := registration.Confirmed
	if ev.Confirmed >= ev.Capacity && reg.Status != registration.Confirmed {
		wantStatus = registration.Waitlisted
	}
	if reg.Status != wantStatus {
		t.Errorf("late sign-up status %s, want %s", reg.Status, wantStatus)
	}
	if reg.Status == registration.Confirmed && len(reg.Bookings) != 1 {
		t.Errorf("late sign-up bookings %+v, want one seat or queue place", reg.Bookings)
	}
}

func TestConcurrentRuns(t *testing.T) {
	pool := dbtest.NewChecked(t)
	f := importScenario(t, pool, "berufliche-teilhabe-2025")
	registerMany(t, booking.New(pool), f, 60, 3)
	s := New(pool)
	ctx := t.Context()

	// Deterministic: another instance holds the lock.
	var eventID int64
	if err := pool.QueryRow(ctx, `SELECT id FROM events WHERE slug = $1`, f.Slug).Scan(&eventID); err != nil {
		t.Fatal(err)
	}
	conn, err := pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock(hashtext('fachtag.allocrun'), $1::int)`, eventID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Run(ctx, f.Slug, Options{}); !errors.Is(err, ErrRunInProgress) {
		t.Errorf("Run while locked: err = %v, want ErrRunInProgress", err)
	}
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_unlock(hashtext('fachtag.allocrun'), $1::int)`, eventID); err != nil {
		t.Fatal(err)
	}
	conn.Release()

	// Racing: every run either succeeds or is told another one runs.
	var wg sync.WaitGroup
	errs := make([]error, 6)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = s.Run(ctx, f.Slug, Options{Fair: i%2 == 0})
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, ErrRunInProgress):
			t.Errorf("concurrent Run: %v", err)
		}
	}
	if ok == 0 {
		t.Error("no concurrent run succeeded")
	}
	if n := count(t, pool, `SELECT count(*) FROM allocation_runs`); n != ok {
		t.Errorf("%d runs stored, %d succeeded", n, ok)
	}
}

func TestStaleRunAndPins(t *testing.T) {
	pool := dbtest.NewChecked(t)
	f := importScenario(t, pool, "berufliche-teilhabe-2025")
	bs := booking.New(pool)
	tokens := registerMany(t, bs, f, 40, 5)
	s := New(pool)
	ctx := t.Context()

	run, err := s.Run(ctx, f.Slug, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var regID, token string
	for regID, token = range tokens {
		break
	}
	if _, err := bs.ChangeWishes(ctx, token, map[string][]string{"r1": {"D1"}, "r2": {"C2", "B2"}}); err != nil {
		t.Fatalf("ChangeWishes: %v", err)
	}
	if _, err := s.Publish(ctx, f.Slug, run.ID); !errors.Is(err, ErrStaleRun) {
		t.Fatalf("Publish after a wish change: err = %v, want ErrStaleRun", err)
	}
	if n := count(t, pool, `SELECT count(*) FROM bookings`) + count(t, pool, `SELECT count(*) FROM outbox WHERE kind = 'published'`); n != 0 {
		t.Errorf("refused publication left %d rows", n)
	}

	// Pins: outside the wishes, kept by the next run.
	if err := s.Pin(ctx, f.Slug, regID, "r1", "A1"); err != nil {
		t.Fatalf("Pin: %v", err)
	}
	var verr *booking.ValidationError
	if err := s.Pin(ctx, f.Slug, regID, "r2", "A2"); !errors.As(err, &verr) || verr.Fields["workshop"].Key != "err.topic_twice" {
		t.Errorf("Pin of the same topic: err = %v, want err.topic_twice", err)
	}
	if err := s.Pin(ctx, f.Slug, regID, "r1", "A2"); !errors.As(err, &verr) || verr.Fields["workshop"].Key != "err.wrong_slot" {
		t.Errorf("Pin into the wrong slot: err = %v, want err.wrong_slot", err)
	}
	if err := s.Pin(ctx, f.Slug, "nobody", "r1", "A1"); !errors.As(err, &verr) {
		t.Errorf("Pin of an unknown registration: err = %v, want a validation error", err)
	}
	pins, err := s.Pins(ctx, f.Slug)
	if err != nil || len(pins) != 1 || pins[0].Workshop != "A1" {
		t.Fatalf("Pins = %+v, %v", pins, err)
	}
	run, err = s.Run(ctx, f.Slug, Options{Fair: true})
	if err != nil {
		t.Fatal(err)
	}
	if !hasAssignment(run.Result, regID, "r1", "A1") {
		t.Errorf("pinned A1 not kept: %+v", run.Assignments)
	}
	rep, err := s.Report(ctx, f.Slug, run.ID)
	if err != nil || len(rep.Fill) != len(f.Workshops) {
		t.Fatalf("Report = %+v, %v", rep, err)
	}
	cmp, err := s.Compare(ctx, f.Slug, Options{})
	if err != nil || cmp.Plain.Options.Fair || !cmp.Fair.Options.Fair {
		t.Fatalf("Compare = %+v, %v", cmp, err)
	}
	if err := s.Unpin(ctx, f.Slug, regID, "r1"); err != nil {
		t.Fatal(err)
	}
	if pins, _ := s.Pins(ctx, f.Slug); len(pins) != 0 {
		t.Errorf("pins after Unpin: %+v", pins)
	}
}

// TestRunSolvesOutsideTransactions: while the solver's result waits to be
// stored, the run holds the event's lock but no transaction, and a wish
// changed meanwhile makes the store refuse the stale result.
func TestRunSolvesOutsideTransactions(t *testing.T) {
	pool, _ := dbtest.New(t)
	f := importScenario(t, pool, "berufliche-teilhabe-2025")
	bs := booking.New(pool)
	tokens := registerMany(t, bs, f, 30, 7)
	s := New(pool)
	ctx := t.Context()
	var token string
	for _, token = range tokens {
		break
	}
	s.solved = func() {
		s.solved = nil
		const open = `SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND state LIKE 'idle in transaction%'`
		if n := count(t, pool, open); n != 0 {
			t.Errorf("%d transactions open while the run waits to store", n)
		}
		if _, err := s.Run(ctx, f.Slug, Options{}); !errors.Is(err, ErrRunInProgress) {
			t.Errorf("second Run during the first: err = %v, want ErrRunInProgress", err)
		}
		if _, err := bs.ChangeWishes(ctx, token, map[string][]string{"r1": {"D1"}, "r2": {"C2"}}); err != nil {
			t.Errorf("ChangeWishes: %v", err)
		}
	}
	if _, err := s.Run(ctx, f.Slug, Options{}); !errors.Is(err, ErrStaleRun) {
		t.Fatalf("Run with wishes changed during the solve: err = %v, want ErrStaleRun", err)
	}
	if n := count(t, pool, `SELECT count(*) FROM allocation_runs`); n != 0 {
		t.Errorf("%d runs stored from a stale input", n)
	}
	// The lock was released: the next run goes through.
	if _, err := s.Run(ctx, f.Slug, Options{}); err != nil {
		t.Fatalf("Run after the refused one: %v", err)
	}
}

func hasAssignment(res *allocation.Result, p, slot, ws string) bool {
	for _, a := range res.Assignments {
		if a.Participant == p && a.Slot == slot && a.Workshop == ws {
			return true
		}
	}
	return false
}

// TestWishAfterPublicationRefused: the trigger refuses a wish stored by a
// sign-up that read the event before the publication switched its mode.
func TestWishAfterPublicationRefused(t *testing.T) {
	pool := dbtest.NewChecked(t)
	f := importScenario(t, pool, "berufliche-teilhabe-2025")
	registerMany(t, booking.New(pool), f, 5, 9)
	s := New(pool)
	run, err := s.Run(t.Context(), f.Slug, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Publish(t.Context(), f.Slug, run.ID); err != nil {
		t.Fatal(err)
	}
	_, err = pool.Exec(t.Context(), `
INSERT INTO registrations (event_id, name, email, consent_privacy, status)
SELECT id, 'Late', 'late@example.org', now(), 'received' FROM events WHERE slug = $1`, f.Slug)
	if !db.IsCheckViolation(err, "registrations_wish_phase_open") {
		t.Errorf("wish after publication: err = %v, want registrations_wish_phase_open", err)
	}
}

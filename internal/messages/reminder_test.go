package messages_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/fachtag/fachtag/internal/db/dbtest"
	"github.com/fachtag/fachtag/internal/event"
	"github.com/fachtag/fachtag/internal/mail"
	"github.com/fachtag/fachtag/internal/messages"
)

// importEvent stores an event starting in `in` with one slot and one
// workshop and `people` confirmed registrations, the first of them in the
// workshop.
func importEvent(t *testing.T, pool *pgxpool.Pool, slug, status string, in time.Duration, people int) int64 {
	t.Helper()
	ctx := context.Background()
	start := time.Now().Add(in).Truncate(time.Hour)
	f := &event.File{Slug: slug, Title: "Fachtag " + slug, Timezone: "Europe/Berlin", StartsAt: start,
		EndsAt: start.Add(6 * time.Hour), Capacity: 50, Languages: []string{"de"}, Status: status, RetentionDays: 90,
		Venue:        event.Venue{Name: "Rathaus", Address: "Markt 1"},
		Registration: event.Registration{Mode: event.ModeFirstCome, MaxPreferences: 3},
		Slots:        []event.SlotFile{{Key: "r1", Title: "Runde 1", StartsAt: start.Add(time.Hour), EndsAt: start.Add(2 * time.Hour)}},
		Workshops:    []event.WSFile{{Key: "A", Slot: "r1", Title: "Workshop Alpha", Capacity: 10, Topic: "A", Room: "101"}},
	}
	if _, err := event.Import(ctx, pool, f); err != nil {
		t.Fatal(err)
	}
	ev, err := event.Load(ctx, pool, slug)
	if err != nil {
		t.Fatal(err)
	}
	for i := range people {
		var regID string
		err := pool.QueryRow(ctx, `INSERT INTO registrations (event_id, name, email, consent_privacy, status)
			VALUES ($1, $2, $3, now(), 'confirmed') RETURNING id`, ev.ID, fmt.Sprintf("Person %d", i),
			fmt.Sprintf("p%d@%s.example.org", i, slug)).Scan(&regID)
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			_, err = pool.Exec(ctx, `INSERT INTO bookings (registration_id, event_id, slot_id, workshop_id, topic, status)
				VALUES ($1, $2, $3, $4, 'A', 'confirmed')`, regID, ev.ID, ev.Slots[0].ID, ev.Workshops[0].ID)
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	// A cancelled one never gets a reminder.
	_, err = pool.Exec(ctx, `INSERT INTO registrations (event_id, name, email, consent_privacy, status)
		VALUES ($1, 'Weg', $2, now(), 'cancelled')`, ev.ID, "weg@"+slug+".example.org")
	if err != nil {
		t.Fatal(err)
	}
	return ev.ID
}

func TestRemindersQueuedOnceByConcurrentSchedulers(t *testing.T) {
	pool, _ := dbtest.New(t)
	ctx := context.Background()
	due := importEvent(t, pool, "bald", event.StatusOpen, 48*time.Hour, 5)
	importEvent(t, pool, "spaeter", event.StatusOpen, 10*24*time.Hour, 2) // not yet due
	importEvent(t, pool, "entwurf", event.StatusDraft, 24*time.Hour, 2)   // draft: never
	off := importEvent(t, pool, "ohne", event.StatusOpen, 24*time.Hour, 2)
	if err := messages.SetReminderDays(ctx, pool, off, nil); err != nil {
		t.Fatal(err)
	}

	var wg sync.WaitGroup
	queued := make([]int, 8)
	for i := range queued {
		wg.Go(func() {
			for range 5 {
				n, err := messages.QueueDueReminders(ctx, pool, time.Now())
				if err != nil {
					t.Errorf("scheduler %d: %v", i, err)
				}
				queued[i] += n
			}
		})
	}
	wg.Wait()
	total := 0
	for _, n := range queued {
		total += n
	}
	if total != 1 {
		t.Errorf("reminders queued %d times, want once", total)
	}
	var rows, events int
	err := pool.QueryRow(ctx, `SELECT count(*), count(DISTINCT (payload->>'event_id')) FROM outbox WHERE kind = 'reminder'`).Scan(&rows, &events)
	if err != nil {
		t.Fatal(err)
	}
	if rows != 5 || events != 1 {
		t.Errorf("reminder rows = %d over %d events, want 5 rows of one event", rows, events)
	}
	r, err := messages.QueuedReminder(ctx, pool, due)
	if err != nil || r == nil || r.Recipients != 5 {
		t.Errorf("QueuedReminder = %+v, %v; want 5 recipients", r, err)
	}
}

func TestSchedulerRunsAndStops(t *testing.T) {
	pool, _ := dbtest.New(t)
	importEvent(t, pool, "bald", event.StatusOpen, 24*time.Hour, 2)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 2)
	for range 2 {
		go func() { done <- (&messages.Scheduler{Pool: pool, Interval: 10 * time.Millisecond}).Run(ctx) }()
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		var n int
		_ = pool.QueryRow(context.Background(), `SELECT count(*) FROM outbox WHERE kind = 'reminder'`).Scan(&n)
		if n == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("reminder rows = %d after 5s, want 2", n)
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond) // a few more ticks must not add rows
	cancel()
	for range 2 {
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("scheduler did not stop")
		}
	}
	var n int
	_ = pool.QueryRow(context.Background(), `SELECT count(*) FROM outbox WHERE kind = 'reminder'`).Scan(&n)
	if n != 2 {
		t.Errorf("reminder rows = %d, want 2", n)
	}
}

func TestReminderRendering(t *testing.T) {
	pool, _ := dbtest.New(t)
	ctx := context.Background()
	id := importEvent(t, pool, "bald", event.StatusOpen, 24*time.Hour, 2)
	if _, err := messages.QueueDueReminders(ctx, pool, time.Now()); err != nil {
		t.Fatal(err)
	}
	var payload []byte
	if err := pool.QueryRow(ctx, `SELECT payload FROM outbox WHERE recipient = 'p0@bald.example.org'`).Scan(&payload); err != nil {
		t.Fatal(err)
	}
	ev, err := event.LoadByID(ctx, pool, id)
	if err != nil {
		t.Fatal(err)
	}
	var p mail.Message
	if err := json.Unmarshal(payload, &p); err != nil {
		t.Fatal(err)
	}
	r, err := mail.RenderOrg(p, ev, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Guten Tag Person 0,", "Workshop Alpha", "Rathaus, Markt 1", "Runde 1"} {
		if !strings.Contains(r.Text, want) || !strings.Contains(r.HTML, want) {
			t.Errorf("reminder lacks %q:\n%s", want, r.Text)
		}
	}
	if !strings.HasPrefix(r.Subject, "Erinnerung: Fachtag bald am ") {
		t.Errorf("subject %q", r.Subject)
	}
}
